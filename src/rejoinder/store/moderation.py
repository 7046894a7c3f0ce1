"""Moderation SQL: check results per revision as moderators read them, comment and thread moderation state,
and the queues. Bans, roles and the log have their own modules (store/bans.py, roles.py, moderation_log.py);
what the pipeline reads and records on every post is in store/checks.py."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from rejoinder.domain.comments import CommentStatus
from rejoinder.moderation.queue import (
    OLDEST_FIRST,
    STATUSES,
    ModeratedComment,
    Queue,
    QueueQuery,
    Revision,
    parse_cursor,
)
from rejoinder.store.rows import from_row, set_once
from rejoinder.store.schema import comment_revisions, comments, threads

_STATUS = {s.value: s for s in CommentStatus}


# --- check results as moderators read them ---------------------------------------------------------------


async def select_revisions(conn: AsyncConnection, comment_id: str) -> list[Revision]:
    rows = await conn.execute(
        sa.select(comment_revisions)
        .where(comment_revisions.c.comment_id == comment_id)
        .order_by(comment_revisions.c.revision)
    )
    return [revision_of(r) for r in rows]


def revision_of(r: Any) -> Revision:
    """A comment_revisions row as the domain's Revision."""
    return from_row(Revision, r, reasons=list(r.reasons or []))


# --- comments and threads as moderators see them ---------------------------------------------------------

_MODERATED = (
    comments.c.id,
    threads.c.site_id,
    comments.c.thread_id,
    threads.c.uri,
    threads.c.title,
    comments.c.parent_id,
    comments.c.text,
    comments.c.html,
    comments.c.author_name,
    comments.c.author_email,
    comments.c.author_website,
    comments.c.author_key,
    comments.c.identity_id,
    comments.c.ip,
    comments.c.status,
    comments.c.status_reason,
    comments.c.created,
    comments.c.edited,
    comments.c.likes,
    comments.c.flagged,
    comments.c.pinned,
    comments.c.featured,
    comments.c.staff,
    comments.c.report_count,
    comments.c.spam_score,
    comments.c.moderated,
    comments.c.moderated_by,
    comments.c.revision,
    comments.c.appeal,
    comments.c.appealed,
)


def _moderated(r: Any) -> ModeratedComment:
    values = list(r)
    values[14] = _STATUS[values[14]]
    for i in (19, 20, 21, 22):
        values[i] = bool(values[i])
    return ModeratedComment(*values)


async def select_moderated(conn: AsyncConnection, comment_id: str) -> ModeratedComment | None:
    row = (
        await conn.execute(
            sa.select(*_MODERATED)
            .join(threads, threads.c.id == comments.c.thread_id)
            .where(comments.c.id == comment_id)
        )
    ).first()
    return _moderated(row) if row else None


async def update_status(
    conn: AsyncConnection,
    comment_id: str,
    status: CommentStatus,
    *,
    reason: str | None,
    now: int,
    by: str | None,
) -> None:
    """A moderator's (or the reports') decision; `by` None leaves the comment unreviewed."""
    values: dict[str, Any] = {"status": status.value, "status_reason": reason}
    if by is not None:
        values.update(moderated=now, moderated_by=by[:64], flagged=False)
    await conn.execute(sa.update(comments).where(comments.c.id == comment_id).values(**values))


def _appeal_open() -> Any:
    """An appeal no moderator has answered: no decision on the comment since it was sent."""
    return sa.or_(comments.c.moderated.is_(None), comments.c.moderated < comments.c.appealed)


async def update_appeal(conn: AsyncConnection, comment_id: str, note: str, *, now: int) -> bool:
    """Store the author's one appeal; False when the comment already has one (a race lost)."""
    return bool(await set_once(conn, comments.c.appealed, now, comments.c.id == comment_id, appeal=note))


async def update_marks(
    conn: AsyncConnection, comment_id: str, *, pinned: bool | None = None, featured: bool | None = None
) -> None:
    values = {k: v for k, v in (("pinned", pinned), ("featured", featured)) if v is not None}
    if values:
        await conn.execute(sa.update(comments).where(comments.c.id == comment_id).values(**values))


async def select_thread_site(conn: AsyncConnection, thread_id: int) -> int | None:
    row = (await conn.execute(sa.select(threads.c.site_id).where(threads.c.id == thread_id))).first()
    return int(row[0]) if row else None


async def update_thread_closed(conn: AsyncConnection, thread_id: int, *, closed: bool, now: int) -> None:
    await conn.execute(
        sa.update(threads)
        .where(threads.c.id == thread_id)
        .values(closed=closed, closed_at=now if closed else None, auto_close=closed)
    )


async def select_author_comment_ids(
    conn: AsyncConnection,
    *,
    site_id: int | None,
    identity_id: str | None = None,
    email: str | None = None,
    ip_networks: Sequence[str] = (),
) -> list[tuple[str, int, CommentStatus]]:
    """(id, thread id, status) of an author's comments that are not deleted, on one site or all; the author
    named by identity, email, or any of the stored networks (`comments.ip`) given."""
    who = []
    if identity_id:
        who.append(comments.c.identity_id == identity_id)
    if email:
        who.append(sa.func.lower(comments.c.author_email) == email.strip().lower())
    if not who and not ip_networks:
        return []
    found: dict[str, tuple[str, int, CommentStatus]] = {}
    # A wide network lists thousands of stored ones: looked up a chunk at a time (bound parameters).
    chunks = [list(ip_networks[i : i + 500]) for i in range(0, len(ip_networks), 500)] or [[]]
    for chunk in chunks:
        query = (
            sa.select(comments.c.id, comments.c.thread_id, comments.c.status)
            .join(threads, threads.c.id == comments.c.thread_id)
            .where(
                sa.or_(*who, *([comments.c.ip.in_(chunk)] if chunk else [])),
                comments.c.status != CommentStatus.DELETED.value,
            )
        )
        if site_id is not None:
            query = query.where(threads.c.site_id == site_id)
        for r in await conn.execute(query):
            found[r[0]] = (r[0], r[1], _STATUS[r[2]])
    return list(found.values())


async def count_by_status(
    conn: AsyncConnection, site_id: int, *, author_key: str, identity_id: str | None
) -> dict[str, int]:
    author = comments.c.identity_id == identity_id if identity_id else comments.c.author_key == author_key
    rows = await conn.execute(
        sa.select(comments.c.status, sa.func.count())
        .join(threads, threads.c.id == comments.c.thread_id)
        .where(author, threads.c.site_id == site_id)
        .group_by(comments.c.status)
    )
    return {r[0]: int(r[1]) for r in rows}


async def select_queue(conn: AsyncConnection, query: QueueQuery) -> list[ModeratedComment]:
    statuses = [s.value for s in STATUSES[query.queue]]
    oldest = query.queue in OLDEST_FIRST
    q = (
        sa.select(*_MODERATED)
        .join(threads, threads.c.id == comments.c.thread_id)
        .where(comments.c.status.in_(statuses), threads.c.site_id.in_(query.site_ids))
    )
    if query.queue is Queue.REPORTED:
        q = q.where(comments.c.report_count > 0)
    if query.thread_id is not None:
        q = q.where(comments.c.thread_id == query.thread_id)
    if query.identity_id is not None:
        q = q.where(comments.c.identity_id == query.identity_id)
    if query.author_key is not None:
        q = q.where(comments.c.author_key == query.author_key)
    if query.appealed:
        q = q.where(comments.c.appealed.is_not(None), _appeal_open())
    cursor = parse_cursor(query.before)
    if cursor is not None:
        created, comment_id = cursor
        key = sa.tuple_(comments.c.created, comments.c.id)
        q = q.where(
            key > sa.tuple_(sa.literal(created), sa.literal(comment_id))
            if oldest
            else key < sa.tuple_(sa.literal(created), sa.literal(comment_id))
        )
    order = (
        (comments.c.created, comments.c.id) if oldest else (comments.c.created.desc(), comments.c.id.desc())
    )
    rows = await conn.execute(q.order_by(*order).limit(query.limit))
    return [_moderated(r) for r in rows]


async def count_queues(conn: AsyncConnection, site_ids: Sequence[int]) -> dict[str, int]:
    """How many comments wait in each queue, for the moderator's overview."""
    base = (
        sa.select(sa.func.count())
        .select_from(comments.join(threads, threads.c.id == comments.c.thread_id))
        .where(threads.c.site_id.in_(site_ids))
    )
    out: dict[str, int] = {}
    for queue, statuses in STATUSES.items():
        q = base.where(comments.c.status.in_([s.value for s in statuses]))
        if queue is Queue.REPORTED:
            q = q.where(comments.c.report_count > 0)
        out[queue.value] = int((await conn.execute(q)).scalar_one())
    return out
