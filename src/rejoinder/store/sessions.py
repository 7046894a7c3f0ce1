"""Sessions (rows keyed by a token's SHA-256) and one-time auth tickets (pending flows, link offers)."""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict, Unpack

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from rejoinder.auth.sessions import Session
from rejoinder.store.rows import delete_capped, from_row, set_once
from rejoinder.store.schema import auth_tickets, sessions


class NewSession(TypedDict):
    """A session as opened: whose it is, the provider they signed in with, and when it expires."""

    identity_id: str
    provider: str
    expires: int


async def insert_session(
    conn: AsyncConnection, token_hash: str, *, label: str, now: int, **session: Unpack[NewSession]
) -> None:
    """`label`: what the widget shows after "via" (clipped to its column)."""
    await conn.execute(
        sa.insert(sessions).values(token_hash=token_hash, **session, label=label[:300], created=now)
    )


async def select_session(conn: AsyncConnection, token_hash: str) -> Session | None:
    row = (await conn.execute(sa.select(sessions).where(sessions.c.token_hash == token_hash))).first()
    if row is None:
        return None
    return from_row(Session, row)


async def revoke_session(conn: AsyncConnection, token_hash: str, now: int) -> bool:
    """Mark a session logged out; False when there was no active session with this hash."""
    return bool(await set_once(conn, sessions.c.revoked, now, sessions.c.token_hash == token_hash))


async def revoke_identity_sessions(conn: AsyncConnection, identity_id: str, now: int) -> int:
    """Log an identity out everywhere; returns how many sessions were active."""
    return await set_once(conn, sessions.c.revoked, now, sessions.c.identity_id == identity_id)


async def delete_expired_sessions(conn: AsyncConnection, before: int, *, limit: int | None = None) -> int:
    """Delete sessions that expired before `before` (logged out or not), at most `limit` of them."""
    return await delete_capped(conn, sessions.c.token_hash, sessions.c.expires < before, limit)


# --- one-time tickets --------------------------------------------------------------------------------


class NewTicket(TypedDict):
    """A one-time ticket as issued: its purpose, what it holds, and when it expires; optionally the hash
    of the browser-binding cookie it must come back with and the identity it is for."""

    purpose: str
    payload: dict[str, Any]
    expires: int
    binding_hash: NotRequired[str | None]
    identity_id: NotRequired[str | None]


async def insert_ticket(
    conn: AsyncConnection, id_hash: str, *, now: int, **ticket: Unpack[NewTicket]
) -> None:
    await conn.execute(sa.insert(auth_tickets).values(id_hash=id_hash, **ticket, created=now))


class Ticket(msgspec.Struct, frozen=True):
    """What was stored with a one-time ticket."""

    binding_hash: str | None
    identity_id: str | None
    payload: dict[str, Any]
    expires: int


# What a Ticket holds, in its order.
_TICKET = (
    auth_tickets.c.binding_hash,
    auth_tickets.c.identity_id,
    auth_tickets.c.payload,
    auth_tickets.c.expires,
)


def _ticket_is(id_hash: str, purpose: str) -> sa.ColumnElement[bool]:
    return sa.and_(auth_tickets.c.id_hash == id_hash, auth_tickets.c.purpose == purpose)


def _ticket(row: Any) -> Ticket | None:
    return Ticket(row[0], row[1], dict(row[2] or {}), row[3]) if row is not None else None


async def take_ticket(conn: AsyncConnection, id_hash: str, purpose: str) -> Ticket | None:
    """Delete a ticket and return what it held: a ticket can be taken once (the DELETE decides, so two
    concurrent callbacks with the same state cannot both succeed). Expiry is the caller's to check."""
    query = sa.delete(auth_tickets).where(_ticket_is(id_hash, purpose)).returning(*_TICKET)
    return _ticket((await conn.execute(query)).first())


async def peek_ticket(conn: AsyncConnection, id_hash: str, purpose: str) -> Ticket | None:
    """Read a ticket without using it up (e.g. to show a link offer before it is answered)."""
    query = sa.select(*_TICKET).where(_ticket_is(id_hash, purpose))
    return _ticket((await conn.execute(query)).first())


async def delete_identity_tickets(conn: AsyncConnection, identity_id: str, purpose: str) -> int:
    """Delete every ticket of one purpose held for an identity (e.g. its /admin sessions)."""
    result = await conn.execute(
        sa.delete(auth_tickets).where(
            auth_tickets.c.identity_id == identity_id, auth_tickets.c.purpose == purpose
        )
    )
    return int(result.rowcount or 0)


async def delete_expired_tickets(conn: AsyncConnection, before: int, *, limit: int | None = None) -> int:
    """Delete one-time tickets of every purpose that expired before `before`, at most `limit` of them."""
    return await delete_capped(conn, auth_tickets.c.id_hash, auth_tickets.c.expires < before, limit)
