"""A signed-in reader's inbox: public replies by others to their comments, their own comments across every
site, and when they last opened it."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from rejoinder.domain.comments import PUBLIC_STATUSES, CommentStatus
from rejoinder.domain.inbox import InboxReply, OwnComment
from rejoinder.store.schema import comments, inbox_reads, threads

_PUBLIC = [s.value for s in PUBLIC_STATUSES]


def _replies_query(identity_id: str) -> sa.Select[tuple[object, ...]]:
    parent = comments.alias("parent")
    return (
        sa.select(
            comments.c.id,
            comments.c.parent_id,
            threads.c.site_id,
            threads.c.uri.label("thread_uri"),
            threads.c.title.label("thread_title"),
            comments.c.author_name,
            comments.c.html,
            comments.c.created,
        )
        .join(parent, parent.c.id == comments.c.parent_id)
        .join(threads, threads.c.id == comments.c.thread_id)
        .where(
            parent.c.identity_id == identity_id,
            comments.c.status.in_(_PUBLIC),
            sa.or_(comments.c.identity_id.is_(None), comments.c.identity_id != identity_id),
        )
    )


async def select_replies_to(conn: AsyncConnection, identity_id: str, *, limit: int = 50) -> list[InboxReply]:
    """The newest public replies by others to the identity's comments."""
    query = _replies_query(identity_id).order_by(comments.c.created.desc()).limit(limit)
    return [
        InboxReply(
            id=r.id,
            parent_id=r.parent_id,
            site_id=int(r.site_id),
            thread_uri=r.thread_uri,
            thread_title=r.thread_title,
            author_name=r.author_name,
            html=r.html,
            created=int(r.created),
        )
        for r in await conn.execute(query)
    ]


async def count_replies_since(conn: AsyncConnection, identity_id: str, since: int) -> int:
    query = _replies_query(identity_id).where(comments.c.created > since).subquery()
    return int((await conn.execute(sa.select(sa.func.count()).select_from(query))).scalar_one())


async def select_own_comments(
    conn: AsyncConnection, identity_id: str, *, limit: int = 100
) -> list[OwnComment]:
    """The identity's comments on every site, newest first, deleted ones left out."""
    query = (
        sa.select(
            comments.c.id,
            threads.c.site_id,
            threads.c.uri.label("thread_uri"),
            threads.c.title.label("thread_title"),
            comments.c.status,
            comments.c.status_reason,
            comments.c.html,
            comments.c.created,
            comments.c.appealed,
        )
        .join(threads, threads.c.id == comments.c.thread_id)
        .where(comments.c.identity_id == identity_id, comments.c.status != CommentStatus.DELETED.value)
        .order_by(comments.c.created.desc())
        .limit(limit)
    )
    return [
        OwnComment(
            id=r.id,
            site_id=int(r.site_id),
            thread_uri=r.thread_uri,
            thread_title=r.thread_title,
            status=CommentStatus(r.status),
            status_reason=r.status_reason,
            html=r.html,
            created=int(r.created),
            appealed=r.appealed,
        )
        for r in await conn.execute(query)
    ]


async def select_seen(conn: AsyncConnection, identity_id: str) -> int:
    """When the identity last opened the inbox (0: never)."""
    found = (
        await conn.execute(sa.select(inbox_reads.c.seen).where(inbox_reads.c.identity_id == identity_id))
    ).first()
    return int(found.seen) if found is not None else 0


async def update_seen(conn: AsyncConnection, identity_id: str, now: int) -> None:
    updated = await conn.execute(
        sa.update(inbox_reads).where(inbox_reads.c.identity_id == identity_id).values(seen=now)
    )
    if not updated.rowcount:
        await conn.execute(sa.insert(inbox_reads).values(identity_id=identity_id, seen=now))
