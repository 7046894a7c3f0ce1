"""store/roles.py on SQLite and PostgreSQL: a role is granted once per site (or instance-wide), read for a
site together with the instance-wide ones, and taken away once."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from rejoinder.domain.sites import SiteOptions
from rejoinder.moderation.rules import Role
from rejoinder.store import engine as store_engine
from rejoinder.store import roles as store
from rejoinder.store import sites as site_store
from tests.store.contract import an_identity, run


def test_roles_are_granted_once_and_taken_away_once(db_url: str) -> None:
    async def work(engine: AsyncEngine) -> dict[str, object]:
        async with store_engine.write(engine) as conn:
            site = (
                await site_store.insert_site(conn, "blog", ["https://blog.example"], SiteOptions(), now=1)
            ).id
            await an_identity(conn, "ann")
            granted = (
                await store.insert_role(conn, "ann", site, Role.MODERATOR, now=1, by="cli"),
                await store.insert_role(conn, "ann", site, Role.MODERATOR, now=2, by="cli"),
                await store.insert_role(conn, "ann", None, Role.TRUSTED, now=3, by="cli"),
                await store.insert_role(conn, "ann", None, Role.TRUSTED, now=4, by="cli"),
            )
        async with store_engine.read(engine) as conn:
            on_site = await store.select_roles(conn, "ann", site)
            elsewhere = await store.select_roles(conn, "ann", site + 1)
            every = sorted(await store.select_all_roles(conn, "ann"), key=lambda r: r[1].value)
        async with store_engine.write(engine) as conn:
            taken = (
                await store.delete_role(conn, "ann", site, Role.MODERATOR),
                await store.delete_role(conn, "ann", site, Role.MODERATOR),
            )
        async with store_engine.read(engine) as conn:
            after = await store.select_roles(conn, "ann", site)
        return {
            "granted": granted,
            "on_site": on_site,
            "elsewhere": elsewhere,
            "every": [(r[0] == site if r[0] is not None else None, r[1]) for r in every],
            "taken": taken,
            "after": after,
        }

    assert run(db_url, work) == {
        "granted": (True, False, True, False),
        "on_site": frozenset({Role.MODERATOR, Role.TRUSTED}),
        "elsewhere": frozenset({Role.TRUSTED}),
        "every": [(True, Role.MODERATOR), (None, Role.TRUSTED)],
        "taken": (True, False),
        "after": frozenset({Role.TRUSTED}),
    }
