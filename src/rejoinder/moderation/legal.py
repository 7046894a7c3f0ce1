"""What moderators decide on notices of illegal content, and what a statement of reasons (DSA Art. 17) says
about a restriction, as rules without I/O. Staff-side: readers meet these codes only in /admin."""

from __future__ import annotations

from collections.abc import Sequence

from rejoinder.errors import Invalid
from rejoinder.moderation.notices import (
    GROUND_LIMIT,
    REASONS_LIMIT,
    GroundKind,
    NoticeDecision,
    Restriction,
    text_of,
)
from rejoinder.moderation.rules import Action, Finding


def check_decision(raw: str | None) -> NoticeDecision:
    try:
        return NoticeDecision(raw or "")
    except ValueError:
        raise Invalid.field(
            "decision", "notice-decision-invalid", "Choose remove, restrict or no action"
        ) from None


def check_reasons(ground: str | None, reasons: str | None) -> tuple[str | None, str]:
    """The ground (a law or a terms clause, optional) and the reasons (required): the notifier and the
    author are told both."""
    why = text_of(
        reasons,
        "reasons",
        "notice-reasons-invalid",
        REASONS_LIMIT,
        required="Give the reasons for the decision",
    )
    assert why is not None
    return text_of(ground, "ground", "notice-ground-invalid", GROUND_LIMIT), why


# What a moderator action restricts: removal (no longer public) or a restriction of visibility (held).
RESTRICTIONS = {
    "reject": Restriction.REMOVED,
    "spam": Restriction.REMOVED,
    "delete": Restriction.REMOVED,
    "hold": Restriction.RESTRICTED,
    "ban": Restriction.REMOVED,  # a ban that rejects every comment of its author
}


def restriction_of(action: str) -> Restriction | None:
    """The restriction a moderation action puts on a comment, if any (approve, pin… restrict nothing)."""
    return RESTRICTIONS.get(action)


def ground_of(reason_code: str | None, notice_decided: bool) -> GroundKind:
    """A decision on a notice of illegal content, or a rejection as illegal, rests on the law; any other
    on the site's terms."""
    return GroundKind.LEGAL if notice_decided or reason_code == "illegal" else GroundKind.TERMS


# Holds that say nothing about the comment's content, so restrict nothing under Art. 17: pre-moderation
# (every comment, a new commenter's, guests', any with links), "always pre-moderate this commenter" (a
# moderator's measure, stated when it was taken), and a check that could not run (a person decides).
NOT_RESTRICTING_CHECKS = frozenset({"premoderation", "desk"})
NOT_RESTRICTING_CODES = frozenset({"external-unavailable", "word-check-timeout"})


def restricting_finding(findings: Sequence[Finding]) -> Finding | None:
    """The first finding that held a comment on account of its content (the classifier, word lists, link
    rules, repeats, an external check…): what an automated statement of reasons names. None: the hold was
    a site policy, or no check held it."""
    for finding in findings:
        if (
            finding.action is Action.HOLD
            and finding.check not in NOT_RESTRICTING_CHECKS
            and finding.code not in NOT_RESTRICTING_CODES
        ):
            return finding
    return None
