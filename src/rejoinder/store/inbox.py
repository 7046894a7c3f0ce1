"""A signed-in reader's inbox: public replies by others to their comments, their own comments across every
site, and when they last opened it."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from rejoinder.domain.comments import PUBLIC_STATUSES, CommentStatus
from rejoinder.domain.inbox import InboxReply, OwnComment
from rejoinder.store.comments import with_thread
from rejoinder.store.rows import from_row
from rejoinder.store.schema import comments, inbox_reads

_PUBLIC = [s.value for s in PUBLIC_STATUSES]


def _replies_query(identity_id: str) -> sa.Select[tuple[object, ...]]:
    parent = comments.alias("parent")
    return (
        with_thread("id", "parent_id", "author_name", "html", "created")
        .join(parent, parent.c.id == comments.c.parent_id)
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
        from_row(InboxReply, r, site_id=int(r.site_id), created=int(r.created))
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
        with_thread("id", "status", "status_reason", "html", "created", "appealed")
        .where(comments.c.identity_id == identity_id, comments.c.status != CommentStatus.DELETED.value)
        .order_by(comments.c.created.desc())
        .limit(limit)
    )
    return [
        from_row(
            OwnComment, r, site_id=int(r.site_id), status=CommentStatus(r.status), created=int(r.created)
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
