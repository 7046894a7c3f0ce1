"""Sign-in by emailed link: send a single-use link, show what it will do, and use it.

A link carries a 256-bit random token; only its SHA-256 is stored (auth_tickets, purpose `email-link`) with
the PendingLink it stands for. It works once, for `auth.email_link_minutes`, on the site and return URL it
was asked for. Opening it (GET) changes nothing, since mail scanners follow every link: the page's button
POSTs, with a form token bound to that page and browser, and only then is the link used. A used link is
remembered (purpose `email-link-used`) for a day, so that a second click says why it fails.

The token is never logged; the address is only ever rate-limited by a digest (ratelimit.py).
"""

from __future__ import annotations

import hmac
from datetime import UTC, datetime
from functools import cache
from typing import Any

import jinja2
import msgspec

from rejoinder.auth.providers import Provider, Registry
from rejoinder.auth.providers.email_link import CREDENTIAL_PROVIDER, EmailLinkProvider
from rejoinder.auth.sessions import check_ticket, token_hash
from rejoinder.domain.email_links import PendingLink, check_address
from rejoinder.domain.identity import CredentialKind, Profile, check_display_name, keyed_hash
from rejoinder.domain.sites import Site
from rejoinder.domain.urls import origin_of
from rejoinder.errors import (
    BrowserMismatch,
    CsrfInvalid,
    Gone,
    Invalid,
    NotFound,
    ProviderNotFound,
    SignInLinkInvalid,
)
from rejoinder.i18n import translator, wrap
from rejoinder.notify.email import Mail
from rejoinder.ratelimit import Action, Scope
from rejoinder.services import accounts
from rejoinder.services.context import Context
from rejoinder.services.moderation import admit
from rejoinder.store import engine as store_engine
from rejoinder.store import identities as identity_store
from rejoinder.store import sessions as session_store

US = 1_000_000
PURPOSE = "email-link"
USED = "email-link-used"
REMEMBER = 86400 * US  # how long after its deadline a link is still recognised (to say "expired")


class Sent(msgspec.Struct, frozen=True):
    """What a reader is told after asking: the (normalized) address and until when the link works.
    The same for every address, known or not."""

    email: str
    deadline: int
    return_url: str  # the checked return URL ("Back to the article" in redirect mode)


class Shown(msgspec.Struct, frozen=True):
    """What the page an emailed link opens says before the reader presses the button."""

    link: PendingLink
    host: str  # the site's host the reader returns to, e.g. blog.example.org
    adding_to: str | None  # the display name of the identity the address will be added to
    other_browser: bool  # asked for in another browser (or from an API client): worth a warning


# --- form tokens (login CSRF) -------------------------------------------------------------------------


def form_token(ctx: Context, purpose: str, *parts: str) -> str:
    """The hidden `csrf` value of a form: an HMAC over the purpose and what the page is bound to (the
    browser-binding cookie, the link), which a page on another site cannot compute."""
    return keyed_hash(ctx.secret, "email-link-form", purpose, *parts)


def check_form_token(ctx: Context, given: str | None, purpose: str, *parts: str) -> None:
    """Raises Forbidden (csrf-invalid) unless `given` is the form token of this page and browser."""
    if not given:
        raise CsrfInvalid()
    token = given.encode("utf-8", "replace")
    expected = (keyed_hash(key, "email-link-form", purpose, *parts).encode() for key in ctx.verify_keys)
    if not any(hmac.compare_digest(one, token) for one in expected):
        raise CsrfInvalid()


# --- asking for a link --------------------------------------------------------------------------------


def email_provider(registry: Registry, site: Site, name: str | None) -> Provider:
    """The email-link provider `name` offered on `site`; with no name, the first one the site offers."""
    if name:
        found = registry.offered(name, site.name)
        if isinstance(found, EmailLinkProvider):
            return found
    else:
        for provider in registry.for_site(site.name):
            if isinstance(provider, EmailLinkProvider):
                return provider
    raise ProviderNotFound(
        f"Site {site.name!r} offers no sign-in by email{f' named {name!r}' if name else ''}"
    )


async def send_link(
    ctx: Context,
    registry: Registry,
    *,
    provider_name: str | None,
    site_name: str | None,
    email: str | None,
    return_url: str | None,
    origin: str | None = None,
    name: str | None = None,
    link: str | None = None,
    ip: str | None = None,
    browser: str | None = None,
    lang: str = "en",
) -> Sent:
    """Check a request for a sign-in link, count it against the limits, keep the link and mail it.

    Args:
        provider_name: the configured email provider; None = the site's first.
        origin: the page that opened the popup, if any: must be one of the site's allowed origins.
        name: display name for a new identity (ignored for an address that already signs in).
        link: a ticket from POST /api/me/link-ticket: add the address to that identity instead.
        ip: the client's address, for the per-network limit.
        browser: the browser-binding cookie of the page that asks (None for API clients).

    Raises:
        NotFound, Invalid, Forbidden: site, provider, address, return URL, origin, name or link ticket.
        RateLimited: too many links for this address or from this network.
        Unavailable: the mail server did not take the message (smtp-failed).
    """
    site = await accounts.site_named(ctx, site_name)
    provider = email_provider(registry, site, provider_name)
    mailer = ctx.mailer  # built at start-up; an email provider without [email] host does not start
    if mailer is None:
        raise ProviderNotFound(f"Site {site.name!r} offers no sign-in by email: the server sends no email")
    address = check_address(email)
    back = accounts.check_return_url(site, return_url)
    if origin:
        accounts.check_allowed_origin(site, origin)
    display_name = _display_name(ctx, name)
    if link:
        check_ticket(link, "link")
        if browser is None:
            raise Invalid.field("link", "link-invalid", "Adding an address needs the sign-in page's form")
    await admit(ctx, Action.MAGIC_LINK, {Scope.IP: ip, Scope.EMAIL: address})
    token = ctx.token(32)
    now = ctx.clock()
    pending = PendingLink(
        provider=provider.name,
        site=site.name,
        email=address,
        return_url=back,
        deadline=now + ctx.settings.auth.email_link_minutes * 60 * US,
        name=display_name,
        browser=token_hash(browser) if browser else None,
        lang=lang,
    )
    async with store_engine.write(ctx.engine) as conn:
        await session_store.delete_expired_tickets(conn, now)  # old links, flows and offers (indexed)
        adding_to = None
        if link:
            pending = msgspec.structs.replace(pending, link_identity=await _take_link_ticket(ctx, conn, link))
            identity = await identity_store.select_identity(conn, pending.link_identity or "")
            adding_to = identity.display_name if identity is not None else None
        await session_store.insert_ticket(
            conn,
            token_hash(token),
            purpose=PURPOSE,
            identity_id=pending.link_identity,
            payload=msgspec.to_builtins(pending),
            now=now,
            expires=pending.deadline + REMEMBER,
        )
    await mailer.send(compose(ctx, pending, token, adding_to=adding_to))
    return Sent(email=address, deadline=pending.deadline, return_url=back)


def _display_name(ctx: Context, name: str | None) -> str | None:
    if name is None or not name.strip():
        return None
    try:
        return check_display_name(name, max_length=ctx.settings.comments.max_name_length)
    except Invalid as exc:
        raise Invalid.field("name", exc.code, exc.detail) from None


async def _take_link_ticket(ctx: Context, conn: Any, link: str) -> str:
    ticket = await session_store.take_ticket(conn, token_hash(link), accounts.LINK_TICKET)
    if ticket is None or ticket.identity_id is None:
        raise NotFound(
            "This ticket to add a sign-in was already used or never existed", code="link-ticket-not-found"
        )
    if ticket.expires <= ctx.clock():
        raise Gone("This ticket to add a sign-in has expired; ask for a new one", code="link-ticket-expired")
    return ticket.identity_id


@cache
def _mail_templates() -> jinja2.Environment:
    # Plain text: nothing is escaped, and nothing a reader typed goes into the message (not even the name
    # they gave), so that the form cannot be used to mail arbitrary text to arbitrary addresses.
    return jinja2.Environment(
        loader=jinja2.PackageLoader("rejoinder", "templates"),
        autoescape=False,  # noqa: S701 - text/plain email, no HTML anywhere
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def link_url(ctx: Context, provider: str, token: str, lang: str = "en") -> str:
    """The address in the email. Built from server.public_url (required with an email provider), never
    from the request's Host header, which the client chooses (the "password-reset poisoning" mistake).
    `lang` lets the link's page speak the email's language even when the link is no longer valid."""
    base = f"{ctx.settings.server.public_url.rstrip('/')}/auth/{provider}/verify?token={token}"
    return base if lang == "en" else f"{base}&lang={lang}"


def compose(ctx: Context, pending: PendingLink, token: str, *, adding_to: str | None) -> Mail:
    """The message, in the language of the page that asked for it (`pending.lang`)."""
    host = _host(pending.return_url)
    tr = translator(pending.lang)
    text = (
        _mail_templates()
        .get_template("email/sign_in.txt")
        .render(
            host=host,
            url=link_url(ctx, pending.provider, token, pending.lang),
            time=tr.plural("server.units.minutes", ctx.settings.auth.email_link_minutes),
            until=datetime.fromtimestamp(pending.deadline / US, UTC).strftime("%H:%M UTC"),
            adding=adding_to is not None,
            tr=tr,
            wrap=wrap,
        )
    )
    subject = tr("mail.subjectAdd" if adding_to else "mail.subject", host=host)
    return Mail(to=pending.email, subject=subject, text=text)


def _host(url: str) -> str:
    return origin_of(url).split("://", 1)[-1]


# --- opening and using a link -------------------------------------------------------------------------


async def show_link(ctx: Context, provider_name: str, token: str | None, browser: str | None) -> Shown:
    """What the link's page shows. Changes nothing: a mail scanner may open it any number of times.

    Raises:
        NotFound: sign-in-link-invalid (unknown, or another provider's); Gone: sign-in-link-used, sign-in-link-expired.
    """
    digest = _digest(token)
    async with store_engine.read(ctx.engine) as conn:
        ticket = await session_store.peek_ticket(conn, digest, PURPOSE)
        pending = await _pending(conn, digest, ticket, provider_name, ctx.clock())
        adding_to = None
        if pending.link_identity:
            identity = await identity_store.select_identity(conn, pending.link_identity)
            adding_to = identity.display_name if identity is not None else None
    other = pending.browser is None or browser is None or token_hash(browser) != pending.browser
    return Shown(link=pending, host=_host(pending.return_url), adding_to=adding_to, other_browser=other)


async def take_link(
    ctx: Context, registry: Registry, provider_name: str, token: str | None, browser: str | None
) -> tuple[PendingLink, str]:
    """Use a link up (once) and say what it stands for and where to hand the result back.

    Returns:
        The link and its return URL (checked against the site again: it may have changed since).

    Raises:
        NotFound, Gone: as show_link. Forbidden: browser-mismatch (adding an address in another browser
        than the one that asked), return-not-allowed; NotFound: provider-not-found (no longer offered).
        The link stays usable after any of these.
    """
    digest = _digest(token)
    async with store_engine.write(ctx.engine) as conn:
        ticket = await session_store.take_ticket(conn, digest, PURPOSE)
        # Any refusal below rolls the transaction back: the link stays as it was.
        pending = await _pending(conn, digest, ticket, provider_name, ctx.clock())
        assert ticket is not None  # _pending refuses a missing one
        if pending.link_identity and (browser is None or token_hash(browser) != pending.browser):
            raise BrowserMismatch("Open this link in the browser where you asked to add the address")
        site = await accounts.site_named(ctx, pending.site)
        if registry.offered(pending.provider, site.name) is None:
            raise ProviderNotFound("This site no longer offers sign-in by email")
        back = accounts.check_return_url(site, pending.return_url)
        await session_store.insert_ticket(
            conn,
            digest,
            purpose=USED,
            payload={"site": pending.site},
            now=ctx.clock(),
            expires=ticket.expires,
        )
    return pending, back


async def finish_link(ctx: Context, pending: PendingLink) -> accounts.Outcome:
    """Sign in with the address a used link proved: its email credential's identity; a new identity; a
    link offer when another identity has the address through another sign-in (never merged silently);
    or, for a link asked for while signed in, the address added to that identity.

    Raises:
        Conflict: credential-in-use (adding an address that already signs in to another identity).
    """
    profile = Profile(
        provider=CREDENTIAL_PROVIDER,
        subject=pending.email,
        name=pending.name,
        email=pending.email,
        email_verified=True,  # the reader just proved they read this mailbox
        kind=CredentialKind.EMAIL,
    )
    return await accounts.sign_in_with_profile(
        ctx, profile, label=pending.email, link_identity=pending.link_identity
    )


def _digest(token: str | None) -> str:
    try:
        return token_hash(check_ticket(token, "token"))
    except Invalid:
        raise SignInLinkInvalid() from None


async def _pending(
    conn: Any, digest: str, ticket: session_store.Ticket | None, provider_name: str, now: int
) -> PendingLink:
    """The link a ticket holds, or why there is none usable (used, unknown, another provider's, expired)."""
    if ticket is None:
        if await session_store.peek_ticket(conn, digest, USED) is not None:
            raise Gone("This sign-in link was already used; ask for a new one", code="sign-in-link-used")
        raise SignInLinkInvalid()
    pending = msgspec.convert(ticket.payload, PendingLink)
    if pending.provider != provider_name:
        raise SignInLinkInvalid()
    if pending.expired(now):
        raise Gone("This sign-in link has expired; ask for a new one", code="sign-in-link-expired")
    return pending
