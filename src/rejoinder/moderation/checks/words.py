"""Word lists: blocked words refuse, suspect words get the site's suspect action. Matching (normalised
text, time-limited) is rules.WordList.
"""

from __future__ import annotations

from rejoinder.moderation.checks.base import Check
from rejoinder.moderation.rules import Action, Case, Finding


def check_words(case: Case) -> list[Finding]:
    """Blocked words refuse, suspect words get the site's suspect action; matched on normalised text
    (case, accents, look-alike letters, zero-width characters and spacing tricks folded away)."""
    policy = case.policy
    try:
        if policy.blocked_words and (
            hit := policy.blocked_words.search(case.normalized, case.compacted, policy.match_timeout)
        ):
            detail = f"Your comment contains “{hit}”, which this site does not allow. Please rephrase it."
            return [Finding("words", Action.REJECT, "blocked-word", detail)]
        if policy.suspect_words and (
            hit := policy.suspect_words.search(case.normalized, case.compacted, policy.match_timeout)
        ):
            action = policy.suspect_action
            detail = {
                Action.NUDGE: f"Your comment contains “{hit}”. Would you like to rephrase it before posting?",
                Action.HOLD: "Comments with some words wait for a moderator.",
            }.get(action, f"Contains the suspect word “{hit}”.")
            return [Finding("words", action, "suspect-word", detail)]
    except TimeoutError:
        detail = "The word check took too long; a moderator will look at this comment."
        return [Finding("words", Action.HOLD, "word-check-timeout", detail)]
    return []


CHECK = Check.local(
    check_words,
    settings=("blocked_words", "suspect_words", "suspect_action", "match_timeout_ms"),
    site_overrides=("blocked_words", "suspect_words"),
)
