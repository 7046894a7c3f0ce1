"""Notices of illegal content (DSA Art. 16) from anyone, signed in or not: checked, stored with a domain
event, acknowledged by email (the outbox handler `NoticeMail`), mailed to the site's moderators
(`NoticeModeratorMail`), and later answered with the decision and its reasons. The moderators' side (the
queue, deciding, the export) is in legal.py."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import msgspec

from rejoinder.domain.comments import PUBLIC_STATUSES, comment_not_found
from rejoinder.domain.sites import SiteGuard
from rejoinder.domain.urls import check_text_field
from rejoinder.errors import RejoinderError
from rejoinder.events.kinds import Event, EventKind
from rejoinder.i18n import choose, translator, wrap
from rejoinder.moderation import notices as rules
from rejoinder.moderation.notices import Notice, NoticeDecision
from rejoinder.notify.email import Mail, Mailer, one_line
from rejoinder.ratelimit import Action as Limited
from rejoinder.ratelimit import Scope
from rejoinder.services.admin_mail import public_base, recipients_for
from rejoinder.services.context import Context
from rejoinder.services.moderation.reports import reportable
from rejoinder.services.moderation.runtime import admit
from rejoinder.store import engine as store_engine
from rejoinder.store import moderation as moderation_store
from rejoinder.store import notices as store

log = logging.getLogger("rejoinder.moderation")


class Filed(msgspec.Struct, frozen=True):
    id: int
    comment_id: str
    created: int
    acknowledged: bool  # an acknowledgement will be mailed (the notifier gave an address and mail is on)


async def file_notice(
    ctx: Context,
    comment_id: str,
    *,
    category: str | None,
    explanation: str | None,
    location: str | None,
    name: str | None,
    email: str | None,
    good_faith: bool,
    lang: str | None,
    ip: str | None,
    identity_id: str | None = None,
    site_guard: SiteGuard | None = None,
) -> Filed:
    """Store a notice about a public comment and announce it (NOTICE_FILED): moderators find it in
    /admin/notices, the notifier gets an acknowledgement. Rate limited as reports are.

    Raises:
        Invalid: see moderation/notices.check_notice; NotFound comment-not-found (unknown, not public, or
        of a site the page may not write to); RateLimited.
    """
    check_text_field(comment_id, "id")
    notice = rules.check_notice(
        rules.NoticeForm(
            category=category,
            explanation=explanation,
            location=location,
            name=name,
            email=email,
            good_faith=good_faith,
        )
    )
    await admit(ctx, Limited.REPORT, {Scope.IP: ip, Scope.IDENTITY: identity_id})
    language = choose(lang, default=ctx.settings.server.language)
    now = ctx.clock()
    async with store_engine.write(ctx.engine) as conn:
        comment, _site = await reportable(ctx, conn, comment_id, site_guard)
        notice_id = await store.insert_notice(
            conn, comment.site_id, comment.id, notice, language=language, now=now
        )
        event = await ctx.outbox.add(
            conn,
            EventKind.NOTICE_FILED,
            site_id=comment.site_id,
            subject=str(notice_id),
            data={"comment": comment.id, "category": notice.category.value},
        )
    ctx.outbox.committed(event)
    mailed = notice.notifier_email is not None and notice_mail_for(ctx) is not None
    return Filed(id=notice_id, comment_id=comment.id, created=now, acknowledged=mailed)


def compose_notice_mail(ctx: Context, notice: Notice, site: str, *, decided: bool) -> Mail:
    """The acknowledgement (Art. 16(5)) or the decision with its reasons (Art. 16(5), 17), in the
    notifier's language; plain text, quoting nothing the commenter wrote."""
    tr = translator(notice.language)
    assert notice.notifier_email is not None
    lines: list[str]
    if not decided:
        lines = [
            wrap(tr("server.notice.ackBody", site=site, id=notice.id, when=tr.datetime(notice.created))),
            "",
            notice.location,
        ]
        subject = tr("server.notice.ackSubject", site=one_line(site, 40), id=notice.id)
    else:
        decision = notice.decision or NoticeDecision.NONE
        lines = [
            wrap(tr("server.notice.decidedBody", site=site, id=notice.id)),
            "",
            notice.location,
            "",
            tr(f"server.notice.decision.{decision.value}"),
        ]
        if notice.ground:
            lines += ["", tr("server.sor.groundLabel"), wrap(notice.ground)]
        lines += ["", tr("server.notice.reasonsLabel"), wrap(notice.reasons or "")]
        subject = tr("server.notice.decidedSubject", site=one_line(site, 40), id=notice.id)
    return Mail(to=notice.notifier_email, subject=subject, text="\n".join(lines) + "\n")


async def notice_of(ctx: Context, event: Event) -> Notice | None:
    """The notice an event is about (its subject), if it is still there."""
    subject_id = event.subject_id
    if subject_id is None:
        return None
    async with store_engine.read(ctx.engine) as conn:
        return await store.select_notice(conn, subject_id)


@dataclass(frozen=True, eq=False)
class NoticeMail:
    """The outbox handler of NOTICE_FILED and NOTICE_DECIDED: the notifier's acknowledgement, then the
    decision with its reasons. Idempotent by event (the Message-ID is made from its uid)."""

    ctx: Context
    mailer: Mailer

    async def __call__(self, event: Event) -> None:
        notice = await notice_of(self.ctx, event)
        if notice is None or notice.notifier_email is None:
            return
        decided = event.kind is EventKind.NOTICE_DECIDED
        if decided and notice.decided is None:
            return
        site = await self.ctx.sites.by_id(notice.site_id)
        mail = compose_notice_mail(self.ctx, notice, site.name, decided=decided)
        await self.mailer.send(msgspec.structs.replace(mail, message_key=f"{event.uid}.notice"))


def notice_mail_for(ctx: Context) -> NoticeMail | None:
    if not ctx.settings.email.host or ctx.mailer is None:
        return None
    return NoticeMail(ctx, ctx.mailer)


def compose_moderator_notice(ctx: Context, notice: Notice, site: str, to: str) -> Mail:
    """A new notice as its site's moderators read it: plain text in the server's language (moderators
    asked for nothing in particular), with the notifier's explanation and a link to decide; the notifier's
    name and address stay in /admin."""
    tr = translator(ctx.settings.server.language)
    category = tr(f"server.notice.categories.{notice.category.value}")
    quoted = "\n".join("> " + line for line in notice.explanation[:4000].splitlines()) or ">"
    lines = [
        wrap(tr("server.modmail.noticeFiled", site=site)),
        "",
        notice.location,
        "",
        f"{tr('server.modmail.noticeKind')} {category}",
        tr("server.modmail.noticeWhy"),
        quoted,
        "",
        wrap(tr("server.modmail.noticeDecide")),
        f"{public_base(ctx)}/admin/notices/{notice.id}",
    ]
    subject = tr("server.modmail.noticeSubject", site=one_line(site, 40), id=notice.id, category=category)
    return Mail(to=to, subject=subject, text="\n".join(lines) + "\n")


class NoticeModeratorMail(NoticeMail):
    """The outbox handler of NOTICE_FILED for moderators: each admin and moderator of the site with a
    verified address (and the configured admin account's) is mailed about the new notice, as held
    comments are ([email] notify_pending). Nothing once the notice was decided; a repeated delivery
    carries the same Message-ID per recipient."""

    async def __call__(self, event: Event) -> None:
        notice = await notice_of(self.ctx, event)
        if notice is None or notice.decided is not None:
            return
        async with store_engine.read(self.ctx.engine) as conn:
            recipients = await recipients_for(self.ctx, conn, notice.site_id)
        site = await self.ctx.sites.by_id(notice.site_id)
        failed: RejoinderError | None = None
        for recipient in recipients:
            mail = compose_moderator_notice(self.ctx, notice, site.name, recipient.email)
            key = f"{event.uid}.{recipient.email.lower()}"
            try:
                await self.mailer.send(msgspec.structs.replace(mail, message_key=key))
            except RejoinderError as exc:
                log.warning("[rejoinder] a notice email to a moderator could not be sent: %s", exc.detail)
                failed = exc
        if failed is not None:
            raise failed  # the outbox tries again


def notice_moderator_mail_for(ctx: Context) -> NoticeModeratorMail | None:
    """The handler when [email] host is set and moderators take email (notify_pending)."""
    email = ctx.settings.email
    if not email.host or not email.notify_pending or ctx.mailer is None:
        return None
    return NoticeModeratorMail(ctx, ctx.mailer)


class NoticeTarget(msgspec.Struct, frozen=True):
    """What the notice form shows about the comment: where it is and who wrote it."""

    comment_id: str
    location: str  # the comment's exact URL: its article's address and anchor
    title: str | None
    author: str


def location_of(thread_uri: str | None, comment_id: str, base: str) -> str:
    """The exact URL of a comment: its article's address with the comment's anchor, or rejoinder's own
    no-JS page of it."""
    if thread_uri:
        return f"{thread_uri.split('#', 1)[0]}#comment-{comment_id}"
    return f"{base}/legal-notice?comment={comment_id}"


async def notice_target(ctx: Context, comment_id: str, *, base: str) -> NoticeTarget:
    """The public comment a notice is about. Raises NotFound comment-not-found (unknown or not public)."""
    check_text_field(comment_id, "comment")
    async with store_engine.read(ctx.engine) as conn:
        comment = await moderation_store.select_moderated(conn, comment_id)
    if comment is None or comment.status not in PUBLIC_STATUSES:
        raise comment_not_found()
    return NoticeTarget(
        comment_id=comment.id,
        location=location_of(comment.thread_uri, comment.id, base),
        title=comment.thread_title,
        author=comment.author_name,
    )
