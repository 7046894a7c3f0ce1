"""SQL of Webmention: the mentions received (one row per source and target, its state and what it became)
and the ones sent for links in comments. Verifying and sending are services/webmentions.py's."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from rejoinder.domain.webmentions import SendState, WebmentionKind, WebmentionState
from rejoinder.store.rows import from_row, insert_returning_id, newest_first
from rejoinder.store.schema import webmention_sends as sends
from rejoinder.store.schema import webmentions


class Received(msgspec.Struct, frozen=True):
    id: int
    site_id: int
    source: str
    target: str
    state: WebmentionState
    kind: WebmentionKind | None
    comment_id: str | None
    liker: str | None
    author_name: str | None
    author_url: str | None
    error: str | None
    received: int
    verified: int | None


class Sending(msgspec.Struct, frozen=True):
    id: int
    comment_id: str
    source: str
    target: str
    state: SendState
    endpoint: str | None
    status_code: int | None
    error: str | None
    updated: int


def pair_of(first: str, second: str) -> str:
    return hashlib.sha256(f"{first}\n{second}".encode("utf-8", "surrogatepass")).hexdigest()


def _received(row: Any) -> Received:
    kind = WebmentionKind(row.kind) if row.kind else None
    return from_row(Received, row, state=WebmentionState(row.state), kind=kind)


async def _upsert_pair(
    conn: AsyncConnection, table: sa.Table, pair: str, new: Mapping[str, Any], **always: Any
) -> int:
    """The id of the table's row of `pair` (a source and target), set to `always`; a new row, with `new`
    too, when there is none."""
    found = (await conn.execute(sa.select(table.c.id).where(table.c.pair == pair))).scalar()
    if found is not None:
        await conn.execute(sa.update(table).where(table.c.id == found).values(**always))
        return int(found)
    return await insert_returning_id(conn, sa.insert(table).values(pair=pair, **new, **always))


async def upsert_received(conn: AsyncConnection, site_id: int, source: str, target: str, *, now: int) -> int:
    """The row of this source and target, created or marked as received again (an update re-verifies);
    its id."""
    new = {"site_id": site_id, "source": source, "target": target, "state": WebmentionState.PENDING.value}
    return await _upsert_pair(conn, webmentions, pair_of(source, target), new, received=now)


async def select_received(conn: AsyncConnection, mention_id: int) -> Received | None:
    row = (await conn.execute(sa.select(webmentions).where(webmentions.c.id == mention_id))).first()
    return None if row is None else _received(row)


async def select_received_pair(conn: AsyncConnection, source: str, target: str) -> Received | None:
    pair = pair_of(source, target)
    row = (await conn.execute(sa.select(webmentions).where(webmentions.c.pair == pair))).first()
    return None if row is None else _received(row)


async def select_for_comments(conn: AsyncConnection, comment_ids: Sequence[str]) -> dict[str, Received]:
    """The Webmention each of these comments came from (those that came from one)."""
    if not comment_ids:
        return {}
    rows = await conn.execute(sa.select(webmentions).where(webmentions.c.comment_id.in_(list(comment_ids))))
    return {row.comment_id: _received(row) for row in rows}


async def select_site_received(conn: AsyncConnection, site_id: int, *, limit: int = 100) -> list[Received]:
    query = sa.select(webmentions).where(webmentions.c.site_id == site_id)
    rows = await conn.execute(newest_first(query, webmentions.c.received, limit))
    return [_received(row) for row in rows]


async def update_received(
    conn: AsyncConnection,
    mention: Received,
    state: WebmentionState,
    *,
    error: str | None,
    verified: int,
) -> None:
    """Store the verdict on a mention (`state`, `error`, when) with what it is now: its kind, the comment
    or like it made, its author."""
    await conn.execute(
        sa.update(webmentions)
        .where(webmentions.c.id == mention.id)
        .values(
            state=state.value,
            kind=mention.kind.value if mention.kind is not None else None,
            comment_id=mention.comment_id,
            liker=mention.liker,
            author_name=mention.author_name[:200] if mention.author_name else None,
            author_url=mention.author_url if mention.author_url and len(mention.author_url) <= 2048 else None,
            error=error[:500] if error else None,
            verified=verified,
        )
    )


# --- sending -------------------------------------------------------------------------------------------


def _sending(row: Any) -> Sending:
    return from_row(Sending, row, state=SendState(row.state))


async def insert_sends(
    conn: AsyncConnection, comment_id: str, source: str, targets: Sequence[str], *, now: int
) -> list[int]:
    """A row per target not recorded for this comment yet (an edit adding a link adds one); every row of
    the comment's targets is due again (an edited comment is sent again, as the specification asks).
    Returns the ids of the rows of `targets`."""
    return [
        await _upsert_pair(
            conn,
            sends,
            pair_of(comment_id, target),
            {"comment_id": comment_id, "source": source, "target": target},
            state=SendState.PENDING.value,
            updated=now,
        )
        for target in targets
    ]


async def select_send(conn: AsyncConnection, send_id: int) -> Sending | None:
    row = (await conn.execute(sa.select(sends).where(sends.c.id == send_id))).first()
    return None if row is None else _sending(row)


async def select_sends_of(conn: AsyncConnection, comment_id: str) -> list[Sending]:
    rows = await conn.execute(sa.select(sends).where(sends.c.comment_id == comment_id).order_by(sends.c.id))
    return [_sending(row) for row in rows]


async def update_send(
    conn: AsyncConnection,
    send_id: int,
    *,
    state: SendState,
    endpoint: str | None,
    status_code: int | None,
    error: str | None,
    now: int,
) -> None:
    await conn.execute(
        sa.update(sends)
        .where(sends.c.id == send_id)
        .values(
            state=state.value,
            endpoint=endpoint[:2048] if endpoint else None,
            status_code=status_code,
            error=error[:500] if error else None,
            updated=now,
        )
    )
