"""checks/honeypot.py: the bot traps (hidden field, form token, posting too fast) share one generic
message."""

from __future__ import annotations

from rejoinder.moderation.rules import (
    REFUSED,
    Action,
    FormToken,
)
from tests.moderation.checks.cases import codes, run, sub


def test_bot_traps_share_one_generic_message() -> None:
    cases = {
        "honeypot-filled": sub(honeypot="http://buy.example"),
        "posted-too-fast": sub(form_token=FormToken.OK, form_age=0.4),
        "form-token-invalid": sub(form_token=FormToken.INVALID),
        "form-token-expired": sub(form_token=FormToken.EXPIRED),
    }
    details = set()
    for code, submission in cases.items():
        found = run("honeypot", submission, min_seconds=3)
        assert codes(found) == [(code, Action.REJECT)]
        details.add(found[0].detail)
    assert details == {REFUSED}
    assert run("honeypot", sub(form_token=FormToken.OK, form_age=3.5), min_seconds=3) == []
    assert run("honeypot", sub(), min_seconds=3) == []  # no token: allowed unless required
    assert codes(run("honeypot", sub(), require_form_token=True)) == [("form-token-missing", Action.REJECT)]
