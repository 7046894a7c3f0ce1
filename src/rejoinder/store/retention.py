"""What the retention purge removes (services/retention.py): network addresses of old comments, and old
moderation data (the moderation log, decided reports, ended bans). Each function works on at most `limit`
rows, so that a purge is a series of short writes."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from rejoinder.store.rows import delete_capped
from rejoinder.store.schema import bans, comments, moderation_log, reports


async def clear_comment_ips(conn: AsyncConnection, before: int, *, limit: int) -> int:
    """Forget the network address of comments posted before `before`; how many were cleared."""
    old = sa.and_(comments.c.ip.is_not(None), comments.c.created < before)
    ids = sa.select(comments.c.id).where(old).limit(limit)
    result = await conn.execute(sa.update(comments).where(comments.c.id.in_(ids)).values(ip=None))
    return int(result.rowcount or 0)


async def delete_moderation_log(conn: AsyncConnection, before: int, *, limit: int) -> int:
    return await delete_capped(conn, moderation_log.c.id, moderation_log.c.created < before, limit)


async def delete_decided_reports(conn: AsyncConnection, before: int, *, limit: int) -> int:
    """Reports a moderator decided before `before` (open reports stay until decided)."""
    return await delete_capped(
        conn, reports.c.id, sa.and_(reports.c.resolved.is_not(None), reports.c.resolved < before), limit
    )


async def delete_ended_bans(conn: AsyncConnection, before: int, *, limit: int) -> int:
    """Bans lifted, or suspensions that ran out, before `before` (bans in force stay, however old)."""
    ended = sa.or_(
        sa.and_(bans.c.lifted.is_not(None), bans.c.lifted < before),
        sa.and_(bans.c.until.is_not(None), bans.c.until < before),
    )
    return await delete_capped(conn, bans.c.id, ended, limit)
