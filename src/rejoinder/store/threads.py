"""Threads: lookup by key or URL, creation, counts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from rejoinder.store.rows import from_row, insert_returning_id
from rejoinder.store.schema import threads


class ThreadRow(msgspec.Struct, frozen=True):
    id: int
    site_id: int
    uri: str | None
    key: str | None
    title: str | None
    comment_count: int
    like_count: int


def _row(row: Any) -> ThreadRow:
    return from_row(ThreadRow, row)


# Hot statements are built once: building a Core statement and its cache key per call cost more than
# running it (~0.13 ms of ~0.27 ms for select_thread on SQLite).
_BY_KEY = (
    sa.select(threads)
    .where(threads.c.site_id == sa.bindparam("site_id"), threads.c.key == sa.bindparam("key"))
    .limit(1)
)
_BY_URI = (
    sa.select(threads)
    .where(threads.c.site_id == sa.bindparam("site_id"), threads.c.uri == sa.bindparam("uri"))
    .order_by(threads.c.key.is_not(None), threads.c.id)
    .limit(1)
)
_BY_ID = sa.select(threads).where(threads.c.id == sa.bindparam("thread_id"))


async def select_thread(
    conn: AsyncConnection, site_id: int, *, uri: str | None, key: str | None
) -> ThreadRow | None:
    """The thread for an explicit key, else for the URL (the oldest one, when several pages share it)."""
    if key is not None:
        result = await conn.execute(_BY_KEY, {"site_id": site_id, "key": key})
    else:
        result = await conn.execute(_BY_URI, {"site_id": site_id, "uri": uri})
    row = result.first()
    return _row(row) if row else None


async def select_thread_by_id(conn: AsyncConnection, thread_id: int) -> ThreadRow | None:
    row = (await conn.execute(_BY_ID, {"thread_id": thread_id})).first()
    return _row(row) if row else None


# pg_advisory_xact_lock(namespace, site id): writers creating threads of one site take turns until commit.
_THREAD_CREATION_LOCK = sa.text("SELECT pg_advisory_xact_lock(1919247461, :site_id)")


async def insert_thread(
    conn: AsyncConnection, site_id: int, *, uri: str, key: str | None, title: str | None, now: int
) -> ThreadRow:
    """Create the thread, or return the one a concurrent writer created a moment ago. On PostgreSQL two
    first comments on a new article each saw no thread and each created one (no unique index can cover a
    URL shared by keyed pages), so the second comment went to a thread nobody reads (#10). Now writers
    that create threads of a site take turns and look again once they have their turn. SQLite has a single
    writer: a write transaction sees any thread created before it."""
    if conn.dialect.name == "postgresql":
        await conn.execute(_THREAD_CREATION_LOCK, {"site_id": site_id})
        found = await select_thread(conn, site_id, uri=uri, key=key)
        if found is not None:
            return found
    thread_id = await insert_returning_id(
        conn,
        sa.insert(threads).values(
            site_id=site_id, uri=uri, key=key, title=title, created=now, comment_count=0, like_count=0
        ),
    )
    return ThreadRow(
        id=thread_id, site_id=site_id, uri=uri, key=key, title=title, comment_count=0, like_count=0
    )


async def update_thread_title(conn: AsyncConnection, thread_id: int, title: str) -> None:
    await conn.execute(sa.update(threads).where(threads.c.id == thread_id).values(title=title))


_ADD_COUNTS = (
    sa.update(threads)
    .where(threads.c.id == sa.bindparam("thread_id"))
    .values(
        comment_count=threads.c.comment_count + sa.bindparam("comments"),
        like_count=threads.c.like_count + sa.bindparam("likes"),
    )
)


async def add_to_thread_counts(
    conn: AsyncConnection, thread_id: int, *, comments: int = 0, likes: int = 0
) -> None:
    await conn.execute(_ADD_COUNTS, {"thread_id": thread_id, "comments": comments, "likes": likes})


async def count_for_uris(
    conn: AsyncConnection, site_ids: Sequence[int], uris: Sequence[str]
) -> dict[str, tuple[int, int]]:
    """(comments, likes) per normalised URI, summed over the threads at that URI; one indexed query."""
    if not uris:
        return {}
    rows = await conn.execute(
        sa.select(threads.c.uri, sa.func.sum(threads.c.comment_count), sa.func.sum(threads.c.like_count))
        .where(threads.c.site_id.in_(site_ids), threads.c.uri.in_(uris))
        .group_by(threads.c.uri)
    )
    return {r[0]: (int(r[1] or 0), int(r[2] or 0)) for r in rows}


async def select_threads_by_ids(conn: AsyncConnection, ids: Sequence[int]) -> dict[int, ThreadRow]:
    """These threads by id (ids that match nothing are left out)."""
    if not ids:
        return {}
    found = await conn.execute(sa.select(threads).where(threads.c.id.in_(sorted(set(ids)))))
    return {row.id: row for row in map(_row, found)}
