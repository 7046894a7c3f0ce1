"""What restricts a comment under the Digital Services Act (moderation/legal.py), as rules without I/O: which
moderation actions restrict, on which ground, and which automated holds judge the content (and so give the
author a statement of reasons) rather than apply a site's policy to every comment alike."""

from __future__ import annotations

import pytest

from rejoinder.moderation import legal
from rejoinder.moderation.notices import GroundKind, Restriction
from rejoinder.moderation.rules import Action, Finding


def hold(check: str, code: str) -> Finding:
    return Finding(check, Action.HOLD, code, "held")


@pytest.mark.parametrize(
    ("finding", "restricts"),
    [
        (hold("classifier", "likely-spam"), True),
        (hold("classifier", "likely-abusive"), True),
        (hold("words", "suspect-word"), True),
        (hold("links", "too-many-links"), True),
        (hold("repeats", "same-text-elsewhere"), True),
        (hold("akismet", "akismet-spam"), True),
        (hold("premoderation", "premoderated"), False),
        (hold("premoderation", "new-commenter"), False),
        (hold("premoderation", "guest-comment"), False),
        (hold("premoderation", "has-links"), False),
        (hold("desk", "commenter-premoderated"), False),
        (hold("words", "word-check-timeout"), False),
        (hold("hook", "external-unavailable"), False),
        (Finding("words", Action.FLAG, "suspect-word", "flagged"), False),
    ],
)
def test_which_holds_judge_the_content(finding: Finding, restricts: bool) -> None:
    assert (legal.restricting_finding([finding]) == finding) is restricts


def test_the_first_content_hold_is_named_even_after_a_policy_hold() -> None:
    spam = hold("classifier", "likely-spam")
    assert legal.restricting_finding([hold("premoderation", "premoderated"), spam]) == spam
    assert legal.restricting_finding([]) is None


def test_actions_and_grounds() -> None:
    assert legal.restriction_of("hold") is Restriction.RESTRICTED
    assert legal.restriction_of("reject") is Restriction.REMOVED
    assert legal.restriction_of("approve") is None
    assert legal.ground_of("suspect-word", False) is GroundKind.TERMS
    assert legal.ground_of("illegal", False) is GroundKind.LEGAL
