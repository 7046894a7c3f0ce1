"""checks/limits.py: bans by identity, email and network, closed threads, threads closing after N days,
and a site with commenting off."""

from __future__ import annotations

import pytest

from rejoinder.moderation.rules import (
    Action,
    Ban,
    Facts,
)
from tests.moderation.checks.cases import NOW, codes, run, sub

BANS = (
    Ban(id=1, site_id=1, identity_id="id-banned", email_hash=None, ip_range=None, reason=None, until=None),
    Ban(id=2, site_id=1, identity_id=None, email_hash="hash-of-mail", ip_range=None, reason=None, until=None),
    Ban(
        id=3,
        site_id=None,
        identity_id=None,
        email_hash=None,
        ip_range="203.0.113.0/24",
        reason=None,
        until=None,
    ),
    Ban(
        id=4,
        site_id=1,
        identity_id=None,
        email_hash=None,
        ip_range="2001:db8:7::/48",
        reason=None,
        until=NOW + 86_400_000_000,
    ),
)


@pytest.mark.parametrize(
    "who",
    [
        {"identity_id": "id-banned"},
        {"email": "x@example.org", "email_hash": "hash-of-mail"},
        {"ip": "203.0.113.77"},
        {"ip": "::ffff:203.0.113.9"},  # IPv4-mapped IPv6
        {"ip": "2001:db8:7:1234::5"},
    ],
)
def test_banned_authors_are_refused(who: dict[str, str]) -> None:
    found = run("limits", sub(**who), Facts(bans=BANS))
    assert codes(found) == [("author-banned", Action.REJECT)]


def test_a_suspension_says_until_when() -> None:
    found = run("limits", sub(ip="2001:db8:7::1"), Facts(bans=BANS))
    assert "until" in found[0].detail


@pytest.mark.parametrize(
    "who", [{"identity_id": "id-other"}, {"ip": "203.0.114.1"}, {"ip": "2001:db8:8::1"}, {}]
)
def test_others_are_not_banned(who: dict[str, str]) -> None:
    assert run("limits", sub(**who), Facts(bans=BANS)) == []


def test_closed_threads_refuse_new_comments_but_not_edits() -> None:
    closed = Facts(thread_id=7, thread_closed=True)
    assert codes(run("limits", sub(), closed)) == [("thread-closed", Action.REJECT)]
    assert run("limits", sub(edit_of="c1"), closed) == []


def test_threads_close_after_the_configured_days_unless_reopened() -> None:
    old = Facts(thread_id=7, thread_created=NOW - 31 * 86_400_000_000)
    assert codes(run("limits", sub(), old, close_after_days=30)) == [("thread-closed", Action.REJECT)]
    assert run("limits", sub(), old, close_after_days=0) == []
    reopened = Facts(thread_id=7, thread_created=NOW - 31 * 86_400_000_000, thread_auto_close=False)
    assert run("limits", sub(), reopened, close_after_days=30) == []


def test_a_site_with_commenting_off_refuses() -> None:
    assert codes(run("limits", sub(), commenting=False)) == [("commenting-disabled", Action.REJECT)]
