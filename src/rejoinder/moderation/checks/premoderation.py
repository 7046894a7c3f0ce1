"""Pre-moderation: hold everything, a new commenter's first comments, guests' comments or comments with
links for review (domain.sites.PremoderationMode). Trusted commenters and staff skip it.
"""

from __future__ import annotations

from rejoinder.domain.sites import PremoderationMode
from rejoinder.moderation.checks.base import Check
from rejoinder.moderation.rules import Action, Case, Finding


def check_premoderation(case: Case) -> list[Finding]:
    """Hold for review: everything, a new commenter's first comments, guests' comments, or comments with
    links. Trusted commenters and staff skip it."""
    sub, facts, policy = case.sub, case.facts, case.policy
    mode = PremoderationMode(policy.premoderation)
    if mode is PremoderationMode.OFF or case.trusted:
        return []
    if mode is PremoderationMode.ALL:
        return [
            Finding(
                "premoderation", Action.HOLD, "premoderated", "Comments here are reviewed before they appear."
            )
        ]
    if mode is PremoderationMode.FIRST and facts.approved_count < policy.premoderate_first:
        detail = "Your first comments here are reviewed before they appear."
        return [Finding("premoderation", Action.HOLD, "new-commenter", detail)]
    if mode is PremoderationMode.GUESTS and sub.identity_id is None:
        detail = "Comments from guests are reviewed before they appear; signed-in readers skip the wait."
        return [Finding("premoderation", Action.HOLD, "guest-comment", detail)]
    if mode is PremoderationMode.LINKS and case.links:
        return [
            Finding(
                "premoderation",
                Action.HOLD,
                "has-links",
                "Comments with links are reviewed before they appear.",
            )
        ]
    return []


CHECK = Check.local(
    check_premoderation,
    settings=("premoderation", "premoderate_first"),
    site_overrides=("premoderation", "premoderate_first"),
    facts=("approved_count", "roles"),
)
