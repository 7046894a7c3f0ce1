"""/admin's side of a person's data rights (web/admin/manage.py, /admin/people): find a person by email or
identity id, download or erase their data on their behalf. Only an admin of every site may; the moderation
log records both. The collection and the erasure are personal_data.py's."""

from __future__ import annotations

from typing import Any

import msgspec

from rejoinder.domain.identity import Identity
from rejoinder.errors import IdentityNotFound
from rejoinder.moderation.actions import Actor
from rejoinder.services.context import Context
from rejoinder.services.moderation.judging import email_hash_of
from rejoinder.services.personal_data import Erased, KeepComments, collect, erase
from rejoinder.store import engine as store_engine
from rejoinder.store import identities as identity_store
from rejoinder.store import moderation_log as log_store
from rejoinder.store import personal as store


class Person(msgspec.Struct, frozen=True):
    """Who an admin's search found: an account, or a guest address with its comment count."""

    identity: Identity | None
    email: str | None
    guest_comments: int


async def find_people(ctx: Context, query: str) -> list[Person]:
    """Accounts whose id or verified email is `query`, and guest comments written with it (an address)."""
    query = query.strip()
    if not query:
        return []
    found: list[Person] = []
    async with store_engine.read(ctx.engine) as conn:
        by_id = await identity_store.select_identity(conn, query) if len(query) <= 24 else None
        if by_id is not None:
            found.append(Person(identity=by_id, email=None, guest_comments=0))
        if "@" in query:
            for identity in await identity_store.select_identities_by_email(conn, query.lower()):
                found.append(Person(identity=identity, email=None, guest_comments=0))
            guests = await store.select_comments(conn, store.of_guest_email(query))
            live = [c for c in guests if c["status"] != "deleted"]
            if live:
                found.append(Person(identity=None, email=query.lower(), guest_comments=len(live)))
    return found


def require_global_admin(actor: Actor) -> None:
    """A person's data spans every site, so only an admin of every site may download or erase it."""
    actor.require_admin_everywhere("Only an admin of every site can download or delete a person's data")


async def collect_for_admin(
    ctx: Context, actor: Actor, *, identity_id: str | None = None, email: str | None = None
) -> dict[str, Any]:
    """`collect` on a person's behalf, by an admin of every site; the moderation log records it."""
    require_global_admin(actor)
    identity = None
    if identity_id is not None:
        async with store_engine.read(ctx.engine) as conn:
            identity = await identity_store.select_identity(conn, identity_id)
        if identity is None:
            raise IdentityNotFound("There is no such account; it may have been deleted already")
    document = await collect(ctx, identity=identity, email=email if identity is None else None)
    async with store_engine.write(ctx.engine) as conn:
        await log_store.insert_log(
            conn,
            site_id=None,
            now=ctx.clock(),
            actor=actor.id,
            action="export-data",
            target_kind="identity" if identity else "email",
            target_id=identity.id if identity else (email_hash_of(ctx, email) or ""),
            data={"comments": len(document["comments"])},
        )
    return document


async def erase_for_admin(
    ctx: Context,
    actor: Actor,
    mode: KeepComments,
    *,
    identity_id: str | None = None,
    email: str | None = None,
) -> Erased:
    """`erase` on a person's behalf, by an admin of every site (logged by `erase` with the admin as actor)."""
    require_global_admin(actor)
    return await erase(ctx, mode, actor=actor.id, identity_id=identity_id, email=email)
