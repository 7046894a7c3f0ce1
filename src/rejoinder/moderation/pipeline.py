"""The moderation pipeline: runs a site's checks in order over a new or edited comment and combines what
they decide into one Outcome (pass, flag, hold, nudge or reject, with every reason).

The checks themselves are modules of checks/, listed once in checks.CHECKS; here they are run: the local
ones in order, the classifier through its SpamScorer (NullScorer until one is plugged in), the external
ones (Akismet, the signed hook) last. Usage:

    pipeline = Pipeline.from_settings(settings.moderation, scorer=NullScorer(), http=httpx.AsyncClient())
    policy = pipeline.policy_for(site)
    outcome = await pipeline.run(Submission(...), facts, policy)
    if outcome.action is Action.REJECT: ...      # outcome.decisive says why

See docs/moderation.md ("Pipeline").
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar

import httpx
import msgspec

from rejoinder.config import ModerationSettings
from rejoinder.domain.sites import Site
from rejoinder.moderation.checks import BY_NAME, CHECKS, Kind
from rejoinder.moderation.checks.base import ExternalCheck
from rejoinder.moderation.checks.classifier import NullScorer, SpamScorer, classify
from rejoinder.moderation.rules import (
    SEVERITY,
    Action,
    Case,
    Facts,
    Finding,
    Policy,
    Submission,
    WordList,
)

T = TypeVar("T")


class Offload(Protocol):
    """Where CPU-only steps run (services/cpu.py: a thread beside the event loop, or inline)."""

    async def run(self, fn: Callable[..., T], /, *args: Any) -> T: ...


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
        externals = [c.connect(http) for c in CHECKS if c.connect is not None] if http is not None else []
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
            premoderation=o.premoderation or m.premoderation,
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
            check = BY_NAME[name]
            if check.kind is Kind.EXTERNAL:
                continue
            if check.kind is Kind.SCORER:
                if case.staff:
                    continue
                scored, found = classify(case, self.scorer)
                spam, abuse = scored.spam, scored.abuse
                explanation = {"model": scored.model, "reasons": list(scored.reasons)}
                findings.extend(found)
            elif check.run is not None:
                findings.extend(check.run(case))
            if _strongest(findings) is Action.REJECT:
                break
        if sub.confirmed:
            # The writer saw the nudge and posts anyway: a moderator decides instead.
            findings[:] = [
                msgspec.structs.replace(f, action=Action.HOLD) if f.action is Action.NUDGE else f
                for f in findings
            ]
        return spam, abuse, explanation


__all__ = ["Offload", "Outcome", "Pipeline"]
