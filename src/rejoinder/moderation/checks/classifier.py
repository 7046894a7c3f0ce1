"""The learning classifier as a check: the seam to a spam/abuse scorer (SpamScorer; the local classifier
in moderation/classifier.py implements it through ClassifierScorer) and the thresholds its scores meet.
Teaching it is services/moderation/learning.py.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Protocol

import msgspec

from rejoinder.moderation.checks.base import Check, Kind
from rejoinder.moderation.rules import Action, Case, Finding

log = logging.getLogger("rejoinder.moderation")


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


def classify(case: Case, scorer: SpamScorer) -> tuple[Scored, list[Finding]]:
    """Score the comment and compare the scores with the policy's thresholds. A failing scorer records
    nothing (model "error") and lets the other checks decide."""
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
        scored = scorer.score(sub.text, signals)
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


CHECK = Check(
    name="classifier",
    kind=Kind.SCORER,
    settings=(
        "spam_flag",
        "spam_hold",
        "abuse_flag",
        "abuse_nudge",
        "abuse_hold",
        "premoderate_first",
        "blocked_domains",
        "model_dir",
    ),
    site_overrides=("premoderate_first", "blocked_domains"),
    facts=("approved_count", "roles"),
)
