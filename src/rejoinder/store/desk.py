"""SQL of the moderation desk (services/admin_desk.py): moderator edits and their revisions, warnings and
their acknowledgement, always-premoderated commenters, moderators' notes on a commenter, a commenter's
history and saved filters. A commenter is named as bans name them: an identity, or a guest's email hash
(`Subject`); the search itself is store/search.py."""

from __future__ import annotations

from typing import Any

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from rejoinder.store.comments import with_thread
from rejoinder.store.rows import from_row, insert_returning_id, newest_first, set_once
from rejoinder.store.schema import (
    comment_edits,
    commenter_notes,
    commenter_warnings,
    comments,
    premoderated_commenters,
    saved_filters,
    threads,
)


class Subject(msgspec.Struct, frozen=True):
    """Who a desk action is about, on one site: a signed-in identity, or a guest by the keyed hash of
    their email (and, for notes and history only, a guest without an email by their author key)."""

    site_id: int
    identity_id: str | None = None
    email_hash: str | None = None
    author_key: str | None = None


class Edit(msgspec.Struct, frozen=True):
    id: int
    comment_id: str
    previous_text: str
    text: str
    note: str | None
    created: int
    created_by: str


class Warning(msgspec.Struct, frozen=True):
    id: str
    site_id: int
    identity_id: str | None
    email_hash: str | None
    message: str
    created: int
    created_by: str
    acknowledged: int | None


class Note(msgspec.Struct, frozen=True):
    id: int
    site_id: int
    text: str
    created: int
    created_by: str


class SavedFilter(msgspec.Struct, frozen=True):
    id: int
    owner: str
    name: str
    query: dict[str, Any]
    created: int


class HistoryItem(msgspec.Struct, frozen=True):
    id: str
    thread_id: int
    thread_uri: str | None
    thread_title: str | None
    status: str
    status_reason: str | None
    text: str
    author_name: str
    created: int
    moderator_edited: int | None


def _who(table: sa.Table, subject: Subject) -> Any:
    """The rows of a table about this subject (identity first, else email hash, else author key)."""
    if subject.identity_id:
        return table.c.identity_id == subject.identity_id
    if subject.email_hash:
        return table.c.email_hash == subject.email_hash
    if subject.author_key and "author_key" in table.c:
        return table.c.author_key == subject.author_key
    return sa.false()


def _of_identity_or_email(
    table: sa.Table, identity_id: str | None, email_hash: str | None
) -> list[sa.ColumnElement[bool]]:
    """Conditions for the rows of a table about this identity or this email hash (none when neither)."""
    who: list[sa.ColumnElement[bool]] = []
    if identity_id:
        who.append(table.c.identity_id == identity_id)
    if email_hash:
        who.append(table.c.email_hash == email_hash)
    return who


# --- moderator edits -----------------------------------------------------------------------------------


async def update_text_by_moderator(
    conn: AsyncConnection,
    comment_id: str,
    *,
    previous_text: str,
    text: str,
    html: str,
    note: str | None,
    now: int,
    by: str,
) -> None:
    """The new text and its HTML, the comment marked as edited by a moderator, and the revision kept."""
    await conn.execute(
        sa.update(comments)
        .where(comments.c.id == comment_id)
        .values(text=text, html=html, edited=now, moderator_edited=now, moderator_note=note)
    )
    await conn.execute(
        sa.insert(comment_edits).values(
            comment_id=comment_id,
            previous_text=previous_text,
            text=text,
            note=note,
            created=now,
            created_by=by[:64],
        )
    )


async def select_edits(conn: AsyncConnection, comment_id: str) -> list[Edit]:
    rows = await conn.execute(
        sa.select(comment_edits).where(comment_edits.c.comment_id == comment_id).order_by(comment_edits.c.id)
    )
    return [from_row(Edit, r) for r in rows]


# --- warnings ------------------------------------------------------------------------------------------


async def insert_warning(
    conn: AsyncConnection, warning_id: str, subject: Subject, message: str, *, now: int, by: str
) -> None:
    await conn.execute(
        sa.insert(commenter_warnings).values(
            id=warning_id,
            site_id=subject.site_id,
            identity_id=subject.identity_id,
            email_hash=None if subject.identity_id else subject.email_hash,
            message=message,
            created=now,
            created_by=by[:64],
        )
    )


async def select_open_warning(
    conn: AsyncConnection, site_id: int, *, identity_id: str | None, email_hash: str | None
) -> Warning | None:
    """The oldest warning not yet acknowledged by this identity or email on this site."""
    who = _of_identity_or_email(commenter_warnings, identity_id, email_hash)
    if not who:
        return None
    row = (
        await conn.execute(
            sa.select(commenter_warnings)
            .where(
                commenter_warnings.c.site_id == site_id,
                commenter_warnings.c.acknowledged.is_(None),
                sa.or_(*who),
            )
            .order_by(commenter_warnings.c.created, commenter_warnings.c.id)
            .limit(1)
        )
    ).first()
    return from_row(Warning, row) if row else None


async def select_warning(conn: AsyncConnection, warning_id: str) -> Warning | None:
    row = (
        await conn.execute(sa.select(commenter_warnings).where(commenter_warnings.c.id == warning_id))
    ).first()
    return from_row(Warning, row) if row else None


async def acknowledge_warning(conn: AsyncConnection, warning_id: str, *, now: int) -> bool:
    return bool(
        await set_once(conn, commenter_warnings.c.acknowledged, now, commenter_warnings.c.id == warning_id)
    )


async def select_warnings(conn: AsyncConnection, subject: Subject) -> list[Warning]:
    rows = await conn.execute(
        sa.select(commenter_warnings)
        .where(commenter_warnings.c.site_id == subject.site_id, _who(commenter_warnings, subject))
        .order_by(commenter_warnings.c.created.desc())
    )
    return [from_row(Warning, r) for r in rows]


# --- always pre-moderate -------------------------------------------------------------------------------


async def is_premoderated(
    conn: AsyncConnection, site_id: int, *, identity_id: str | None, email_hash: str | None
) -> bool:
    who = _of_identity_or_email(premoderated_commenters, identity_id, email_hash)
    if not who:
        return False
    row = (
        await conn.execute(
            sa.select(premoderated_commenters.c.id)
            .where(premoderated_commenters.c.site_id == site_id, sa.or_(*who))
            .limit(1)
        )
    ).first()
    return row is not None


async def set_premoderated(conn: AsyncConnection, subject: Subject, on: bool, *, now: int, by: str) -> bool:
    """Turn always-premoderate on or off for the subject; False when it already was so."""
    where = (premoderated_commenters.c.site_id == subject.site_id, _who(premoderated_commenters, subject))
    found = (await conn.execute(sa.select(premoderated_commenters.c.id).where(*where))).first()
    if on:
        if found is not None:
            return False
        await conn.execute(
            sa.insert(premoderated_commenters).values(
                site_id=subject.site_id,
                identity_id=subject.identity_id,
                email_hash=None if subject.identity_id else subject.email_hash,
                created=now,
                created_by=by[:64],
            )
        )
        return True
    if found is None:
        return False
    await conn.execute(sa.delete(premoderated_commenters).where(*where))
    return True


# --- notes ---------------------------------------------------------------------------------------------


async def insert_note(conn: AsyncConnection, subject: Subject, text: str, *, now: int, by: str) -> int:
    return await insert_returning_id(
        conn,
        sa.insert(commenter_notes).values(
            site_id=subject.site_id,
            identity_id=subject.identity_id,
            email_hash=None if subject.identity_id else subject.email_hash,
            author_key=None if (subject.identity_id or subject.email_hash) else subject.author_key,
            text=text,
            created=now,
            created_by=by[:64],
        ),
    )


async def select_notes(conn: AsyncConnection, subject: Subject) -> list[Note]:
    query = sa.select(
        commenter_notes.c.id,
        commenter_notes.c.site_id,
        commenter_notes.c.text,
        commenter_notes.c.created,
        commenter_notes.c.created_by,
    ).where(commenter_notes.c.site_id == subject.site_id, _who(commenter_notes, subject))
    rows = await conn.execute(newest_first(query, commenter_notes.c.created))
    return [Note(*r) for r in rows]


# --- a commenter's history -----------------------------------------------------------------------------


async def select_history(
    conn: AsyncConnection,
    site_id: int,
    *,
    identity_id: str | None,
    email: str | None,
    author_key: str | None,
    limit: int = 200,
) -> list[HistoryItem]:
    """Every comment of the commenter on the site (whatever its status), newest first."""
    if identity_id:
        who = comments.c.identity_id == identity_id
    elif email:
        who = sa.and_(comments.c.identity_id.is_(None), sa.func.lower(comments.c.author_email) == email)
    elif author_key:
        who = comments.c.author_key == author_key
    else:
        return []
    query = with_thread(
        "id", "thread_id", "status", "status_reason", "text", "author_name", "created", "moderator_edited"
    ).where(threads.c.site_id == site_id, who)
    rows = await conn.execute(newest_first(query, comments.c.created, limit))
    return [from_row(HistoryItem, r) for r in rows]


# --- saved filters -------------------------------------------------------------------------------------


async def insert_saved_filter(
    conn: AsyncConnection, owner: str, name: str, query: dict[str, Any], *, now: int
) -> int:
    """Save (or replace, by name) one of the owner's filters."""
    await conn.execute(
        sa.delete(saved_filters).where(saved_filters.c.owner == owner[:64], saved_filters.c.name == name)
    )
    return await insert_returning_id(
        conn, sa.insert(saved_filters).values(owner=owner[:64], name=name, query=query, created=now)
    )


async def select_saved_filters(conn: AsyncConnection, owner: str) -> list[SavedFilter]:
    rows = await conn.execute(
        sa.select(saved_filters).where(saved_filters.c.owner == owner[:64]).order_by(saved_filters.c.name)
    )
    return [from_row(SavedFilter, r) for r in rows]


async def delete_saved_filter(conn: AsyncConnection, owner: str, filter_id: int) -> bool:
    result = await conn.execute(
        sa.delete(saved_filters).where(saved_filters.c.owner == owner[:64], saved_filters.c.id == filter_id)
    )
    return bool(result.rowcount)


async def count_saved_filters(conn: AsyncConnection, owner: str) -> int:
    return int(
        (
            await conn.execute(
                sa.select(sa.func.count())
                .select_from(saved_filters)
                .where(saved_filters.c.owner == owner[:64])
            )
        ).scalar_one()
    )
