"""checks/links.py: more links than allowed hold, links to blocked domains (and subdomains) refuse, staff
may post many links."""

from __future__ import annotations

from rejoinder.moderation.rules import (
    Action,
    Facts,
    Role,
)
from tests.moderation.checks.cases import codes, linked, run, sub


def test_more_links_than_allowed_hold() -> None:
    assert run("links", linked("https://a.example/1", "https://b.example/2"), max_links=2) == []
    found = run(
        "links", linked("https://a.example/1", "https://b.example/2", "https://c.example"), max_links=2
    )
    assert codes(found) == [("too-many-links", Action.HOLD)]
    assert "more than 2 links" in found[0].detail


def test_links_to_blocked_domains_and_their_subdomains_are_refused() -> None:
    blocked = frozenset({"spam.example"})
    for url in ("https://spam.example/x", "http://www.SPAM.example./deal", "https://a.b.spam.example"):
        assert codes(run("links", linked(url), blocked_domains=blocked)) == [
            ("blocked-link", Action.REJECT)
        ], url
    assert run("links", linked("https://notspam.example/"), blocked_domains=blocked) == []
    website = sub(website="https://shop.spam.example/")
    assert codes(run("links", website, blocked_domains=blocked)) == [("blocked-link", Action.REJECT)]


def test_staff_may_post_many_links() -> None:
    many = linked(*(f"https://site{i}.example" for i in range(6)))
    staff = Facts(roles=frozenset({Role.MODERATOR}))
    assert run("links", many, staff, max_links=3) == []
