"""Statements of reasons (DSA Art. 17): written in the transaction of every decision that removes or
restricts a comment (services/moderation/decisions.py, bans.py, notices), and of every automated hold
(`issue_automated_statement`: a check holding a new or edited comment, the report threshold), shown in the
author's inbox and mailed to a confirmed address by the outbox handler `StatementMail` (handlers.py), in
the author's language. A moderator's approval later marks them reversed."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import msgspec

from rejoinder.events.kinds import Event, EventKind
from rejoinder.i18n import Translator, translator, wrap
from rejoinder.moderation import legal
from rejoinder.moderation.actions import REASON_TEXT, RejectReason
from rejoinder.moderation.notices import Statement
from rejoinder.moderation.rules import Finding
from rejoinder.notify.email import Mail, Mailer, one_line
from rejoinder.services.context import Context
from rejoinder.services.moderation.judging import reason_text
from rejoinder.store import engine as store_engine
from rejoinder.store import identities as identity_store
from rejoinder.store import moderation as moderation_store
from rejoinder.store import notices as store
from rejoinder.store import subscriptions as subscription_store

log = logging.getLogger("rejoinder.moderation")


class Held(msgspec.Struct, frozen=True):
    """The comment an automated hold restricted, as a statement names it."""

    id: str
    site_id: int
    identity_id: str | None


async def issue_statement(
    ctx: Context,
    conn: Any,
    comment: Any,
    action: str,
    *,
    reason_code: str | None,
    facts: str | None,
    now: int,
    notice_id: int | None = None,
    ground: str | None = None,
    automated_check: str | None = None,
) -> Event | None:
    """Write the statement of reasons of an action on `comment` (a ModeratedComment, or anything with
    `id`, `site_id` and `identity_id`) when the action removes or restricts it; the event to commit.
    `automated_check`: the check that took the action by itself (no person decided)."""
    restriction = legal.restriction_of(str(action))
    if restriction is None:
        return None
    automated = automated_check is not None or await store.automated_hold(conn, comment.id)
    kind = legal.ground_of(reason_code, notice_id is not None)
    statement_id = await store.insert_statement(
        conn,
        site_id=comment.site_id,
        comment_id=comment.id,
        identity_id=comment.identity_id,
        restriction=restriction,
        action=str(action),
        reason_code=reason_code,
        facts=facts,
        automated=automated,
        ground_kind=kind,
        ground=ground,
        notice_id=notice_id,
        now=now,
        automated_check=automated_check,
    )
    return await ctx.outbox.add(
        conn,
        EventKind.STATEMENT_ISSUED,
        site_id=comment.site_id,
        subject=str(statement_id),
        data={"comment": comment.id, "restriction": restriction.value, "notice": notice_id},
    )


async def issue_automated_statement(
    ctx: Context, conn: Any, comment: Any, findings: Sequence[Finding], *, now: int
) -> Event | None:
    """The statement of reasons of a comment an automated check held by itself (in the caller's write
    transaction, after the hold): which check and why, on the site's terms. None, and nothing written,
    when no finding restricts on account of the content (pre-moderation holds every comment alike)."""
    finding = legal.restricting_finding(findings)
    if finding is None:
        return None
    return await issue_statement(
        ctx,
        conn,
        comment,
        "hold",
        reason_code=finding.code,
        facts=None,
        now=now,
        automated_check=finding.check,
    )


async def reverse_statements(conn: Any, comment_id: str, now: int) -> None:
    """A moderator approved the comment: its statements in force are marked reversed."""
    await store.reverse_statements(conn, comment_id, now)


def reason_words(tr: Translator, code: str | None) -> str | None:
    """A reject or hold reason in the reader's words (the `reasons` of the locale files)."""
    if code is None:
        return None
    try:
        english: str | None = REASON_TEXT[RejectReason(code)]
    except ValueError:
        english = reason_text(code)
    return tr.reason(code, english)


def statement_lines(tr: Translator, statement: Statement, *, appeal_url: str | None) -> list[tuple[str, str]]:
    """The statement as (label, text) pairs in the reader's language: what the inbox page and the email
    show (Art. 17(3) (a) to (f))."""
    what = tr(f"server.sor.{statement.restriction.value}")
    facts = [tr("server.sor.notice")] if statement.notice_id is not None else []
    why = reason_words(tr, statement.reason_code)
    if why:
        facts.append(why)
    if statement.facts:
        facts.append(statement.facts)
    ground = tr(f"server.sor.ground.{statement.ground_kind.value}")
    if statement.ground:
        ground += " " + statement.ground
    return [
        (tr("server.sor.what"), what),
        (tr("server.sor.facts"), " ".join(facts) or tr("server.sor.noFacts")),
        (tr("server.sor.automated"), tr(automated_key(statement))),
        (tr("server.sor.groundLabel"), ground),
        (tr("server.sor.redress"), tr("server.sor.redressText") + (f" {appeal_url}" if appeal_url else "")),
    ] + ([(tr("server.sor.reversedLabel"), tr("server.sor.reversed"))] if statement.reversed else [])


def automated_key(statement: Statement) -> str:
    """Whether automated means were used (Art. 17(3)(c)): a check decided alone, or flagged for a person."""
    if statement.automated_check is not None:
        return "server.sor.automatedDecision"
    return "server.sor.automatedYes" if statement.automated else "server.sor.automatedNo"


async def author_address(ctx: Context, conn: Any, statement: Statement) -> tuple[str, str] | None:
    """Where and in which language the author is mailed: a signed-in author's verified address, or a
    guest's address once confirmed on the site (a subscription link). None: no confirmed address."""
    comment = await moderation_store.select_moderated(conn, statement.comment_id)
    if comment is None:
        return None
    email: str | None = None
    if comment.identity_id is not None:
        identity = await identity_store.select_identity(conn, comment.identity_id)
        email = identity.email if identity is not None and identity.email else None
    address = None
    if email is None and comment.author_email:
        address = await subscription_store.select_address_by_email(
            conn, comment.site_id, comment.author_email.lower()
        )
        if address is not None and address.confirmed is not None:
            email = address.email
    elif email is not None:
        address = await subscription_store.select_address_by_email(conn, comment.site_id, email.lower())
    if email is None:
        return None
    language = address.language if address is not None else ctx.settings.server.language
    return email, language


@dataclass(frozen=True, eq=False)
class StatementMail:
    """The outbox handler of STATEMENT_ISSUED: the statement mailed to the author's confirmed address, in
    their language; once per statement (`emailed`), with a Message-ID made from the event."""

    ctx: Context
    mailer: Mailer

    async def __call__(self, event: Event) -> None:
        if event.subject_id is None:
            return
        async with store_engine.read(self.ctx.engine) as conn:
            statement = await store.select_statement(conn, event.subject_id)
            if statement is None or statement.emailed is not None:
                return
            found = await author_address(self.ctx, conn, statement)
        if found is None:
            return
        email, language = found
        site = await self.ctx.sites.by_id(statement.site_id)
        tr = translator(language)
        intro = "server.sor.introAutomated" if statement.automated_check else "server.sor.intro"
        lines = [wrap(tr(intro, site=site.name)), ""]
        for label, text in statement_lines(tr, statement, appeal_url=None):
            lines += [label, wrap(text), ""]
        lines.append(wrap(tr("server.sor.inbox")))
        await self.mailer.send(
            Mail(
                to=email,
                subject=tr("server.sor.subject", site=one_line(site.name, 40)),
                text="\n".join(lines) + "\n",
                message_key=f"{event.uid}.statement",
            )
        )
        async with store_engine.write(self.ctx.engine) as conn:
            await store.mark_emailed(conn, statement.id, self.ctx.clock())


def statement_mail_for(ctx: Context) -> StatementMail | None:
    if not ctx.settings.email.host or ctx.mailer is None:
        return None
    return StatementMail(ctx, ctx.mailer)
