"""Identities, their credentials, and the OAuth apps rejoinder registered itself as (Mastodon & co).

Also the two denormalised follow-ups of an identity change: comments and likes keep a copy of the
name so that reading a thread stays one query; `update_authored_names` refreshes those copies.
"""

from __future__ import annotations

from typing import Any, TypedDict, Unpack

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from rejoinder.domain.identity import Credential, CredentialKind, Identity
from rejoinder.store.rows import delete_matching, from_row
from rejoinder.store.schema import comments, credentials, identities, likes, oauth_apps, threads

_KINDS = {k.value: k for k in CredentialKind}


def _identity(row: Any) -> Identity:
    return from_row(Identity, row)


def _credential(row: Any) -> Credential:
    return from_row(Credential, row, kind=_KINDS[row.kind])


async def insert_identity(conn: AsyncConnection, identity: Identity) -> None:
    await conn.execute(sa.insert(identities).values(**msgspec.structs.asdict(identity)))


async def select_identity(conn: AsyncConnection, identity_id: str) -> Identity | None:
    row = (await conn.execute(sa.select(identities).where(identities.c.id == identity_id))).first()
    return _identity(row) if row else None


async def select_identities_by_email(conn: AsyncConnection, email: str) -> list[Identity]:
    """Identities whose verified email is `email` (already lower-cased), oldest first."""
    rows = await conn.execute(
        sa.select(identities).where(identities.c.email == email).order_by(identities.c.created)
    )
    return [_identity(r) for r in rows]


class IdentityChanges(TypedDict, total=False):
    """What a reader (or their provider) may change about an identity; a value None leaves it unchanged."""

    display_name: str | None
    show_in_likes: bool | None
    email: str | None
    profile_url: str | None


async def update_identity(
    conn: AsyncConnection, identity_id: str, **changes: Unpack[IdentityChanges]
) -> None:
    values = {column: value for column, value in changes.items() if value is not None}
    if values:
        await conn.execute(sa.update(identities).where(identities.c.id == identity_id).values(**values))


async def insert_credential(
    conn: AsyncConnection, credential: Credential, data: dict[str, Any] | None = None
) -> None:
    """Raises Conflict (through store.engine.write) if (kind, provider, subject) is already taken."""
    await conn.execute(
        sa.insert(credentials).values(
            identity_id=credential.identity_id,
            kind=credential.kind.value,
            provider=credential.provider,
            subject=credential.subject,
            label=credential.label[:300],
            email=credential.email,
            email_verified=credential.email_verified,
            data=data,
            created=credential.created,
            last_used=credential.last_used,
        )
    )


def _credential_is(kind: CredentialKind, provider: str, subject: str) -> sa.ColumnElement[bool]:
    """The credential of this kind, provider and subject (its unique key)."""
    c = credentials.c
    return sa.and_(c.kind == kind.value, c.provider == provider, c.subject == subject)


async def select_credential(
    conn: AsyncConnection, kind: CredentialKind, provider: str, subject: str
) -> Credential | None:
    query = sa.select(credentials).where(_credential_is(kind, provider, subject))
    row = (await conn.execute(query)).first()
    return _credential(row) if row else None


async def select_credential_data(
    conn: AsyncConnection, kind: CredentialKind, provider: str, subject: str
) -> dict[str, Any] | None:
    """The kind-specific data of a credential (e.g. a passkey's public key and sign count)."""
    query = sa.select(credentials.c.data).where(_credential_is(kind, provider, subject))
    row = (await conn.execute(query)).first()
    return dict(row[0] or {}) if row else None


async def select_credentials(conn: AsyncConnection, identity_id: str) -> list[Credential]:
    rows = await conn.execute(
        sa.select(credentials).where(credentials.c.identity_id == identity_id).order_by(credentials.c.id)
    )
    return [_credential(r) for r in rows]


async def touch_credential(
    conn: AsyncConnection,
    kind: CredentialKind,
    provider: str,
    subject: str,
    *,
    now: int,
    label: str | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    """Record a use of a credential (and refresh its label or data when given)."""
    values: dict[str, Any] = {"last_used": now}
    if label:
        values["label"] = label[:300]
    if data is not None:
        values["data"] = data
    await conn.execute(sa.update(credentials).where(_credential_is(kind, provider, subject)).values(**values))


async def lock_identity(conn: AsyncConnection, identity_id: str) -> None:
    """Serialise changes to one identity's credentials until the transaction ends (a row lock on
    PostgreSQL; SQLite's writers already take turns, and SQLAlchemy leaves FOR UPDATE out there)."""
    await conn.execute(sa.select(identities.c.id).where(identities.c.id == identity_id).with_for_update())


async def delete_credential(
    conn: AsyncConnection, identity_id: str, kind: CredentialKind, provider: str, subject: str
) -> bool:
    key = {"identity_id": identity_id, "kind": kind.value, "provider": provider, "subject": subject}
    return await delete_matching(conn, credentials, key)


# --- the copies of an identity's name in comments and likes -----------------------------------------


async def update_authored_names(
    conn: AsyncConnection, identity_id: str, *, name: str, website: str | None, liker_name: str | None
) -> list[tuple[int, str | None, str | None]]:
    """Give an identity's comments its current name and website, and its likes `liker_name` (None =
    hidden from "people like this"). Returns (site_id, uri, key) of every thread touched, so the
    caller can invalidate their cached responses."""
    touched = await conn.execute(
        sa.select(threads.c.site_id, threads.c.uri, threads.c.key)
        .where(
            threads.c.id.in_(
                sa.union(
                    sa.select(comments.c.thread_id).where(comments.c.identity_id == identity_id),
                    sa.select(likes.c.thread_id).where(likes.c.identity_id == identity_id),
                ).scalar_subquery()
            )
        )
        .distinct()
    )
    found = [(r[0], r[1], r[2]) for r in touched]
    await conn.execute(
        sa.update(comments)
        .where(comments.c.identity_id == identity_id, comments.c.status != "deleted")
        .values(author_name=name, author_website=website)
    )
    await conn.execute(sa.update(likes).where(likes.c.identity_id == identity_id).values(name=liker_name))
    return found


# --- apps registered at fediverse servers ------------------------------------------------------------


async def select_oauth_app(conn: AsyncConnection, server: str, redirect_uri: str) -> dict[str, Any] | None:
    row = (
        await conn.execute(
            sa.select(oauth_apps).where(
                oauth_apps.c.server == server, oauth_apps.c.redirect_uri == redirect_uri
            )
        )
    ).first()
    if row is None:
        return None
    return {"client_id": row.client_id, "client_secret": row.client_secret, **dict(row.data or {})}


class OAuthApp(TypedDict):
    """What a server issued when rejoinder registered with it, and its endpoints and scopes as discovered."""

    client_id: str
    client_secret: str | None
    data: dict[str, Any]


async def insert_oauth_app(
    conn: AsyncConnection, server: str, redirect_uri: str, *, now: int, **app: Unpack[OAuthApp]
) -> None:
    await conn.execute(
        sa.insert(oauth_apps).values(server=server, redirect_uri=redirect_uri, **app, created=now)
    )


async def delete_oauth_app(conn: AsyncConnection, server: str, redirect_uri: str) -> None:
    await conn.execute(
        sa.delete(oauth_apps).where(oauth_apps.c.server == server, oauth_apps.c.redirect_uri == redirect_uri)
    )
