"""store/sites.py on SQLite and PostgreSQL: sites round-trip with their origins and options, change and go;
instance metadata is written once and read back."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from rejoinder.domain.sites import Site, SiteOptions
from rejoinder.errors import Conflict
from rejoinder.store import engine as store_engine
from rejoinder.store import sites as store
from tests.store.contract import run


def test_sites_round_trip_change_and_go(db_url: str) -> None:
    options = SiteOptions(require_email=True)

    async def work(engine: AsyncEngine) -> tuple[Site, Site | None, list[Site], Site | None, list[str]]:
        async with store_engine.write(engine) as conn:
            blog = await store.insert_site(conn, "blog", ["https://blog.example"], options, now=1)
            await store.insert_site(conn, "news", ["https://news.example"], SiteOptions(), now=2)
        async with store_engine.read(engine) as conn:
            read = await store.select_site_by_name(conn, "blog")
        async with store_engine.write(engine) as conn:
            await store.update_site(conn, blog.id, ["https://www.blog.example"], SiteOptions())
        async with store_engine.read(engine) as conn:
            changed = await store.select_sites(conn)
        async with store_engine.write(engine) as conn:
            await store.delete_site(conn, blog.id)
        async with store_engine.read(engine) as conn:
            gone = await store.select_site_by_name(conn, "blog")
            left = [s.name for s in await store.select_sites(conn)]
        return blog, read, changed, gone, left

    blog, read, changed, gone, left = run(db_url, work)
    assert read == blog == Site(id=blog.id, name="blog", origins=("https://blog.example",), options=options)
    assert [(s.name, s.origins, s.options) for s in changed] == [
        ("blog", ("https://www.blog.example",), SiteOptions()),
        ("news", ("https://news.example",), SiteOptions()),
    ]
    assert gone is None and left == ["news"]


def test_a_site_name_is_taken_once(db_url: str) -> None:
    """The store's boundary turns the driver's unique violation into a Conflict (errors.py)."""

    async def work(engine: AsyncEngine) -> list[str]:
        async with store_engine.write(engine) as conn:
            await store.insert_site(conn, "blog", [], SiteOptions(), now=1)
        with pytest.raises(Conflict) as refused:
            async with store_engine.write(engine) as conn:
                await store.insert_site(conn, "blog", [], SiteOptions(), now=2)
        assert refused.value.code == "conflict"
        async with store_engine.read(engine) as conn:
            return [s.name for s in await store.select_sites(conn)]

    assert run(db_url, work) == ["blog"]


def test_meta_is_written_once_and_read_back(db_url: str) -> None:
    async def work(engine: AsyncEngine) -> tuple[str | None, str | None]:
        async with store_engine.read(engine) as conn:
            before = await store.select_meta(conn, "contract-test")
        async with store_engine.write(engine) as conn:
            await store.insert_meta(conn, "contract-test", "v1")
        async with store_engine.read(engine) as conn:
            return before, await store.select_meta(conn, "contract-test")

    assert run(db_url, work) == (None, "v1")
