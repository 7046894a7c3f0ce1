"""Bans: the active ones the pipeline checks (and caches), made and lifted by moderators. The listing
moderators read is in store/admin.py."""

from __future__ import annotations

from typing import Any, TypedDict, Unpack

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from rejoinder.moderation.rules import Ban
from rejoinder.store.rows import from_row, insert_returning_id, set_once
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


class NewBan(TypedDict):
    """A ban as a moderator makes it: whom (an identity, a keyed email hash or a network, at least one),
    on which site (None: every site), why, whether their comments were rejected, and until when (None:
    permanent)."""

    site_id: int | None
    identity_id: str | None
    email_hash: str | None
    ip_range: str | None
    reason: str | None
    reject_all: bool
    until: int | None


async def insert_ban(conn: AsyncConnection, *, now: int, by: str, **ban: Unpack[NewBan]) -> int:
    return await insert_returning_id(conn, sa.insert(bans).values(**ban, created=now, created_by=by[:64]))


async def select_ban(conn: AsyncConnection, ban_id: int) -> Ban | None:
    row = (await conn.execute(sa.select(bans).where(bans.c.id == ban_id))).first()
    return _ban(row) if row else None


async def lift_ban(conn: AsyncConnection, ban_id: int, *, now: int, by: str) -> bool:
    return bool(await set_once(conn, bans.c.lifted, now, bans.c.id == ban_id, lifted_by=by[:64]))
