"""A signed-in reader's inbox, as rules without I/O: the signed link that opens the inbox page for one
identity for a short while (the widget asks GET /api/me/inbox for one: no cookie ever identifies a reader
on rejoinder's origin), and what counts as a reply to a reader."""

from __future__ import annotations

import hmac
import re
from collections.abc import Sequence

import msgspec

from rejoinder.domain.comments import CommentStatus
from rejoinder.domain.identity import keyed_hash
from rejoinder.errors import Gone, InboxLinkInvalid

US = 1_000_000
LINK_SECONDS = 3600  # an inbox link works for an hour: it is opened at once from the widget
_ID = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


def _signature(secret: bytes, identity_id: str, seconds: int) -> str:
    return keyed_hash(secret, "inbox-link", identity_id, str(seconds), length=32)


def sign_inbox_link(secret: bytes, identity_id: str, *, now: int) -> str:
    """A token `<identity>.<expires, seconds>.<HMAC>` that opens this identity's inbox for LINK_SECONDS."""
    seconds = now // US + LINK_SECONDS
    return f"{identity_id}.{seconds}.{_signature(secret, identity_id, seconds)}"


def open_inbox_link(keys: Sequence[bytes], token: str, *, now: int) -> str:
    """The identity an inbox link names, if one of `keys` (the current secret, then those it replaced)
    signed it, as for the links in emails (domain/subscriptions.open_link).

    Raises:
        InboxLinkInvalid: forged, cut or altered. Gone: inbox-link-expired.
    """
    identity_id, _, rest = token.partition(".")
    seconds_text, _, signature = rest.partition(".")
    if len(token) > 120 or not _ID.match(identity_id) or not seconds_text.isdigit() or len(seconds_text) > 12:
        raise InboxLinkInvalid()
    seconds = int(seconds_text)
    given = signature.encode("utf-8", "replace")
    if not any(hmac.compare_digest(_signature(k, identity_id, seconds).encode(), given) for k in keys):
        raise InboxLinkInvalid()
    if seconds * US <= now:
        raise Gone(
            "This inbox link has expired. Open your inbox again from the comments", code="inbox-link-expired"
        )
    return identity_id


class InboxReply(msgspec.Struct, frozen=True):
    """A public reply by someone else to one of the reader's comments."""

    id: str
    parent_id: str
    site_id: int
    thread_uri: str | None
    thread_title: str | None
    author_name: str
    html: str
    created: int


class OwnComment(msgspec.Struct, frozen=True):
    """One of the reader's own comments, whatever its status (deleted ones are left out)."""

    id: str
    site_id: int
    thread_uri: str | None
    thread_title: str | None
    status: CommentStatus
    status_reason: str | None
    html: str
    created: int
    appealed: int | None
