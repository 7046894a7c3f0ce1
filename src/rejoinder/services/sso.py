"""Publisher SSO use case: exchange the publisher's signed token for a rejoinder session.

The token is checked in auth/providers/sso.py; here it is matched to a site and provider, used once (when it has a
`jti`), and turned into an identity with a credential of kind "sso" (provider = the provider's name,
subject = `sub`). The publisher is the source of truth for its readers: the name and profile URL in each
token replace the identity's, and the picture is kept with the credential and becomes the identity's avatar
once the server has downloaded it (services/avatars.py).
"""

from __future__ import annotations

import hashlib

import msgspec

from rejoinder.auth.providers import Registry
from rejoinder.auth.providers.sso import SsoClaims, SsoProvider
from rejoinder.domain.identity import CredentialKind, Identity, clean_display_name, normalize_email
from rejoinder.domain.sites import Site
from rejoinder.errors import Conflict, Invalid, NotFound, ProviderNotFound, SiteNotFound, Unauthorized
from rejoinder.services.accounts import (
    Outcome,
    check_allowed_origin,
    identity_changed,
    sign_in_with_profile,
)
from rejoinder.services.context import Context
from rejoinder.store import engine as store_engine
from rejoinder.store import identities as identity_store
from rejoinder.store import sessions as session_store

US = 1_000_000
SSO_JTI = "sso-jti"  # auth_tickets purpose: a token id already exchanged, kept until the token expires


async def sign_in_with_token(
    ctx: Context,
    registry: Registry,
    *,
    site_name: str,
    token: str,
    provider_name: str | None = None,
    origin: str | None = None,
) -> Outcome:
    """Check a publisher's token for `site_name` and open a session for its reader.

    Args:
        origin: the request's Origin header, if a browser sent one: it must be one of the site's.

    Raises:
        NotFound: site-not-found, provider-not-found, sso-not-configured.
        Invalid: sso-provider-required (several SSO providers and none named).
        Forbidden: origin-not-allowed.
        BadRequest / Unauthorized / Unavailable: from SsoProvider.verify; sso-token-replayed.
    """
    site = await ctx.sites.by_name(site_name)
    if site is None:
        raise SiteNotFound.named(site_name)
    if origin and origin != "null":
        check_allowed_origin(site, origin)
    provider = _provider(registry, site, provider_name)
    claims = await provider.verify(token, audience=provider.audience or site.name)
    if claims.jti is not None:
        await _use_jti(ctx, provider.name, claims)
    profile = claims.profile
    # Publisher-vouched addresses never trigger link offers (the exchange answers a session, always);
    # the address is recorded below, and later sign-ins elsewhere with it are offered this identity.
    unmatched = msgspec.structs.replace(profile, email_verified=False)
    outcome = await sign_in_with_profile(ctx, unmatched, label=provider.label, site_id=site.id)
    assert outcome.identity is not None
    identity = await _refresh_identity(ctx, outcome.identity, claims)
    return msgspec.structs.replace(outcome, identity=identity)


def _provider(registry: Registry, site: Site, name: str | None) -> SsoProvider:
    if name:
        found = registry.offered(name, site.name)
        if not isinstance(found, SsoProvider):
            raise ProviderNotFound(f"Site {site.name!r} offers no publisher sign-in named {name!r}")
        return found
    offered = [p for p in registry.for_site(site.name) if isinstance(p, SsoProvider)]
    if not offered:
        raise NotFound(
            f"Site {site.name!r} has no publisher sign-in (preset sso) configured", code="sso-not-configured"
        )
    if len(offered) > 1:
        names = ", ".join(p.name for p in offered)
        raise Invalid.field(
            "provider",
            "sso-provider-required",
            f"Site {site.name!r} has several publisher sign-ins ({names}): say which in `provider`",
        )
    return offered[0]


async def _use_jti(ctx: Context, provider: str, claims: SsoClaims) -> None:
    """A token with a `jti` is exchanged once: its id is kept (hashed) until the token expires."""
    assert claims.jti is not None
    digest = hashlib.sha256(f"{provider}\x1f{claims.jti}".encode()).hexdigest()
    now = ctx.clock()
    try:
        async with store_engine.write(ctx.engine) as conn:
            await session_store.delete_expired_tickets(conn, now)
            await session_store.insert_ticket(
                conn, digest, purpose=SSO_JTI, payload={}, now=now, expires=(claims.exp + 60) * US
            )
    except Conflict:
        raise Unauthorized(
            "This token was already used; the publisher's page should make a fresh one",
            code="sso-token-replayed",
        ) from None


async def _refresh_identity(ctx: Context, identity: Identity, claims: SsoClaims) -> Identity:
    """Bring the identity in line with the token: name and profile URL when given, the picture (kept with
    the credential), and the verified address when no other identity has it."""
    profile = claims.profile
    limit = ctx.settings.comments.max_name_length
    name = clean_display_name(profile.name, max_length=limit) if profile.name else identity.display_name
    profile_url = profile.profile_url or identity.profile_url
    email = normalize_email(profile.email) if profile.email_verified else None
    async with store_engine.write(ctx.engine) as conn:
        await identity_store.touch_credential(
            conn,
            CredentialKind.SSO,
            profile.provider,
            profile.subject,
            now=ctx.clock(),
            data={"picture": claims.picture, "email_verified": profile.email_verified},
        )
        if (
            email
            and identity.email is None
            and not await identity_store.select_identities_by_email(conn, email)
        ):
            await identity_store.update_identity(conn, identity.id, email=email)
            identity = msgspec.structs.replace(identity, email=email)
        if (name, profile_url) == (identity.display_name, identity.profile_url):
            return identity
        await identity_store.update_identity(conn, identity.id, display_name=name, profile_url=profile_url)
        touched = await identity_store.update_authored_names(
            conn,
            identity.id,
            name=name,
            website=profile_url,
            liker_name=name if identity.show_in_likes else None,
        )
        event = await identity_changed(ctx, conn, identity.id, touched)
    ctx.outbox.committed(event)
    return msgspec.structs.replace(identity, display_name=name, profile_url=profile_url)
