"""Judging a comment as it is posted or edited: the facts the site's policy needs, running the pipeline,
the problem a refused text answers, the status it leads to, recording the revision, and what the author
is told."""

from __future__ import annotations

from typing import Any

from rejoinder.domain.comments import CommentStatus
from rejoinder.domain.identity import anonymize_ip
from rejoinder.domain.sites import PremoderationMode, Site
from rejoinder.errors import FieldError, Forbidden, Invalid, ThreadClosed
from rejoinder.moderation import actions as rules
from rejoinder.moderation.checks import facts_read
from rejoinder.moderation.checks.classifier import NullScorer
from rejoinder.moderation.normalize import normalize
from rejoinder.moderation.pipeline import Outcome
from rejoinder.moderation.rules import (
    REPEAT_MIN_CHARS,
    Action,
    Facts,
    Submission,
    email_hash,
    text_digest,
)
from rejoinder.services.context import Context
from rejoinder.services.moderation.runtime import moderation_of
from rejoinder.store import checks as store


async def load_facts(
    ctx: Context,
    conn: Any,
    sub: Submission,
    site: Site,
    *,
    thread_id: int | None,
    text_hash: str | None,
    uri: str | None = None,
    key: str | None = None,
) -> Facts:
    """The facts the site's policy needs; queries for checks that are off, or cannot apply, are skipped,
    and with moderation turned off in the settings there are none (empty `Facts`, no query at all).
    The thread is `thread_id`, or when that is None the one `uri`/`key` names (found in the same query:
    `Facts.thread_id` says which, None for a new thread)."""
    if not ctx.settings.moderation.enabled:
        return Facts()
    mod = moderation_of(ctx)
    policy = mod.pipeline.policy_for(site)
    window = ctx.settings.moderation.repeat_window
    reads = facts_read(policy.checks)  # what the site's checks declare they read (checks/)
    repeats = "recent" in reads and window > 0
    long_text = len(sub.text.strip()) >= REPEAT_MIN_CHARS
    return await store.load_facts(
        conn,
        site_id=sub.site_id,
        thread_id=thread_id,
        author_key=sub.author_key,
        identity_id=sub.identity_id,
        ip_network=anonymize_ip(sub.ip),
        text_hash=text_hash if repeats and long_text and policy.same_text_authors else None,
        since=sub.now - window * 1_000_000,
        now=sub.now,
        exclude_comment=sub.edit_of,
        bans=await mod.bans(conn, sub.site_id, sub.now),
        need_recent=repeats,
        need_approved="approved_count" in reads
        and (
            policy.premoderation is PremoderationMode.FIRST or not isinstance(mod.pipeline.scorer, NullScorer)
        ),
        uri=uri,
        key=key,
    )


def text_hash_of(text: str) -> str:
    return text_digest(normalize(text[:20000]))


def email_hash_of(ctx: Context, email: str | None) -> str | None:
    return email_hash(ctx.id_key, email) if email else None


async def judge(ctx: Context, site: Site, sub: Submission, facts: Facts) -> Outcome:
    """Run the site's pipeline. Raises the problem the writer sees when the outcome refuses the text
    (reject) or asks for a revision (nudge); returns the outcome otherwise (pass, flag or hold)."""
    mod = moderation_of(ctx)
    if not ctx.settings.moderation.enabled:
        return Outcome(action=Action.PASS, findings=())
    if mod.sink is not None:
        mod.sink.refresh_if_due(ctx)  # a model trained on another host (learning.py)
    outcome = await mod.pipeline.run(sub, facts, mod.pipeline.policy_for(site), cpu=ctx.cpu)
    refuse(outcome)
    return outcome


def refuse(outcome: Outcome) -> None:
    """The 4xx problem for a refusing outcome: precise for the writer, generic for bot traps."""
    finding = outcome.decisive
    if finding is None or outcome.action not in (Action.REJECT, Action.NUDGE):
        return
    if finding.check == "honeypot":
        # One code and message for every bot trap, so that a bot cannot tell which one it tripped.
        raise Forbidden(finding.detail, code="comment-refused")
    if finding.code == "author-banned":
        raise Forbidden(finding.detail, code="author-banned")
    if finding.code == "thread-closed":
        raise ThreadClosed(finding.detail)
    if finding.code == "commenting-disabled":
        raise Forbidden(finding.detail, code="commenting-disabled")
    errors = [FieldError("text", f.code, f.detail) for f in outcome.findings if f.action is outcome.action]
    if outcome.action is Action.NUDGE:
        raise Invalid(finding.detail, code="comment-needs-revision", errors=errors)
    raise Invalid(finding.detail, code="comment-rejected", errors=errors)


def status_after(outcome: Outcome, current: CommentStatus | None) -> CommentStatus:
    """The status a checked text leads to: held ones wait; otherwise a new comment is published and an
    edited one keeps its status, except that an approved text, once changed, is unreviewed again."""
    if outcome.action is Action.HOLD:
        return CommentStatus.PENDING
    if current is None or current is CommentStatus.APPROVED:
        return CommentStatus.PUBLISHED
    return current


# Recording a judged revision is the store's: the revision row and the comment's moderation columns.
record = store.record_revision


def reason_text(code: str | None) -> str | None:
    """What an author is told about their own held or rejected comment."""
    if code is None:
        return None
    return _REASONS.get(code) or _REJECTED.get(code) or "A moderator will check this comment."


_REASONS = {
    "premoderated": "Comments here are reviewed before they appear.",
    "new-commenter": "Your first comments here are reviewed before they appear.",
    "guest-comment": "Comments from guests are reviewed before they appear.",
    "has-links": "Comments with links are reviewed before they appear.",
    "too-many-links": "Comments with many links wait for a moderator.",
    "same-text-elsewhere": "The same text was posted by others; a moderator will check it.",
    "likely-spam": "Our spam filter was unsure about this comment; a moderator will check it.",
    "likely-abusive": "This comment may break the discussion rules; a moderator will check it.",
    "reports": "Readers reported this comment; a moderator will check it.",
    "commenter-premoderated": "A moderator reviews your comments here before they appear.",
}
_REJECTED = {r.value: text for r, text in rules.REASON_TEXT.items()}
