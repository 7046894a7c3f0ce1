"""A guest's data rights: guests have no account, so they prove they read the mailbox they wrote with. A
request mails a link (only when comments were written with the address; the page says the same either way);
the link opens a page to download everything held about the address or erase it. Rate-limited like
sign-in emails (per address and per network). The erasure and the collection are personal_data.py's."""

from __future__ import annotations

from functools import cache
from urllib.parse import urlsplit

import jinja2
import msgspec

from rejoinder.auth.sessions import check_ticket, token_hash
from rejoinder.domain.email_links import check_address
from rejoinder.errors import DataLinkInvalid, Invalid, Unavailable
from rejoinder.i18n import translator, wrap
from rejoinder.notify.email import Mail
from rejoinder.ratelimit import Action, Scope
from rejoinder.services import personal_data
from rejoinder.services.context import Context
from rejoinder.services.moderation import admit
from rejoinder.store import engine as store_engine
from rejoinder.store import personal as store
from rejoinder.store import sessions as session_store

US = 1_000_000
PURPOSE = "data-request"
ACTOR = "guest-link"  # the moderation log's actor of an erasure a guest asked for


class Requested(msgspec.Struct, frozen=True):
    """What the page says after a request: the same whether the address is known or not."""

    email: str
    minutes: int


class DataLink(msgspec.Struct, frozen=True):
    email: str
    lang: str
    deadline: int


async def request_link(ctx: Context, email: str | None, *, ip: str | None, lang: str = "en") -> Requested:
    """Mail a data-request link to `email` if guests wrote comments with it.

    Raises:
        Invalid: email-required, email-invalid. RateLimited: too many emails for this address or network
        (counted for unknown addresses too, so that the limit says nothing either). Unavailable:
        smtp-failed (no mail server configured, or it refused the message).
    """
    address = check_address(email)
    await admit(ctx, Action.MAGIC_LINK, {Scope.IP: ip, Scope.EMAIL: address})
    mailer = ctx.mailer
    if mailer is None:
        raise Unavailable("This server sends no email, so it cannot confirm an address", code="smtp-failed")
    minutes = ctx.settings.auth.email_link_minutes
    async with store_engine.read(ctx.engine) as conn:
        # Comments written with the address, or notices of illegal content filed with it (docs/data.md).
        known = await store.has_guest_comments(conn, address) or await store.has_notices_filed(conn, address)
    if known:
        token = ctx.token(32)
        now = ctx.clock()
        link = DataLink(email=address, lang=lang, deadline=now + minutes * 60 * US)
        async with store_engine.write(ctx.engine) as conn:
            await session_store.insert_ticket(
                conn,
                token_hash(token),
                purpose=PURPOSE,
                payload=msgspec.to_builtins(link),
                now=now,
                expires=link.deadline,
            )
        await mailer.send(compose(ctx, link, token))
    return Requested(email=address, minutes=minutes)


def link_url(ctx: Context, token: str) -> str:
    """Built from server.public_url, never from the request's Host header (which the client chooses)."""
    return f"{ctx.settings.server.public_url.rstrip('/')}/data-request/open?token={token}"


def _server_host(ctx: Context) -> str:
    return urlsplit(ctx.settings.server.public_url).netloc or "rejoinder"


@cache
def _mail_templates() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("rejoinder", "templates"),
        autoescape=False,  # noqa: S701 - text/plain email; nothing a reader typed goes into it
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def compose(ctx: Context, link: DataLink, token: str) -> Mail:
    tr = translator(link.lang)
    host = _server_host(ctx)
    text = (
        _mail_templates()
        .get_template("email/data_request.txt")
        .render(
            host=host,
            url=link_url(ctx, token),
            time=tr.plural("server.units.minutes", ctx.settings.auth.email_link_minutes),
            tr=tr,
            wrap=wrap,
        )
    )
    return Mail(to=link.email, subject=tr("mail.dataSubject", host=host), text=text)


async def open_link(ctx: Context, token: str | None) -> DataLink:
    """The address a link proves. Changes nothing (mail scanners open links).

    Raises:
        DataLinkInvalid: unknown, used or expired.
    """
    digest = _digest(token)
    async with store_engine.read(ctx.engine) as conn:
        ticket = await session_store.peek_ticket(conn, digest, PURPOSE)
    return _valid(ctx, ticket)


async def collect(ctx: Context, token: str | None) -> dict[str, object]:
    """Everything held about the link's address (the link stays usable until it expires)."""
    link = await open_link(ctx, token)
    return await personal_data.collect(ctx, email=link.email)


async def erase(ctx: Context, token: str | None, mode: personal_data.KeepComments) -> personal_data.Erased:
    """Use the link up and erase the guest comments written with its address, in one transaction: a crash
    or a failure part way leaves both the data and the link as they were (the link works again), and two
    uses at once cannot both erase (the ticket's DELETE decides which one does; the other is refused).

    Raises:
        DataLinkInvalid: unknown, used (also by a concurrent request) or expired.
    """
    digest = _digest(token)
    async with store_engine.write(ctx.engine) as conn:
        ticket = await session_store.take_ticket(conn, digest, PURPOSE)
        link = _valid(ctx, ticket)
        erased, events = await personal_data.erase_in(ctx, conn, mode, actor=ACTOR, email=link.email)
    ctx.outbox.committed(*events)
    return erased


def _digest(token: str | None) -> str:
    try:
        return token_hash(check_ticket(token, "token"))
    except Invalid:
        raise DataLinkInvalid() from None


def _valid(ctx: Context, ticket: session_store.Ticket | None) -> DataLink:
    if ticket is None:
        raise DataLinkInvalid()
    link = msgspec.convert(ticket.payload, DataLink)
    if link.deadline <= ctx.clock():
        raise DataLinkInvalid()
    return link
