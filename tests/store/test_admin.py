"""store/admin.py on SQLite and PostgreSQL: the dashboard's comments per day and the thread listing with its
filters (site, search as a plain substring, paging by id), and the staff mark on a comment."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from rejoinder.domain.sites import SiteOptions
from rejoinder.store import admin as store
from rejoinder.store import engine as store_engine
from rejoinder.store import sites as site_store
from rejoinder.store import threads as thread_store
from rejoinder.store.schema import comments
from tests.store.contract import a_comment, a_thread, run

DAY = store.DAY_US


def test_comments_per_day_count_the_sites_asked_for(db_url: str) -> None:
    async def work(engine: AsyncEngine) -> list[tuple[int, str, int]]:
        async with store_engine.write(engine) as conn:
            blog = await a_thread(conn, "blog")
            news = await a_thread(conn, "news")
            for comment_id, thread, created in (
                ("a", blog, 3 * DAY + 1),
                ("b", blog, 3 * DAY + 2),
                ("c", blog, 4 * DAY),
            ):
                await a_comment(conn, thread, comment_id)
                await conn.execute(
                    sa.update(comments).where(comments.c.id == comment_id).values(created=created)
                )
            await a_comment(conn, news, "n")
            await conn.execute(sa.update(comments).where(comments.c.id == "n").values(created=4 * DAY))
            await conn.execute(sa.update(comments).where(comments.c.id == "b").values(status="pending"))
            blog_site = await site_store.select_site_by_name(conn, "blog")
            assert blog_site is not None
            site_id = blog_site.id
        async with store_engine.read(engine) as conn:
            return sorted(await store.count_comments_per_day(conn, [site_id], since=3 * DAY))

    assert run(db_url, work) == [(3, "pending", 1), (3, "published", 1), (4, "published", 1)]


def test_threads_are_listed_newest_first_searched_and_paged(db_url: str) -> None:
    async def work(engine: AsyncEngine) -> dict[str, object]:
        async with store_engine.write(engine) as conn:
            site = await site_store.insert_site(conn, "blog", [], SiteOptions(), now=1)
            other = await site_store.insert_site(conn, "news", [], SiteOptions(), now=1)
            ids = []
            for uri, title in (
                ("https://blog.example/one", "First 100%"),
                ("https://blog.example/two", None),
            ):
                made = await thread_store.insert_thread(conn, site.id, uri=uri, key=None, title=title, now=2)
                ids.append(made.id)
            await thread_store.insert_thread(
                conn, other.id, uri="https://news.example/one", key=None, title=None, now=2
            )
        async with store_engine.read(engine) as conn:
            listed = await store.select_threads(conn, [site.id])
            return {
                "all": [t.uri for t in listed],
                "search": [t.uri for t in await store.select_threads(conn, [site.id], search="100%")],
                "literal": await store.select_threads(conn, [site.id], search="_"),
                "page": [t.uri for t in await store.select_threads(conn, [site.id], before_id=ids[1])],
                "open": len(await store.select_threads(conn, [site.id], closed=False)),
                "summary": await store.select_thread_summary(conn, ids[0]) == listed[1],
                "none": await store.select_thread_summary(conn, 999_999),
            }

    assert run(db_url, work) == {
        "all": ["https://blog.example/two", "https://blog.example/one"],
        "search": ["https://blog.example/one"],
        "literal": [],  # `_` and `%` are matched as themselves, not as wildcards
        "page": ["https://blog.example/one"],
        "open": 2,
        "summary": True,
        "none": None,
    }


def test_the_staff_mark(db_url: str) -> None:
    async def work(engine: AsyncEngine) -> list[bool]:
        seen = []
        async with store_engine.write(engine) as conn:
            await a_comment(conn, await a_thread(conn), "c1")
        for staff in (True, False):
            async with store_engine.write(engine) as conn:
                await store.update_staff(conn, "c1", staff=staff)
            async with store_engine.read(engine) as conn:
                value = (
                    await conn.execute(sa.select(comments.c.staff).where(comments.c.id == "c1"))
                ).scalar_one()
                seen.append(bool(value))
        return seen

    assert run(db_url, work) == [True, False]
