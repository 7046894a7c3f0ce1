"""SQL for the moderator UI (services/admin.py): the dashboard's counts per day, thread, ban and role
listings, what a queue page adds to each comment (latest check results, author standing), and staff
replies. Decisions themselves go through store/moderation.py."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from rejoinder.moderation.queue import Revision
from rejoinder.moderation.rules import STAFF
from rejoinder.store.moderation import revision_of
from rejoinder.store.rows import from_row
from rejoinder.store.schema import (
    bans,
    comment_revisions,
    comments,
    identities,
    roles,
    threads,
)
from rejoinder.store.threads import ThreadRow

DAY_US = 86_400_000_000


class ThreadSummary(ThreadRow, frozen=True):
    """A thread as the moderator UI lists it: the store's thread row and its state."""

    created: int
    closed: bool
    closed_at: int | None
    auto_close: bool


class BanRow(msgspec.Struct, frozen=True):
    id: int
    site_id: int | None
    identity_id: str | None
    identity_name: str | None
    email_hash: str | None
    ip_range: str | None
    reason: str | None
    reject_all: bool
    created: int
    created_by: str
    until: int | None
    lifted: int | None
    lifted_by: str | None


class RoleRow(msgspec.Struct, frozen=True):
    identity_id: str
    display_name: str
    email: str | None
    site_id: int | None
    role: str
    created: int
    created_by: str


# --- the dashboard ------------------------------------------------------------------------------------


async def count_comments_per_day(
    conn: AsyncConnection, site_ids: Sequence[int], *, since: int
) -> list[tuple[int, str, int]]:
    """(day number since the epoch, status, comments created that day) from `since` on."""
    day = (comments.c.created // DAY_US).label("day")
    rows = await conn.execute(
        sa.select(day, comments.c.status, sa.func.count())
        .select_from(comments.join(threads, threads.c.id == comments.c.thread_id))
        .where(threads.c.site_id.in_(site_ids), comments.c.created >= since)
        .group_by(day, comments.c.status)
    )
    return [(int(r[0]), str(r[1]), int(r[2])) for r in rows]


# --- threads ---------------------------------------------------------------------------------------------


async def select_threads(
    conn: AsyncConnection,
    site_ids: Sequence[int],
    *,
    closed: bool | None = None,
    search: str | None = None,
    limit: int = 50,
    before_id: int | None = None,
) -> list[ThreadSummary]:
    """Newest first. `search` matches the URL, key or title (a plain substring, case-insensitive)."""
    q = sa.select(threads).where(threads.c.site_id.in_(site_ids))
    if closed is not None:
        q = q.where(threads.c.closed == closed)
    if search:
        pattern = "%" + search.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        q = q.where(
            sa.or_(
                sa.func.lower(threads.c.uri).like(pattern, escape="\\"),
                sa.func.lower(threads.c.key).like(pattern, escape="\\"),
                sa.func.lower(threads.c.title).like(pattern, escape="\\"),
            )
        )
    if before_id is not None:
        q = q.where(threads.c.id < before_id)
    rows = await conn.execute(q.order_by(threads.c.id.desc()).limit(limit))
    return [_thread(r) for r in rows]


async def select_thread_summary(conn: AsyncConnection, thread_id: int) -> ThreadSummary | None:
    row = (await conn.execute(sa.select(threads).where(threads.c.id == thread_id))).first()
    return _thread(row) if row else None


def _thread(r: Any) -> ThreadSummary:
    return from_row(ThreadSummary, r)


# --- bans and roles ----------------------------------------------------------------------------------------


async def select_bans(
    conn: AsyncConnection, site_ids: Sequence[int], *, active_at: int | None, limit: int = 200
) -> list[BanRow]:
    """Bans on these sites and instance-wide ones, newest first; with `active_at`, only those in force."""
    q = (
        sa.select(bans, identities.c.display_name)
        .select_from(bans.outerjoin(identities, identities.c.id == bans.c.identity_id))
        .where(sa.or_(bans.c.site_id.in_(site_ids), bans.c.site_id.is_(None)))
    )
    if active_at is not None:
        q = q.where(bans.c.lifted.is_(None), sa.or_(bans.c.until.is_(None), bans.c.until > active_at))
    rows = await conn.execute(q.order_by(bans.c.id.desc()).limit(limit))
    return [from_row(BanRow, r, identity_name=r.display_name) for r in rows]


async def select_role_rows(conn: AsyncConnection, site_ids: Sequence[int] | None) -> list[RoleRow]:
    """Roles with their identity's name and email: on these sites and instance-wide (None: all)."""
    q = sa.select(
        roles.c.identity_id,
        identities.c.display_name,
        identities.c.email,
        roles.c.site_id,
        roles.c.role,
        roles.c.created,
        roles.c.created_by,
    ).join(identities, identities.c.id == roles.c.identity_id)
    if site_ids is not None:
        q = q.where(sa.or_(roles.c.site_id.in_(site_ids), roles.c.site_id.is_(None)))
    rows = await conn.execute(q.order_by(roles.c.role, identities.c.display_name, roles.c.id))
    return [RoleRow(*r) for r in rows]


async def select_staff_emails(conn: AsyncConnection, site_id: int) -> list[tuple[str, str]]:
    """(identity id, verified email) of the admins and moderators of a site (or of every site)."""
    rows = await conn.execute(
        sa.select(identities.c.id, identities.c.email)
        .join(roles, roles.c.identity_id == identities.c.id)
        .where(
            roles.c.role.in_([r.value for r in STAFF]),
            sa.or_(roles.c.site_id == site_id, roles.c.site_id.is_(None)),
            identities.c.email.is_not(None),
        )
        .distinct()
    )
    return [(r[0], r[1]) for r in rows]


# --- what a queue page shows beside each comment ----------------------------------------------------------


async def select_latest_revisions(conn: AsyncConnection, comment_ids: Sequence[str]) -> dict[str, Revision]:
    """Each comment's latest checked version (check reasons, scores, the classifier's explanation)."""
    if not comment_ids:
        return {}
    latest = (
        sa.select(comment_revisions.c.comment_id, sa.func.max(comment_revisions.c.revision).label("rev"))
        .where(comment_revisions.c.comment_id.in_(comment_ids))
        .group_by(comment_revisions.c.comment_id)
        .subquery()
    )
    rows = await conn.execute(
        sa.select(comment_revisions).join(
            latest,
            sa.and_(
                latest.c.comment_id == comment_revisions.c.comment_id,
                latest.c.rev == comment_revisions.c.revision,
            ),
        )
    )
    return {r.comment_id: revision_of(r) for r in rows}


async def count_authors_by_status(
    conn: AsyncConnection, site_ids: Sequence[int], *, identity_ids: Iterable[str], author_keys: Iterable[str]
) -> list[tuple[int, str | None, str, str, int]]:
    """(site id, identity id, author key, status, count) for these authors' comments on these sites."""
    ids, keys = sorted(set(identity_ids)), sorted(set(author_keys))
    who = []
    if ids:
        who.append(comments.c.identity_id.in_(ids))
    if keys:
        who.append(comments.c.author_key.in_(keys))
    if not who or not site_ids:
        return []
    rows = await conn.execute(
        sa.select(
            threads.c.site_id,
            comments.c.identity_id,
            comments.c.author_key,
            comments.c.status,
            sa.func.count(),
        )
        .join(threads, threads.c.id == comments.c.thread_id)
        .where(threads.c.site_id.in_(site_ids), sa.or_(*who))
        .group_by(threads.c.site_id, comments.c.identity_id, comments.c.author_key, comments.c.status)
    )
    return [(int(r[0]), r[1], str(r[2]), str(r[3]), int(r[4])) for r in rows]


async def update_staff(conn: AsyncConnection, comment_id: str, *, staff: bool) -> None:
    await conn.execute(sa.update(comments).where(comments.c.id == comment_id).values(staff=staff))
