"""Comments: insert, select a thread's comments, update, and the like counter."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from rejoinder.domain.comments import PUBLIC_STATUSES, Author, Comment, CommentStatus, CommentStub
from rejoinder.store.images import decode_refs, encode_refs
from rejoinder.store.rows import newest_first
from rejoinder.store.schema import comments, threads

_PUBLIC_COLUMNS = (
    comments.c.id,
    comments.c.thread_id,
    comments.c.parent_id,
    comments.c.text,
    comments.c.html,
    comments.c.author_name,
    comments.c.author_website,
    comments.c.author_key,
    comments.c.status,
    comments.c.created,
    comments.c.edited,
    comments.c.likes,
    comments.c.depth,
    comments.c.staff,
    comments.c.pinned,
    comments.c.featured,
    comments.c.images,
    comments.c.moderator_edited,
    comments.c.moderator_note,
)
_STATUS = {s.value: s for s in CommentStatus}
# What a thread shows: the public statuses and the placeholders of deleted comments.
_SHOWN = sorted({s.value for s in PUBLIC_STATUSES} | {CommentStatus.DELETED.value})


def _comment(row: Any, email: str | None = None) -> Comment:
    return Comment(
        id=row[0],
        thread_id=row[1],
        parent=row[2],
        text=row[3],
        html=row[4],
        author=Author(name=row[5], email=email, website=row[6], key=row[7]),
        status=_STATUS[row[8]],
        created=row[9],
        edited=row[10],
        likes=row[11],
        depth=row[12],
        staff=bool(row[13]),
        pinned=bool(row[14]),
        featured=bool(row[15]),
        images=decode_refs(row[16]),
        moderator_edited=row[17],
        moderator_note=row[18],
    )


_INSERT = sa.insert(comments)


async def insert_comment(
    conn: AsyncConnection,
    comment: Comment,
    *,
    visitor_hash: str | None,
    edit_token_hash: str | None,
    ip: str | None,
    identity_id: str | None = None,
) -> None:
    await conn.execute(
        _INSERT,
        {
            "identity_id": identity_id,
            "id": comment.id,
            "thread_id": comment.thread_id,
            "parent_id": comment.parent,
            "depth": comment.depth,
            "status": comment.status.value,
            "text": comment.text,
            "html": comment.html,
            "author_name": comment.author.name,
            "author_email": comment.author.email,
            "author_website": comment.author.website,
            "author_key": comment.author.key,
            "visitor_hash": visitor_hash,
            "edit_token_hash": edit_token_hash,
            "ip": ip,
            "created": comment.created,
            "edited": comment.edited,
            "likes": comment.likes,
            "images": encode_refs(comment.images),
        },
    )


_BEGUN = sa.text("SELECT 1")
_SELECT_ONE = sa.select(*_PUBLIC_COLUMNS, comments.c.author_email, comments.c.edit_token_hash).where(
    comments.c.id == sa.bindparam("comment_id")
)
# Public comments and deleted placeholders of a thread, oldest first (email never selected).
_SHOWN_IN_THREAD = (comments.c.thread_id == sa.bindparam("thread_id"), comments.c.status.in_(_SHOWN))
_SELECT_PUBLIC = (
    sa.select(*_PUBLIC_COLUMNS).where(*_SHOWN_IN_THREAD).order_by(comments.c.created, comments.c.id)
)
_SELECT_STUBS = (
    sa.select(
        comments.c.id,
        comments.c.parent_id,
        comments.c.status,
        comments.c.created,
        comments.c.edited,
        comments.c.likes,
        comments.c.depth,
        comments.c.author_name,
        comments.c.author_key,
        comments.c.pinned,
        comments.c.featured,
    )
    .where(*_SHOWN_IN_THREAD)
    .order_by(comments.c.created, comments.c.id)
)


async def select_comment(conn: AsyncConnection, comment_id: str) -> tuple[Comment, str | None] | None:
    """A comment with its edit-token hash (None when it has none)."""
    row = (await conn.execute(_SELECT_ONE, {"comment_id": comment_id})).first()
    if row is None:
        return None
    n = len(_PUBLIC_COLUMNS)
    return _comment(row, email=row[n]), row[n + 1]


# The thread reads as plain SQLite SQL, for the driver itself (see _sqlite_rows). Built from the schema's
# column names and constants only; the thread id and statuses are bound parameters.
_IN_THREAD_SQL = f"FROM comments WHERE thread_id = ? AND status IN ({', '.join('?' * len(_SHOWN))})"
_SQLITE_PUBLIC = f"SELECT {', '.join(c.name for c in _PUBLIC_COLUMNS)} {_IN_THREAD_SQL} ORDER BY created, id"
_SQLITE_STUBS = f"SELECT {', '.join(c.name for c in _SELECT_STUBS.selected_columns)} {_IN_THREAD_SQL} ORDER BY created, id"


async def _sqlite_rows(conn: AsyncConnection, sql: str, thread_id: int) -> list[tuple[Any, ...]]:
    """A thread's rows straight from the SQLite driver in one thread hop, inside the connection's transaction:
    for a 1,000-comment thread SQLAlchemy's result layer and its extra hops cost ~0.8 ms of ~4 ms."""
    if not conn.in_transaction():  # begin first: the driver's query then reads the transaction's snapshot
        await conn.execute(_BEGUN)
    raw = await conn.get_raw_connection()
    driver: Any = raw.driver_connection
    rows: list[tuple[Any, ...]] = await driver.execute_fetchall(sql, (thread_id, *_SHOWN))
    return rows


async def select_public_comments(conn: AsyncConnection, thread_id: int) -> list[Comment]:
    """Public comments and deleted placeholders of a thread, oldest first (email never selected)."""
    if conn.dialect.name == "sqlite":
        return [_comment(r) for r in await _sqlite_rows(conn, _SQLITE_PUBLIC, thread_id)]
    return [_comment(r) for r in await conn.execute(_SELECT_PUBLIC, {"thread_id": thread_id})]


async def select_public_stubs(conn: AsyncConnection, thread_id: int) -> list[CommentStub]:
    """Public comments and deleted placeholders of a thread without their text, oldest first."""
    if conn.dialect.name == "sqlite":
        rows: Any = await _sqlite_rows(conn, _SQLITE_STUBS, thread_id)
    else:
        rows = await conn.execute(_SELECT_STUBS, {"thread_id": thread_id})
    status = _STATUS
    return [
        CommentStub(r[0], r[1], status[r[2]], r[3], r[4], r[5], r[6], r[7], r[8], bool(r[9]), bool(r[10]))
        for r in rows
    ]


async def select_comments_by_ids(conn: AsyncConnection, ids: Sequence[str]) -> list[Comment]:
    """Full public rows (never the email) for these ids, in chunks that every backend accepts."""
    out: list[Comment] = []
    for start in range(0, len(ids), 500):
        rows = await conn.execute(
            sa.select(*_PUBLIC_COLUMNS).where(comments.c.id.in_(ids[start : start + 500]))
        )
        out.extend(_comment(r) for r in rows)
    return out


async def select_own_hidden_comments(
    conn: AsyncConnection,
    thread_id: int,
    *,
    visitor_hash: str | None,
    identity_id: str | None = None,
    statuses: Sequence[CommentStatus] = (CommentStatus.PENDING,),
) -> list[tuple[Comment, str | None, int | None]]:
    """A reader's own comments in a thread that others cannot see (held or rejected), written from this
    visitor id or as this identity, oldest first: (comment, status reason, when its author appealed)."""
    mine = []
    if visitor_hash:
        mine.append(comments.c.visitor_hash == visitor_hash)
    if identity_id:
        mine.append(comments.c.identity_id == identity_id)
    if not mine or not statuses:
        return []
    rows = await conn.execute(
        sa.select(*_PUBLIC_COLUMNS, comments.c.status_reason, comments.c.appealed)
        .where(
            comments.c.thread_id == thread_id,
            sa.or_(*mine),
            comments.c.status.in_([s.value for s in statuses]),
        )
        .order_by(comments.c.created, comments.c.id)
    )
    n = len(_PUBLIC_COLUMNS)
    return [(_comment(r), r[n], r[n + 1]) for r in rows]


async def update_comment_text(conn: AsyncConnection, comment_id: str, text: str, html: str, now: int) -> None:
    await conn.execute(
        sa.update(comments).where(comments.c.id == comment_id).values(text=text, html=html, edited=now)
    )


# What a deleted comment keeps of its columns: a placeholder with its place in the thread, nothing written.
PLACEHOLDER: dict[str, Any] = {
    "status": CommentStatus.DELETED.value,
    "text": "",
    "html": "",
    "author_name": "",
    "author_email": None,
    "author_website": None,
    "edit_token_hash": None,
}


async def mark_deleted(conn: AsyncConnection, comment_id: str, now: int) -> None:
    """Keep the row as a placeholder: text, author details and tokens are wiped."""
    await conn.execute(
        sa.update(comments).where(comments.c.id == comment_id).values(**PLACEHOLDER, edited=now)
    )


async def add_to_comment_likes(conn: AsyncConnection, comment_id: str, delta: int) -> None:
    await conn.execute(
        sa.update(comments).where(comments.c.id == comment_id).values(likes=comments.c.likes + delta)
    )


async def select_comment_ids(conn: AsyncConnection, ids: Sequence[str]) -> set[str]:
    if not ids:
        return set()
    rows = await conn.execute(sa.select(comments.c.id).where(comments.c.id.in_(ids)))
    return {r[0] for r in rows}


def _recent_public(where: Any, limit: int) -> sa.Select[Any]:
    query = sa.select(*_PUBLIC_COLUMNS).where(
        where, comments.c.status.in_(sorted(s.value for s in PUBLIC_STATUSES))
    )
    return newest_first(query, comments.c.created, limit)


async def select_recent_public_in_thread(conn: AsyncConnection, thread_id: int, limit: int) -> list[Comment]:
    """A thread's newest public comments, newest first (feeds; never deleted placeholders or the email)."""
    rows = await conn.execute(_recent_public(comments.c.thread_id == thread_id, limit))
    return [_comment(r) for r in rows]


async def select_recent_public_on_site(conn: AsyncConnection, site_id: int, limit: int) -> list[Comment]:
    """The newest public comments across a site's threads, newest first (the site's feed)."""
    in_site = comments.c.thread_id.in_(sa.select(threads.c.id).where(threads.c.site_id == site_id))
    rows = await conn.execute(_recent_public(in_site, limit))
    return [_comment(r) for r in rows]


def with_thread(*names: str) -> sa.Select[Any]:
    """A query of these columns of comments beside their thread's site id, URL and title (as `thread_uri`
    and `thread_title`): lists of comments from many threads (an inbox, a commenter's history)."""
    return sa.select(
        *(comments.c[name] for name in names),
        threads.c.site_id,
        threads.c.uri.label("thread_uri"),
        threads.c.title.label("thread_title"),
    ).join(threads, threads.c.id == comments.c.thread_id)
