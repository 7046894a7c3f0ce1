"""The append-only moderation log: lines written and read, newest first (no update or delete of log rows
here)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypedDict, Unpack

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from rejoinder.store.schema import moderation_log


class LogDetails(TypedDict, total=False):
    """What a line of the log may add: a reason code, a note and details."""

    reason_code: str | None
    note: str | None
    data: dict[str, Any] | None


class LogLine(LogDetails):
    """What a line of the log says besides who wrote it, about what and when: the site (None: instance
    wide), the action, the kind of its target, and its LogDetails."""

    site_id: int | None
    action: str
    target_kind: str


async def insert_log(
    conn: AsyncConnection, *, now: int, actor: str, target_id: str, **line: Unpack[LogLine]
) -> None:
    """`actor` and `target_id` are clipped to their columns."""
    await conn.execute(
        sa.insert(moderation_log).values(**line, actor=actor[:64], target_id=target_id[:64], created=now)
    )


async def select_log(
    conn: AsyncConnection,
    site_ids: Sequence[int],
    *,
    target: tuple[str, str] | None = None,
    limit: int = 100,
    before_id: int | None = None,
) -> list[dict[str, Any]]:
    """Newest first. Entries without a site (instance-wide bans and roles) are included."""
    q = sa.select(moderation_log).where(
        sa.or_(moderation_log.c.site_id.in_(site_ids), moderation_log.c.site_id.is_(None))
    )
    if target is not None:
        q = q.where(moderation_log.c.target_kind == target[0], moderation_log.c.target_id == target[1])
    if before_id is not None:
        q = q.where(moderation_log.c.id < before_id)
    rows = await conn.execute(q.order_by(moderation_log.c.id.desc()).limit(limit))
    return [dict(r._mapping) for r in rows]
