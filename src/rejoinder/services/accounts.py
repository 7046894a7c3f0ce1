"""Sign-in use cases: run a provider flow, turn its Profile into an identity and a session, and what a
signed-in reader does with their account (who am I, rename, show in likes, link a credential, log out).

Extending: other ways to sign in (email links, passkeys, publisher SSO) verify the reader themselves, then
call `sign_in_with_profile` with a Profile of their kind (email | passkey | sso) and get the same identities,
link offers and sessions; `add_credential` attaches a credential (with kind-specific `data`) to a signed-in
identity, and `authenticate` turns an Authorization header into the SignedIn reader. Single-use, expiring
secrets (an emailed link, a WebAuthn challenge) fit store/sessions.py's tickets under a purpose of their own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import msgspec

from rejoinder import metrics
from rejoinder.auth.providers import Provider, Registry
from rejoinder.auth.providers.base import ProviderInfo
from rejoinder.auth.providers.email_link import CREDENTIAL_PROVIDER as EMAIL_PROVIDER
from rejoinder.auth.sessions import Session, check_session, new_token, parse_bearer, token_hash
from rejoinder.config import AuthSettings
from rejoinder.domain.identity import (
    Credential,
    CredentialKind,
    Identity,
    Profile,
    check_display_name,
    clean_display_name,
    credential_label,
    normalize_email,
)
from rejoinder.domain.sites import Site
from rejoinder.domain.urls import check_website, normalize_origin, normalize_url, origin_of
from rejoinder.errors import (
    Conflict,
    CredentialInUse,
    Forbidden,
    Gone,
    IdentityNotFound,
    Invalid,
    ModeInvalid,
    NotFound,
    OriginNotAllowed,
    ProviderNotFound,
    RejoinderError,
    SiteNotFound,
    SiteRequired,
    StateInvalid,
    Unauthorized,
)
from rejoinder.events.kinds import Event, EventKind
from rejoinder.services import signin_flows
from rejoinder.services.avatars import fetch_identity_picture, note_picture
from rejoinder.services.context import Context
from rejoinder.store import engine as store_engine
from rejoinder.store import identities as identity_store
from rejoinder.store import sessions as session_store

US = 1_000_000
FLOW = "flow"
LINK_OFFER = "link-offer"
LINK_TICKET = "link-ticket"
LINK_TICKET_SECONDS = 600


class SignedIn(msgspec.Struct, frozen=True):
    """A bearer token's identity and session (what every signed-in request starts from).

    `sites` are the names of the sites the session signs in on: those its provider is offered on (a
    publisher's SSO vouches for its readers on its own sites only), or None for every site. Whatever
    concerns a site checks it with `check_site` (or `on_site`)."""

    identity: Identity
    session: Session
    token_hash: str
    sites: tuple[str, ...] | None = None

    def check_site(self, site: Site) -> None:
        """Raises Unauthorized `session-other-site` when this session does not sign in on `site`.

        Refused rather than treated as a guest: a widget that believes it is signed in learns that it is
        not (it forgets the token on a 401 `session-…` and goes on as a guest), instead of posting as a
        guest under a signed-in look; and no rule of the site (guest pre-moderation, guests disabled)
        can be skipped by an identity another site's publisher vouched for."""
        if self.sites is not None and site.name not in self.sites:
            raise Unauthorized(
                "This sign-in is valid on another site only; sign in here, or continue as a guest",
                code="session-other-site",
            )


class LinkOffer(msgspec.Struct, frozen=True):
    """A new credential whose verified email belongs to an existing identity: nothing is merged until the
    reader, signed in as that identity, accepts (or declines, and gets a separate identity)."""

    offer: str  # one-time secret for accept/decline
    provider_label: str
    existing_name: str
    existing_via: list[str]  # labels of the existing identity's credentials: "sign in with one of these"
    expires: int


class Outcome(msgspec.Struct, frozen=True):
    kind: Literal["session", "link-offer"]
    token: str | None = None
    identity: Identity | None = None
    provider: str = ""
    label: str = ""  # "via …"
    offer: LinkOffer | None = None


class Flow(msgspec.Struct, frozen=True):
    """A pending provider flow, taken (once) from its ticket at the callback."""

    provider: str
    site: str
    origin: str  # the article page's origin: postMessage target, checked against the site
    mode: Literal["popup", "redirect"]
    return_url: str | None
    saved: dict[str, Any]
    link_identity: str | None = None
    lang: str = "en"  # the widget's language, for the pages shown when the provider sends the reader back


# --- sessions -----------------------------------------------------------------------------------------


async def open_session(ctx: Context, conn: Any, identity_id: str, *, provider: str, label: str) -> str:
    """Create a session inside the caller's transaction; returns the bearer token (shown once)."""
    token = new_token(ctx.token)
    now = ctx.clock()
    await session_store.insert_session(
        conn,
        token_hash(token),
        identity_id=identity_id,
        provider=provider,
        label=label,
        now=now,
        expires=now + ctx.settings.auth.session_days * 86400 * US,
    )
    metrics.SIGNINS.labels(provider, "ok").inc()
    return token


async def authenticate(ctx: Context, authorization: str | None) -> SignedIn:
    """The signed-in reader of an `Authorization: Bearer` header.

    Raises:
        Unauthorized: missing, malformed, unknown (tampered), revoked or expired token.
    """
    digest = token_hash(parse_bearer(authorization))
    async with store_engine.read(ctx.engine) as conn:
        session = check_session(await session_store.select_session(conn, digest), ctx.clock())
        identity = await identity_store.select_identity(conn, session.identity_id)
        sites = session_sites(ctx.settings.auth, session.provider)
        if sites is False:
            # A provider no longer configured: a publisher's SSO vouched for its own sites only, and
            # with the provider gone there are none; other kinds keep signing in as before.
            creds = await identity_store.select_credentials(conn, session.identity_id)
            sso = any(c.kind is CredentialKind.SSO and c.provider == session.provider for c in creds)
            sites = () if sso else None
    if identity is None:  # deleted since: the session died with it
        check_session(None, 0)
    assert identity is not None
    return SignedIn(identity=identity, session=session, token_hash=digest, sites=sites)


def session_sites(auth: AuthSettings, provider: str) -> tuple[str, ...] | Literal[False] | None:
    """The sites a session of `provider` (Session.provider) signs in on: its `sites` setting, None for
    every site (no `sites`), False when no such provider is configured."""
    found = auth.providers.get(provider)
    if found is None and provider == EMAIL_PROVIDER:  # every emailed-link session, whatever the NAME
        found = next((p for n, p in auth.providers.items() if (p.preset or n) == "email"), None)
    if found is None:
        return False
    return tuple(found.sites) if found.sites else None


def on_site(signed: SignedIn | None, site: Site) -> Identity | None:
    """The identity a request signs in with on `site`, None for a guest; raises Unauthorized
    `session-other-site` for a session that does not sign in there (SignedIn.check_site)."""
    if signed is None:
        return None
    signed.check_site(site)
    return signed.identity


async def optional_reader(ctx: Context, authorization: str | None) -> SignedIn | None:
    """The signed-in reader, or None for a guest (no header). A bad token is still an error: a widget
    that believes it is signed in must learn that it is not, rather than post as a guest."""
    if not authorization:
        return None
    return await authenticate(ctx, authorization)


async def sign_out(ctx: Context, authorization: str | None) -> None:
    """Revoke the session of this token (logging out twice is fine; an unknown token is a 401)."""
    digest = token_hash(parse_bearer(authorization))
    async with store_engine.write(ctx.engine) as conn:
        if await session_store.select_session(conn, digest) is None:
            check_session(None, 0)
        await session_store.revoke_session(conn, digest, ctx.clock())


# --- identities ---------------------------------------------------------------------------------------


async def sign_in_with_profile(
    ctx: Context,
    profile: Profile,
    *,
    label: str,
    link_identity: str | None = None,
    site_id: int | None = None,
) -> Outcome:
    """Find or create the identity of a verified Profile and open a session for it. The profile's picture
    (if any) becomes the identity's avatar once downloaded (`site_id`: the site signed in on).

    - A known credential signs its identity in.
    - With `link_identity` (a signed-in reader adding a way to sign in), an unknown credential is added to
      that identity; one that belongs to someone else is a Conflict.
    - Otherwise an unknown credential whose *verified* email is an existing identity's gives a LinkOffer
      instead of a session: accounts are never merged silently.
    - Otherwise a new identity is created.
    """
    now = ctx.clock()
    email = normalize_email(profile.email) if profile.email_verified else None
    async with store_engine.write(ctx.engine) as conn:
        found = await identity_store.select_credential(conn, *profile.credential)
        if found is not None:
            if link_identity is not None and found.identity_id != link_identity:
                raise CredentialInUse("This account already signs in to another rejoinder identity")
            await identity_store.touch_credential(
                conn,
                *profile.credential,
                now=now,
                label=credential_label(profile),
            )
            identity = await identity_store.select_identity(conn, found.identity_id)
            changed = await note_picture(conn, profile, now)
        elif link_identity is not None:
            identity = await identity_store.select_identity(conn, link_identity)
            if identity is None:
                raise IdentityNotFound("The identity to add this sign-in to no longer exists")
            await identity_store.insert_credential(conn, _credential(profile, identity.id, now))
            changed = await note_picture(conn, profile, now)
            if email and identity.email is None:
                await identity_store.update_identity(conn, identity.id, email=email)
        else:
            matches = await identity_store.select_identities_by_email(conn, email) if email else []
            if matches:
                offer = await _offer(ctx, conn, profile, label, matches[0], now, site_id)
                return Outcome(kind="link-offer", offer=offer)
            identity = await _new_identity(ctx, conn, profile, email, now)
            changed = await note_picture(conn, profile, now)
        assert identity is not None
        token = await open_session(ctx, conn, identity.id, provider=_provider_name(profile), label=label)
    await fetch_identity_picture(ctx, identity.id, site_id, profile.picture, changed=changed)
    return Outcome(
        kind="session", token=token, identity=identity, provider=_provider_name(profile), label=label
    )


def _provider_name(profile: Profile) -> str:
    return profile.provider.split(":", 1)[0]


def _credential(profile: Profile, identity_id: str, now: int) -> Credential:
    return Credential(
        identity_id=identity_id,
        kind=profile.kind,
        provider=profile.provider,
        subject=profile.subject,
        label=credential_label(profile),
        email=normalize_email(profile.email),
        email_verified=profile.email_verified,
        created=now,
        last_used=now,
    )


def _profile_website(url: str | None, max_length: int) -> str | None:
    """A provider's profile URL becomes the identity's website in the form websites are stored in
    (domain/urls.check_website), or none when it is not a usable website."""
    if not url:
        return None
    try:
        return check_website(url, max_length=max_length)
    except Invalid:
        return None


async def _new_identity(ctx: Context, conn: Any, profile: Profile, email: str | None, now: int) -> Identity:
    identity = Identity(
        id=ctx.token(12),
        display_name=clean_display_name(
            profile.name or profile.username, max_length=ctx.settings.comments.max_name_length
        ),
        email=email,
        profile_url=_profile_website(profile.profile_url, ctx.settings.comments.max_url_length),
        show_in_likes=False,
        created=now,
    )
    await identity_store.insert_identity(conn, identity)
    await identity_store.insert_credential(conn, _credential(profile, identity.id, now))
    return identity


async def _offer(
    ctx: Context, conn: Any, profile: Profile, label: str, existing: Identity, now: int, site_id: int | None
) -> LinkOffer:
    offer = ctx.token(32)
    expires = now + ctx.settings.auth.link_offer_seconds * US
    await session_store.insert_ticket(
        conn,
        token_hash(offer),
        purpose=LINK_OFFER,
        identity_id=existing.id,
        payload={"profile": msgspec.to_builtins(profile), "label": label, "site_id": site_id},
        now=now,
        expires=expires,
    )
    creds = await identity_store.select_credentials(conn, existing.id)
    return LinkOffer(
        offer=offer,
        provider_label=label,
        existing_name=existing.display_name,
        existing_via=sorted({c.provider.split(":", 1)[0] for c in creds}),
        expires=expires,
    )


async def _take(ctx: Context, conn: Any, secret: str, purpose: str) -> session_store.Ticket:
    ticket = await session_store.take_ticket(conn, token_hash(secret), purpose)
    if ticket is None:
        raise NotFound("This offer was already answered or never existed", code=f"{purpose}-not-found")
    if ticket.expires <= ctx.clock():
        raise Gone("This offer has expired; sign in again", code=f"{purpose}-expired")
    return ticket


async def accept_link_offer(ctx: Context, reader: SignedIn, offer: str) -> Outcome:
    """Add the offered credential to the signed-in identity, which must be the one whose email matched."""
    now = ctx.clock()
    async with store_engine.write(ctx.engine) as conn:
        ticket = await _take(ctx, conn, offer, LINK_OFFER)
        if ticket.identity_id != reader.identity.id:
            raise Forbidden(
                "Sign in with the account this offer is for before linking", code="link-offer-other-identity"
            )
        profile = msgspec.convert(ticket.payload["profile"], Profile)
        if await identity_store.select_credential(conn, *profile.credential):
            raise CredentialInUse("This account already signs in to a rejoinder identity")
        await identity_store.insert_credential(conn, _credential(profile, reader.identity.id, now))
        changed = await note_picture(conn, profile, now)
        event = await _linked(ctx, conn, reader.identity.id, profile.kind.value, profile.provider)
    ctx.outbox.committed(event)
    await fetch_identity_picture(
        ctx, reader.identity.id, ticket.payload.get("site_id"), profile.picture, changed=changed
    )
    return Outcome(
        kind="session", identity=reader.identity, provider=reader.session.provider, label=reader.session.label
    )


async def decline_link_offer(ctx: Context, offer: str) -> Outcome:
    """Keep the new sign-in separate: a new identity with that credential, and a session for it."""
    now = ctx.clock()
    async with store_engine.write(ctx.engine) as conn:
        ticket = await _take(ctx, conn, offer, LINK_OFFER)
        profile = msgspec.convert(ticket.payload["profile"], Profile)
        label = str(ticket.payload.get("label") or profile.provider)
        if await identity_store.select_credential(conn, *profile.credential):
            raise CredentialInUse("This account already signs in to a rejoinder identity")
        # The address stays with the older identity: the new one gets none, so future offers are unambiguous.
        identity = await _new_identity(ctx, conn, profile, None, now)
        changed = await note_picture(conn, profile, now)
        token = await open_session(ctx, conn, identity.id, provider=_provider_name(profile), label=label)
    await fetch_identity_picture(
        ctx, identity.id, ticket.payload.get("site_id"), profile.picture, changed=changed
    )
    return Outcome(
        kind="session", token=token, identity=identity, provider=_provider_name(profile), label=label
    )


async def issue_link_ticket(ctx: Context, reader: SignedIn) -> tuple[str, int]:
    """A one-time ticket the widget passes to /auth/{provider}/start?link=… so that the popup adds the new
    sign-in to this identity (the popup cannot send the Authorization header itself)."""
    ticket = ctx.token(32)
    now = ctx.clock()
    expires = now + LINK_TICKET_SECONDS * US
    async with store_engine.write(ctx.engine) as conn:
        await session_store.insert_ticket(
            conn,
            token_hash(ticket),
            purpose=LINK_TICKET,
            identity_id=reader.identity.id,
            payload={},
            now=now,
            expires=expires,
        )
    return ticket, expires


async def add_credential(
    ctx: Context, reader: SignedIn, profile: Profile, *, data: dict[str, Any] | None = None
) -> Credential:
    """Add a verified credential to the signed-in identity (e.g. a passkey just registered, with its
    public key in `data`). Raises Conflict (credential-in-use) if it already belongs to an identity."""
    now = ctx.clock()
    credential = _credential(profile, reader.identity.id, now)
    async with store_engine.write(ctx.engine) as conn:
        if await identity_store.select_credential(conn, *profile.credential):
            raise CredentialInUse()
        await identity_store.insert_credential(conn, credential, data)
        event = await _linked(ctx, conn, reader.identity.id, profile.kind.value, profile.provider)
    ctx.outbox.committed(event)
    return credential


async def _linked(ctx: Context, conn: Any, identity_id: str, kind: str, provider: str) -> Event:
    return await ctx.outbox.add(
        conn, EventKind.IDENTITY_LINKED, subject=identity_id, data={"kind": kind, "provider": provider}
    )


async def credentials_of(ctx: Context, identity_id: str) -> list[Credential]:
    async with store_engine.read(ctx.engine) as conn:
        return await identity_store.select_credentials(conn, identity_id)


async def identity_changed(
    ctx: Context, conn: Any, identity_id: str, touched: Sequence[tuple[int, str | None, str | None]]
) -> Event | None:
    """The event of a renamed identity (or one that now shows or hides its likes), naming the threads
    whose reads changed; None when it has written and liked nothing."""
    if not touched:
        return None
    threads = [[site_id, uri, key] for site_id, uri, key in touched]
    return await ctx.outbox.add(
        conn, EventKind.IDENTITY_CHANGED, subject=identity_id, data={"threads": threads}
    )


async def update_me(
    ctx: Context, reader: SignedIn, *, display_name: str | None, show_in_likes: bool | None
) -> Identity:
    """Rename, or choose whether to appear in "people like this"; existing comments and likes follow."""
    name = (
        check_display_name(display_name, max_length=ctx.settings.comments.max_name_length)
        if display_name is not None
        else reader.identity.display_name
    )
    shown = reader.identity.show_in_likes if show_in_likes is None else show_in_likes
    updated = msgspec.structs.replace(reader.identity, display_name=name, show_in_likes=shown)
    if updated == reader.identity:
        return updated
    async with store_engine.write(ctx.engine) as conn:
        await identity_store.update_identity(conn, updated.id, display_name=name, show_in_likes=shown)
        touched = await identity_store.update_authored_names(
            conn, updated.id, name=name, website=updated.profile_url, liker_name=name if shown else None
        )
        event = await identity_changed(ctx, conn, updated.id, touched)
    ctx.outbox.committed(event)
    return updated


# --- provider flows -----------------------------------------------------------------------------------


def providers_for(registry: Registry, site: Site) -> list[ProviderInfo]:
    return [registry.info(p) for p in registry.for_site(site.name)]


def check_allowed_origin(site: Site, raw: str | None, field: str = "origin") -> str:
    """The page origin a result may be posted to: must be one of the site's allowed origins (never "*")."""
    if not raw:
        raise Invalid.field(field, f"{field}-required", f"`{field}` is required")
    try:
        origin = normalize_origin(raw)
    except Invalid:
        raise OriginNotAllowed(f"{raw!r} is not an origin this site allows") from None
    if origin not in site.origins:
        raise OriginNotAllowed(f"{origin} is not an origin site {site.name!r} allows")
    return origin


def check_return_url(site: Site, raw: str | None) -> str:
    """Where redirect mode returns to: an http(s) URL on one of the site's allowed origins."""
    if not raw:
        raise Invalid.field(
            "return", "return-required", "Redirect mode needs the `return` URL of the article"
        )
    try:
        url = normalize_url(raw, field="return")
    except Invalid:
        raise Forbidden("The return address is not a page of this site", code="return-not-allowed") from None
    if origin_of(url) not in site.origins:
        raise Forbidden("The return address is not a page of this site", code="return-not-allowed")
    return url


class StartRequest(msgspec.Struct, frozen=True):
    """What a sign-in start page is asked, before any check: the site, the article page's origin, `mode`
    (popup or redirect), the page to return to in redirect mode and a `link` ticket of a signed-in reader
    adding this sign-in to their identity."""

    site: str | None
    origin: str | None
    mode: str | None
    return_url: str | None
    link: str | None


class Start(msgspec.Struct, frozen=True):
    """A start request that passed the checks: the site offers the provider, the page origin (and, in
    redirect mode, the return URL) are allowed, and a `link` ticket was used up into `link_identity`."""

    site: Site
    provider: Provider
    origin: str
    mode: Literal["popup", "redirect"]
    return_url: str | None
    link_identity: str | None


async def check_start(ctx: Context, registry: Registry, provider_name: str, asked: StartRequest) -> Start:
    """Validate a popup's start request (every kind of provider starts this way)."""
    site = await site_named(ctx, asked.site)
    provider = registry.offered(provider_name, site.name)
    if provider is None:
        raise ProviderNotFound(f"Site {site.name!r} offers no sign-in provider {provider_name!r}")
    page_origin = check_allowed_origin(site, asked.origin)
    if asked.mode not in (None, "", "popup", "redirect"):
        raise ModeInvalid.at("mode", "`mode` is popup or redirect")
    flow_mode: Literal["popup", "redirect"] = "redirect" if asked.mode == "redirect" else "popup"
    back = check_return_url(site, asked.return_url) if flow_mode == "redirect" else None
    link_identity = None
    if asked.link:
        async with store_engine.write(ctx.engine) as conn:
            ticket = await _take(ctx, conn, asked.link, LINK_TICKET)
        link_identity = ticket.identity_id
    return Start(
        site=site,
        provider=provider,
        origin=page_origin,
        mode=flow_mode,
        return_url=back,
        link_identity=link_identity,
    )


async def keep_flow(ctx: Context, state: str, flow: Flow, binding: str, *, purpose: str = FLOW) -> None:
    """Keep a reader's pending flow until `take_flow` (services/signin_flows.py), for `auth.flow_seconds`."""
    payload = msgspec.to_builtins(flow)
    await signin_flows.keep_flow(
        ctx, state, payload, binding, purpose=purpose, seconds=ctx.settings.auth.flow_seconds
    )


async def begin_flow(
    ctx: Context,
    registry: Registry,
    provider_name: str,
    asked: StartRequest,
    *,
    server: str | None,
    binding: str,
    redirect_uri: str,
    lang: str = "en",
) -> str:
    """Validate a popup's start request, keep the flow server-side and return the provider URL.

    `binding` is the random value of the browser-binding cookie set on rejoinder's origin: the callback
    must present the same cookie (login-CSRF protection), so a flow started in one browser cannot be
    finished in another.
    """
    start = await check_start(ctx, registry, provider_name, asked)
    state, url, saved = await signin_flows.begin_at_provider(
        ctx, start.provider, redirect_uri=redirect_uri, server=server
    )
    flow = Flow(
        provider=start.provider.name,
        site=start.site.name,
        origin=start.origin,
        mode=start.mode,
        return_url=start.return_url,
        saved=saved,
        link_identity=start.link_identity,
        lang=lang,
    )
    await keep_flow(ctx, state, flow, binding)
    return url


async def take_flow(
    ctx: Context, provider_name: str, state: str | None, binding: str | None, *, purpose: str = FLOW
) -> Flow:
    """The pending flow a callback's `state` names, used up whatever happens next.

    Raises:
        Forbidden: state-invalid (missing, unknown, used, or another provider's), flow-expired,
            browser-mismatch (no or another browser-binding cookie: login CSRF).
    """
    payload = await signin_flows.take_flow(
        ctx, state, binding, purpose=purpose, again="start again from the comment form"
    )
    flow = msgspec.convert(payload, Flow)
    if flow.provider != provider_name:
        raise StateInvalid()
    return flow


async def finish_flow(
    ctx: Context, registry: Registry, flow: Flow, params: Mapping[str, str], *, redirect_uri: str
) -> Outcome:
    """Complete a taken flow at its provider and sign the reader in.

    The page origin is checked against the site again: a site may have dropped it since the start.
    """
    site = await site_named(ctx, flow.site)
    check_allowed_origin(site, flow.origin)
    if flow.return_url:
        check_return_url(site, flow.return_url)
    provider = registry.offered(flow.provider, site.name)
    if provider is None:
        raise ProviderNotFound()
    try:
        profile = await provider.complete(params=params, redirect_uri=redirect_uri, saved=flow.saved)
    except RejoinderError:
        metrics.SIGNINS.labels(provider.name, "failed").inc()
        raise
    return await sign_in_with_profile(
        ctx, profile, label=provider.session_label(profile), link_identity=flow.link_identity, site_id=site.id
    )


async def site_named(ctx: Context, name: str | None) -> Site:
    """The site a sign-in names. Raises SiteRequired (no name) or SiteNotFound."""
    if not name:
        raise SiteRequired.at("site", "`site` is required")
    site = await ctx.sites.by_name(name)
    if site is None:
        raise SiteNotFound.named(name)
    return site


class DbAppStore:
    """AppStore over the oauth_apps table (the apps rejoinder registered at fediverse servers)."""

    def __init__(self, engine: Any) -> None:
        self._engine = engine

    async def get(self, server: str, redirect_uri: str) -> dict[str, Any] | None:
        async with store_engine.read(self._engine) as conn:
            return await identity_store.select_oauth_app(conn, server, redirect_uri)

    async def put(self, server: str, redirect_uri: str, app: dict[str, Any]) -> None:
        from rejoinder.services.context import now_us

        data = {k: v for k, v in app.items() if k not in ("client_id", "client_secret")}
        try:
            async with store_engine.write(self._engine) as conn:
                await identity_store.insert_oauth_app(
                    conn,
                    server,
                    redirect_uri,
                    client_id=app["client_id"],
                    client_secret=app.get("client_secret"),
                    data=data,
                    now=now_us(),
                )
        except Conflict:  # two first readers registered at once: keep the first app
            pass
