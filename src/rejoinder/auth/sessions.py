"""Reader sessions: opaque bearer tokens for the widget (no cookies, so no third-party-cookie trouble).

The widget keeps the token in localStorage and sends `Authorization: Bearer <token>`. The database keeps only
the token's SHA-256, so a leaked database cannot be replayed as sessions; a token is valid while its row
exists, is not revoked and has not expired. Logging out revokes the row. The same hashing serves the
one-time tickets of sign-in flows (state, link offers), which are likewise stored only as hashes.

Example:
    token = new_token(secrets.token_urlsafe)        # give to the widget once
    row_key = token_hash(token)                     # store this
    token = parse_bearer(request.headers.get("authorization"))
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable

import msgspec

from rejoinder.errors import Unauthorized

TOKEN_PREFIX = "rjs_"  # noqa: S105 - a marker, not a secret
TOKEN_BYTES = 32  # 256 bits of randomness, as token_urlsafe(32): 43 characters
_TOKEN = re.compile(r"^rjs_[A-Za-z0-9_-]{43,128}$")
_TICKET = re.compile(r"^[A-Za-z0-9_-]{22,128}$")


class Session(msgspec.Struct, frozen=True):
    identity_id: str
    provider: str  # provider name in the config ("google", "mastodon", "email"…)
    label: str  # what the widget shows after "via": "Google", "@ann@example.social"
    created: int  # microseconds since the epoch, UTC
    expires: int
    revoked: int | None


def new_token(random: Callable[[int], str]) -> str:
    """A fresh session token from a `secrets.token_urlsafe`-like source (≥ 32 random bytes)."""
    return TOKEN_PREFIX + random(TOKEN_BYTES)


def token_hash(token: str) -> str:
    """What the store keeps of a token or ticket: its SHA-256, hex. Tokens are random, so no salt is needed."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def parse_bearer(header: str | None) -> str:
    """The token of an `Authorization: Bearer <token>` header.

    Raises:
        Unauthorized: no header, another scheme, or a value that cannot be a rejoinder token.
    """
    if not header:
        raise Unauthorized(
            "Sign in first: send Authorization: Bearer <session token>", code="session-required"
        )
    scheme, _, value = header.strip().partition(" ")
    value = value.strip()
    if scheme.lower() != "bearer" or not _TOKEN.match(value):
        raise Unauthorized("The session token is not valid; sign in again", code="session-invalid")
    return value


def optional_bearer(header: str | None) -> str | None:
    """Like parse_bearer, but no header means a guest (None); a malformed header still raises."""
    return parse_bearer(header) if header else None


def check_session(session: Session | None, now: int) -> Session:
    """The session if it may be used at `now`.

    Raises:
        Unauthorized: unknown token (also any tampered one), revoked, or expired.
    """
    if session is None:
        raise Unauthorized("The session token is not valid; sign in again", code="session-invalid")
    if session.revoked is not None:
        raise Unauthorized("This session was logged out; sign in again", code="session-revoked")
    if session.expires <= now:
        raise Unauthorized("This session has expired; sign in again", code="session-expired")
    return session


def check_ticket(value: str | None, field: str) -> str:
    """A one-time ticket from a URL or body (state, link offer): URL-safe, 22–128 characters."""
    from rejoinder.errors import Invalid

    if not value or not _TICKET.match(value):
        raise Invalid.field(field, f"{field}-invalid", f"`{field}` is missing or malformed")
    return value
