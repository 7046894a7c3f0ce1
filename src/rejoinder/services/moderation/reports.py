"""Reader reports: one per reader counts, and enough open reports hold a published comment."""

from __future__ import annotations

import hashlib
from typing import Any

import msgspec
from sqlalchemy.ext.asyncio import AsyncConnection

from rejoinder.domain.comments import PUBLIC_STATUSES, CommentStatus, comment_not_found
from rejoinder.domain.identity import visitor_hash
from rejoinder.domain.likes import check_visitor
from rejoinder.domain.sites import Site, SiteGuard
from rejoinder.domain.urls import check_text_field
from rejoinder.events.kinds import Event, EventKind, status_change
from rejoinder.moderation import reports as report_rules
from rejoinder.moderation.actions import ModAction
from rejoinder.moderation.queue import ModeratedComment
from rejoinder.ratelimit import Action as Limited
from rejoinder.ratelimit import Scope, network_key
from rejoinder.services.context import Context
from rejoinder.services.moderation.decisions import log_on_comment
from rejoinder.services.moderation.runtime import admit, moderation_of
from rejoinder.services.moderation.statements import issue_statement
from rejoinder.services.threads import event_thread_by_id
from rejoinder.store import engine as store_engine
from rejoinder.store import moderation as store
from rejoinder.store import reports as report_store
from rejoinder.store import threads as thread_store


class Reported(msgspec.Struct, frozen=True):
    reported: bool  # False: this reader had already reported the comment
    held: bool  # the report held the comment


async def reportable(
    ctx: Context, conn: AsyncConnection, comment_id: str, site_guard: SiteGuard | None
) -> tuple[ModeratedComment, Site]:
    """A public comment readers may report or send a notice about, and its site, once `site_guard` (when
    given) accepts the site; comment-not-found for any other."""
    comment = await store.select_moderated(conn, comment_id)
    if comment is None or comment.status not in PUBLIC_STATUSES:
        raise comment_not_found()
    site = await ctx.sites.by_id(comment.site_id)
    if site_guard is not None:
        site_guard(site)
    return comment, site


async def report_comment(
    ctx: Context,
    comment_id: str,
    reason: str,
    note: str | None,
    *,
    visitor: str | None,
    identity_id: str | None,
    ip: str | None,
    site_guard: SiteGuard | None = None,
) -> Reported:
    """A reader reports a public comment. One report per reader (identity, else visitor id, else
    network) counts; `reports_to_hold` open reports hold a published comment. `site_guard` is called
    with the comment's site before anything is stored (web/wire.origin_guard refusing a page the site does
    not allow, and the session's site check)."""
    check_text_field(comment_id, "id")
    why = report_rules.check_reason(reason)
    words = report_rules.check_note(note)
    await admit(ctx, Limited.REPORT, {Scope.IP: ip, Scope.IDENTITY: identity_id})
    if identity_id:
        reporter = "i:" + identity_id
    elif visitor:
        reporter = "v:" + visitor_hash(ctx.id_key, check_visitor(visitor))
    else:
        reporter = "n:" + (network_key(ip) or "unknown")
    reporter = hashlib.sha256(ctx.id_key + reporter.encode()).hexdigest()
    now = ctx.clock()
    async with store_engine.write(ctx.engine) as conn:
        comment, site = await reportable(ctx, conn, comment_id, site_guard)
        added = await report_store.insert_report(
            conn, comment_id, reason=why, note=words, reporter=reporter, identity_id=identity_id, now=now
        )
        held = False
        if added:
            threshold = moderation_of(ctx).pipeline.policy_for(site).reports_to_hold
            open_reports = await report_store.count_open_reports(conn, comment_id)
            if report_rules.holds(comment.status, open_reports, threshold):
                await store.update_status(
                    conn, comment_id, CommentStatus.PENDING, reason="reports", now=now, by=None
                )
                await thread_store.add_to_thread_counts(conn, comment.thread_id, comments=-1)
                data = {"reports": open_reports, "before": comment.status.value}
                await log_on_comment(
                    conn, comment, "reports", ModAction.HOLD, now, reason_code="reports", data=data
                )
                held = True
        events: list[Event] = []
        if added:
            thread = await event_thread_by_id(conn, comment.thread_id)
            announced: list[tuple[EventKind, dict[str, Any]]] = [
                (EventKind.REPORT_FILED, {"reason": why.value, "held": held})
            ]
            if held:
                change = status_change(
                    CommentStatus.PENDING,
                    comment.status,
                    ModAction.HOLD,
                    reason="reports",
                    actor="reports",
                    by="reports",
                )
                announced.append((EventKind.COMMENT_STATUS_CHANGED, change))
            for kind, data in announced:
                events.append(await ctx.outbox.add(conn, kind, thread=thread, subject=comment_id, data=data))
            if held:
                # The report threshold held it by itself: an automated restriction, with its statement.
                statement = await issue_statement(
                    ctx,
                    conn,
                    comment,
                    ModAction.HOLD,
                    reason_code="reports",
                    facts=None,
                    now=now,
                    automated_check="reports",
                )
                if statement is not None:
                    events.append(statement)
    ctx.outbox.committed(*events)
    return Reported(reported=added, held=held)
