"""Notices of illegal content and statements of reasons (DSA Art. 16-17): insert, read, decide, export;
and whether automated checks flagged or held a comment (what a statement of reasons must say)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any, NotRequired, TypedDict, Unpack

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from rejoinder.moderation.notices import (
    GroundKind,
    Notice,
    NoticeCategory,
    NoticeDecision,
    NoticeIn,
    Restriction,
    Statement,
)
from rejoinder.store.rows import from_row, insert_returning_id, newest_first, set_once
from rejoinder.store.schema import comment_revisions, legal_notices, statements


async def insert_notice(
    conn: AsyncConnection, site_id: int, comment_id: str, notice: NoticeIn, *, language: str, now: int
) -> int:
    fields = msgspec.to_builtins(notice)  # the category as its value
    insert = sa.insert(legal_notices).values(
        **fields, site_id=site_id, comment_id=comment_id, language=language, created=now
    )
    return await insert_returning_id(conn, insert)


def _notice(row: Any) -> Notice:
    decision = NoticeDecision(row.decision) if row.decision else None
    return from_row(Notice, row, category=NoticeCategory(row.category), decision=decision)


async def select_notice(conn: AsyncConnection, notice_id: int) -> Notice | None:
    row = (await conn.execute(sa.select(legal_notices).where(legal_notices.c.id == notice_id))).first()
    return _notice(row) if row is not None else None


async def select_notices(
    conn: AsyncConnection, site_ids: Sequence[int] | None, *, open_only: bool, limit: int = 200
) -> list[Notice]:
    """Newest first; `site_ids` None: every site. Open ones only when `open_only`."""
    query = sa.select(legal_notices)
    if site_ids is not None:
        query = query.where(legal_notices.c.site_id.in_(list(site_ids)))
    if open_only:
        query = query.where(legal_notices.c.decided.is_(None))
    rows = await conn.execute(query.order_by(legal_notices.c.id.desc()).limit(limit))
    return [_notice(r) for r in rows]


async def count_open_notices(conn: AsyncConnection, site_ids: Sequence[int] | None) -> int:
    query = sa.select(sa.func.count()).where(legal_notices.c.decided.is_(None))
    if site_ids is not None:
        query = query.where(legal_notices.c.site_id.in_(list(site_ids)))
    return int((await conn.execute(query)).scalar_one())


async def update_decision(
    conn: AsyncConnection,
    notice_id: int,
    decision: NoticeDecision,
    *,
    ground: str | None,
    reasons: str,
    by: str,
    now: int,
) -> bool:
    """Record the decision on an open notice; False when it was already decided (nothing changes)."""
    recorded = {"decision": decision.value, "ground": ground, "reasons": reasons, "decided_by": by[:64]}
    decided = await set_once(conn, legal_notices.c.decided, now, legal_notices.c.id == notice_id, **recorded)
    return bool(decided)


async def automated_hold(conn: AsyncConnection, comment_id: str) -> bool:
    """Whether an automated check (the classifier, word lists, link rules…) flagged or held a version of
    the comment."""
    found = await conn.execute(
        sa.select(comment_revisions.c.id)
        .where(
            comment_revisions.c.comment_id == comment_id, comment_revisions.c.decision.in_(["flag", "hold"])
        )
        .limit(1)
    )
    return found.first() is not None


class NewStatement(TypedDict):
    """A statement of reasons as issued, but for its restriction and ground kind (see `Statement`)."""

    site_id: int
    comment_id: str
    identity_id: str | None
    action: str
    reason_code: str | None
    facts: str | None
    automated: bool
    ground: str | None
    notice_id: int | None
    automated_check: NotRequired[str | None]


async def insert_statement(
    conn: AsyncConnection,
    *,
    restriction: Restriction,
    ground_kind: GroundKind,
    now: int,
    **statement: Unpack[NewStatement],
) -> int:
    insert = sa.insert(statements).values(
        **statement, restriction=restriction.value, ground_kind=ground_kind.value, created=now
    )
    return await insert_returning_id(conn, insert)


def _statement(row: Any) -> Statement:
    return from_row(
        Statement, row, restriction=Restriction(row.restriction), ground_kind=GroundKind(row.ground_kind)
    )


async def select_statement(conn: AsyncConnection, statement_id: int) -> Statement | None:
    row = (await conn.execute(sa.select(statements).where(statements.c.id == statement_id))).first()
    return _statement(row) if row is not None else None


async def select_statements_of(
    conn: AsyncConnection, identity_id: str, *, limit: int = 100
) -> list[Statement]:
    """A signed-in author's statements of reasons, newest first (their inbox)."""
    query = sa.select(statements).where(statements.c.identity_id == identity_id)
    rows = await conn.execute(newest_first(query, statements.c.created, limit))
    return [_statement(r) for r in rows]


async def select_statements_for_comment(conn: AsyncConnection, comment_id: str) -> list[Statement]:
    rows = await conn.execute(
        sa.select(statements).where(statements.c.comment_id == comment_id).order_by(statements.c.id)
    )
    return [_statement(r) for r in rows]


async def reverse_statements(conn: AsyncConnection, comment_id: str, now: int) -> int:
    """A moderator approved the comment: every statement of it still in force is marked reversed."""
    return await set_once(conn, statements.c.reversed, now, statements.c.comment_id == comment_id)


async def mark_emailed(conn: AsyncConnection, statement_id: int, now: int) -> None:
    await conn.execute(sa.update(statements).where(statements.c.id == statement_id).values(emailed=now))


async def _by_id(
    conn: AsyncConnection, table: sa.Table, site_ids: Sequence[int] | None, batch: int
) -> AsyncIterator[sa.Row[Any]]:
    """Every row of a table, oldest first (read in batches by id), of the given sites when given."""
    last = 0
    while True:
        query = sa.select(table).where(table.c.id > last)
        if site_ids is not None:
            query = query.where(table.c.site_id.in_(list(site_ids)))
        rows = list(await conn.execute(query.order_by(table.c.id).limit(batch)))
        for row in rows:
            yield row
        if len(rows) < batch:
            return
        last = int(rows[-1].id)


async def stream_notices(
    conn: AsyncConnection, site_ids: Sequence[int] | None, *, batch: int = 500
) -> AsyncIterator[Notice]:
    """Every notice, oldest first, for the transparency report."""
    async for row in _by_id(conn, legal_notices, site_ids, batch):
        yield _notice(row)


async def stream_statements(
    conn: AsyncConnection, site_ids: Sequence[int] | None, *, batch: int = 500
) -> AsyncIterator[Statement]:
    async for row in _by_id(conn, statements, site_ids, batch):
        yield _statement(row)
