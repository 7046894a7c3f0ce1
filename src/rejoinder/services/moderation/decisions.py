"""What moderators do to one comment or thread: decide (approve, reject, spam, delete, hold), pin or
feature, close or open a thread. Each action is one transaction that also writes the log."""

from __future__ import annotations

import logging
from typing import Any, NamedTuple, Unpack

from rejoinder import metrics
from rejoinder.domain.comments import PUBLIC_STATUSES, CommentStatus
from rejoinder.domain.urls import check_text_field
from rejoinder.errors import ActionInvalid, CommentDeleted, CommentNotFound, ThreadNotFound
from rejoinder.events.kinds import Event, EventKind, status_change
from rejoinder.moderation import actions as rules
from rejoinder.moderation import queue as queues
from rejoinder.moderation import reports as report_rules
from rejoinder.moderation.actions import Actor, ModAction
from rejoinder.services.context import Context
from rejoinder.services.moderation.runtime import Decision, moderation_of
from rejoinder.services.moderation.statements import issue_statement, reverse_statements
from rejoinder.services.threads import event_thread_by_id
from rejoinder.store import engine as store_engine
from rejoinder.store import moderation as store
from rejoinder.store import moderation_log as log_store
from rejoinder.store import reports as report_store
from rejoinder.store import roles as role_store
from rejoinder.store import threads as thread_store
from rejoinder.store.moderation_log import LogDetails

log = logging.getLogger("rejoinder.moderation")


async def actor_for(ctx: Context, identity_id: str) -> Actor:
    """An identity with its roles, as it acts in moderation."""
    async with store_engine.read(ctx.engine) as conn:
        return Actor(id=identity_id, roles=tuple(await role_store.select_all_roles(conn, identity_id)))


async def load_comment(conn: Any, comment_id: str) -> queues.ModeratedComment:
    check_text_field(comment_id, "id")
    comment = await store.select_moderated(conn, comment_id)
    if comment is None:
        raise CommentNotFound()
    return comment


class LogTarget(NamedTuple):
    """What a line of the moderation log is about: its kind ("comment", "thread", "identity", "ban"…) and id."""

    kind: str
    id: str


async def log_action(
    conn: Any,
    site_id: int | None,
    actor: str,
    action: ModAction,
    target: LogTarget,
    now: int,
    **details: Unpack[LogDetails],
) -> None:
    """Write a line of the moderation log: `actor` did `action` to `target` on `site_id` (None: every
    site); `details`: reason_code, note, data."""
    await log_store.insert_log(
        conn,
        site_id=site_id,
        now=now,
        actor=actor,
        action=action.value,
        target_kind=target.kind,
        target_id=target.id,
        **details,
    )


async def log_on_comment(
    conn: Any,
    comment: queues.ModeratedComment,
    actor: str,
    action: ModAction,
    now: int,
    **details: Unpack[LogDetails],
) -> None:
    """Write the log line of an action on one comment; `details`: reason_code, note, data."""
    await log_action(conn, comment.site_id, actor, action, LogTarget("comment", comment.id), now, **details)


async def decide(
    ctx: Context,
    actor: Actor,
    comment_id: str,
    action: ModAction,
    *,
    reason: str | None = None,
    note: str | None = None,
) -> queues.ModeratedComment:
    """Approve (optionally as "political-speech": not abuse, for the classifier to learn), reject (with a
    reason code), mark as spam, delete, or hold a comment. Resolves its open
    reports (approve dismisses them; the others uphold them), keeps the thread's count right and logs."""
    if action not in rules.TARGET_STATUS:
        raise ActionInvalid.at("action", f"{action.value} is not a decision on a comment")
    if action is ModAction.REJECT:
        why: str | None = rules.check_reason(reason).value
    elif action is ModAction.APPROVE and reason is not None:
        why = rules.check_approve_reason(reason).value  # "not abuse: political speech", for the classifier
    else:
        why = None
    words = rules.check_note(note)
    now = ctx.clock()
    async with store_engine.write(ctx.engine) as conn:
        comment = await load_comment(conn, comment_id)
        actor.require_moderator(comment.site_id)
        events = await apply_decision(ctx, conn, actor, comment, action, why=why, note=words, now=now)
        updated = await store.select_moderated(conn, comment.id)
    ctx.outbox.committed(*events)  # the classifier learns from it (handlers.py: classifier_learning)
    metrics.MODERATION.labels(action.value).inc()
    assert updated is not None
    return updated


async def apply_decision(
    ctx: Context,
    conn: Any,
    actor: Actor,
    comment: queues.ModeratedComment,
    action: ModAction,
    *,
    why: str | None,
    note: str | None,
    now: int,
    notice_id: int | None = None,
    ground: str | None = None,
) -> list[Event]:
    """A decision inside the caller's transaction: the status, the thread's count, the reports, the log,
    the event, and when the comment is removed or restricted the statement of reasons for its author
    (DSA Art. 17; `notice_id` and `ground` when it answers a notice of illegal content). Returns the
    events to hand to `ctx.outbox.committed` after commit."""
    if comment.status is CommentStatus.DELETED:
        raise CommentDeleted()
    after = rules.check_transition(comment.status, action)
    if action is ModAction.DELETE:
        from rejoinder.store import comments as comment_store

        await comment_store.mark_deleted(conn, comment.id, now)
        await store.update_status(conn, comment.id, after, reason=None, now=now, by=actor.id)
    else:
        reason_code = (why if action is ModAction.REJECT else None) or (
            "spam" if action is ModAction.SPAM else None
        )
        await store.update_status(conn, comment.id, after, reason=reason_code, now=now, by=actor.id)
    delta = rules.count_delta(comment.status, after)
    if delta:
        await thread_store.add_to_thread_counts(conn, comment.thread_id, comments=delta)
    if comment.report_count:
        resolution = (
            report_rules.Resolution.DISMISSED
            if action is ModAction.APPROVE
            else report_rules.Resolution.UPHELD
        )
        await report_store.resolve_reports(conn, comment.id, resolution, now=now, by=actor.id)
    data = {"before": comment.status.value, "after": after.value}
    if notice_id is not None:
        data["notice"] = str(notice_id)
    await log_on_comment(conn, comment, actor.id, action, now, reason_code=why, note=note, data=data)
    thread = await event_thread_by_id(conn, comment.thread_id)
    events = [
        await ctx.outbox.add(
            conn,
            EventKind.COMMENT_DELETED if action is ModAction.DELETE else EventKind.COMMENT_STATUS_CHANGED,
            thread=thread,
            subject=comment.id,
            data=status_change(after, comment.status, action, reason=why, actor=actor.id),
        )
    ]
    if after in PUBLIC_STATUSES:
        await reverse_statements(conn, comment.id, now)  # an approval lifts the restrictions stated
    statement = await issue_statement(
        ctx, conn, comment, action, reason_code=why, facts=note, now=now, notice_id=notice_id, ground=ground
    )
    if statement is not None:
        events.append(statement)
    return events


LEARNED_FROM = frozenset({ModAction.APPROVE.value, ModAction.REJECT.value, ModAction.SPAM.value})


class LearnFromDecisions:
    """The outbox handler that hands moderators' decisions (approve, reject with a reason, spam) to the
    decision sink, i.e. the learning classifier (learning.py). A decision is stored once per event id, so
    a redelivery adds nothing."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    async def __call__(self, event: Event) -> None:
        action = event.data.get("action")
        if event.data.get("by") != "moderator" or action not in LEARNED_FROM or event.subject is None:
            return
        async with store_engine.read(self.ctx.engine) as conn:
            comment = await store.select_moderated(conn, event.subject)
        sink = moderation_of(self.ctx).sink  # read now: an app may swap its classifier
        if comment is None or sink is None:
            return
        try:
            await sink.decided(
                self.ctx, Decision(event.uid, comment, ModAction(action), event.data.get("reason"))
            )
        except Exception:  # learning is best effort: one bad example must not block the rest
            log.exception("[rejoinder] the decision sink failed")


async def mark(ctx: Context, actor: Actor, comment_id: str, action: ModAction) -> None:
    """Pin, unpin, feature or unfeature a comment."""
    values = {
        ModAction.PIN: {"pinned": True},
        ModAction.UNPIN: {"pinned": False},
        ModAction.FEATURE: {"featured": True},
        ModAction.UNFEATURE: {"featured": False},
    }.get(action)
    if values is None:
        raise ActionInvalid.at("action", f"{action.value} is not a mark")
    now = ctx.clock()
    async with store_engine.write(ctx.engine) as conn:
        comment = await load_comment(conn, comment_id)
        actor.require_moderator(comment.site_id)
        await store.update_marks(conn, comment.id, **values)
        await log_on_comment(conn, comment, actor.id, action, now)
        ((field, value),) = values.items()
        event = await ctx.outbox.add(
            conn,
            EventKind.COMMENT_PINNED if field == "pinned" else EventKind.COMMENT_FEATURED,
            thread=await event_thread_by_id(conn, comment.thread_id),
            subject=comment.id,
            data={field: value, "actor": actor.id},
        )
    ctx.outbox.committed(event)


async def set_thread_closed(
    ctx: Context, actor: Actor, thread_id: int, *, closed: bool, note: str | None = None
) -> None:
    """Close a thread to new comments, or open it again (then the site's close-after-N-days rule no
    longer applies to it)."""
    now = ctx.clock()
    async with store_engine.write(ctx.engine) as conn:
        site_id = await store.select_thread_site(conn, thread_id)
        if site_id is None:
            raise ThreadNotFound()
        actor.require_moderator(site_id)
        await store.update_thread_closed(conn, thread_id, closed=closed, now=now)
        action = ModAction.CLOSE if closed else ModAction.OPEN
        target = LogTarget("thread", str(thread_id))
        await log_action(conn, site_id, actor.id, action, target, now, note=rules.check_note(note))
        event = await ctx.outbox.add(
            conn,
            EventKind.THREAD_CLOSED if closed else EventKind.THREAD_OPENED,
            thread=await event_thread_by_id(conn, thread_id),
            data={"actor": actor.id},
        )
    ctx.outbox.committed(event)


async def moderated(conn: Any, comment_id: str) -> queues.ModeratedComment:
    """A comment's moderation state (for an edit: its identity and revision)."""
    return await load_comment(conn, comment_id)
