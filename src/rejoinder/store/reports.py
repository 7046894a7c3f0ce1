"""Reader reports: insert one per reporter and comment, count the open ones, resolve them."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from rejoinder.moderation.reports import Report, ReportReason, Resolution
from rejoinder.store.rows import from_row, insert_unless_exists, set_once
from rejoinder.store.schema import comments, reports


async def insert_report(
    conn: AsyncConnection,
    comment_id: str,
    *,
    reason: ReportReason,
    note: str | None,
    reporter: str,
    identity_id: str | None,
    now: int,
) -> bool:
    """Record a report; False when this reporter already reported this comment (nothing changes)."""
    inserted = await insert_unless_exists(
        conn,
        reports,
        {"comment_id": comment_id, "reporter": reporter},
        reason=reason.value,
        note=note,
        identity_id=identity_id,
        created=now,
    )
    if not inserted:
        return False
    await conn.execute(
        sa.update(comments)
        .where(comments.c.id == comment_id)
        .values(report_count=comments.c.report_count + 1)
    )
    return True


async def count_open_reports(conn: AsyncConnection, comment_id: str) -> int:
    return int(
        (
            await conn.execute(
                sa.select(sa.func.count()).where(
                    reports.c.comment_id == comment_id, reports.c.resolved.is_(None)
                )
            )
        ).scalar_one()
    )


async def resolve_reports(
    conn: AsyncConnection, comment_id: str, resolution: Resolution, *, now: int, by: str
) -> int:
    """Close every open report of a comment; returns how many were open."""
    resolved = await set_once(
        conn,
        reports.c.resolved,
        now,
        reports.c.comment_id == comment_id,
        resolution=resolution.value,
        resolved_by=by[:64],
    )
    await conn.execute(sa.update(comments).where(comments.c.id == comment_id).values(report_count=0))
    return resolved


def _report(r: Any) -> Report:
    resolution = Resolution(r.resolution) if r.resolution else None
    return from_row(Report, r, reason=ReportReason(r.reason), resolution=resolution)


async def select_reports(conn: AsyncConnection, comment_id: str) -> list[Report]:
    rows = await conn.execute(
        sa.select(reports).where(reports.c.comment_id == comment_id).order_by(reports.c.created)
    )
    return [_report(r) for r in rows]
