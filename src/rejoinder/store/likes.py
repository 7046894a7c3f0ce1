"""Likes of articles (comment_id = '') and comments: idempotent insert and delete, liker lists."""

from __future__ import annotations

from typing import Unpack

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from rejoinder.store.rows import Shown, delete_matching, insert_shown, newest_first
from rejoinder.store.schema import likes

ARTICLE = ""


async def insert_like(
    conn: AsyncConnection, thread_id: int, comment_id: str, liker: str, **shown: Unpack[Shown]
) -> bool:
    """Record a like; False when this liker already liked it (nothing changes)."""
    key = {"thread_id": thread_id, "comment_id": comment_id, "liker": liker}
    return await insert_shown(conn, likes, key, **shown)


async def delete_like(conn: AsyncConnection, thread_id: int, comment_id: str, liker: str) -> bool:
    """Remove a like; False when there was none."""
    key = {"thread_id": thread_id, "comment_id": comment_id, "liker": liker}
    return await delete_matching(conn, likes, key)


async def select_recent_named_likers(
    conn: AsyncConnection, thread_id: int, limit: int
) -> list[tuple[str, str]]:
    """(name, avatar key) of the most recent likers of the article who gave a name."""
    query = sa.select(likes.c.name, likes.c.avatar_key).where(
        likes.c.thread_id == thread_id, likes.c.comment_id == ARTICLE, likes.c.name.is_not(None)
    )
    rows = await conn.execute(newest_first(query, likes.c.created, limit))
    return [(r[0], r[1] or "") for r in rows]


async def select_liked(conn: AsyncConnection, thread_id: int, liker: str) -> list[str]:
    """What this liker liked in the thread: comment ids, and '' for the article."""
    rows = await conn.execute(
        sa.select(likes.c.comment_id).where(likes.c.thread_id == thread_id, likes.c.liker == liker)
    )
    return [r[0] for r in rows]
