"""Moderation by email: comments newly held for review are mailed to the site's moderators with
approve/reject links. A link opens a confirmation page (GET changes nothing: mail scanners follow every
link) whose button POSTs the decision. Links carry a 256-bit random token of which only the SHA-256 is
stored (auth_tickets, purpose `admin-email`); each works once and expires after [email] link_hours.

A comment is mailed when the event that held it (comment.posted, comment.edited, comment.status_changed
with status pending) is delivered by the outbox (handlers.py), once per event, retried when SMTP fails.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import msgspec

from rejoinder.auth.sessions import token_hash
from rejoinder.domain.comments import CommentStatus
from rejoinder.errors import (
    ActionInvalid,
    Conflict,
    EmailLinkUnknown,
    Gone,
    RejoinderError,
)
from rejoinder.events.kinds import Event
from rejoinder.i18n import translator
from rejoinder.moderation import queue as queues
from rejoinder.moderation.actions import ModAction, check_reason
from rejoinder.notify.email import Mail, Mailer, one_line
from rejoinder.services import moderation as moderation_service
from rejoinder.services.admin_auth import account_actor, check_token_shape, identity_actor
from rejoinder.services.context import Context
from rejoinder.store import admin as store
from rejoinder.store import engine as store_engine
from rejoinder.store import moderation as moderation_store
from rejoinder.store import sessions as session_store

log = logging.getLogger("rejoinder.admin")
US = 1_000_000
LINK = "admin-email"
USED = "admin-email-used"  # kept after use, so that a second click says "already used", not "unknown"


class Recipient(msgspec.Struct, frozen=True):
    email: str
    identity_id: str | None  # None: the configured admin account


class Link(msgspec.Struct, frozen=True):
    """What a confirmation page shows."""

    comment: queues.ModeratedComment
    action: Literal["approve", "reject"]
    expires: int


def public_base(ctx: Context) -> str:
    s = ctx.settings.server
    return s.public_url.rstrip("/") or f"http://{s.host}:{s.port}"


# --- mailing held comments (an outbox handler: events/, handlers.py) ------------------------------------


async def recipients_for(ctx: Context, conn: Any, site_id: int) -> list[Recipient]:
    found: dict[str, Recipient] = {}
    for identity_id, email in await store.select_staff_emails(conn, site_id):
        found.setdefault(email.lower(), Recipient(email=email, identity_id=identity_id))
    admin = ctx.settings.admin
    if admin.username and admin.email:
        found.setdefault(admin.email.lower(), Recipient(email=admin.email, identity_id=None))
    return list(found.values())


async def notify_held(ctx: Context, mailer: Mailer, comment_id: str, *, event_uid: str) -> int:
    """Mail every moderator of its site about a comment just held for review; returns how many messages
    were sent. Nothing when a moderator decided on it meanwhile. Raises Unavailable when a message could
    not be sent, so that the outbox tries again; a repeated message carries the same Message-ID (made
    from the event and the recipient), so mail clients show it once."""
    now = ctx.clock()
    expires = now + ctx.settings.email.link_hours * 3600 * US
    mails: list[Mail] = []
    async with store_engine.write(ctx.engine) as conn:
        comment = await moderation_store.select_moderated(conn, comment_id)
        if comment is None or comment.status is not CommentStatus.PENDING:
            return 0
        site = await ctx.sites.by_id(comment.site_id)
        for recipient in await recipients_for(ctx, conn, comment.site_id):
            token = ctx.token(32)
            await session_store.insert_ticket(
                conn,
                token_hash(token),
                purpose=LINK,
                identity_id=recipient.identity_id,
                payload={
                    "comment": comment.id,
                    "username": None if recipient.identity_id else ctx.settings.admin.username,
                },
                now=now,
                expires=expires,
            )
            mail = compose(ctx, comment, site.name, recipient, token, expires)
            mails.append(msgspec.structs.replace(mail, message_key=f"{event_uid}.{recipient.email.lower()}"))
        await session_store.delete_expired_tickets(conn, now)
    sent, failed = 0, None
    for mail in mails:
        try:
            await mailer.send(mail)
            sent += 1
        except RejoinderError as exc:
            log.warning("[rejoinder] a moderation email could not be sent: %s", exc.detail)
            failed = exc
    if failed is not None:
        raise failed
    return sent


@dataclass(frozen=True, eq=False)
class HeldMail:
    """The outbox handler: a comment posted, edited or moved into the held state is mailed to the
    moderators of its site (when [email] host is set and notify_pending is on)."""

    ctx: Context
    mailer: Mailer

    async def __call__(self, event: Event) -> None:
        if event.data.get("status") != CommentStatus.PENDING.value or event.subject is None:
            return
        await notify_held(self.ctx, self.mailer, event.subject, event_uid=event.uid)


def held_mail_for(ctx: Context) -> HeldMail | None:
    """The handler when [email] host is set and notify_pending is on, sending through the Context's
    mailer (built once at start-up by the runtime, which names a misconfigured setting)."""
    email = ctx.settings.email
    if not email.host or not email.notify_pending or ctx.mailer is None:
        return None
    return HeldMail(ctx, ctx.mailer)


def _when(us: int) -> str:
    return datetime.fromtimestamp(us / US, UTC).strftime("%Y-%m-%d %H:%M UTC")


def compose(
    ctx: Context, comment: queues.ModeratedComment, site: str, recipient: Recipient, token: str, expires: int
) -> Mail:
    """The message: plain text only (no reader-written HTML ever reaches a mail client), in the server's
    language (`server.language`): moderators asked for nothing, so no reader's language applies."""
    tr = translator(ctx.settings.server.language)
    base = public_base(ctx)
    title = one_line(comment.thread_title or comment.thread_uri or tr("modmail.anArticle"), 120)
    english = moderation_service.reason_text(comment.status_reason)
    reason = tr.reason(comment.status_reason, english) or tr("modmail.heldDefault")
    quoted = "\n".join("> " + line for line in comment.text[:4000].splitlines()) or ">"
    who = tr("modmail.signedIn") if comment.identity_id else tr("modmail.guest")
    labels = {k: tr(f"modmail.{k}") for k in ("article", "author", "posted", "held", "approve", "reject")}
    width = max(len(v) for v in labels.values()) + 1
    label = {k: v.ljust(width) for k, v in labels.items()}
    lines = [
        tr("modmail.waits", site=site),
        "",
        f"{label['article']}{title}",
        f"{' ' * width}{comment.thread_uri or ''}",
        f"{label['author']}{one_line(comment.author_name, 80)} ({who})",
        f"{label['posted']}{_when(comment.created)}",
        f"{label['held']}{reason}",
        "",
        quoted,
        "",
        f"{label['approve']}{base}/admin/email/{token}?action=approve",
        f"{label['reject']}{base}/admin/email/{token}?action=reject",
        "",
        tr("modmail.once", until=_when(expires)),
        f"{tr('modmail.all', site=site)} {base}/admin/queue/pending?site={site}",
    ]
    return Mail(
        to=recipient.email,
        subject=tr("modmail.subject", site=one_line(site, 40), title=title),
        text="\n".join(lines) + "\n",
    )


# --- the links ---------------------------------------------------------------------------------------------


def check_link_action(action: str | None) -> Literal["approve", "reject"]:
    if action == "approve":
        return "approve"
    if action == "reject":
        return "reject"
    raise ActionInvalid.at("action", "Choose approve or reject")


async def _link_ticket(conn: Any, digest: str, *, use: bool) -> session_store.Ticket:
    """A link's ticket, used up when `use`; when there is none, why: already used, or never sent."""
    ticket = await (session_store.take_ticket if use else session_store.peek_ticket)(conn, digest, LINK)
    if ticket is None:
        if await session_store.peek_ticket(conn, digest, USED) is not None:
            raise Gone("This link was already used; each email link works once", code="email-link-used")
        raise EmailLinkUnknown()
    return ticket


def _check_unexpired(ticket: session_store.Ticket, now: int) -> None:
    if ticket.expires <= now:
        raise Gone("This link has expired; decide in the moderation queue", code="email-link-expired")


def _link_digest(token: str) -> str:
    """The stored hash of a link's token; EmailLinkUnknown for a token no link could have."""
    clean = check_token_shape(token)
    if clean is None:
        raise EmailLinkUnknown()
    return token_hash(clean)


async def read_link(ctx: Context, token: str, action: str | None) -> Link:
    """What a link is about, for the confirmation page; changes nothing."""
    digest = _link_digest(token)
    now = ctx.clock()
    async with store_engine.read(ctx.engine) as conn:
        ticket = await _link_ticket(conn, digest, use=False)
        _check_unexpired(ticket, now)
        comment = await moderation_service.moderated(conn, str(ticket.payload.get("comment")))
    return Link(comment=comment, action=check_link_action(action or "approve"), expires=ticket.expires)


async def act_on_link(
    ctx: Context, token: str, action: str | None, reason: str | None
) -> queues.ModeratedComment:
    """Use a link once: approve or reject its comment as the moderator it was sent to (whose role is
    checked again now), unless someone decided on the comment since."""
    chosen = check_link_action(action)
    if chosen == "reject":
        check_reason(reason)  # before the link is used up
    digest = _link_digest(token)
    now = ctx.clock()
    async with store_engine.write(ctx.engine) as conn:
        ticket = await _link_ticket(conn, digest, use=True)
        await session_store.insert_ticket(
            conn,
            digest,
            purpose=USED,
            identity_id=None,
            payload={},
            now=now,
            expires=max(ticket.expires, now) + 7 * 86400 * US,
        )
        if ticket.identity_id is not None:
            actor = await identity_actor(ctx, conn, ticket.identity_id)
        elif ctx.settings.admin.username and ticket.payload.get("username") == ctx.settings.admin.username:
            actor = account_actor(ctx.settings.admin.username)
        else:
            actor = None
    _check_unexpired(ticket, now)  # after the commit: an expired link is used up all the same
    if actor is None:
        raise EmailLinkUnknown("The account this link was sent to no longer exists")
    comment_id = str(ticket.payload.get("comment"))
    async with store_engine.read(ctx.engine) as conn:
        current = await moderation_service.moderated(conn, comment_id)
    if current.status is not CommentStatus.PENDING:
        raise Conflict(
            f"Someone already decided on this comment (it is {current.status.value} now)",
            code="comment-already-moderated",
        )
    return await moderation_service.decide(
        ctx,
        actor,
        comment_id,
        ModAction.APPROVE if chosen == "approve" else ModAction.REJECT,
        reason=reason if chosen == "reject" else None,
        note="from an email link",
    )
