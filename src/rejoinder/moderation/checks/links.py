"""Links: a link (or the website field) to a blocked domain refuses the comment; more links than the site
allows hold it for a moderator (staff are exempt from the count).
"""

from __future__ import annotations

from rejoinder.moderation.checks.base import Check
from rejoinder.moderation.rules import Action, Case, Finding, blocked_domain, domain_of


def check_links(case: Case) -> list[Finding]:
    """Links to blocked domains (in the text or the website field), and more links than allowed."""
    sub, policy = case.sub, case.policy
    if policy.blocked_domains:
        for target in [*case.links, *([sub.website] if sub.website else [])]:
            domain = domain_of(target)
            if blocked_domain(domain, policy.blocked_domains):
                return [
                    Finding(
                        "links", Action.REJECT, "blocked-link", f"Links to {domain} are not allowed here."
                    )
                ]
    if not case.staff and len(case.links) > policy.max_links:
        n = policy.max_links
        detail = f"Comments with more than {n} link{'s' if n != 1 else ''} wait for a moderator."
        return [Finding("links", Action.HOLD, "too-many-links", detail)]
    return []


CHECK = Check.local(
    check_links,
    settings=("max_links", "blocked_domains"),
    site_overrides=("max_links", "blocked_domains"),
    facts=("roles",),
)
