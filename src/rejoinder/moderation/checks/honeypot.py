"""Bot traps: the hidden field bots fill in, and the form token's age (posted faster than a person could
type). One generic refusal for all of them.
"""

from __future__ import annotations

from rejoinder.moderation.checks.base import Check
from rejoinder.moderation.rules import REFUSED, Action, Case, Finding, FormToken


def check_honeypot(case: Case) -> list[Finding]:
    """The hidden field bots fill in, and the time between the form being shown and being sent. Both
    refuse with the same generic message, so a bot learns nothing about which rule it broke."""
    sub, policy = case.sub, case.policy
    if sub.edit_of is not None:
        return []
    if sub.honeypot:
        return [Finding("honeypot", Action.REJECT, "honeypot-filled", REFUSED)]
    if sub.form_token in (FormToken.INVALID, FormToken.EXPIRED):
        return [Finding("honeypot", Action.REJECT, f"form-token-{sub.form_token.value}", REFUSED)]
    if sub.form_token is FormToken.MISSING:
        if policy.require_form_token:
            return [Finding("honeypot", Action.REJECT, "form-token-missing", REFUSED)]
        return []
    if policy.min_seconds and sub.form_age is not None and sub.form_age < policy.min_seconds:
        return [Finding("honeypot", Action.REJECT, "posted-too-fast", REFUSED)]
    return []


CHECK = Check.local(
    check_honeypot, settings=("min_seconds", "require_form_token"), site_overrides=("min_seconds",)
)
