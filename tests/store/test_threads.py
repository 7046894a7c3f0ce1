"""store/threads.py: writers that create the same new thread at the same moment end up with one thread."""

from __future__ import annotations

import asyncio

import sqlalchemy as sa

from rejoinder.store import engine as store_engine
from rejoinder.store import schema
from rejoinder.store.threads import insert_thread, select_thread
from tests.fixtures.app import ARTICLE, ORIGIN, run_cli


def test_concurrent_first_writers_of_an_article_share_one_thread(db_url: str) -> None:
    run_cli(db_url, "site", "add", "blog", "--origin", ORIGIN)
    writers = 4

    async def go() -> tuple[list[int], int]:
        engine = store_engine.create_engine(db_url)
        looked = 0
        all_looked = asyncio.Event()
        try:
            async with store_engine.read(engine) as conn:
                site_id = (await conn.execute(sa.select(schema.sites.c.id))).scalar_one()

            async def first_comment() -> int:
                # What POST /api/comments and PUT /api/threads/like do in their write transaction.
                nonlocal looked
                async with store_engine.write(engine) as conn:
                    thread = await select_thread(conn, site_id, uri=ARTICLE, key=None)
                    if engine.dialect.name == "postgresql":
                        # Every writer has seen "no thread yet" before any creates one (on SQLite the
                        # writers take turns, so the later ones see the first one's thread).
                        assert thread is None
                        looked += 1
                        if looked == writers:
                            all_looked.set()
                        await asyncio.wait_for(all_looked.wait(), timeout=30)
                    if thread is None:
                        thread = await insert_thread(conn, site_id, uri=ARTICLE, key=None, title=None, now=1)
                    return thread.id

            ids = await asyncio.gather(*(first_comment() for _ in range(writers)))
            async with store_engine.read(engine) as conn:
                count = (
                    await conn.execute(sa.select(sa.func.count()).select_from(schema.threads))
                ).scalar_one()
            return ids, count
        finally:
            await engine.dispose()

    ids, count = asyncio.run(go())
    assert len(set(ids)) == 1, ids
    assert count == 1
