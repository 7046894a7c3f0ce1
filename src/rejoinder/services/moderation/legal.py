"""The moderators' side of notices of illegal content (DSA Art. 16-17): the queue, one notice with its
comment, the decision (remove, restrict or no action, with a ground and reasons: one transaction that
changes the comment, writes the statement of reasons for its author and announces NOTICE_DECIDED), and the
export of every notice and statement of reasons for the transparency report (CSV or JSON lines)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator, Sequence
from typing import Any, Literal

import msgspec

from rejoinder.domain.comments import CommentStatus
from rejoinder.errors import ActionInvalid, Conflict, NoticeNotFound
from rejoinder.events.kinds import Event, EventKind
from rejoinder.moderation import legal as rules
from rejoinder.moderation import queue as queues
from rejoinder.moderation.actions import Actor, ModAction
from rejoinder.moderation.notices import Notice, NoticeDecision, Statement
from rejoinder.services.context import Context
from rejoinder.services.moderation.decisions import apply_decision
from rejoinder.store import engine as store_engine
from rejoinder.store import moderation as moderation_store
from rejoinder.store import notices as store

EXPORT_KINDS = ("notices", "statements")
EXPORT_FORMATS = ("csv", "json")
# What a decision does to the comment: removal rejects it (as illegal), a restriction holds it.
ACTIONS = {NoticeDecision.REMOVE: ModAction.REJECT, NoticeDecision.RESTRICT: ModAction.HOLD}
# A comment already in one of these states needs no change: a moderator or a check got there first, and its
# author was given a statement of reasons then.
_GONE = frozenset({CommentStatus.REJECTED, CommentStatus.SPAM, CommentStatus.DELETED})
ALREADY = {
    NoticeDecision.REMOVE: _GONE,
    NoticeDecision.RESTRICT: _GONE | {CommentStatus.PENDING},
    NoticeDecision.NONE: frozenset[CommentStatus](),
}


class NoticeDetail(msgspec.Struct, frozen=True):
    notice: Notice
    comment: queues.ModeratedComment | None  # None: the comment is gone (erased)
    statements: list[Statement]


async def _scope(ctx: Context, actor: Actor) -> list[int] | None:
    if actor.system:
        return None
    return [s.id for s in await ctx.sites.all() if actor.can_moderate(s.id)]


async def list_notices(ctx: Context, actor: Actor, *, open_only: bool = True) -> list[Notice]:
    scope = await _scope(ctx, actor)
    async with store_engine.read(ctx.engine) as conn:
        return await store.select_notices(conn, scope, open_only=open_only)


async def count_open(ctx: Context, actor: Actor) -> int:
    scope = await _scope(ctx, actor)
    async with store_engine.read(ctx.engine) as conn:
        return await store.count_open_notices(conn, scope)


async def notice_detail(ctx: Context, actor: Actor, notice_id: int) -> NoticeDetail:
    async with store_engine.read(ctx.engine) as conn:
        notice = await store.select_notice(conn, notice_id)
        if notice is None or not actor.can_moderate(notice.site_id):
            raise NoticeNotFound()
        comment = await moderation_store.select_moderated(conn, notice.comment_id)
        said = await store.select_statements_for_comment(conn, notice.comment_id)
    return NoticeDetail(notice=notice, comment=comment, statements=said)


async def decide_notice(
    ctx: Context,
    actor: Actor,
    notice_id: int,
    decision: str | None,
    *,
    ground: str | None,
    reasons: str | None,
) -> Notice:
    """Decide on an open notice. Remove rejects the comment (reason `illegal`), restrict holds it; both
    give its author a statement of reasons that names the notice, the ground and the reasons. No action
    leaves the comment as it is. The notifier is mailed the decision (NOTICE_DECIDED).

    Raises:
        Invalid: notice-decision-invalid, notice-reasons-invalid, notice-ground-invalid; NoticeNotFound;
        Conflict notice-decided (already decided); Conflict from the comment's status (e.g. already
        removed: choose no action and say so).
    """
    chosen = rules.check_decision(decision)
    where, why = rules.check_reasons(ground, reasons)
    now = ctx.clock()
    events: list[Event] = []
    async with store_engine.write(ctx.engine) as conn:
        notice = await store.select_notice(conn, notice_id)
        if notice is None or not actor.can_moderate(notice.site_id):
            raise NoticeNotFound()
        if notice.decided is not None:
            raise Conflict("This notice has already been decided", code="notice-decided")
        action = ACTIONS.get(chosen)
        comment = None
        if action is not None:
            comment = await moderation_store.select_moderated(conn, notice.comment_id)
            if comment is None:
                raise ActionInvalid.at("decision", "The comment no longer exists: choose no action")
            if comment.status in ALREADY[chosen]:
                action = None  # already removed (or held): the decision is recorded, the comment stays so
        if action is not None and comment is not None:
            events += await apply_decision(
                ctx,
                conn,
                actor,
                comment,
                action,
                why="illegal" if action is ModAction.REJECT else None,
                note=why,
                now=now,
                notice_id=notice.id,
                ground=where,
            )
        if not await store.update_decision(
            conn, notice.id, chosen, ground=where, reasons=why, by=actor.id, now=now
        ):
            raise Conflict("This notice has already been decided", code="notice-decided")
        events.append(
            await ctx.outbox.add(
                conn,
                EventKind.NOTICE_DECIDED,
                site_id=notice.site_id,
                subject=str(notice.id),
                data={"comment": notice.comment_id, "decision": chosen.value, "actor": actor.id},
            )
        )
        decided = await store.select_notice(conn, notice.id)
    ctx.outbox.committed(*events)
    assert decided is not None
    return decided


# --- the transparency report's data ----------------------------------------------------------------------

NOTICE_COLUMNS = (
    "id",
    "site_id",
    "comment_id",
    "category",
    "location",
    "notifier_named",
    "created",
    "decided",
    "decision",
    "ground",
    "reasons",
    "decided_by",
)
STATEMENT_COLUMNS = (
    "id",
    "site_id",
    "comment_id",
    "restriction",
    "action",
    "reason_code",
    "automated",
    "ground_kind",
    "ground",
    "facts",
    "notice_id",
    "created",
    "emailed",
    "automated_check",
    "reversed",
)


def _iso(us: int | None) -> str | None:
    from datetime import UTC, datetime

    return None if us is None else datetime.fromtimestamp(us / 1_000_000, UTC).isoformat()


def notice_record(n: Notice) -> dict[str, Any]:
    """A notice as the report shows it: the notifier's name, email and explanation are left out (personal
    data; the report needs counts and outcomes), `notifier_named` says whether they were given."""
    return {
        "id": n.id,
        "site_id": n.site_id,
        "comment_id": n.comment_id,
        "category": n.category.value,
        "location": n.location,
        "notifier_named": n.notifier_name is not None,
        "created": _iso(n.created),
        "decided": _iso(n.decided),
        "decision": n.decision.value if n.decision else None,
        "ground": n.ground,
        "reasons": n.reasons,
        "decided_by": n.decided_by,
    }


def statement_record(s: Statement) -> dict[str, Any]:
    return {
        "id": s.id,
        "site_id": s.site_id,
        "comment_id": s.comment_id,
        "restriction": s.restriction.value,
        "action": s.action,
        "reason_code": s.reason_code,
        "automated": s.automated,
        "ground_kind": s.ground_kind.value,
        "ground": s.ground,
        "facts": s.facts,
        "notice_id": s.notice_id,
        "created": _iso(s.created),
        "emailed": _iso(s.emailed),
        "automated_check": s.automated_check,  # the check that decided alone (Art. 15(1)(e), 17(3)(c))
        "reversed": _iso(s.reversed),  # a moderator approved the comment again
    }


def check_export(kind: str, fmt: str) -> tuple[Literal["notices", "statements"], Literal["csv", "json"]]:
    if kind not in EXPORT_KINDS:
        raise ActionInvalid.at("kind", "Export notices or statements")
    if fmt not in EXPORT_FORMATS:
        raise ActionInvalid.at("format", "Export as csv or json")
    return kind, fmt  # type: ignore[return-value]


async def export(
    ctx: Context, actor: Actor, kind: str, fmt: str, *, site_ids: Sequence[int] | None = None
) -> AsyncIterator[str]:
    """Every notice or statement of reasons of the actor's sites (or `site_ids` of them), oldest first,
    as CSV (a header line, then one row each) or JSON lines. Streams: nothing is held in memory."""
    what, how = check_export(kind, fmt)
    scope = await _scope(ctx, actor)
    if site_ids is not None:
        scope = [s for s in site_ids if scope is None or s in scope]
    columns = NOTICE_COLUMNS if what == "notices" else STATEMENT_COLUMNS
    if how == "csv":
        yield _csv_line(columns)
    async with store_engine.read(ctx.engine) as conn:
        rows: AsyncIterator[Any] = (
            store.stream_notices(conn, scope) if what == "notices" else store.stream_statements(conn, scope)
        )
        async for row in rows:
            record = notice_record(row) if what == "notices" else statement_record(row)
            if how == "csv":
                yield _csv_line(["" if record[c] is None else record[c] for c in columns])
            else:
                yield json.dumps(record, ensure_ascii=False) + "\n"


def _csv_line(values: Sequence[Any]) -> str:
    out = io.StringIO()
    # A cell starting with =, +, - or @ is a formula in a spreadsheet: quote it with a leading '.
    safe = [("'" + v) if isinstance(v, str) and v[:1] in ("=", "+", "-", "@") else v for v in values]
    csv.writer(out, lineterminator="\n").writerow(safe)
    return out.getvalue()
