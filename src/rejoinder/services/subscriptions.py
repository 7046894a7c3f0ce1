"""Email subscriptions as use cases: a reader follows replies to a comment or a whole thread (a moderator a
whole site), confirms a guest address once by a link, changes or ends subscriptions from the link in any
email; and the outbox handlers that mail notifications (handlers.py registers them).

Delivery rides on the outbox (docs/adr/0002-outbox.md), as webhooks do: the `subscriptions` route turns a
comment that became public into one waiting notification per subscribed address and a delivery named
`subscription-mail:<address id>` (digests: `…:<address id>d`) due when that address's batch closes, so that
a burst of replies is one email; every delivery of one address runs in order in its own queue, retried on
SMTP failures. A permanent refusal (5xx) of an address puts it on the suppression list.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache
from typing import Literal

import jinja2
import msgspec
from markupsafe import Markup

from rejoinder.domain.comments import PUBLIC_STATUSES, Comment, CommentStatus
from rejoinder.domain.email_links import check_address
from rejoinder.domain.identity import Identity
from rejoinder.domain.subscriptions import (
    SENT_KEPT_US,
    Address,
    DeliveryMode,
    LinkPurpose,
    SubscriptionKind,
    SubscriptionState,
    next_digest,
    notifies,
    open_link,
    parse_kinds,
    parse_mode,
    sign_link,
    target_of,
)
from rejoinder.errors import (
    AddressRejected,
    CommentNotFound,
    Invalid,
    SubscriptionLinkInvalid,
    SubscriptionsDisabled,
    ThreadNotFound,
)
from rejoinder.events.kinds import Event, EventKind
from rejoinder.events.outbox import RetryPolicy, Route
from rejoinder.i18n import Translator, choose, translator, wrap
from rejoinder.moderation.actions import Actor
from rejoinder.notify.email import Mail, Mailer, one_line
from rejoinder.ratelimit import Action, Scope
from rejoinder.services.admin_mail import public_base
from rejoinder.services.context import Context
from rejoinder.services.moderation import admit
from rejoinder.services.threads import ThreadRef
from rejoinder.store import comments as comment_store
from rejoinder.store import engine as store_engine
from rejoinder.store import events as event_store
from rejoinder.store import identities as identity_store
from rejoinder.store import subscriptions as store
from rejoinder.store import threads as thread_store
from rejoinder.store.subscriptions import Followed

log = logging.getLogger("rejoinder.subscriptions")
US = 1_000_000
FANOUT = "subscriptions"  # turns a newly public comment into notifications
SENDER = "subscription-mail"  # deliveries `subscription-mail:<address id>[d]` send one batch
CONFIRM = "subscription-confirm"  # mails the confirmation link of a new address
COMMENT_KINDS = frozenset(
    {EventKind.COMMENT_POSTED, EventKind.COMMENT_EDITED, EventKind.COMMENT_STATUS_CHANGED}
)


class Requested(msgspec.Struct, frozen=True):
    """What a reader is told after asking. `active`: a signed-in reader's verified address, followed at
    once. `confirm`: an email went (or will go) to the address; what it says depends on whether the
    address was confirmed before, which the answer does not reveal."""

    state: Literal["active", "confirm"]
    kinds: tuple[SubscriptionKind, ...]
    mode: DeliveryMode


class Managed(msgspec.Struct, frozen=True):
    """What the manage page shows: the site, the address's language and what it follows."""

    address: Address
    site: str
    followed: list[Followed]


def check_enabled(ctx: Context) -> Mailer:
    """The mailer, when this server sends notification email; else SubscriptionsDisabled."""
    if not ctx.settings.subscriptions.enabled or ctx.mailer is None or not ctx.settings.email.host:
        raise SubscriptionsDisabled()
    return ctx.mailer


def available(ctx: Context) -> bool:
    return ctx.settings.subscriptions.enabled and ctx.mailer is not None and bool(ctx.settings.email.host)


# --- asking, confirming, managing -----------------------------------------------------------------------


async def subscribe(
    ctx: Context,
    ref: ThreadRef,
    *,
    kinds: list[str],
    comment_id: str | None,
    email: str | None,
    mode: str | None,
    lang: str | None,
    reader: Identity | None,
    ip: str | None,
) -> Requested:
    """Follow replies to a comment and/or a thread by email.

    A signed-in reader whose provider vouched for the address (identities.email) is followed at once. Any
    other address gets an email first: a confirmation link while it is unconfirmed on the site (double
    opt-in; the subscription waits, pending), a notice with an unsubscribe link once it is confirmed.

    Raises:
        SubscriptionsDisabled; Invalid: subscription-kind-invalid, subscription-mode-invalid,
        subscription-comment-required, email-required, email-invalid; CommentNotFound; ThreadNotFound;
        RateLimited (per network and per address).
    """
    check_enabled(ctx)
    chosen = parse_kinds(kinds)
    how = parse_mode(mode)
    language = choose(lang, default=ctx.settings.server.language)
    if SubscriptionKind.REPLIES in chosen and not comment_id:
        raise Invalid.field(
            "comment", "subscription-comment-required", "Name the comment whose replies to follow"
        )
    verified = reader.email.lower() if reader is not None and reader.email else None
    address_text = verified if verified and not email else check_address(email)
    vouched = verified is not None and address_text == verified
    if not vouched:
        await admit(ctx, Action.SUBSCRIBE, {Scope.IP: ip, Scope.EMAIL: address_text})
    now = ctx.clock()
    async with store_engine.write(ctx.engine) as conn:
        thread = await thread_store.select_thread(conn, ref.site.id, uri=ref.uri, key=ref.key)
        if thread is None:
            raise ThreadNotFound("No one has commented on this article yet: there is nothing to follow")
        if comment_id:
            found = await comment_store.select_comment(conn, comment_id)
            if found is None or found[0].thread_id != thread.id or found[0].status is CommentStatus.DELETED:
                raise CommentNotFound()
        address = await store.upsert_address(
            conn, ref.site.id, address_text, language=language, confirmed=vouched, now=now
        )
        made = []
        for kind in chosen:
            target = target_of(kind, comment_id=comment_id, thread_id=thread.id, site_id=ref.site.id)
            made.append(
                await store.upsert_subscription(
                    conn,
                    address,
                    kind,
                    target,
                    thread_id=thread.id,
                    comment_id=comment_id if kind is SubscriptionKind.REPLIES else None,
                    mode=how,
                    now=now,
                )
            )
        event = None
        if not vouched:
            event = await ctx.outbox.add(
                conn,
                EventKind.SUBSCRIPTION_REQUESTED,
                site_id=ref.site.id,
                subject=str(address.id),
                data={"subscriptions": [s.id for s in made]},
            )
    ctx.outbox.committed(event)
    return Requested(state="active" if vouched else "confirm", kinds=chosen, mode=how)


async def staff_email(ctx: Context, identity_id: str | None) -> str | None:
    """Where a moderator's emails go: the signed-in identity's verified address, or for the configured admin
    account `admin.email`."""
    if identity_id is None:
        return ctx.settings.admin.email or None
    async with store_engine.read(ctx.engine) as conn:
        identity = await identity_store.select_identity(conn, identity_id)
    return identity.email if identity is not None and identity.email else None


async def set_site_mode(
    ctx: Context, actor: Actor, identity_id: str | None, site_id: int, mode: DeliveryMode | None
) -> None:
    """A moderator of the site turns "email me every new comment" on (immediately or as a digest) or off.

    Raises:
        NotAModerator; SubscriptionsDisabled; Invalid email-required (no verified address to mail).
    """
    actor.require_moderator(site_id)
    email = await staff_email(ctx, identity_id)
    if email is None:
        raise Invalid.field("mode", "email-required", "Your account has no verified email address to mail")
    if mode is None:
        await unfollow_site(ctx, site_id, email)
    else:
        await follow_site(ctx, site_id, email, mode=mode, language=ctx.settings.server.language)


async def follow_site(ctx: Context, site_id: int, email: str, *, mode: DeliveryMode, language: str) -> None:
    """A moderator's (already verified) address follows every new public comment of a site (/admin)."""
    check_enabled(ctx)
    now = ctx.clock()
    async with store_engine.write(ctx.engine) as conn:
        address = await store.upsert_address(
            conn, site_id, email.lower(), language=language, confirmed=True, now=now
        )
        target = target_of(SubscriptionKind.SITE, comment_id=None, thread_id=None, site_id=site_id)
        await store.upsert_subscription(
            conn, address, SubscriptionKind.SITE, target, thread_id=None, comment_id=None, mode=mode, now=now
        )


async def unfollow_site(ctx: Context, site_id: int, email: str) -> None:
    async with store_engine.write(ctx.engine) as conn:
        address = await store.select_address_by_email(conn, site_id, email.lower())
        if address is not None:
            followed = await store.select_followed(conn, address.id)
            ids = [f.subscription.id for f in followed if f.subscription.kind is SubscriptionKind.SITE]
            await store.delete_subscriptions(conn, address.id, ids)


async def site_mode(ctx: Context, site_id: int, email: str) -> DeliveryMode | None:
    """How a moderator's address follows a site (None: it does not)."""
    async with store_engine.read(ctx.engine) as conn:
        address = await store.select_address_by_email(conn, site_id, email.lower())
        if address is None:
            return None
        for f in await store.select_followed(conn, address.id):
            if f.subscription.kind is SubscriptionKind.SITE:
                return f.subscription.mode
    return None


async def confirm(ctx: Context, token: str) -> Managed:
    """Use a confirmation link: the address is confirmed on its site and its pending subscriptions start.
    Using it again changes nothing. Raises SubscriptionLinkInvalid, Gone subscription-link-expired."""
    address_id = open_link(ctx.verify_keys, token, LinkPurpose.CONFIRM, now=ctx.clock())
    async with store_engine.write(ctx.engine) as conn:
        if await store.select_address(conn, address_id) is None:
            raise SubscriptionLinkInvalid("This address has no subscriptions any more")
        await store.confirm_address(conn, address_id, now=ctx.clock())
    return await managed(ctx, address_id)


async def check_confirm(ctx: Context, token: str) -> Managed:
    """What a confirmation link is about (the page before the button); changes nothing."""
    address_id = open_link(ctx.verify_keys, token, LinkPurpose.CONFIRM, now=ctx.clock())
    return await managed(ctx, address_id)


async def managed(ctx: Context, address_id: int) -> Managed:
    async with store_engine.read(ctx.engine) as conn:
        address = await store.select_address(conn, address_id)
        if address is None:
            raise SubscriptionLinkInvalid("This address has no subscriptions any more")
        followed = await store.select_followed(conn, address_id)
    site = await ctx.sites.by_id(address.site_id)
    return Managed(address=address, site=site.name, followed=followed)


async def open_manage(ctx: Context, token: str) -> Managed:
    """The manage page of the address a manage link names."""
    return await managed(ctx, open_link(ctx.verify_keys, token, LinkPurpose.MANAGE, now=ctx.clock()))


async def change(
    ctx: Context, token: str, *, modes: dict[int, DeliveryMode], remove: list[int], remove_all: bool
) -> Managed:
    """Apply the manage page's form: new modes, subscriptions to end (ids of other addresses are ignored)."""
    address_id = open_link(ctx.verify_keys, token, LinkPurpose.MANAGE, now=ctx.clock())
    async with store_engine.write(ctx.engine) as conn:
        own = {f.subscription.id for f in await store.select_followed(conn, address_id)}
        if remove_all:
            await store.delete_subscriptions(conn, address_id)
        else:
            await store.delete_subscriptions(conn, address_id, [i for i in remove if i in own])
            for sub_id, mode in modes.items():
                if sub_id in own and sub_id not in remove:
                    await store.update_mode(conn, sub_id, mode)
    return await managed(ctx, address_id)


class Unsubscribing(msgspec.Struct, frozen=True):
    """What an unsubscribe link ends: one subscription, or every one of an address on its site."""

    managed: Managed
    only: Followed | None  # None: all of them
    manage_token: str


def _open_unsubscribe(ctx: Context, token: str) -> tuple[LinkPurpose, int]:
    """An unsubscribe link names one subscription (`u…`) or every one of an address (`a…`)."""
    every = token[:1] == LinkPurpose.UNSUBSCRIBE_ALL.value
    purpose = LinkPurpose.UNSUBSCRIBE_ALL if every else LinkPurpose.UNSUBSCRIBE
    return purpose, open_link(ctx.verify_keys, token, purpose, now=ctx.clock())


async def check_unsubscribe(ctx: Context, token: str) -> Unsubscribing:
    """What an unsubscribe link would end (the page a GET shows); changes nothing."""
    purpose, ident = _open_unsubscribe(ctx, token)
    async with store_engine.read(ctx.engine) as conn:
        if purpose is LinkPurpose.UNSUBSCRIBE_ALL:
            address_id, only = ident, None
        else:
            sub = await store.select_subscription(conn, ident)
            if sub is None:
                raise SubscriptionLinkInvalid("This subscription has already ended")
            address_id = sub.address_id
            only = next(
                f for f in await store.select_followed(conn, address_id) if f.subscription.id == ident
            )
    found = await managed(ctx, address_id)
    return Unsubscribing(managed=found, only=only, manage_token=manage_link_token(ctx, address_id))


async def unsubscribe(ctx: Context, token: str) -> int:
    """One-click unsubscribe (RFC 8058): end what the link names; how many subscriptions ended (0 when it
    already had: a repeated POST succeeds). Raises SubscriptionLinkInvalid, Gone subscription-link-expired."""
    purpose, ident = _open_unsubscribe(ctx, token)
    async with store_engine.write(ctx.engine) as conn:
        if purpose is LinkPurpose.UNSUBSCRIBE_ALL:
            return await store.delete_subscriptions(conn, ident)
        sub = await store.select_subscription(conn, ident)
        if sub is None:
            return 0
        return await store.delete_subscriptions(conn, sub.address_id, [ident])


# --- links -------------------------------------------------------------------------------------------------


def _link_expiry(ctx: Context) -> int:
    return ctx.clock() + ctx.settings.subscriptions.link_days * 86400 * US


def manage_link_token(ctx: Context, address_id: int) -> str:
    return sign_link(ctx.secret, LinkPurpose.MANAGE, address_id, expires=_link_expiry(ctx))


def link(ctx: Context, page: str, token: str, lang: str) -> str:
    """An absolute link to one of the pages (confirm, unsubscribe, manage), from server.public_url, never
    from a request's Host header."""
    url = f"{public_base(ctx)}/subscriptions/{page}/{token}"
    return url if lang == "en" else f"{url}?lang={lang}"


# --- mailing (outbox handlers) -----------------------------------------------------------------------------


class Item(msgspec.Struct, frozen=True):
    """One comment in a notification email."""

    intro: str
    quoted: str
    html: Markup
    link: str


@cache
def _templates(html: bool) -> jinja2.Environment:
    # One template makes both parts: escaped for the HTML part, as is for the text part (whose reader text
    # is quoted, never interpreted). Comment HTML comes from domain/text.py, sanitised at write time.
    return jinja2.Environment(
        loader=jinja2.PackageLoader("rejoinder", "templates"),
        autoescape=html,  # noqa: S701 - False only for the text/plain part
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(name: str, **values: object) -> tuple[str, str]:
    """The text and the HTML part of the email template `name`."""
    text = _templates(False).get_template(name).render(html=False, wrap=wrap, **values)
    markup = _templates(True).get_template(name).render(html=True, wrap=wrap, **values)
    return text, markup


def _quote(text: str) -> str:
    return "\n".join("> " + line for line in text[:4000].splitlines()) or ">"


def _title(tr: Translator, thread: thread_store.ThreadRow | None) -> str:
    return one_line((thread.title or thread.uri or "") if thread else "", 120) or tr("subs.anArticle")


def comment_link(thread: thread_store.ThreadRow | None, comment_id: str) -> str:
    return f"{thread.uri}#comment-{comment_id}" if thread is not None and thread.uri else ""


def _mail_to(
    address: Address, subject: str, body: tuple[str, str], *, key: str, unsubscribe_url: str | None
) -> Mail:
    """A subscription email to `address`: `body` is render()'s text and HTML, `key` names the message
    for a retry. With an unsubscribe link, its List-Unsubscribe headers: RFC 2369 with RFC 8058
    one-click (the mail client POSTs "List-Unsubscribe=One-Click" to the https URL, without the reader
    signing in)."""
    text, html = body
    headers: tuple[tuple[str, str], ...] = ()
    if unsubscribe_url is not None:
        headers = (
            ("List-Unsubscribe", f"<{unsubscribe_url}>"),
            ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
        )
    return Mail(to=address.email, subject=subject, text=text, html=html, headers=headers, message_key=key)


class FanOut:
    """The `subscriptions` route: a comment that became public (posted public, approved after a hold) is
    queued for every subscribed address but its author's, and each of those addresses gets a delivery due
    when its batch closes. Idempotent: a repeated event adds nothing."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    async def __call__(self, event: Event) -> None:
        if event.subject is None or event.site_id is None or event.thread_id is None:
            return
        previous = event.data.get("previous")
        was = CommentStatus(previous) if previous in {s.value for s in CommentStatus} else None
        status = event.data.get("status")
        if status not in {s.value for s in CommentStatus} or not notifies(CommentStatus(status), was):
            return
        if event.kind is EventKind.COMMENT_POSTED and was is not None:
            return
        settings = self.ctx.settings.subscriptions
        async with store_engine.read(self.ctx.engine) as conn:
            found = await comment_store.select_comment(conn, event.subject)
            if found is None or found[0].status not in PUBLIC_STATUSES:
                return  # hidden again meanwhile: the event that showed it is stale
            recipients = await store.select_recipients(
                conn, site_id=event.site_id, thread_id=event.thread_id, parent_id=found[0].parent
            )
            if not recipients:
                return
            authors = await store.select_author_emails(conn, event.subject)
        now = self.ctx.clock()
        async with store_engine.write(self.ctx.engine) as conn:
            for subscription, address in recipients:
                if address.email in authors or subscription.created > event.created:
                    continue  # never about one's own comment, nor what happened before subscribing
                if subscription.mode is DeliveryMode.DIGEST:
                    due = next_digest(now, settings.digest_hour)
                else:
                    batch = await store.batch_due(conn, address.id, subscription.mode, after=now)
                    due = batch if batch is not None else now + settings.batch_seconds * US
                if not await store.insert_notification(conn, subscription, event.subject, due=due, now=now):
                    continue
                name, queue = delivery_of(address.id, subscription.mode)
                await event_store.add_deliveries(conn, event.uid, [name], queue=queue, next_at=due)


def delivery_of(address_id: int, mode: DeliveryMode) -> tuple[str, str]:
    """The delivery name and queue of an address's batch: one queue per address and mode, so that its
    emails go out one after the other, and a digest waiting for tomorrow holds back no immediate one."""
    if mode is DeliveryMode.DIGEST:
        return f"{SENDER}:{address_id}d", f"mail:{address_id}:d"
    return f"{SENDER}:{address_id}", f"mail:{address_id}"


@dataclass(frozen=True, eq=False)
class SendBatch:
    """Deliveries `subscription-mail:<address id>[d]`: the address's waiting notifications that are due, in
    one email. Nothing when an earlier delivery sent them already; an address a mail server refused for
    good is suppressed and its notifications dropped; any other failure raises, so the outbox retries."""

    ctx: Context
    mailer: Mailer

    async def __call__(self, event: Event, target: str) -> None:
        digest = target.endswith("d")
        ident = target[:-1] if digest else target
        if not ident.isdigit():
            return
        mode = DeliveryMode.DIGEST if digest else DeliveryMode.IMMEDIATE
        await send_batch(self.ctx, self.mailer, int(ident), mode)


async def send_batch(ctx: Context, mailer: Mailer, address_id: int, mode: DeliveryMode) -> int:
    """Mail an address's due notifications of `mode` as one email; returns how many comments it carried."""
    now = ctx.clock()
    async with store_engine.read(ctx.engine) as conn:
        address = await store.select_address(conn, address_id)
        if address is None:
            return 0
        waiting = await store.select_waiting(conn, address_id, mode, now=now)
        if not waiting:
            return 0
        suppressed = await store.is_suppressed(conn, address.email)
        shown = {
            c.id: c
            for c in await comment_store.select_comments_by_ids(conn, [w.comment_id for w in waiting])
            if c.status in PUBLIC_STATUSES
        }
        threads = await thread_store.select_threads_by_ids(
            conn, sorted({c.thread_id for c in shown.values()})
        )
    ids = [w.id for w in waiting]
    items = [(w, shown[w.comment_id]) for w in waiting if w.comment_id in shown]
    if suppressed or not items:
        async with store_engine.write(ctx.engine) as conn:
            await store.mark_sent(conn, ids, now=now)
        return 0
    site = await ctx.sites.by_id(address.site_id)
    mail = compose_batch(
        ctx, address, site.name, items, threads, mode, key=f"subs.{address_id}.{mode.value}.{ids[0]}"
    )
    try:
        await mailer.send(mail)
    except AddressRejected as exc:
        log.warning("[rejoinder] a mail server refused a subscriber's address for good; suppressed")
        async with store_engine.write(ctx.engine) as conn:
            await store.suppress(conn, address.email, exc.detail, now=now)
            await store.mark_sent(conn, ids, now=now)
        return 0
    async with store_engine.write(ctx.engine) as conn:
        await store.mark_sent(conn, ids, now=now)
        await store.delete_sent_before(conn, now - SENT_KEPT_US)
    return len(items)


def compose_batch(
    ctx: Context,
    address: Address,
    site: str,
    items: list[tuple[store.Waiting, Comment]],
    threads: dict[int, thread_store.ThreadRow],
    mode: DeliveryMode,
    *,
    key: str,
) -> Mail:
    """One email, in the subscriber's language, for one or more comments."""
    tr = translator(address.language)
    shown: list[Item] = []
    for waiting, comment in items:
        thread = threads.get(comment.thread_id)
        title = _title(tr, thread)
        name = one_line(comment.author.name, 80) or tr("someone")
        intro_key = {
            SubscriptionKind.REPLIES: "subs.replied",
            SubscriptionKind.THREAD: "subs.commented",
            SubscriptionKind.SITE: "subs.commented",
        }[waiting.kind]
        shown.append(
            Item(
                intro=tr(intro_key, name=name, title=title),
                quoted=_quote(comment.text),
                html=Markup(comment.html),  # noqa: S704 - sanitised by domain/text.py when it was written
                link=comment_link(thread, comment.id),
            )
        )
    subs = {w.subscription_id for w, _ in items}
    if len(subs) == 1:
        unsub = sign_link(ctx.secret, LinkPurpose.UNSUBSCRIBE, next(iter(subs)), expires=_link_expiry(ctx))
    else:
        unsub = sign_link(ctx.secret, LinkPurpose.UNSUBSCRIBE_ALL, address.id, expires=_link_expiry(ctx))
    unsubscribe_url = link(ctx, "unsubscribe", unsub, tr.lang)
    manage_url = link(ctx, "manage", manage_link_token(ctx, address.id), tr.lang)
    first_thread = threads.get(items[0][1].thread_id)
    if mode is DeliveryMode.DIGEST:
        subject = tr("subs.digestSubject", site=one_line(site, 40), count=tr.number(len(shown)))
    elif len(shown) == 1:
        subject = tr("subs.subject", site=one_line(site, 40), title=_title(tr, first_thread))
    else:
        subject = tr("subs.subjectMany", site=one_line(site, 40), count=tr.number(len(shown)))
    body = render(
        "email/notification.j2",
        tr=tr,
        items=shown,
        site=site,
        unsubscribe_url=unsubscribe_url,
        manage_url=manage_url,
        digest=mode is DeliveryMode.DIGEST,
    )
    return _mail_to(address, subject, body, key=key, unsubscribe_url=unsubscribe_url)


@dataclass(frozen=True, eq=False)
class SendConfirmation:
    """The `subscription-confirm` route: the email a guest's subscription request sends. While the address
    is unconfirmed on its site: the confirmation link (nothing is mailed about comments before it is used).
    Once confirmed: a notice of the new subscription with an unsubscribe link, so that nobody is
    subscribed without being told."""

    ctx: Context
    mailer: Mailer

    async def __call__(self, event: Event) -> None:
        subject_id = event.subject_id
        if subject_id is None:
            return
        ctx = self.ctx
        async with store_engine.read(ctx.engine) as conn:
            address = await store.select_address(conn, subject_id)
            if address is None or await store.is_suppressed(conn, address.email):
                return
            followed = [
                f
                for f in await store.select_followed(conn, address.id)
                if f.subscription.id in set(event.data.get("subscriptions", []))
            ]
        if not followed:
            return
        site = await ctx.sites.by_id(address.site_id)
        tr = translator(address.language)
        manage_url = link(ctx, "manage", manage_link_token(ctx, address.id), tr.lang)
        if address.confirmed is None:  # the confirmation link, valid for confirm_hours
            hours = ctx.settings.subscriptions.confirm_hours
            expires = ctx.clock() + hours * 3600 * US
            token = sign_link(ctx.secret, LinkPurpose.CONFIRM, address.id, expires=expires)
            confirm_url, unsubscribe_url = link(ctx, "confirm", token, tr.lang), None
            subject = tr("subs.confirmSubject", site=one_line(site.name, 40))
        else:  # a notice of the new subscription, with a link to unsubscribe from all
            unsub = sign_link(ctx.secret, LinkPurpose.UNSUBSCRIBE_ALL, address.id, expires=_link_expiry(ctx))
            hours, confirm_url, unsubscribe_url = 0, "", link(ctx, "unsubscribe", unsub, tr.lang)
            subject = tr("subs.startedSubject", site=one_line(site.name, 40))
        body = render(
            "email/subscription.j2",
            tr=tr,
            site=site.name,
            what=[describe(tr, f, site.name) for f in followed],
            confirm_url=confirm_url,
            manage_url=manage_url,
            hours=hours,
        )
        key = f"subs-confirm.{event.uid}"
        mail = _mail_to(address, subject, body, key=key, unsubscribe_url=unsubscribe_url)
        try:
            await self.mailer.send(mail)
        except AddressRejected as exc:
            async with store_engine.write(ctx.engine) as conn:
                await store.suppress(conn, address.email, exc.detail, now=ctx.clock())


def describe(tr: Translator, followed: Followed, site: str) -> str:
    """A subscription in words: "Replies to your comment on “Title”"…"""
    title = one_line(followed.title or followed.uri or "", 120) or tr("subs.anArticle")
    kind = followed.subscription.kind
    if kind is SubscriptionKind.REPLIES:
        return tr("subs.kindReplies", title=title)
    if kind is SubscriptionKind.THREAD:
        return tr("subs.kindThread", title=title)
    return tr("subs.kindSite", site=site)


class GiveUp:
    """A notification email that could not be sent after every attempt: logged; /admin/events shows it."""

    async def __call__(self, event: Event, target: str, error: str) -> None:
        log.warning("[rejoinder] gave up mailing notifications to address %s: %s", target, error)


def fan_out_route(ctx: Context) -> Route | None:
    if not available(ctx):
        return None
    return Route(name=FANOUT, kinds=COMMENT_KINDS, handler=FanOut(ctx))


def _route_mailer(ctx: Context) -> Mailer | None:
    """The mailer of the mailing routes; None leaves them out (no notification email: `available`)."""
    return ctx.mailer if available(ctx) else None


def sender_route(ctx: Context) -> Route | None:
    if (mailer := _route_mailer(ctx)) is None:
        return None
    return Route(
        name=SENDER,
        kinds=frozenset(),
        targeted=SendBatch(ctx, mailer),
        retry=RetryPolicy(  # the outbox's backoff ([events]), with the attempts of [subscriptions]
            max_attempts=ctx.settings.subscriptions.max_attempts,
            base_us=int(ctx.settings.events.retry_base_seconds * US),
            max_us=int(ctx.settings.events.retry_max_seconds * US),
        ),
        given_up=GiveUp(),
    )


def confirm_route(ctx: Context) -> Route | None:
    if (mailer := _route_mailer(ctx)) is None:
        return None
    return Route(
        name=CONFIRM,
        kinds=frozenset({EventKind.SUBSCRIPTION_REQUESTED}),
        handler=SendConfirmation(ctx, mailer),
    )


__all__ = ["FanOut", "Requested", "SendBatch", "SubscriptionState"]
