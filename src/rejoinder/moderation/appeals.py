"""The author's appeal against a hold or a rejection, as rules without I/O: which statuses may be
appealed, the note's limits, and that there is one appeal per comment. services/moderation/appeals.py
checks who is asking, stores the appeal and logs it."""

from __future__ import annotations

from rejoinder.domain.comments import CommentStatus
from rejoinder.domain.urls import check_text_field
from rejoinder.errors import Conflict, Invalid

NOTE_LIMIT = 500  # characters, after runs of white space are folded to one space

# A published or approved comment is already public; a deleted one is gone.
APPEALABLE = frozenset({CommentStatus.PENDING, CommentStatus.REJECTED, CommentStatus.SPAM})


def check_note(note: str | None) -> str:
    """The appeal's note, folded to single spaces: required, at most NOTE_LIMIT characters."""
    if note is None:
        note = ""
    check_text_field(note, "note")
    note = " ".join(note.split())
    if not note:
        raise Invalid.field(
            "note", "appeal-note-required", "Say in a few words why the comment should be published"
        )
    if len(note) > NOTE_LIMIT:
        raise Invalid.field(
            "note", "appeal-too-long", f"Keep the appeal under {NOTE_LIMIT} characters (it has {len(note)})"
        )
    return note


def check_appealable(status: CommentStatus, appealed: int | None) -> None:
    """Raises Conflict unless the comment waits for a moderator or was rejected, and was not appealed yet."""
    if appealed is not None:
        raise Conflict(
            "This comment has already been appealed; a moderator will read it", code="appeal-already-sent"
        )
    if status not in APPEALABLE:
        raise Conflict(
            f"Only a comment that is held or rejected can be appealed; this one is {status.value}",
            code="comment-not-appealable",
        )


def awaits_answer(appealed: int | None, moderated: int | None) -> bool:
    """Whether an appeal is still open: sent, and no moderator decided on the comment since."""
    return appealed is not None and (moderated is None or moderated < appealed)
