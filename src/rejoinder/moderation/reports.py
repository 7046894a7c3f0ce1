"""Reader reports: the reasons a reader may give, the note's limits, and when reports hold a comment.
No I/O: services/moderation/ stores reports (store/reports.py) and applies the hold."""

from __future__ import annotations

import enum

import msgspec

from rejoinder.domain.comments import CommentStatus
from rejoinder.domain.urls import check_text_field
from rejoinder.errors import Invalid

NOTE_LIMIT = 500


class ReportReason(enum.StrEnum):
    SPAM = "spam"
    ABUSE = "abuse"
    OFF_TOPIC = "off-topic"
    ILLEGAL = "illegal"
    OTHER = "other"


class Resolution(enum.StrEnum):
    UPHELD = "upheld"  # a moderator removed the comment (rejected, spam, deleted)
    DISMISSED = "dismissed"  # a moderator approved it: it stays


class Report(msgspec.Struct, frozen=True):
    id: int
    comment_id: str
    reason: ReportReason
    note: str | None
    created: int
    identity_id: str | None = None
    resolved: int | None = None
    resolution: Resolution | None = None


def check_reason(reason: str) -> ReportReason:
    return Invalid.one_of(
        "reason", ReportReason, reason, code="report-reason-invalid", message="Say why: one of"
    )


def check_note(note: str | None) -> str | None:
    if note is None:
        return None
    check_text_field(note, "note")
    note = " ".join(note.split())
    if len(note) > NOTE_LIMIT:
        raise Invalid.field("note", "note-too-long", f"Keep the note under {NOTE_LIMIT} characters")
    return note or None


def holds(status: CommentStatus, open_reports: int, threshold: int) -> bool:
    """Reports hold a published comment once there are `threshold` open ones. An approved comment was
    already reviewed: it stays up and waits in the Reported queue instead."""
    return status is CommentStatus.PUBLISHED and open_reports >= threshold
