"""store/likes.py on SQLite and PostgreSQL: one like per liker and thing (the article or a comment), undone
once, and the liker lists the widget shows."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from rejoinder.store import engine as store_engine
from rejoinder.store import likes as store
from tests.store.contract import a_comment, a_thread, run


def test_a_like_is_recorded_once_and_undone_once(db_url: str) -> None:
    async def work(engine: AsyncEngine) -> dict[str, object]:
        async with store_engine.write(engine) as conn:
            thread = await a_thread(conn)
            comment = await a_comment(conn, thread, "c1")
            first = await store.insert_like(conn, thread, comment, "v1", name=None, avatar_key=None, now=10)
            again = await store.insert_like(conn, thread, comment, "v1", name=None, avatar_key=None, now=11)
            article = await store.insert_like(
                conn, thread, store.ARTICLE, "v1", name=None, avatar_key=None, now=12
            )
        async with store_engine.read(engine) as conn:
            liked = sorted(await store.select_liked(conn, thread, "v1"))
            other = await store.select_liked(conn, thread, "v2")
        async with store_engine.write(engine) as conn:
            undone = await store.delete_like(conn, thread, comment, "v1")
            undone_again = await store.delete_like(conn, thread, comment, "v1")
        async with store_engine.read(engine) as conn:
            after = await store.select_liked(conn, thread, "v1")
        return {
            "first": first,
            "again": again,
            "article": article,
            "liked": liked,
            "other": other,
            "undone": undone,
            "undone_again": undone_again,
            "after": after,
        }

    assert run(db_url, work) == {
        "first": True,
        "again": False,
        "article": True,
        "liked": ["", "c1"],  # '' is the article
        "other": [],
        "undone": True,
        "undone_again": False,
        "after": [""],
    }


def test_recent_named_likers_are_the_articles_newest_who_gave_a_name(db_url: str) -> None:
    async def work(engine: AsyncEngine) -> list[tuple[str, str]]:
        async with store_engine.write(engine) as conn:
            thread = await a_thread(conn)
            comment = await a_comment(conn, thread, "c1")
            for n, (liker, name, avatar) in enumerate(
                [("v1", "Ann", "ka"), ("v2", None, None), ("v3", "Bo", None), ("v4", "Cy", "kc")]
            ):
                await store.insert_like(
                    conn, thread, store.ARTICLE, liker, name=name, avatar_key=avatar, now=n
                )
            await store.insert_like(conn, thread, comment, "v5", name="Comment liker", avatar_key=None, now=9)
        async with store_engine.read(engine) as conn:
            return await store.select_recent_named_likers(conn, thread, limit=2)

    assert run(db_url, work) == [("Cy", "kc"), ("Bo", "")]
