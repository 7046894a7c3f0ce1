"""store/identities.py on SQLite and PostgreSQL: identities by id and verified email, partial updates, and
credentials that are unique per (kind, provider, subject), carry their data, and are touched and removed."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from rejoinder.domain.identity import Credential, CredentialKind, Identity
from rejoinder.errors import Conflict
from rejoinder.store import engine as store_engine
from rejoinder.store import identities as store
from tests.store.contract import an_identity, run


def credential(identity_id: str, subject: str = "sub-1") -> Credential:
    return Credential(
        identity_id=identity_id,
        kind=CredentialKind.OIDC,
        provider="google",
        subject=subject,
        label="Ann Example",
        email="ann@example.org",
        email_verified=True,
        created=3,
    )


def test_identities_by_id_and_email_and_partial_updates(db_url: str) -> None:
    async def work(engine: AsyncEngine) -> dict[str, object]:
        async with store_engine.write(engine) as conn:
            ann = await an_identity(conn, "ann", email="ann@example.org")
            await an_identity(conn, "bob")
        async with store_engine.write(engine) as conn:
            await store.update_identity(conn, "bob", display_name="Bob B.", show_in_likes=False)
            await store.update_identity(conn, "ann")  # nothing to change
        async with store_engine.read(engine) as conn:
            return {
                "ann": await store.select_identity(conn, "ann") == ann,
                "bob": await store.select_identity(conn, "bob"),
                "none": await store.select_identity(conn, "nobody"),
                "by_email": [i.id for i in await store.select_identities_by_email(conn, "ann@example.org")],
            }

    found = run(db_url, work)
    assert found == {
        "ann": True,
        "bob": Identity(
            id="bob", display_name="Bob B.", email=None, profile_url=None, show_in_likes=False, created=1
        ),
        "none": None,
        "by_email": ["ann"],
    }


def test_credentials_are_unique_touched_and_removed(db_url: str) -> None:
    async def work(engine: AsyncEngine) -> dict[str, object]:
        async with store_engine.write(engine) as conn:
            await an_identity(conn, "ann")
            await an_identity(conn, "bob")
            await store.insert_credential(conn, credential("ann"), {"sign_count": 1})
        with pytest.raises(Conflict):  # the same account cannot sign in to two identities
            async with store_engine.write(engine) as conn:
                await store.insert_credential(conn, credential("bob"))
        async with store_engine.write(engine) as conn:
            await store.touch_credential(
                conn, CredentialKind.OIDC, "google", "sub-1", now=9, label="Ann E.", data={"sign_count": 2}
            )
        async with store_engine.read(engine) as conn:
            found = await store.select_credential(conn, CredentialKind.OIDC, "google", "sub-1")
            data = await store.select_credential_data(conn, CredentialKind.OIDC, "google", "sub-1")
            bobs = await store.select_credentials(conn, "bob")
        async with store_engine.write(engine) as conn:
            removed = await store.delete_credential(conn, "ann", CredentialKind.OIDC, "google", "sub-1")
            removed_again = await store.delete_credential(conn, "ann", CredentialKind.OIDC, "google", "sub-1")
        async with store_engine.read(engine) as conn:
            left = await store.select_credentials(conn, "ann")
        return {
            "found": (found.identity_id, found.label, found.last_used) if found else None,
            "data": data,
            "bobs": bobs,
            "removed": (removed, removed_again),
            "left": left,
        }

    assert run(db_url, work) == {
        "found": ("ann", "Ann E.", 9),
        "data": {"sign_count": 2},
        "bobs": [],
        "removed": (True, False),
        "left": [],
    }
