"""Passkey use cases: start a ceremony (sign in with a passkey, or add one to a signed-in identity) and
finish it into a session. A ceremony is a pending flow of services/accounts.py (one-time, bound to the
browser, expiring) holding the challenge; the WebAuthn checks are in auth/providers/passkeys.py.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec

from rejoinder.auth.providers import Registry
from rejoinder.auth.providers.passkeys import (
    PasskeyProvider,
    RelyingParty,
    authentication_options,
    b64url,
    not_registered,
    read_assertion,
    registration_options,
    unb64url,
    verify_assertion,
    verify_registration,
)
from rejoinder.domain.identity import Credential, CredentialKind, keyed_hash
from rejoinder.errors import (
    CredentialInUse,
    Forbidden,
    IdentityNotFound,
    ProviderNotFound,
    SiteNotFound,
)
from rejoinder.services import accounts
from rejoinder.services.context import Context
from rejoinder.store import engine as store_engine
from rejoinder.store import identities as identity_store

PURPOSE = "passkey"  # auth_tickets.purpose of a pending ceremony
US = 1_000_000


class Ceremony(msgspec.Struct, frozen=True):
    """What the passkey page needs: the one-time `state` to post back, and the WebAuthn options."""

    state: str
    options: dict[str, Any]  # PublicKeyCredentialCreationOptions or …RequestOptions, JSON form
    register: bool  # True: navigator.credentials.create() for a signed-in identity; False: .get()
    label: str  # the provider's label ("Passkey")
    identity_name: str | None = None  # registering: whose account the passkey is added to
    return_url: str | None = None  # redirect mode: the (allowed) article the answer returns to


def user_handle(secret: bytes, identity_id: str) -> bytes:
    """The WebAuthn user.id of an identity: opaque (no public id or address inside, as the spec asks) and
    the same for all its passkeys, so an authenticator keeps one passkey per account and RP."""
    return keyed_hash(secret, "webauthn-user", identity_id, length=32).encode("ascii")


def _provider(registry: Registry, name: str, site: str) -> PasskeyProvider:
    provider = registry.offered(name, site)
    if not isinstance(provider, PasskeyProvider):
        raise ProviderNotFound()
    return provider


async def begin(
    ctx: Context,
    registry: Registry,
    provider_name: str,
    asked: accounts.StartRequest,
    *,
    binding: str,
    rp: RelyingParty,
    lang: str = "en",
) -> Ceremony:
    """Check the start request like any provider's, make a challenge and keep it until `take`.

    With `link` (a ticket of a signed-in reader) the ceremony registers a new passkey for that identity;
    without, it signs in with any discoverable passkey of this RP.
    """
    start = await accounts.check_start(ctx, registry, provider_name, asked)
    provider = _provider(registry, provider_name, start.site.name)
    challenge = unb64url(ctx.token(32))  # 32 random bytes (WebAuthn §13.4.3 asks for at least 16)
    name = None
    if start.link_identity is not None:
        async with store_engine.read(ctx.engine) as conn:
            identity = await identity_store.select_identity(conn, start.link_identity)
            creds = await identity_store.select_credentials(conn, start.link_identity)
        if identity is None:
            raise IdentityNotFound("The identity to add this sign-in to no longer exists")
        name = identity.display_name
        options = registration_options(
            rp,
            challenge=challenge,
            user_handle=user_handle(ctx.id_key, identity.id),
            user_name=identity.display_name,
            existing=[c.subject for c in creds if c.kind is CredentialKind.PASSKEY and c.provider == rp.id],
        )
    else:
        options = authentication_options(rp, challenge=challenge)
    state = ctx.token(32)
    flow = accounts.Flow(
        provider=provider.name,
        site=start.site.name,
        origin=start.origin,
        mode=start.mode,
        return_url=start.return_url,
        saved={"challenge": b64url(challenge), "rp_id": rp.id},
        link_identity=start.link_identity,
        lang=lang,
    )
    await accounts.keep_flow(ctx, state, flow, binding, purpose=PURPOSE)
    return Ceremony(
        state=state,
        options=options,
        register=start.link_identity is not None,
        label=provider.label,
        identity_name=name,
        return_url=start.return_url,
    )


async def take(ctx: Context, provider_name: str, state: str | None, binding: str | None) -> accounts.Flow:
    """The pending ceremony `state` names, used up whatever happens next (a replayed answer finds none).

    Raises:
        Forbidden: state-invalid (missing, unknown or already used), flow-expired, browser-mismatch.
    """
    return await accounts.take_flow(ctx, provider_name, state, binding, purpose=PURPOSE)


async def complete(
    ctx: Context, registry: Registry, flow: accounts.Flow, response: str, *, rp: RelyingParty
) -> accounts.Outcome:
    """Check the browser's answer to a taken ceremony and open a session (registering the passkey first
    when the ceremony was started with a link ticket). The page origin is checked against the site again.
    """
    site = await ctx.sites.by_name(flow.site)
    if site is None:
        raise SiteNotFound.named(flow.site)
    accounts.check_allowed_origin(site, flow.origin)
    if flow.return_url:
        accounts.check_return_url(site, flow.return_url)
    provider = _provider(registry, flow.provider, site.name)
    if flow.saved.get("rp_id") != rp.id:  # server.public_url changed during the ceremony
        raise Forbidden(
            f"This passkey request was made for another host than {rp.id}", code="passkey-rp-mismatch"
        )
    challenge = unb64url(str(flow.saved.get("challenge", "")))
    if flow.link_identity is not None:
        return await _register(ctx, provider, flow.link_identity, response, challenge=challenge, rp=rp)
    return await _sign_in(ctx, provider, response, challenge=challenge, rp=rp)


async def _register(
    ctx: Context,
    provider: PasskeyProvider,
    identity_id: str,
    response: str,
    *,
    challenge: bytes,
    rp: RelyingParty,
) -> accounts.Outcome:
    new = verify_registration(response, challenge=challenge, rp=rp)
    now = ctx.clock()
    added = datetime.fromtimestamp(now / US, UTC).strftime("%Y-%m-%d")
    credential = Credential(
        identity_id=identity_id,
        kind=CredentialKind.PASSKEY,
        provider=rp.id,
        subject=new.id,
        label=f"Passkey added {added}",
        email=None,
        email_verified=False,
        created=now,
        last_used=now,
    )
    data = {
        "public_key": new.public_key,
        "sign_count": new.sign_count,
        "transports": new.transports,
        "user_handle": b64url(user_handle(ctx.id_key, identity_id)),
        "aaguid": new.aaguid,
        "backed_up": new.backed_up,
        "device_type": new.device_type,
    }
    async with store_engine.write(ctx.engine) as conn:
        identity = await identity_store.select_identity(conn, identity_id)
        if identity is None:
            raise IdentityNotFound("The identity to add this passkey to no longer exists")
        if await identity_store.select_credential(conn, CredentialKind.PASSKEY, rp.id, new.id):
            raise CredentialInUse("This passkey already signs in to a rejoinder identity")
        await identity_store.insert_credential(conn, credential, data)
        token = await accounts.open_session(
            ctx, conn, identity.id, provider=provider.name, label=provider.label
        )
    return accounts.Outcome(
        kind="session", token=token, identity=identity, provider=provider.name, label=provider.label
    )


async def _sign_in(
    ctx: Context, provider: PasskeyProvider, response: str, *, challenge: bytes, rp: RelyingParty
) -> accounts.Outcome:
    assertion = read_assertion(response, challenge=challenge, rp=rp)
    kind, subject = CredentialKind.PASSKEY, assertion.credential_id
    async with store_engine.read(ctx.engine) as conn:
        found = await identity_store.select_credential(conn, kind, rp.id, subject)
        data = await identity_store.select_credential_data(conn, kind, rp.id, subject)
    if found is None or not data or not isinstance(data.get("public_key"), str):
        raise not_registered()
    # WebAuthn §7.2 step 6: the account the authenticator names must be the credential's owner.
    if assertion.user_handle is not None and assertion.user_handle != data.get("user_handle"):
        raise Forbidden("This passkey answered for another account; start again", code="passkey-invalid")
    stored = int(data.get("sign_count") or 0)
    count = verify_assertion(
        assertion, challenge=challenge, rp=rp, public_key=data["public_key"], stored_count=stored
    )
    now = ctx.clock()
    async with store_engine.write(ctx.engine) as conn:
        await identity_store.lock_identity(conn, found.identity_id)  # one sign-in of an identity at a time
        current = await identity_store.select_credential_data(conn, kind, rp.id, subject)
        if current is None:
            raise not_registered()  # removed meanwhile
        if count > 0 and count <= int(current.get("sign_count") or 0):
            # another sign-in with the same counter value got here first: the same answer, or a clone
            raise Forbidden(
                "This passkey's signature counter went backwards; it is refused", code="passkey-sign-count"
            )
        await identity_store.touch_credential(
            conn, kind, rp.id, subject, now=now, data={**current, "sign_count": count}
        )
        identity = await identity_store.select_identity(conn, found.identity_id)
        if identity is None:
            raise not_registered()
        token = await accounts.open_session(
            ctx, conn, identity.id, provider=provider.name, label=provider.label
        )
    return accounts.Outcome(
        kind="session", token=token, identity=identity, provider=provider.name, label=provider.label
    )
