"""What moderators decide on notices of illegal content, and what a statement of reasons (DSA Art. 17) says
about a restriction, as rules without I/O. Staff-side: readers meet these codes only in /admin."""

from __future__ import annotations

from rejoinder.errors import Invalid
from rejoinder.moderation.notices import (
    GROUND_LIMIT,
    REASONS_LIMIT,
    GroundKind,
    NoticeDecision,
    Restriction,
    text_of,
)


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
