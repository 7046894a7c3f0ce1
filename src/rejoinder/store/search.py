"""Full-text search over comments for the moderation desk, one interface over SQLite FTS5 (`comments_fts`,
kept by triggers) and PostgreSQL full-text search (the generated `comments.search` tsvector, GIN-indexed),
both built by migration 0013. The words arrive already split into plain terms (domain/search.py): no
query syntax of either engine ever reaches the database from a moderator's input."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from rejoinder.domain.search import CommentSearch
from rejoinder.store.schema import comments, threads

_FTS = sa.table("comments_fts", sa.column("rowid"), sa.column("comments_fts"))
_FTS_IDS = sa.table("comments_fts_ids", sa.column("id"), sa.column("comment_id"))


class Hit(msgspec.Struct, frozen=True):
    """A comment found: what the results list shows."""

    id: str
    site_id: int
    thread_id: int
    thread_uri: str | None
    thread_title: str | None
    status: str
    text: str
    author_name: str
    identity_id: str | None
    created: int
    moderator_edited: int | None


def fts5_query(terms: Sequence[str]) -> str:
    """An FTS5 MATCH string in which every term is a quoted string (so none is read as syntax: AND, NEAR,
    column filters, `*`, `^`), all of them required."""
    return " ".join('"' + term.replace('"', '""') + '"' for term in terms)


def _words_clause(conn: AsyncConnection, terms: Sequence[str]) -> Any:
    if conn.dialect.name == "sqlite":
        matching = (
            sa.select(_FTS_IDS.c.comment_id)
            .select_from(_FTS_IDS.join(_FTS, _FTS.c.rowid == _FTS_IDS.c.id))
            .where(sa.text("comments_fts MATCH :fts").bindparams(fts=fts5_query(terms)))
        )
        return comments.c.id.in_(matching)
    # plainto_tsquery reads its argument as plain words joined by AND: no operator of tsquery applies.
    return sa.literal_column("comments.search").op("@@")(
        sa.func.plainto_tsquery(sa.literal_column("'simple'::regconfig"), sa.cast(" ".join(terms), sa.Text))
    )


async def search_comments(
    conn: AsyncConnection,
    site_ids: Sequence[int],
    query: CommentSearch,
    *,
    emails: Sequence[str] = (),
    limit: int = 50,
    offset: int = 0,
) -> list[Hit]:
    """Comments of these sites matching every filter of `query`, newest first. `emails` (lower-cased
    addresses) narrows to guests who wrote with one of them, for a search by author email."""
    if not site_ids:
        return []
    q = (
        sa.select(
            comments.c.id,
            threads.c.site_id,
            comments.c.thread_id,
            threads.c.uri,
            threads.c.title,
            comments.c.status,
            comments.c.text,
            comments.c.author_name,
            comments.c.identity_id,
            comments.c.created,
            comments.c.moderator_edited,
        )
        .join(threads, threads.c.id == comments.c.thread_id)
        .where(threads.c.site_id.in_(site_ids))
    )
    if query.terms:
        q = q.where(_words_clause(conn, query.terms))
    if query.author:
        pattern = "%" + _escape_like(query.author.lower()) + "%"
        q = q.where(sa.func.lower(comments.c.author_name).like(pattern, escape="\\"))
    if emails:
        q = q.where(sa.func.lower(comments.c.author_email).in_(list(emails)))
    if query.identity_id:
        q = q.where(comments.c.identity_id == query.identity_id)
    if query.statuses:
        q = q.where(comments.c.status.in_(list(query.statuses)))
    if query.since is not None:
        q = q.where(comments.c.created >= query.since)
    if query.until is not None:
        q = q.where(comments.c.created < query.until)
    rows = await conn.execute(
        q.order_by(comments.c.created.desc(), comments.c.id.desc()).limit(limit).offset(offset)
    )
    return [Hit(*r) for r in rows]


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
