"""Email subscriptions as rules and types: what a reader follows (replies to a comment, a thread, a whole
site), how often it is mailed, which comments are worth a notification, and the signed links every email
carries (confirm, unsubscribe, manage). Pure: the secret and the time are handed in."""

from __future__ import annotations

import enum
import hmac
from collections.abc import Sequence

import msgspec

from rejoinder.domain.comments import PUBLIC_STATUSES, CommentStatus
from rejoinder.domain.identity import keyed_hash
from rejoinder.errors import Gone, Invalid, SubscriptionLinkInvalid

US = 1_000_000
SENT_KEPT_US = 30 * 86400 * US  # a notification mailed longer ago is deleted (after a send, and by the purge)


class SubscriptionKind(enum.StrEnum):
    REPLIES = "replies"  # replies to one comment (the reader's own, usually)
    THREAD = "thread"  # every new public comment on one article
    SITE = "site"  # every new public comment of a site (moderators, from /admin)


class DeliveryMode(enum.StrEnum):
    IMMEDIATE = "immediate"  # batched: at most one email per address per batch window (a minute)
    DIGEST = "digest"  # one email a day


class SubscriptionState(enum.StrEnum):
    PENDING = "pending"  # its address is not confirmed yet: nothing is sent
    ACTIVE = "active"


class LinkPurpose(enum.StrEnum):
    """What a signed link in an email does; its letter starts the token."""

    CONFIRM = "c"  # confirm an address (and start its pending subscriptions)
    UNSUBSCRIBE = "u"  # end one subscription (List-Unsubscribe)
    MANAGE = "m"  # see and change every subscription of an address
    UNSUBSCRIBE_ALL = "a"  # end every subscription of an address (an email about several of them)


class Address(msgspec.Struct, frozen=True):
    id: int
    site_id: int
    email: str
    language: str
    confirmed: int | None
    created: int


class Subscription(msgspec.Struct, frozen=True):
    id: int
    address_id: int
    kind: SubscriptionKind
    target: str
    thread_id: int | None
    comment_id: str | None
    mode: DeliveryMode
    state: SubscriptionState
    created: int


def target_of(kind: SubscriptionKind, *, comment_id: str | None, thread_id: int | None, site_id: int) -> str:
    """The unique name of what a subscription follows (one subscription per address and target)."""
    if kind is SubscriptionKind.REPLIES:
        return f"c:{comment_id}"
    if kind is SubscriptionKind.THREAD:
        return f"t:{thread_id}"
    return f"s:{site_id}"


def parse_kinds(raw: list[str]) -> tuple[SubscriptionKind, ...]:
    """The kinds a reader asks for under the comment form (`site` is for moderators, in /admin).

    Raises:
        Invalid: subscription-kind-invalid (none, or one that is not replies/thread).
    """
    allowed = {SubscriptionKind.REPLIES.value, SubscriptionKind.THREAD.value}
    if not raw or any(k not in allowed for k in raw):
        raise Invalid.field(
            "kinds", "subscription-kind-invalid", "Choose what to follow: replies, thread, or both"
        )
    return tuple(SubscriptionKind(k) for k in dict.fromkeys(raw))


def parse_mode(raw: str | None) -> DeliveryMode:
    """Raises Invalid subscription-mode-invalid for anything but immediate or digest."""
    if raw is None:
        return DeliveryMode.IMMEDIATE
    try:
        return DeliveryMode(raw)
    except ValueError:
        raise Invalid.field(
            "mode", "subscription-mode-invalid", "Choose immediate (batched per minute) or digest (daily)"
        ) from None


def notifies(status: CommentStatus, previous: CommentStatus | None) -> bool:
    """Does this change make a comment newly public (posted public, or approved after a hold)? Only then
    is anyone told: never for spam, held or refused comments, never twice for an edit."""
    return status in PUBLIC_STATUSES and (previous is None or previous not in PUBLIC_STATUSES)


def next_digest(now: int, hour: int) -> int:
    """The next daily digest time (`hour` o'clock UTC) after `now`."""
    day = 86400 * US
    at = now - now % day + hour * 3600 * US
    return at if at > now else at + day


# --- signed links ------------------------------------------------------------------------------------------


def _signature(secret: bytes, purpose: LinkPurpose, ident: int, expires: int) -> str:
    return keyed_hash(secret, "subscription-link", purpose.value, str(ident), str(expires), length=32)


def sign_link(secret: bytes, purpose: LinkPurpose, ident: int, *, expires: int) -> str:
    """A token `<purpose><id>.<expires, seconds>.<HMAC>`: whoever holds it may do `purpose` to `ident`
    (an address or a subscription) until `expires` (microseconds). Nothing is stored."""
    seconds = expires // US
    return f"{purpose.value}{ident}.{seconds}.{_signature(secret, purpose, ident, seconds)}"


def open_link(keys: Sequence[bytes], token: str, purpose: LinkPurpose, *, now: int) -> int:
    """The id a link's token names, if its signature by one of `keys` (the current secret, then those it
    replaced) is right and it has not expired.

    Raises:
        SubscriptionLinkInvalid: not a token rejoinder made for this purpose (forged, cut, another kind).
        Gone: subscription-link-expired.
    """
    head, _, rest = token.partition(".")
    seconds_text, _, signature = rest.partition(".")
    ident_text = head[1:]
    if (
        len(token) > 100
        or head[:1] != purpose.value
        or not ident_text.isdigit()
        or not seconds_text.isdigit()
        or len(ident_text) > 18
        or len(seconds_text) > 12
    ):
        raise SubscriptionLinkInvalid()
    ident, seconds = int(ident_text), int(seconds_text)
    given = signature.encode("utf-8", "replace")
    if not any(hmac.compare_digest(_signature(k, purpose, ident, seconds).encode(), given) for k in keys):
        raise SubscriptionLinkInvalid()
    if seconds * US <= now:
        raise Gone(
            "This link has expired; use the link in a newer email, or subscribe again",
            code="subscription-link-expired",
        )
    return ident
