"""checks/premoderation.py: each pre-moderation mode, and trusted commenters and staff skipping it."""

from __future__ import annotations

from rejoinder.moderation.rules import (
    Action,
    Facts,
    Role,
)
from tests.moderation.checks.cases import codes, linked, run, sub


def test_premoderation_modes() -> None:
    guest, member = sub(), sub(identity_id="id-1")
    assert codes(run("premoderation", guest, premoderation="all")) == [("premoderated", Action.HOLD)]
    assert codes(run("premoderation", guest, premoderation="guests")) == [("guest-comment", Action.HOLD)]
    assert run("premoderation", member, premoderation="guests") == []
    assert codes(
        run("premoderation", guest, Facts(approved_count=1), premoderation="first", premoderate_first=2)
    ) == [("new-commenter", Action.HOLD)]
    assert (
        run("premoderation", guest, Facts(approved_count=2), premoderation="first", premoderate_first=2) == []
    )
    assert run("premoderation", guest, premoderation="links") == []
    assert codes(run("premoderation", linked("https://a.example"), premoderation="links")) == [
        ("has-links", Action.HOLD)
    ]


def test_trusted_commenters_and_staff_skip_premoderation() -> None:
    for role in (Role.TRUSTED, Role.MODERATOR, Role.ADMIN):
        assert (
            run("premoderation", sub(identity_id="id-1"), Facts(roles=frozenset({role})), premoderation="all")
            == []
        )
