"""What moderators do, as rules without I/O: who may act where (Actor), which status each action leads
to, the reason codes a rejection takes, and how public counts change. services/moderation/ applies
them in one transaction each and writes the moderation log.
"""

from __future__ import annotations

import enum
import ipaddress

import msgspec

from rejoinder.domain.comments import PUBLIC_STATUSES, CommentStatus
from rejoinder.errors import CommentDeleted, Invalid, NotAModerator, NotAnAdmin
from rejoinder.moderation.rules import STAFF, Role


class ModAction(enum.StrEnum):
    """Every action the moderation log records."""

    APPROVE = "approve"
    REJECT = "reject"
    SPAM = "spam"
    DELETE = "delete"
    HOLD = "hold"  # back to pending (e.g. by reader reports)
    PIN = "pin"
    UNPIN = "unpin"
    FEATURE = "feature"
    UNFEATURE = "unfeature"
    BAN = "ban"
    UNBAN = "unban"
    CLOSE = "close"
    OPEN = "open"
    GRANT = "grant"  # a role (trusted, moderator, admin)
    REVOKE = "revoke"
    DISMISS_REPORTS = "dismiss-reports"
    APPEAL = "appeal"  # by the comment's author, not a moderator (moderation/appeals.py)
    # The moderation desk (services/admin_desk.py): an edit of a comment's text, and actions on a commenter.
    EDIT = "edit"
    WARN = "warn"
    PREMODERATE = "premoderate"  # always hold the commenter's new comments
    UNPREMODERATE = "unpremoderate"
    NOTE = "note"  # a moderators' note on a commenter


class RejectReason(enum.StrEnum):
    """Why a moderator rejected a comment; shown to its author in plain words (REASON_TEXT)."""

    OFF_TOPIC = "off-topic"
    ABUSE = "abuse"
    HARASSMENT = "harassment"
    HATE = "hate"
    SPAM = "spam"
    ILLEGAL = "illegal"
    PRIVACY = "privacy"  # shares someone's personal data
    DUPLICATE = "duplicate"
    OTHER = "other"


class ApproveReason(enum.StrEnum):
    """Why a moderator approved a comment the classifier scored high, when it matters to the classifier:
    "political-speech" says "not abuse: political speech", which the site's model learns as a weighted
    legitimate example (services/moderation/learning.py, label "politics")."""

    POLITICAL_SPEECH = "political-speech"


REASON_TEXT = {
    RejectReason.OFF_TOPIC: "It is off topic for this discussion.",
    RejectReason.ABUSE: "It is abusive.",
    RejectReason.HARASSMENT: "It harasses someone.",
    RejectReason.HATE: "It attacks people for who they are.",
    RejectReason.SPAM: "It is advertising or spam.",
    RejectReason.ILLEGAL: "It may be illegal to publish.",
    RejectReason.PRIVACY: "It shares someone's personal information.",
    RejectReason.DUPLICATE: "It repeats another comment.",
    RejectReason.OTHER: "It breaks the discussion rules.",
}

# The status each comment action leads to.
TARGET_STATUS = {
    ModAction.APPROVE: CommentStatus.APPROVED,
    ModAction.REJECT: CommentStatus.REJECTED,
    ModAction.SPAM: CommentStatus.SPAM,
    ModAction.DELETE: CommentStatus.DELETED,
    ModAction.HOLD: CommentStatus.PENDING,
}


class Actor(msgspec.Struct, frozen=True):
    """Who acts: an identity with its roles per site (None = every site), or the system itself
    ('cli', 'system', 'reports'), which may do anything."""

    id: str
    roles: tuple[tuple[int | None, Role], ...] = ()
    system: bool = False

    @classmethod
    def of_system(cls, name: str) -> Actor:
        return cls(id=name, system=True)

    def has(self, site_id: int, roles: frozenset[Role]) -> bool:
        return self.system or any(r in roles and (s is None or s == site_id) for s, r in self.roles)

    def can_moderate(self, site_id: int) -> bool:
        return self.has(site_id, STAFF)

    def is_admin(self, site_id: int) -> bool:
        return self.has(site_id, frozenset({Role.ADMIN}))

    def require_moderator(self, site_id: int) -> None:
        if not self.can_moderate(site_id):
            raise NotAModerator()

    def require_admin(self, site_id: int) -> None:
        if not self.is_admin(site_id):
            raise NotAnAdmin()

    def is_admin_everywhere(self) -> bool:
        """An admin of every site (a role with no site), or the system."""
        return self.system or any(s is None and r is Role.ADMIN for s, r in self.roles)

    def require_admin_everywhere(self, detail: str) -> None:
        """Refuses, with `detail` saying what needs it, unless an admin of every site acts."""
        if not self.is_admin_everywhere():
            raise NotAnAdmin(detail)


def count_delta(before: CommentStatus, after: CommentStatus) -> int:
    """How a thread's public comment count changes when a comment goes from `before` to `after`."""
    return int(after in PUBLIC_STATUSES) - int(before in PUBLIC_STATUSES)


def check_transition(before: CommentStatus, action: ModAction) -> CommentStatus:
    """The status `action` leads to; raises CommentDeleted (404) for a deleted comment."""
    if before is CommentStatus.DELETED:
        raise CommentDeleted()
    return TARGET_STATUS[action]


def check_reason(reason: str | None) -> RejectReason:
    return Invalid.one_of(
        "reason", RejectReason, reason or "other", code="reason-invalid", message="The reason must be one of:"
    )


def check_approve_reason(reason: str) -> ApproveReason:
    return Invalid.one_of(
        "reason", ApproveReason, reason, code="reason-invalid", message="An approval's reason must be one of:"
    )


def check_note(note: str | None, limit: int = 1000) -> str | None:
    if note is None:
        return None
    note = " ".join(note.split())
    if len(note) > limit:
        raise Invalid.field("note", "note-too-long", f"The note is longer than {limit} characters")
    return note or None


def check_ip_range(value: str) -> str:
    """A network in CIDR form; a single address becomes /32 or /128."""
    try:
        return str(ipaddress.ip_network(value.strip(), strict=False))
    except ValueError:
        raise Invalid.field(
            "ip", "ip-range-invalid", "Give an address or a network like 203.0.113.0/24"
        ) from None
