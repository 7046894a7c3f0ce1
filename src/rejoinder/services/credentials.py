"""A signed-in reader's credentials (the ways they sign in): each named by an opaque id, and removable
as long as one is left. Adding them is sign-in itself (services/accounts.py, services/passkeys.py)."""

from __future__ import annotations

from rejoinder.domain.identity import Credential, keyed_hash
from rejoinder.errors import Conflict, NotFound
from rejoinder.services.accounts import SignedIn
from rejoinder.services.context import Context
from rejoinder.store import engine as store_engine
from rejoinder.store import identities as identity_store


def credential_id(secret: bytes, credential: Credential) -> str:
    """A stable opaque id for one credential: it says nothing about the provider's subject (a passkey's
    id, an account number) and means nothing for another server."""
    return keyed_hash(
        secret, "credential", credential.kind.value, credential.provider, credential.subject, length=24
    )


async def remove_credential(ctx: Context, reader: SignedIn, ref: str) -> list[Credential]:
    """Remove one of the reader's credentials; returns those left. The last one is never removed: an
    identity without a way to sign in could not be reached again.

    Raises:
        NotFound: credential-not-found (not one of this reader's). Conflict: credential-last.
    """
    async with store_engine.write(ctx.engine) as conn:
        await identity_store.lock_identity(conn, reader.identity.id)  # two removals at once keep one
        creds = await identity_store.select_credentials(conn, reader.identity.id)
        target = next((c for c in creds if credential_id(ctx.id_key, c) == ref), None)
        if target is None:
            raise NotFound("You have no sign-in method with this id", code="credential-not-found")
        if len(creds) <= 1:
            raise Conflict(
                "This is your only way to sign in; add another one before removing it", code="credential-last"
            )
        await identity_store.delete_credential(
            conn, reader.identity.id, target.kind, target.provider, target.subject
        )
    return [c for c in creds if c is not target]
