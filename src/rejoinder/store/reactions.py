"""Reactions to articles (comment_id = '') and comments, and the commenters readers muted: idempotent
inserts and deletes, counts for the shared thread read, and one reader's own rows."""

from __future__ import annotations

from typing import Unpack

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from rejoinder.store.rows import Shown, delete_matching, insert_shown, insert_unless_exists, newest_first
from rejoinder.store.schema import mutes, reactions

ARTICLE = ""


async def insert_reaction(
    conn: AsyncConnection, thread_id: int, comment_id: str, kind: str, reactor: str, **shown: Unpack[Shown]
) -> bool:
    """Record a reaction; False when this reader already reacted so (nothing changes)."""
    key = {"thread_id": thread_id, "comment_id": comment_id, "kind": kind, "reactor": reactor}
    return await insert_shown(conn, reactions, key, **shown)


async def delete_reaction(
    conn: AsyncConnection, thread_id: int, comment_id: str, kind: str, reactor: str
) -> bool:
    """Remove a reaction; False when there was none."""
    key = {"thread_id": thread_id, "comment_id": comment_id, "kind": kind, "reactor": reactor}
    return await delete_matching(conn, reactions, key)


async def count_reaction(conn: AsyncConnection, thread_id: int, comment_id: str, kind: str) -> int:
    result = await conn.execute(
        sa.select(sa.func.count())
        .select_from(reactions)
        .where(
            reactions.c.thread_id == thread_id,
            reactions.c.comment_id == comment_id,
            reactions.c.kind == kind,
        )
    )
    return int(result.scalar_one())


async def select_reaction_counts(conn: AsyncConnection, thread_id: int) -> dict[str, dict[str, int]]:
    """{comment id ('' for the article): {kind: count}} of a thread, kinds in alphabetical order."""
    rows = await conn.execute(
        sa.select(reactions.c.comment_id, reactions.c.kind, sa.func.count())
        .where(reactions.c.thread_id == thread_id)
        .group_by(reactions.c.comment_id, reactions.c.kind)
        .order_by(reactions.c.comment_id, reactions.c.kind)
    )
    out: dict[str, dict[str, int]] = {}
    for comment_id, kind, count in rows:
        out.setdefault(comment_id, {})[kind] = int(count)
    return out


async def select_target_reaction_counts(
    conn: AsyncConnection, thread_id: int, comment_id: str
) -> dict[str, int]:
    """{kind: count} of one comment ('' for the article), kinds in alphabetical order."""
    rows = await conn.execute(
        sa.select(reactions.c.kind, sa.func.count())
        .where(reactions.c.thread_id == thread_id, reactions.c.comment_id == comment_id)
        .group_by(reactions.c.kind)
        .order_by(reactions.c.kind)
    )
    return {kind: int(count) for kind, count in rows}


async def count_article_reactors(conn: AsyncConnection, thread_id: int) -> int:
    """How many readers reacted to the article (one reader with two kinds counts once)."""
    result = await conn.execute(
        sa.select(sa.func.count(sa.distinct(reactions.c.reactor))).where(
            reactions.c.thread_id == thread_id, reactions.c.comment_id == ARTICLE
        )
    )
    return int(result.scalar_one())


async def select_recent_named_reactors(
    conn: AsyncConnection, thread_id: int, limit: int
) -> list[tuple[str, str]]:
    """(name, avatar key) of the most recent readers who reacted to the article and gave a name, each once."""
    query = sa.select(reactions.c.reactor, reactions.c.name, reactions.c.avatar_key).where(
        reactions.c.thread_id == thread_id, reactions.c.comment_id == ARTICLE, reactions.c.name.is_not(None)
    )
    # a reader has at most six kinds
    rows = await conn.execute(newest_first(query, reactions.c.created, limit * 6))
    seen: set[str] = set()
    out: list[tuple[str, str]] = []
    for reactor, name, avatar in rows:
        if reactor not in seen and len(out) < limit:
            seen.add(reactor)
            out.append((name, avatar or ""))
    return out


async def select_reacted(conn: AsyncConnection, thread_id: int, reactor: str) -> list[tuple[str, str]]:
    """(comment id or '', kind) of every reaction of this reader in the thread."""
    rows = await conn.execute(
        sa.select(reactions.c.comment_id, reactions.c.kind)
        .where(reactions.c.thread_id == thread_id, reactions.c.reactor == reactor)
        .order_by(reactions.c.comment_id, reactions.c.kind)
    )
    return [(r[0], r[1]) for r in rows]


async def insert_mute(
    conn: AsyncConnection, identity_id: str, author_key: str, *, name: str, now: int
) -> bool:
    """Mute a commenter for this identity; False when already muted."""
    return await insert_unless_exists(
        conn, mutes, {"identity_id": identity_id, "author_key": author_key}, name=name, created=now
    )


async def delete_mute(conn: AsyncConnection, identity_id: str, author_key: str) -> bool:
    return await delete_matching(conn, mutes, {"identity_id": identity_id, "author_key": author_key})


async def select_mutes(conn: AsyncConnection, identity_id: str) -> list[tuple[str, str, int]]:
    """(author key, name, when) of every commenter this identity muted, newest first."""
    query = sa.select(mutes.c.author_key, mutes.c.name, mutes.c.created).where(
        mutes.c.identity_id == identity_id
    )
    rows = await conn.execute(newest_first(query, mutes.c.created))
    return [(r[0], r[1], r[2]) for r in rows]
