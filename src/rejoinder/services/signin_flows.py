"""The one sign-in flow engine, shared by readers (services/accounts.py) and moderators
(services/admin_auth.py): a flow pending between its start and the provider's answer is a one-time ticket
keyed by the hash of `state`, bound to the browser's binding cookie, expiring. It knows nothing of sites,
identities or roles: the callers decide what a finished flow signs in.
"""

from __future__ import annotations

from typing import Any

from rejoinder.auth.providers import Provider
from rejoinder.auth.sessions import token_hash
from rejoinder.errors import BrowserMismatch, FlowExpired, StateInvalid
from rejoinder.services.context import Context
from rejoinder.store import engine as store_engine
from rejoinder.store import sessions as session_store

US = 1_000_000
STATE_MAX = 128  # characters: a longer `state` was never issued here


async def keep_flow(
    ctx: Context, state: str, payload: dict[str, Any], binding: str, *, purpose: str, seconds: int
) -> None:
    """Keep a pending flow server-side until `take_flow`: keyed by the hash of `state`, bound to the
    browser's binding cookie, usable once, for `seconds`."""
    now = ctx.clock()
    async with store_engine.write(ctx.engine) as conn:
        await session_store.delete_expired_tickets(conn, now)  # abandoned flows and offers (indexed)
        await session_store.insert_ticket(
            conn,
            token_hash(state),
            purpose=purpose,
            binding_hash=token_hash(binding),
            payload=payload,
            now=now,
            expires=now + seconds * US,
        )


async def begin_at_provider(
    ctx: Context, provider: Provider, *, redirect_uri: str, server: str | None
) -> tuple[str, str, dict[str, Any]]:
    """A new `state` and the provider's authorization URL for it, with what to keep until its answer."""
    state = ctx.token(32)
    begun = await provider.begin(state=state, redirect_uri=redirect_uri, server=server)
    return state, begun.url, begun.saved


async def take_flow(
    ctx: Context, state: str | None, binding: str | None, *, purpose: str, again: str
) -> dict[str, Any]:
    """The payload of the pending flow a provider's answer names by `state`, used up whatever happens next.
    `again` ends every refusal's text: what the person does now ("start again from the comment form").

    Raises:
        Forbidden: state-invalid (missing, unknown or used), flow-expired, browser-mismatch (no or
            another browser's binding cookie: login CSRF).
    """
    if not state:
        raise StateInvalid(f"The provider's answer has no state; {again}")
    if len(state) > STATE_MAX:
        raise StateInvalid("This sign-in is unknown or was already used")
    async with store_engine.write(ctx.engine) as conn:
        ticket = await session_store.take_ticket(conn, token_hash(state), purpose)
    if ticket is None:
        raise StateInvalid(f"This sign-in is unknown or was already used; {again}")
    if ticket.expires <= ctx.clock():
        raise FlowExpired(f"This sign-in took too long; {again}")
    if not binding or ticket.binding_hash != token_hash(binding):
        raise BrowserMismatch(f"This sign-in was started in another browser; {again}")
    payload: dict[str, Any] = ticket.payload
    return payload
