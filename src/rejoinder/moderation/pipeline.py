"""The moderation pipeline: runs a site's checks in order over a new or edited comment and combines what
they decide into one Outcome (pass, flag, hold, nudge or reject, with every reason).

Local checks live in rules.py; here are the seams to what is not local: the spam/abuse scorer (a
Protocol the learning classifier implements; NullScorer until a site has one) and the external checks
(Akismet's comment-check and a generic signed HTTP hook), each behind `ExternalCheck`. Usage:

    pipeline = Pipeline.from_settings(settings.moderation, scorer=NullScorer(), http=httpx.AsyncClient())
    policy = pipeline.policy_for(site)
    outcome = await pipeline.run(Submission(...), facts, policy)
    if outcome.action is Action.REJECT: ...      # outcome.decisive says why

See docs/moderation.md ("Pipeline").
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar

import httpx
import msgspec

from rejoinder.config import ModerationSettings
from rejoinder.domain.sites import Site
from rejoinder.moderation.rules import (
    LOCAL_CHECKS,
    SEVERITY,
    STAFF,
    Action,
    Case,
    Facts,
    Finding,
    Policy,
    Submission,
    WordList,
)

log = logging.getLogger("rejoinder.moderation")

EXTERNAL_CHECKS = ("akismet", "hook")


T = TypeVar("T")


class Offload(Protocol):
    """Where CPU-only steps run (services/cpu.py: a thread beside the event loop, or inline)."""

    async def run(self, fn: Callable[..., T], /, *args: Any) -> T: ...


# --- the classifier seam ---------------------------------------------------------------------------------


class Signals(msgspec.Struct, frozen=True):
    """What a scorer may use beside the text."""

    site_id: int
    author_name: str
    website: str | None
    new_author: bool  # fewer approved comments on this site than pre-moderation asks for
    links: int
    blocked_domains: frozenset[str]


class Scored(msgspec.Struct, frozen=True):
    """Probabilities in [0, 1] and the reasons behind them, as JSON-ready dicts (shown to moderators)."""

    spam: float
    abuse: float
    reasons: tuple[dict[str, Any], ...] = ()
    model: str | None = None


class SpamScorer(Protocol):
    """Scores one comment; must be fast (it runs inside the posting request) and must not raise."""

    def score(self, text: str, signals: Signals) -> Scored: ...


class NullScorer:
    """Scores everything 0: the pipeline's scorer until a learning classifier is plugged in."""

    def score(self, text: str, signals: Signals) -> Scored:
        return Scored(spam=0.0, abuse=0.0)


_MARKUP = re.compile(r"[*_~`]{1,3}(?=\S)|(?<=\S)[*_~`]{1,3}|^\s{0,3}(?:>|[-+*]|\d{1,9}[.)])\s+", re.M)


def _plain(text: str) -> str:
    """The words of a comment without Markdown's emphasis, code and list markers: `**strong**` is not
    a censored swear word to the model."""
    return _MARKUP.sub(" ", text)


class ClassifierScorer:
    """The local learning classifier (moderation/classifier.py) as the pipeline's scorer:

    scorer = ClassifierScorer(Classifier(model_dir))
    pipeline = Pipeline.from_settings(settings.moderation, scorer=scorer, http=client)
    """

    def __init__(self, classifier: Any) -> None:
        from rejoinder.moderation.classifier import Example  # numpy and the model load only when used

        self.classifier = classifier
        self._example = Example

    def score(self, text: str, signals: Signals) -> Scored:
        example = self._example(
            _plain(text),
            author_name=signals.author_name,
            website=signals.website or "",
            new_author=signals.new_author,
        )
        found = self.classifier.score(example, signals.site_id, blocked_domains=signals.blocked_domains)
        return Scored(
            spam=found.spam,
            abuse=found.abuse,
            reasons=tuple(msgspec.to_builtins(r) for r in found.reasons),
            model=found.model.name,
        )


# --- external checks -------------------------------------------------------------------------------------


class Answer(msgspec.Struct, frozen=True):
    """An external check's findings and what it answered, kept on the revision for moderators."""

    findings: tuple[Finding, ...]
    record: dict[str, Any]


class ExternalCheck(Protocol):
    name: str

    def applies(self, policy: Policy) -> bool: ...

    async def check(self, case: Case) -> Answer: ...


def _failure(name: str, policy: Policy, why: str) -> Answer:
    action = policy.external_failure
    findings: tuple[Finding, ...] = ()
    if action is not Action.PASS:
        detail = {
            Action.HOLD: "An outside check did not answer; a moderator will look at this comment.",
        }.get(action, f"The {name} check did not answer ({why}).")
        findings = (Finding(name, action, "external-unavailable", detail),)
    return Answer(findings, {"error": why})


class Akismet:
    """Akismet's comment-check (https://akismet.com/developers/detailed-docs/comment-check/), for sites
    with a key. "true" holds the comment, "true" with `X-akismet-pro-tip: discard` refuses it."""

    name = "akismet"

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    def applies(self, policy: Policy) -> bool:
        return bool(policy.akismet_key)

    async def check(self, case: Case) -> Answer:
        sub, policy = case.sub, case.policy
        form = {
            "api_key": policy.akismet_key,
            "blog": _origin(sub.thread_url) or "",
            "user_ip": sub.ip or "",
            "user_agent": sub.user_agent or "",
            "referrer": sub.referrer or "",
            "permalink": sub.thread_url or "",
            "comment_type": "reply" if sub.parent else "comment",
            "comment_author": sub.author_name,
            "comment_author_email": sub.email or "",
            "comment_author_url": sub.website or "",
            "comment_content": sub.text,
            "comment_date_gmt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(sub.now / 1_000_000)),
        }
        if sub.edit_of:
            form["recheck_reason"] = "edit"
        try:
            response = await self.http.post(
                policy.akismet_url.rstrip("/") + "/1.1/comment-check",
                data=form,
                timeout=policy.external_timeout,
            )
        except httpx.HTTPError as exc:
            return _failure(self.name, policy, type(exc).__name__)
        body = response.text.strip()
        if response.status_code != 200 or body not in ("true", "false"):
            help_text = response.headers.get("x-akismet-debug-help", "")
            log.warning("[rejoinder] Akismet answered %s %r %s", response.status_code, body[:40], help_text)
            return _failure(self.name, policy, f"answer {response.status_code} {body[:40]!r}")
        discard = response.headers.get("x-akismet-pro-tip", "") == "discard"
        record = {"spam": body == "true", "discard": discard}
        if body == "false":
            return Answer((), record)
        if discard:
            return Answer((Finding(self.name, Action.REJECT, "akismet-discard", _REFUSED_SPAM),), record)
        detail = "Our spam filter is unsure about this comment; a moderator will check it."
        return Answer((Finding(self.name, Action.HOLD, "akismet-spam", detail),), record)


_REFUSED_SPAM = "This comment looks like spam and was not posted."


class HookAnswer(msgspec.Struct):
    action: str
    reason: str | None = None


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The hook signature: HMAC-SHA256 over `<timestamp>.<body>`, hex, as `sha256=<hex>`."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


class Hook:
    """A publisher's own check: POST the comment as JSON, signed (Rejoinder-Signature, Rejoinder-Timestamp);
    the answer {"action": pass|flag|hold|nudge|reject, "reason": "..."} is one finding."""

    name = "hook"

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    def applies(self, policy: Policy) -> bool:
        return bool(policy.hook_url and policy.hook_secret)

    async def check(self, case: Case) -> Answer:
        sub, policy = case.sub, case.policy
        payload = {
            "event": "comment.edit" if sub.edit_of else "comment.new",
            "site_id": sub.site_id,
            "comment": {
                "id": sub.edit_of,
                "text": sub.text,
                "html": sub.html,
                "parent": sub.parent,
                "author": {
                    "name": sub.author_name,
                    "email": sub.email,
                    "website": sub.website,
                    "identity": sub.identity_id,
                },
                "ip": sub.ip,
            },
            "thread": {"url": sub.thread_url, "title": sub.thread_title},
            "findings": [msgspec.to_builtins(f) for f in case.findings_so_far],
        }
        body = msgspec.json.encode(payload)
        stamp = str(sub.now // 1_000_000)
        headers = {
            "Content-Type": "application/json",
            "Rejoinder-Timestamp": stamp,
            "Rejoinder-Signature": sign(policy.hook_secret, stamp, body),
        }
        try:
            response = await self.http.post(
                policy.hook_url, content=body, headers=headers, timeout=policy.external_timeout
            )
        except httpx.HTTPError as exc:
            return _failure(self.name, policy, type(exc).__name__)
        if response.status_code != 200:
            return _failure(self.name, policy, f"status {response.status_code}")
        try:
            answer = msgspec.json.decode(response.content, type=HookAnswer)
            action = Action(answer.action)
        except (msgspec.DecodeError, ValueError):
            return _failure(self.name, policy, "unreadable answer")
        reason = " ".join((answer.reason or "").split())[:300]
        record = {"action": action.value, "reason": reason}
        if action is Action.PASS:
            return Answer((), record)
        detail = (
            reason
            or {
                Action.FLAG: "Flagged by the site's own check.",
                Action.HOLD: "A moderator will check this comment.",
                Action.NUDGE: "Please revise your comment before posting it.",
                Action.REJECT: "This comment was not accepted.",
            }[action]
        )
        return Answer((Finding(self.name, action, "external-hook", detail),), record)


def _origin(url: str | None) -> str | None:
    if not url:
        return None
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}" if rest else None


# --- the pipeline ----------------------------------------------------------------------------------------


class Outcome(msgspec.Struct, frozen=True):
    """The combined decision. `action` is the strongest finding's (PASS when none); `findings` keeps all
    of them in the order the checks ran."""

    action: Action
    findings: tuple[Finding, ...]
    spam: float | None = None
    abuse: float | None = None
    explanation: dict[str, Any] | None = None
    external: dict[str, Any] | None = None
    elapsed_us: int = 0

    @property
    def decisive(self) -> Finding | None:
        """The first finding with the outcome's action: the reason to give the writer."""
        return next((f for f in self.findings if f.action is self.action), None)


def _strongest(findings: Sequence[Finding]) -> Action:
    return max((f.action for f in findings), key=SEVERITY.__getitem__, default=Action.PASS)


class Pipeline:
    """The ordered checks of [moderation] `checks`, the scorer and the external checks."""

    def __init__(
        self,
        settings: ModerationSettings,
        *,
        scorer: SpamScorer | None = None,
        externals: Sequence[ExternalCheck] = (),
    ) -> None:
        self.settings = settings
        self.scorer: SpamScorer = scorer or NullScorer()
        self.externals = {e.name: e for e in externals}
        self._policies: dict[tuple[int, bytes], Policy] = {}
        self._server_words = (WordList(settings.blocked_words), WordList(settings.suspect_words))

    @classmethod
    def from_settings(
        cls, settings: ModerationSettings, *, scorer: SpamScorer | None = None, http: httpx.AsyncClient | None
    ) -> Pipeline:
        externals: list[ExternalCheck] = [Akismet(http), Hook(http)] if http is not None else []
        return cls(settings, scorer=scorer, externals=externals)

    def policy_for(self, site: Site) -> Policy:
        """The site's effective policy; cached until its options change."""
        key = (site.id, msgspec.json.encode(site.options.moderation))
        policy = self._policies.get(key)
        if policy is None:
            if len(self._policies) > 1000:
                self._policies.clear()
            policy = self._policies[key] = self._build(site)
        return policy

    def _build(self, site: Site) -> Policy:
        m, o = self.settings, site.options.moderation
        blocked_words, suspect_words = self._server_words
        if o.blocked_words:
            blocked_words = WordList([*m.blocked_words, *o.blocked_words])
        if o.suspect_words:
            suspect_words = WordList([*m.suspect_words, *o.suspect_words])
        premoderation = (
            o.premoderation if o.premoderation in {"off", "all", "first", "guests", "links"} else None
        )

        def pick(value: Any, default: Any) -> Any:
            return default if value is None else value

        return Policy(
            checks=tuple(m.checks),
            commenting=o.commenting,
            min_seconds=pick(o.min_seconds, m.min_seconds),
            require_form_token=m.require_form_token,
            close_after_days=pick(o.close_after_days, m.close_after_days),
            repeat_window=m.repeat_window,
            repeat_similarity=m.repeat_similarity / 100,
            repeat_action=Action(m.repeat_action),
            same_text_authors=m.same_text_authors,
            max_links=pick(o.max_links, m.max_links),
            blocked_domains=frozenset(
                d.strip().lower().rstrip(".") for d in (*m.blocked_domains, *o.blocked_domains) if d.strip()
            ),
            blocked_words=blocked_words or None,
            suspect_words=suspect_words or None,
            suspect_action=Action(m.suspect_action),
            match_timeout=m.match_timeout_ms / 1000,
            premoderation=premoderation or m.premoderation,
            premoderate_first=pick(o.premoderate_first, m.premoderate_first),
            spam_flag=m.spam_flag / 100,
            spam_hold=m.spam_hold / 100,
            abuse_flag=m.abuse_flag / 100,
            abuse_nudge=m.abuse_nudge / 100,
            abuse_hold=m.abuse_hold / 100,
            reports_to_hold=pick(o.reports_to_hold, m.reports_to_hold),
            akismet_key=pick(o.akismet_key, m.akismet_key),
            akismet_url=m.akismet_url,
            hook_url=pick(o.hook_url, m.hook_url),
            hook_secret=pick(o.hook_secret, m.hook_secret),
            external_timeout=m.external_timeout_ms / 1000,
            external_failure=Action(m.external_failure),
        )

    async def run(
        self, sub: Submission, facts: Facts, policy: Policy, *, cpu: Offload | None = None
    ) -> Outcome:
        """Run the policy's checks in order. A reject stops the run; external checks run last, and only
        when nothing so far refused the comment or asked for a revision. The local checks and the
        classifier (CPU only) run through `cpu` when given (a thread beside the event loop, services/cpu.py),
        the external checks on the event loop."""
        started = time.perf_counter_ns()
        case = Case(sub, facts, policy)
        spam, abuse, explanation = (
            self.run_local(case) if cpu is None else await cpu.run(self.run_local, case)
        )
        findings = case.findings_so_far
        external: dict[str, Any] = {}
        if SEVERITY[_strongest(findings)] < SEVERITY[Action.NUDGE]:
            for name in policy.checks:
                check = self.externals.get(name)
                if check is None or not check.applies(policy):
                    continue
                answer = await check.check(case)
                findings.extend(answer.findings)
                external[name] = answer.record
                if _strongest(findings) is Action.REJECT:
                    break
        return Outcome(
            action=_strongest(findings),
            findings=tuple(findings),
            spam=spam,
            abuse=abuse,
            explanation=explanation,
            external=external or None,
            elapsed_us=(time.perf_counter_ns() - started) // 1000,
        )

    def run_local(self, case: Case) -> tuple[float | None, float | None, dict[str, Any] | None]:
        """The local checks and the classifier, in order, adding to `case.findings_so_far`; returns the
        classifier's spam and abuse scores and its explanation (None when it did not run)."""
        sub, policy = case.sub, case.policy
        findings = case.findings_so_far
        spam = abuse = None
        explanation: dict[str, Any] | None = None
        for name in policy.checks:
            if name in EXTERNAL_CHECKS:
                continue
            if name == "classifier":
                if case.staff:
                    continue
                scored, found = self._classify(case)
                spam, abuse = scored.spam, scored.abuse
                explanation = {"model": scored.model, "reasons": list(scored.reasons)}
                findings.extend(found)
            else:
                findings.extend(LOCAL_CHECKS[name](case))
            if _strongest(findings) is Action.REJECT:
                break
        if sub.confirmed:
            # The writer saw the nudge and posts anyway: a moderator decides instead.
            findings[:] = [
                msgspec.structs.replace(f, action=Action.HOLD) if f.action is Action.NUDGE else f
                for f in findings
            ]
        return spam, abuse, explanation

    def _classify(self, case: Case) -> tuple[Scored, list[Finding]]:
        sub, policy = case.sub, case.policy
        signals = Signals(
            site_id=sub.site_id,
            author_name=sub.author_name,
            website=sub.website,
            new_author=case.facts.approved_count < policy.premoderate_first,
            links=len(case.links),
            blocked_domains=policy.blocked_domains,
        )
        try:
            scored = self.scorer.score(sub.text, signals)
        except Exception:  # a broken model must not stop comments: record nothing, let others decide
            log.exception("[rejoinder] the spam scorer failed")
            return Scored(spam=0.0, abuse=0.0, model="error"), []
        found: list[Finding] = []
        pct = round(scored.spam * 100)
        if scored.spam >= policy.spam_hold:
            detail = "This comment looks like spam to our filter; a moderator will check it."
            found.append(Finding("classifier", Action.HOLD, "likely-spam", detail))
        elif scored.spam >= policy.spam_flag:
            found.append(Finding("classifier", Action.FLAG, "possible-spam", f"Spam score {pct}%."))
        apct = round(scored.abuse * 100)
        # The writer gets the chance to rephrase first (a nudge; posted anyway, it is held). With nudges
        # off (abuse_nudge = 100), abuse_hold holds outright.
        if scored.abuse >= policy.abuse_nudge and policy.abuse_nudge < 1:
            detail = "This comment may come across as hurtful. Would you like to rephrase it before posting?"
            found.append(Finding("classifier", Action.NUDGE, "possibly-abusive", detail))
        elif scored.abuse >= policy.abuse_hold:
            detail = "This comment may break the discussion rules; a moderator will check it."
            found.append(Finding("classifier", Action.HOLD, "likely-abusive", detail))
        elif scored.abuse >= policy.abuse_flag:
            found.append(Finding("classifier", Action.FLAG, "possibly-abusive", f"Abuse score {apct}%."))
        return scored, found


__all__ = [
    "EXTERNAL_CHECKS",
    "STAFF",
    "Akismet",
    "Answer",
    "ClassifierScorer",
    "ExternalCheck",
    "Hook",
    "NullScorer",
    "Outcome",
    "Pipeline",
    "Scored",
    "Signals",
    "SpamScorer",
    "sign",
]
