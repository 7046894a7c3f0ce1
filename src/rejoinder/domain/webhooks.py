"""Webhooks as a receiver sees them: the event types, the public view of a comment a payload carries (never
an email, IP address or token), and the rules for an endpoint's URL, description and secret. Pure: no HTTP,
no SQL, no clock. Which domain event becomes which type is services/webhooks.py's business."""

from __future__ import annotations

import base64
import enum
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import msgspec

from rejoinder.domain.comments import Comment
from rejoinder.errors import Invalid

MAX_URL = 2000
MAX_DESCRIPTION = 200
SECRET_PREFIX = "whsec_"  # noqa: S105 (the format's prefix, not a secret)


class WebhookType(enum.StrEnum):
    """What a receiver subscribes to (docs/notifications.md lists them with their data)."""

    COMMENT_CREATED = "comment.created"
    COMMENT_UPDATED = "comment.updated"
    COMMENT_DELETED = "comment.deleted"
    COMMENT_STATUS_CHANGED = "comment.status_changed"
    LIKE_CREATED = "like.created"
    LIKE_DELETED = "like.deleted"
    REPORT_CREATED = "report.created"


ALL_TYPES: tuple[WebhookType, ...] = tuple(WebhookType)


class EndpointState(enum.StrEnum):
    ACTIVE = "active"  # receives events
    DISABLED = "disabled"  # gave up after a day of failures, or an admin turned it off


def parse_types(raw: list[str] | tuple[str, ...]) -> tuple[WebhookType, ...]:
    """The event types an endpoint subscribes to, in the catalogue's order; none given means all.

    Raises:
        Invalid: webhook-event-unknown, naming the unknown types.
    """
    if not raw:
        return ALL_TYPES
    names = {name.strip() for name in raw if name.strip()}
    unknown = sorted(names - {t.value for t in WebhookType})
    if unknown:
        known = ", ".join(t.value for t in WebhookType)
        raise Invalid.field(
            "events", "webhook-event-unknown", f"Unknown event type {', '.join(unknown)}; known: {known}"
        )
    return tuple(t for t in WebhookType if t.value in names)


def check_url(url: str, *, allow_private: bool) -> str:
    """The endpoint URL, trimmed, if its shape is acceptable (where it resolves is checked by the caller).

    Raises:
        Invalid: webhook-url-invalid.
    """
    url = url.strip()

    def bad(message: str) -> Invalid:
        return Invalid.field("url", "webhook-url-invalid", message)

    if not url or len(url) > MAX_URL:
        raise bad(f"Give the endpoint's full https:// URL (at most {MAX_URL} characters)")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise bad("That is not a URL") from None
    schemes = ("https", "http") if allow_private else ("https",)
    if parts.scheme not in schemes:
        raise bad("A webhook endpoint must be an https:// URL")
    if not parts.hostname:
        raise bad("The URL has no host name")
    if parts.username is not None or parts.password is not None:
        raise bad("Put no user name or password in the URL; receivers check the signature instead")
    if parts.fragment:
        raise bad("A URL with a #fragment cannot be POSTed to")
    if port == 0:
        raise bad("Port 0 is not a port")
    return url


def check_description(text: str) -> str:
    text = " ".join(text.split())
    if len(text) > MAX_DESCRIPTION:
        raise Invalid.field(
            "description", "webhook-description-too-long", f"At most {MAX_DESCRIPTION} characters"
        )
    return text


def make_secret(random_bytes: bytes) -> str:
    """A signing secret in the Standard Webhooks form: `whsec_` and the base64 of the key's bytes."""
    return SECRET_PREFIX + base64.b64encode(random_bytes).decode("ascii")


def iso(us: int | None) -> str | None:
    """Microseconds since the epoch as RFC 3339 UTC (what receivers parse)."""
    if us is None:
        return None
    return datetime.fromtimestamp(us / 1_000_000, UTC).isoformat().replace("+00:00", "Z")


def comment_view(comment: Comment, thread: dict[str, str | None]) -> dict[str, Any]:
    """A comment as anyone reading its thread could see it (and its status): no email, IP or token."""
    return {
        "id": comment.id,
        "thread": thread,
        "parent": comment.parent,
        "status": comment.status.value,
        "author": {"name": comment.author.name, "website": comment.author.website},
        "text": comment.text,
        "html": comment.html,
        "created": iso(comment.created),
        "edited": iso(comment.edited),
        "likes": comment.likes,
        "staff": comment.staff,
        "pinned": comment.pinned,
        "featured": comment.featured,
    }


class Endpoint(msgspec.Struct, frozen=True):
    """One subscription of a site. `secret` signs; `previous_secret` too, until `previous_until`."""

    id: int
    site_id: int
    url: str
    events: tuple[WebhookType, ...]
    description: str
    secret: str
    previous_secret: str | None
    previous_until: int | None
    state: EndpointState
    disabled_reason: str | None
    created: int

    def wants(self, kind: WebhookType) -> bool:
        return self.state is EndpointState.ACTIVE and kind in self.events

    def secrets_at(self, now: int) -> tuple[str, ...]:
        """The secrets a delivery made at `now` is signed with: the current one, and during a rotation's
        overlap window the previous one too (receivers that still have it keep verifying)."""
        if self.previous_secret and self.previous_until is not None and now < self.previous_until:
            return (self.secret, self.previous_secret)
        return (self.secret,)


class Attempt(msgspec.Struct, frozen=True):
    """One try at delivering one event to one endpoint (the delivery log)."""

    id: int
    endpoint_id: int
    event_uid: str
    event_type: str
    attempted: int
    status_code: int | None
    duration_ms: int
    error: str | None

    @property
    def ok(self) -> bool:
        return self.error is None
