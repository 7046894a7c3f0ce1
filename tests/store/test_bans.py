"""store/bans.py on SQLite and PostgreSQL: a ban is active on its site (or every site) until it ends or is
lifted, and is lifted once."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from rejoinder.domain.sites import SiteOptions
from rejoinder.moderation.rules import Ban
from rejoinder.store import bans as store
from rejoinder.store import engine as store_engine
from rejoinder.store import sites as site_store
from tests.store.contract import run


def test_bans_are_active_until_they_end_or_are_lifted(db_url: str) -> None:
    async def work(engine: AsyncEngine) -> dict[str, object]:
        async with store_engine.write(engine) as conn:
            site = (
                await site_store.insert_site(conn, "blog", ["https://blog.example"], SiteOptions(), now=1)
            ).id
            made = {
                name: await store.insert_ban(
                    conn,
                    site_id=site_id,
                    identity_id=None,
                    email_hash=None,
                    ip_range="203.0.113.0/24",
                    reason=name,
                    reject_all=False,
                    until=until,
                    now=1,
                    by="cli",
                )
                for name, site_id, until in (
                    ("site", site, None),
                    ("everywhere", None, 50),
                    ("lifted", site, None),
                )
            }
            lifted = await store.lift_ban(conn, made["lifted"], now=2, by="cli")
            lifted_again = await store.lift_ban(conn, made["lifted"], now=3, by="cli")
        async with store_engine.read(engine) as conn:
            active = {b.reason for b in await store.select_active_bans(conn, site, now=10)}
            later = {b.reason for b in await store.select_active_bans(conn, site, now=60)}
            one = await store.select_ban(conn, made["everywhere"])
            missing = await store.select_ban(conn, 999)
        return {
            "lifted": (lifted, lifted_again),
            "active": active,
            "later": later,
            "one": one,
            "missing": missing,
        }

    result = run(db_url, work)
    assert result == {
        "lifted": (True, False),
        "active": {"site", "everywhere"},
        "later": {"site"},
        "one": Ban(
            id=result["one"].id,  # type: ignore[union-attr]
            site_id=None,
            identity_id=None,
            email_hash=None,
            ip_range="203.0.113.0/24",
            reason="everywhere",
            until=50,
        ),
        "missing": None,
    }
