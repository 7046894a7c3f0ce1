"""Hard limits: commenting turned off for the site, a closed thread, a banned author. Length limits are
not here: the comment's own validation enforces them before the pipeline runs.
"""

from __future__ import annotations

from datetime import UTC, datetime

from rejoinder.moderation.checks.base import Check
from rejoinder.moderation.rules import Action, Case, Finding, match_ban, thread_closed


def _day(us: int) -> str:
    return datetime.fromtimestamp(us / 1_000_000, UTC).strftime("%Y-%m-%d %H:%M UTC")


def check_limits(case: Case) -> list[Finding]:
    """Hard limits: commenting disabled, a closed thread, a banned author. (Length limits are enforced
    before the pipeline, by the comment's own validation.)"""
    sub, facts, policy = case.sub, case.facts, case.policy
    if not policy.commenting:
        return [
            Finding("limits", Action.REJECT, "commenting-disabled", "This site is not taking comments now.")
        ]
    if sub.edit_of is None and thread_closed(facts, policy, sub.now):
        return [
            Finding("limits", Action.REJECT, "thread-closed", "This discussion is closed to new comments.")
        ]
    if facts.bans:
        ban = match_ban(
            facts.bans,
            identity_id=sub.identity_id,
            email_digest=sub.email_hash,
            ip=sub.ip,
        )
        if ban is not None:
            until = f" until {_day(ban.until)}" if ban.until else ""
            return [
                Finding("limits", Action.REJECT, "author-banned", f"You cannot comment on this site{until}.")
            ]
    return []


CHECK = Check.local(
    check_limits,
    settings=("close_after_days",),
    site_overrides=("commenting", "close_after_days"),
    facts=("thread_closed", "thread_auto_close", "thread_created", "bans"),
)
