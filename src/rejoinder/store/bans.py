"""Bans: the active ones the pipeline checks (and caches), made and lifted by moderators. The listing
moderators read is in store/admin.py."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from rejoinder.moderation.rules import Ban
from rejoinder.store.rows import from_row, insert_returning_id
from rejoinder.store.schema import bans


async def select_active_bans(conn: AsyncConnection, site_id: int, now: int) -> tuple[Ban, ...]:
    rows = await conn.execute(
        sa.select(bans).where(
            sa.or_(bans.c.site_id == site_id, bans.c.site_id.is_(None)),
            bans.c.lifted.is_(None),
            sa.or_(bans.c.until.is_(None), bans.c.until > now),
        )
    )
    return tuple(_ban(r) for r in rows)


def _ban(r: Any) -> Ban:
    return from_row(Ban, r)


async def insert_ban(
    conn: AsyncConnection,
    *,
    site_id: int | None,
    identity_id: str | None,
    email_hash: str | None,
    ip_range: str | None,
    reason: str | None,
    reject_all: bool,
    until: int | None,
    now: int,
    by: str,
) -> int:
    return await insert_returning_id(
        conn,
        sa.insert(bans).values(
            site_id=site_id,
            identity_id=identity_id,
            email_hash=email_hash,
            ip_range=ip_range,
            reason=reason,
            reject_all=reject_all,
            until=until,
            created=now,
            created_by=by[:64],
        ),
    )


async def select_ban(conn: AsyncConnection, ban_id: int) -> Ban | None:
    row = (await conn.execute(sa.select(bans).where(bans.c.id == ban_id))).first()
    return _ban(row) if row else None


async def lift_ban(conn: AsyncConnection, ban_id: int, *, now: int, by: str) -> bool:
    result = await conn.execute(
        sa.update(bans)
        .where(bans.c.id == ban_id, bans.c.lifted.is_(None))
        .values(lifted=now, lifted_by=by[:64])
    )
    return bool(result.rowcount)
