"""The moderation queues: which comments each one holds, how a queue is filtered and paged, and what a
moderator sees of each comment. No SQL here: store/moderation.py turns a QueueQuery into one query.
"""

from __future__ import annotations

import enum
from typing import Any

import msgspec

from rejoinder.domain.comments import CommentStatus
from rejoinder.errors import Invalid
from rejoinder.moderation.reports import Report


class Queue(enum.StrEnum):
    REPORTED = "reported"  # comments with open reader reports (public or held by them), newest first
    PENDING = "pending"  # held by a check, by reports or by pre-moderation: oldest first (fair order)
    UNMODERATED = "unmoderated"  # published, never reviewed (flagged ones carry `flagged`): newest first
    APPROVED = "approved"  # newest first
    REJECTED = "rejected"  # rejected and spam, newest first


STATUSES: dict[Queue, tuple[CommentStatus, ...]] = {
    Queue.REPORTED: (CommentStatus.PUBLISHED, CommentStatus.APPROVED, CommentStatus.PENDING),
    Queue.PENDING: (CommentStatus.PENDING,),
    Queue.UNMODERATED: (CommentStatus.PUBLISHED,),
    Queue.APPROVED: (CommentStatus.APPROVED,),
    Queue.REJECTED: (CommentStatus.REJECTED, CommentStatus.SPAM),
}

MAX_PAGE = 200


class QueueQuery(msgspec.Struct, frozen=True):
    """One page of a queue. `site_ids`: the sites the moderator may see (never empty); `before`: the
    cursor from the previous page's last item."""

    queue: Queue
    site_ids: tuple[int, ...]
    thread_id: int | None = None
    author_key: str | None = None
    identity_id: str | None = None
    limit: int = 50
    before: str | None = None
    appealed: bool = False  # only comments whose author's appeal awaits a moderator's answer


class ModeratedComment(msgspec.Struct, frozen=True):
    """A comment with everything a moderator needs about it (the email only for staff eyes)."""

    id: str
    site_id: int
    thread_id: int
    thread_uri: str | None
    thread_title: str | None
    parent: str | None
    text: str
    html: str
    author_name: str
    author_email: str | None
    author_website: str | None
    author_key: str
    identity_id: str | None
    ip: str | None  # anonymised network
    status: CommentStatus
    status_reason: str | None
    created: int
    edited: int | None
    likes: int
    flagged: bool
    pinned: bool
    featured: bool
    staff: bool
    report_count: int
    spam_score: float | None
    moderated: int | None
    moderated_by: str | None
    revision: int
    appeal: str | None  # the author's appeal (moderation/appeals.py)
    appealed: int | None = None  # when it was sent


class Revision(msgspec.Struct, frozen=True):
    """One checked version of a comment: the text, what each check said, the classifier's reasons."""

    revision: int
    text: str
    created: int
    decision: str
    status: str
    reasons: list[dict[str, Any]]
    spam_score: float | None
    abuse_score: float | None
    classifier: dict[str, Any] | None
    external: dict[str, Any] | None
    elapsed_us: int


class Standing(msgspec.Struct, frozen=True):
    """An author's history on a site: comments per status, open bans and roles."""

    counts: dict[str, int]
    banned: bool
    trusted: bool


class Detail(msgspec.Struct, frozen=True):
    comment: ModeratedComment
    revisions: list[Revision]
    reports: list[Report]
    standing: Standing


def check_limit(limit: int) -> int:
    if not 1 <= limit <= MAX_PAGE:
        raise Invalid.field("limit", "limit-invalid", f"limit must be between 1 and {MAX_PAGE}")
    return limit


OLDEST_FIRST = frozenset({Queue.PENDING})


def cursor_of(item: ModeratedComment) -> str:
    """An opaque cursor after `item` in its queue's order (by created, then id)."""
    return f"{item.created}.{item.id}"


def parse_cursor(cursor: str | None) -> tuple[int, str] | None:
    if not cursor:
        return None
    created, _, comment_id = cursor.partition(".")
    if not (created.isdigit() and comment_id and len(cursor) <= 64):
        raise Invalid.field("before", "cursor-invalid", "The page cursor is not one this server gave out")
    return int(created), comment_id
