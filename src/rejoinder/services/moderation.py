"""Moderation use cases: judging a comment as it is posted or edited (the pipeline, with its facts and
refusals), the comment form's token, reader reports, and what moderators do (decide, mark, close, ban,
grant roles, read queues and the log). Each moderator action is one transaction that also writes the log.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx
import msgspec

from rejoinder.config import Settings
from rejoinder.domain.comments import PUBLIC_STATUSES, CommentStatus
from rejoinder.domain.identity import anonymize_ip, visitor_hash
from rejoinder.domain.likes import check_visitor
from rejoinder.domain.sites import Site
from rejoinder.domain.urls import check_text_field
from rejoinder.errors import FieldError, Forbidden, Invalid, NotFound
from rejoinder.moderation import actions as rules
from rejoinder.moderation import queue as queues
from rejoinder.moderation import reports as report_rules
from rejoinder.moderation.actions import Actor, ModAction
from rejoinder.moderation.normalize import normalize
from rejoinder.moderation.pipeline import NullScorer, Outcome, Pipeline, SpamScorer
from rejoinder.moderation.rules import (
    REPEAT_MIN_CHARS,
    Action,
    Ban,
    Facts,
    FormToken,
    Role,
    Submission,
    email_hash,
    text_digest,
)
from rejoinder.ratelimit import Action as Limited
from rejoinder.ratelimit import Limiter, RateLimiter, Scope, TrustedProxies, network_key
from rejoinder.services.context import Context
from rejoinder.services.threads import cache_keys
from rejoinder.store import engine as store_engine
from rejoinder.store import moderation as store
from rejoinder.store import reports as report_store
from rejoinder.store import threads as thread_store

log = logging.getLogger("rejoinder.moderation")

FORM_TOKEN_MAX_AGE = 24 * 3600  # seconds a form token stays valid
FORM_TOKEN_SKEW = 60  # seconds a token may seem to come from the future (several hosts' clocks)


class DecisionSink(Protocol):
    """Told about every moderator decision on a comment (approve, reject with its reason code, spam):
    the learning classifier's way to collect labelled examples. Must not raise."""

    def decided(
        self, site_id: int, comment: queues.ModeratedComment, action: ModAction, reason: str | None
    ) -> None: ...


ABUSIVE_REASONS = frozenset({"abuse", "harassment", "hate"})


class ClassifierSink:
    """Teaches the learning classifier (spam.py) from moderators' decisions: approve is ham, spam is spam,
    a rejection as abuse, harassment or hate is abuse (other rejections teach nothing). Every
    `train_every` new decisions of a site, the site's model is trained again in the background."""

    def __init__(self, classifier: Any, *, train_every: int = 10) -> None:
        from rejoinder.moderation.spam import Example, Label

        self.classifier = classifier
        self.train_every = train_every
        self._example, self._label = Example, Label
        self._tasks: set[asyncio.Task[Any]] = set()

    def label_of(self, action: ModAction, reason: str | None) -> Any:
        if action is ModAction.APPROVE:
            return self._label.HAM
        if action is ModAction.SPAM:
            return self._label.SPAM
        if action is ModAction.REJECT and reason in ABUSIVE_REASONS:
            return self._label.ABUSE
        return None

    def decided(
        self, site_id: int, comment: queues.ModeratedComment, action: ModAction, reason: str | None
    ) -> None:
        label = self.label_of(action, reason)
        if label is None:
            return
        example = self._example(
            comment.text, author_name=comment.author_name, website=comment.author_website or ""
        )
        pending = self.classifier.learn(site_id, example, label, key=comment.id)
        if pending >= self.train_every:
            task = asyncio.get_running_loop().create_task(self.classifier.train(site_id))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)


@dataclass
class Moderation:
    """The moderation parts a running app shares: pipeline, rate limiter, trusted proxies, the HTTP client
    of external checks and the decision sink. `Moderation.default(settings)` is what a Context without
    one gets (memory limits, no external checks)."""

    pipeline: Pipeline
    limiter: Limiter
    proxies: TrustedProxies
    http: httpx.AsyncClient | None = None
    sink: DecisionSink | None = None
    owns_http: bool = field(default=False, repr=False)

    @classmethod
    def default(
        cls, settings: Settings, *, scorer: SpamScorer | None = None, http: bool = False
    ) -> Moderation:
        client = httpx.AsyncClient(follow_redirects=False) if http else None
        return cls(
            pipeline=Pipeline.from_settings(settings.moderation, scorer=scorer, http=client),
            limiter=RateLimiter.from_settings(settings),
            proxies=TrustedProxies(settings.moderation.trusted_proxies),
            http=client,
            owns_http=http,
        )

    _bans: dict[int, tuple[float, tuple[Ban, ...]]] = field(default_factory=dict, repr=False)

    async def bans(self, conn: Any, site_id: int, now: int) -> tuple[Ban, ...]:
        """The site's active bans, reused for BAN_CACHE_SECONDS (other workers see a new ban that late)."""
        cached = self._bans.get(site_id)
        if cached is not None and time.monotonic() < cached[0]:
            return tuple(b for b in cached[1] if b.until is None or b.until > now)
        found = await store.select_active_bans(conn, site_id, now)
        self._bans[site_id] = (time.monotonic() + BAN_CACHE_SECONDS, found)
        return found

    def forget_bans(self) -> None:
        self._bans.clear()

    async def close(self) -> None:
        await self.limiter.close()
        if self.http is not None and self.owns_http:
            await self.http.aclose()


def moderation_of(ctx: Context) -> Moderation:
    if ctx.moderation is None:
        ctx.moderation = Moderation.default(ctx.settings)
    return ctx.moderation


# --- the form token ----------------------------------------------------------------------------------


def _form_mac(secret: bytes, issued_ms: int) -> str:
    mac = hmac.new(secret, f"rejoinder-comment-form\x00{issued_ms}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()[:18]).decode("ascii")


def issue_form_token(ctx: Context) -> str:
    """`<issued ms>.<HMAC>`: proves when the comment form was shown (the minimum-time check)."""
    issued = ctx.clock() // 1000
    return f"{issued}.{_form_mac(ctx.secret, issued)}"


def read_form_token(ctx: Context, token: str | None) -> tuple[FormToken, float | None]:
    """The token's state and the form's age in seconds."""
    if token is None or token == "":
        return FormToken.MISSING, None
    issued, _, mac = token.partition(".")
    if not (issued.isascii() and issued.isdigit() and len(issued) <= 15 and len(token) <= 64):
        return FormToken.INVALID, None
    if not hmac.compare_digest(_form_mac(ctx.secret, int(issued)).encode(), mac.encode("utf-8", "replace")):
        return FormToken.INVALID, None
    age = ctx.clock() / 1000 / 1000 - int(issued) / 1000
    if age > FORM_TOKEN_MAX_AGE or age < -FORM_TOKEN_SKEW:
        return FormToken.EXPIRED, age
    return FormToken.OK, age


# --- judging a comment -------------------------------------------------------------------------------


async def admit(ctx: Context, action: Limited, keys: Mapping[Scope, str | None]) -> None:
    """Count an attempt against the rate limits (raises RateLimited); IP keys are grouped by network."""
    if Scope.IP in keys:
        keys = {**keys, Scope.IP: network_key(keys[Scope.IP])}
    await moderation_of(ctx).limiter.hit(action, keys)


BAN_CACHE_SECONDS = 5.0  # how long a worker reuses a site's active bans (its own bans apply at once)


async def load_facts(
    ctx: Context, conn: Any, sub: Submission, site: Site, *, thread_id: int | None, text_hash: str | None
) -> Facts:
    """The facts the site's policy needs; queries for checks that are off, or cannot apply, are skipped."""
    mod = moderation_of(ctx)
    policy = mod.pipeline.policy_for(site)
    window = ctx.settings.moderation.repeat_window
    repeats = "repeats" in policy.checks and window > 0
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
        need_approved=policy.premoderation == "first" or not isinstance(mod.pipeline.scorer, NullScorer),
    )


def text_hash_of(text: str) -> str:
    return text_digest(normalize(text[:20000]))


def email_hash_of(ctx: Context, email: str | None) -> str | None:
    return email_hash(ctx.secret, email) if email else None


async def judge(ctx: Context, site: Site, sub: Submission, facts: Facts) -> Outcome:
    """Run the site's pipeline. Raises the problem the writer sees when the outcome refuses the text
    (reject) or asks for a revision (nudge); returns the outcome otherwise (pass, flag or hold)."""
    mod = moderation_of(ctx)
    if not ctx.settings.moderation.enabled:
        return Outcome(action=Action.PASS, findings=())
    outcome = await mod.pipeline.run(sub, facts, mod.pipeline.policy_for(site))
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
        raise Forbidden(finding.detail, code="thread-closed")
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


async def record(
    conn: Any,
    comment_id: str,
    *,
    revision: int,
    text: str,
    now: int,
    outcome: Outcome,
    status: CommentStatus,
    text_hash: str | None,
    staff: bool,
) -> None:
    await store.record_revision(
        conn,
        comment_id,
        revision=revision,
        text=text,
        now=now,
        outcome=outcome,
        status=status,
        text_hash=text_hash,
        staff=staff,
    )


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
}
_REJECTED = {r.value: text for r, text in rules.REASON_TEXT.items()}


# --- reader reports ------------------------------------------------------------------------------------


class Reported(msgspec.Struct, frozen=True):
    reported: bool  # False: this reader had already reported the comment
    held: bool  # the report held the comment


async def report_comment(
    ctx: Context,
    comment_id: str,
    reason: str,
    note: str | None,
    *,
    visitor: str | None,
    identity_id: str | None,
    ip: str | None,
) -> Reported:
    """A reader reports a public comment. One report per reader (identity, else visitor id, else
    network) counts; `reports_to_hold` open reports hold a published comment."""
    check_text_field(comment_id, "id")
    why = report_rules.check_reason(reason)
    words = report_rules.check_note(note)
    await admit(ctx, Limited.REPORT, {Scope.IP: ip, Scope.IDENTITY: identity_id})
    if identity_id:
        reporter = "i:" + identity_id
    elif visitor:
        reporter = "v:" + visitor_hash(ctx.secret, check_visitor(visitor))
    else:
        reporter = "n:" + (network_key(ip) or "unknown")
    reporter = hashlib.sha256(ctx.secret + reporter.encode()).hexdigest()
    now = ctx.clock()
    async with store_engine.write(ctx.engine) as conn:
        comment = await store.select_moderated(conn, comment_id)
        if comment is None or comment.status not in PUBLIC_STATUSES:
            raise NotFound("There is no public comment with this id", code="comment-not-public")
        site = await ctx.sites.by_id(comment.site_id)
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
                await store.insert_log(
                    conn,
                    site_id=comment.site_id,
                    now=now,
                    actor="reports",
                    action=ModAction.HOLD.value,
                    target_kind="comment",
                    target_id=comment_id,
                    reason_code="reports",
                    data={"reports": open_reports, "before": comment.status.value},
                )
                held = True
    if held:
        ctx.invalidator.bump(
            cache_keys(comment.site_id, comment.thread_uri, await _thread_key(ctx, comment.thread_id))
        )
    return Reported(reported=added, held=held)


async def _thread_key(ctx: Context, thread_id: int) -> str | None:
    async with store_engine.read(ctx.engine) as conn:
        thread = await thread_store.select_thread_by_id(conn, thread_id)
    return thread.key if thread else None


# --- moderators -----------------------------------------------------------------------------------------


async def actor_for(ctx: Context, identity_id: str) -> Actor:
    """An identity with its roles, as it acts in moderation."""
    async with store_engine.read(ctx.engine) as conn:
        return Actor(id=identity_id, roles=tuple(await store.select_all_roles(conn, identity_id)))


async def _load(conn: Any, comment_id: str) -> queues.ModeratedComment:
    check_text_field(comment_id, "id")
    comment = await store.select_moderated(conn, comment_id)
    if comment is None:
        raise NotFound("There is no comment with this id", code="comment-not-found")
    return comment


async def _bump(ctx: Context, conn: Any, thread_id: int) -> list[str]:
    thread = await thread_store.select_thread_by_id(conn, thread_id)
    return cache_keys(thread.site_id, thread.uri, thread.key) if thread else []


async def decide(
    ctx: Context,
    actor: Actor,
    comment_id: str,
    action: ModAction,
    *,
    reason: str | None = None,
    note: str | None = None,
) -> queues.ModeratedComment:
    """Approve, reject (with a reason code), mark as spam, delete, or hold a comment. Resolves its open
    reports (approve dismisses them; the others uphold them), keeps the thread's count right and logs."""
    if action not in rules.TARGET_STATUS:
        raise Invalid.field("action", "action-invalid", f"{action.value} is not a decision on a comment")
    why = rules.check_reason(reason).value if action is ModAction.REJECT else None
    words = rules.check_note(note)
    now = ctx.clock()
    async with store_engine.write(ctx.engine) as conn:
        comment = await _load(conn, comment_id)
        actor.require_moderator(comment.site_id)
        if comment.status is CommentStatus.DELETED:
            raise NotFound("This comment has been deleted", code="comment-deleted")
        after = rules.check_transition(comment.status, action)
        if action is ModAction.DELETE:
            from rejoinder.store import comments as comment_store

            await comment_store.mark_deleted(conn, comment.id, now)
            await store.update_status(conn, comment.id, after, reason=None, now=now, by=actor.id)
        else:
            reason_code = why or ("spam" if action is ModAction.SPAM else None)
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
        await store.insert_log(
            conn,
            site_id=comment.site_id,
            now=now,
            actor=actor.id,
            action=action.value,
            target_kind="comment",
            target_id=comment.id,
            reason_code=why,
            note=words,
            data={"before": comment.status.value, "after": after.value},
        )
        keys = await _bump(ctx, conn, comment.thread_id)
        updated = await store.select_moderated(conn, comment.id)
    ctx.invalidator.bump(keys)
    assert updated is not None
    sink = moderation_of(ctx).sink
    if sink is not None and action in (ModAction.APPROVE, ModAction.REJECT, ModAction.SPAM):
        try:
            sink.decided(comment.site_id, comment, action, why)
        except Exception:  # learning is best effort: the decision itself is done
            log.exception("[rejoinder] the decision sink failed")
    return updated


async def mark(ctx: Context, actor: Actor, comment_id: str, action: ModAction) -> None:
    """Pin, unpin, feature or unfeature a comment."""
    values = {
        ModAction.PIN: {"pinned": True},
        ModAction.UNPIN: {"pinned": False},
        ModAction.FEATURE: {"featured": True},
        ModAction.UNFEATURE: {"featured": False},
    }.get(action)
    if values is None:
        raise Invalid.field("action", "action-invalid", f"{action.value} is not a mark")
    now = ctx.clock()
    async with store_engine.write(ctx.engine) as conn:
        comment = await _load(conn, comment_id)
        actor.require_moderator(comment.site_id)
        await store.update_marks(conn, comment.id, **values)
        await store.insert_log(
            conn,
            site_id=comment.site_id,
            now=now,
            actor=actor.id,
            action=action.value,
            target_kind="comment",
            target_id=comment.id,
        )
        keys = await _bump(ctx, conn, comment.thread_id)
    ctx.invalidator.bump(keys)


async def set_thread_closed(
    ctx: Context, actor: Actor, thread_id: int, *, closed: bool, note: str | None = None
) -> None:
    """Close a thread to new comments, or open it again (then the site's close-after-N-days rule no
    longer applies to it)."""
    now = ctx.clock()
    async with store_engine.write(ctx.engine) as conn:
        site_id = await store.select_thread_site(conn, thread_id)
        if site_id is None:
            raise NotFound("There is no thread with this id", code="thread-not-found")
        actor.require_moderator(site_id)
        await store.update_thread_closed(conn, thread_id, closed=closed, now=now)
        await store.insert_log(
            conn,
            site_id=site_id,
            now=now,
            actor=actor.id,
            action=(ModAction.CLOSE if closed else ModAction.OPEN).value,
            target_kind="thread",
            target_id=str(thread_id),
            note=rules.check_note(note),
        )
        keys = await _bump(ctx, conn, thread_id)
    ctx.invalidator.bump(keys)


class BanResult(msgspec.Struct, frozen=True):
    id: int
    rejected: int  # comments rejected with it (reject_all)


async def ban(
    ctx: Context,
    actor: Actor,
    *,
    site_id: int | None,
    identity_id: str | None = None,
    email: str | None = None,
    ip_range: str | None = None,
    days: int | None = None,
    reason: str | None = None,
    reject_all: bool = False,
) -> BanResult:
    """Ban (or, with `days`, suspend) by identity, email and/or network, on one site or (site_id None,
    admins of every site only) everywhere. With `reject_all`, the author's comments are rejected too."""
    if site_id is None:
        if not actor.system and not any(s is None and r is Role.ADMIN for s, r in actor.roles):
            raise Forbidden("Only an admin of every site can ban everywhere", code="not-an-admin")
    else:
        actor.require_moderator(site_id)
    network = rules.check_ip_range(ip_range) if ip_range else None
    if not (identity_id or email or network):
        raise Invalid.field(
            "target", "ban-target-required", "Say whom to ban: an identity, an email or a network"
        )
    if days is not None and not 1 <= days <= 36500:
        raise Invalid.field("days", "ban-days-invalid", "A suspension lasts 1 to 36500 days")
    words = rules.check_note(reason, 500)
    now = ctx.clock()
    until = now + days * 86_400_000_000 if days else None
    rejected = 0
    keys: list[str] = []
    async with store_engine.write(ctx.engine) as conn:
        ban_id = await store.insert_ban(
            conn,
            site_id=site_id,
            identity_id=identity_id,
            email_hash=email_hash_of(ctx, email),
            ip_range=network,
            reason=words,
            reject_all=reject_all,
            until=until,
            now=now,
            by=actor.id,
        )
        if reject_all:
            found = await store.select_author_comment_ids(
                conn,
                site_id=site_id,
                identity_id=identity_id,
                email=email,
                ip_network=anonymize_ip(network.split("/")[0])
                if network and network.endswith(("/32", "/128"))
                else None,
            )
            for cid, thread_id, status in found:
                if status is CommentStatus.REJECTED:
                    continue
                await store.update_status(
                    conn, cid, CommentStatus.REJECTED, reason="other", now=now, by=actor.id
                )
                delta = rules.count_delta(status, CommentStatus.REJECTED)
                if delta:
                    await thread_store.add_to_thread_counts(conn, thread_id, comments=delta)
                keys += await _bump(ctx, conn, thread_id)
                rejected += 1
        await store.insert_log(
            conn,
            site_id=site_id,
            now=now,
            actor=actor.id,
            action=ModAction.BAN.value,
            target_kind="ban",
            target_id=str(ban_id),
            note=words,
            data={
                "identity": identity_id,
                "email": bool(email),
                "ip_range": network,
                "days": days,
                "reject_all": reject_all,
                "rejected": rejected,
            },
        )
    moderation_of(ctx).forget_bans()
    if keys:
        ctx.invalidator.bump(sorted(set(keys)))
    return BanResult(id=ban_id, rejected=rejected)


async def lift_ban(ctx: Context, actor: Actor, ban_id: int) -> None:
    now = ctx.clock()
    async with store_engine.write(ctx.engine) as conn:
        found = await store.select_ban(conn, ban_id)
        if found is None:
            raise NotFound("There is no ban with this id", code="ban-not-found")
        if found.site_id is None:
            if not actor.system and not any(s is None and r is Role.ADMIN for s, r in actor.roles):
                raise Forbidden("Only an admin of every site can lift this ban", code="not-an-admin")
        else:
            actor.require_moderator(found.site_id)
        await store.lift_ban(conn, ban_id, now=now, by=actor.id)
        await store.insert_log(
            conn,
            site_id=found.site_id,
            now=now,
            actor=actor.id,
            action=ModAction.UNBAN.value,
            target_kind="ban",
            target_id=str(ban_id),
        )
    moderation_of(ctx).forget_bans()


async def set_role(
    ctx: Context, actor: Actor, identity_id: str, role: Role, *, site_id: int | None, granted: bool
) -> bool:
    """Grant or revoke a role. Admins manage moderators and admins; moderators may trust commenters."""
    check_text_field(identity_id, "identity")
    needs_admin = role is not Role.TRUSTED
    if site_id is None:
        if not actor.system and not any(s is None and r is Role.ADMIN for s, r in actor.roles):
            raise Forbidden("Only an admin of every site can give roles on every site", code="not-an-admin")
    elif needs_admin:
        actor.require_admin(site_id)
    else:
        actor.require_moderator(site_id)
    now = ctx.clock()
    async with store_engine.write(ctx.engine) as conn:
        from rejoinder.store import identities as identity_store

        if await identity_store.select_identity(conn, identity_id) is None:
            raise NotFound("There is no identity with this id", code="identity-not-found")
        if granted:
            changed = await store.insert_role(conn, identity_id, site_id, role, now=now, by=actor.id)
        else:
            changed = await store.delete_role(conn, identity_id, site_id, role)
        if changed:
            await store.insert_log(
                conn,
                site_id=site_id,
                now=now,
                actor=actor.id,
                action=(ModAction.GRANT if granted else ModAction.REVOKE).value,
                target_kind="identity",
                target_id=identity_id,
                reason_code=role.value,
            )
    return changed


def _visible_sites(actor: Actor, sites: list[Site], site_id: int | None) -> tuple[int, ...]:
    ids = tuple(s.id for s in sites if actor.can_moderate(s.id) and (site_id is None or s.id == site_id))
    if not ids:
        raise Forbidden("Only this site's moderators can see its queues", code="not-a-moderator")
    return ids


async def list_queue(
    ctx: Context,
    actor: Actor,
    queue: queues.Queue,
    *,
    site_id: int | None = None,
    thread_id: int | None = None,
    author_key: str | None = None,
    identity_id: str | None = None,
    limit: int = 50,
    before: str | None = None,
) -> list[queues.ModeratedComment]:
    """One page of a queue across the sites the actor moderates (or one of them)."""
    query = queues.QueueQuery(
        queue=queue,
        site_ids=_visible_sites(actor, await ctx.sites.all(), site_id),
        thread_id=thread_id,
        author_key=author_key,
        identity_id=identity_id,
        limit=queues.check_limit(limit),
        before=before,
    )
    async with store_engine.read(ctx.engine) as conn:
        return await store.select_queue(conn, query)


async def queue_counts(ctx: Context, actor: Actor, site_id: int | None = None) -> dict[str, int]:
    ids = _visible_sites(actor, await ctx.sites.all(), site_id)
    async with store_engine.read(ctx.engine) as conn:
        return await store.count_queues(conn, ids)


async def comment_detail(ctx: Context, actor: Actor, comment_id: str) -> queues.Detail:
    """A comment with its revisions (each check's reasons, the classifier's explanation), its reports and
    its author's standing on the site."""
    now = ctx.clock()
    async with store_engine.read(ctx.engine) as conn:
        comment = await _load(conn, comment_id)
        actor.require_moderator(comment.site_id)
        revisions = await store.select_revisions(conn, comment.id)
        reports = await report_store.select_reports(conn, comment.id)
        counts = await store.count_by_status(
            conn, comment.site_id, author_key=comment.author_key, identity_id=comment.identity_id
        )
        bans = await store.select_active_bans(conn, comment.site_id, now)
        roles = (
            await store.select_roles(conn, comment.identity_id, comment.site_id)
            if comment.identity_id
            else frozenset()
        )
    from rejoinder.moderation.rules import match_ban

    banned = match_ban(
        bans,
        identity_id=comment.identity_id,
        email_digest=email_hash_of(ctx, comment.author_email),
        ip=None,
    )
    standing = queues.Standing(counts=counts, banned=banned is not None, trusted=Role.TRUSTED in roles)
    return queues.Detail(comment=comment, revisions=revisions, reports=reports, standing=standing)


async def moderation_log(
    ctx: Context, actor: Actor, *, site_id: int | None = None, limit: int = 100, before_id: int | None = None
) -> list[dict[str, Any]]:
    ids = _visible_sites(actor, await ctx.sites.all(), site_id)
    async with store_engine.read(ctx.engine) as conn:
        return await store.select_log(
            conn, ids, limit=queues.check_limit(min(limit, queues.MAX_PAGE)), before_id=before_id
        )


async def moderated(conn: Any, comment_id: str) -> queues.ModeratedComment:
    """A comment's moderation state (for an edit: its identity and revision)."""
    return await _load(conn, comment_id)
