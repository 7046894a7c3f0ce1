"""The comment form's signed token: when the form was shown, for the minimum-time check (the widget gets it
from GET /api/form-token, the no-JS form renders it)."""

from __future__ import annotations

import base64
import hashlib
import hmac

from rejoinder.moderation.rules import (
    FormToken,
)
from rejoinder.services.context import Context

FORM_TOKEN_MAX_AGE = 24 * 3600  # seconds a form token stays valid
FORM_TOKEN_SKEW = 60  # seconds a token may seem to come from the future (several hosts' clocks)


def _form_mac(secret: bytes, issued_ms: int) -> str:
    mac = hmac.new(secret, f"rejoinder-comment-form\x00{issued_ms}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()[:18]).decode("ascii")


def issue_form_token(ctx: Context) -> str:
    """`<issued ms>.<HMAC>`: proves when the comment form was shown (the minimum-time check)."""
    issued = ctx.clock() // 1000
    return f"{issued}.{_form_mac(ctx.secret, issued)}"


def read_form_token(ctx: Context, token: str | None) -> tuple[FormToken, float | None]:
    """The token's state and the form's age in seconds."""
    if token is None or token == "":
        return FormToken.MISSING, None
    issued, _, mac = token.partition(".")
    if not (issued.isascii() and issued.isdigit() and len(issued) <= 15 and len(token) <= 64):
        return FormToken.INVALID, None
    given = mac.encode("utf-8", "replace")
    if not any(hmac.compare_digest(_form_mac(key, int(issued)).encode(), given) for key in ctx.verify_keys):
        return FormToken.INVALID, None
    age = ctx.clock() / 1000 / 1000 - int(issued) / 1000
    if age > FORM_TOKEN_MAX_AGE or age < -FORM_TOKEN_SKEW:
        return FormToken.EXPIRED, age
    return FormToken.OK, age
