"""What the check tests share: a submission, running one check on it with a policy, and its findings as
(code, action) pairs."""

from __future__ import annotations

from rejoinder.moderation.checks import BY_NAME
from rejoinder.moderation.rules import Action, Case, Facts, Finding, Policy, Submission

NOW = 1_800_000_000_000_000
CHECKS = ("limits", "honeypot", "repeats", "links", "words", "premoderation")


def sub(text: str = "A perfectly ordinary comment about the article.", **fields: object) -> Submission:
    base: dict[str, object] = {
        "site_id": 1,
        "text": text,
        "html": f"<p>{text}</p>",
        "author_name": "Ann",
        "author_key": "key-ann",
        "now": NOW,
    }
    base.update(fields)
    return Submission(**base)  # type: ignore[arg-type]


def run(check: str, submission: Submission, facts: Facts | None = None, **policy: object) -> list[Finding]:
    case = Case(submission, facts or Facts(), Policy(checks=CHECKS, **policy))  # type: ignore[arg-type]
    decide = BY_NAME[check].run
    assert decide is not None
    return decide(case)


def codes(findings: list[Finding]) -> list[tuple[str, Action]]:
    return [(f.code, f.action) for f in findings]


def linked(*urls: str) -> Submission:
    html = "<p>" + " ".join(f'<a href="{u}" rel="nofollow noopener ugc">{u}</a>' for u in urls) + "</p>"
    return sub("see " + " ".join(urls), html=html)
