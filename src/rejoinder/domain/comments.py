"""Comments: the Comment type, its statuses, the edit window and validation of text, name and email."""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from typing import Any

import msgspec

from rejoinder.domain.urls import check_text_field, check_website
from rejoinder.errors import CommentNotFound, FieldError, Forbidden, Invalid, NotFound, OriginNotAllowed


class CommentStatus(enum.StrEnum):
    """Stored as the string value. `published` and `approved` are shown to every reader."""

    PUBLISHED = "published"  # public, not (yet) reviewed by a moderator
    APPROVED = "approved"  # public, reviewed and approved by a moderator
    PENDING = "pending"  # held for moderation: shown only to its author
    SPAM = "spam"  # judged spam: shown to nobody
    REJECTED = "rejected"  # a moderator rejected it (with a reason code): shown to nobody
    DELETED = "deleted"  # removed by its author or a moderator; a placeholder if it has replies


PUBLIC_STATUSES = frozenset({CommentStatus.PUBLISHED, CommentStatus.APPROVED})


class Author(msgspec.Struct, frozen=True):
    name: str
    email: str | None
    website: str | None
    key: str  # opaque per-site author id; the avatar URL is built from it


class ImageRef(msgspec.Struct, frozen=True):
    """An image attached to a comment, as the comment shows it (domain/images.py takes the files)."""

    name: str  # stored and served name: content hash, random part, extension
    width: int
    height: int
    alt: str = ""


class Comment(msgspec.Struct, frozen=True):
    id: str
    thread_id: int
    parent: str | None
    text: str
    html: str
    author: Author
    status: CommentStatus
    created: int  # microseconds since the epoch, UTC
    edited: int | None
    likes: int
    depth: int
    staff: bool = False  # written by a moderator or admin of its site: shown with a staff badge
    pinned: bool = False  # a moderator pinned it: a pinned top-level comment is shown first
    featured: bool = False  # a moderator picked it: shown with a "Featured" marker
    images: tuple[ImageRef, ...] = ()  # attached images, in order (domain/images.py)
    moderator_edited: int | None = None  # when a moderator last changed its text: "edited by a moderator"
    moderator_note: str | None = None  # the moderator's public note on that edit


class CommentStub(msgspec.Struct, frozen=True):
    """What ordering and pagination need of a comment, without its text (cheap to load for big threads)."""

    id: str
    parent: str | None
    status: CommentStatus
    created: int
    edited: int | None
    likes: int
    depth: int
    author_name: str = ""  # part of what a cached encoding depends on (signed-in readers can rename)
    author_key: str = ""
    pinned: bool = False  # orders the thread (pinned roots first) and, with featured, its encoding
    featured: bool = False


class CommentLimits(msgspec.Struct, frozen=True):
    max_text_length: int = 10000
    max_name_length: int = 80
    max_url_length: int = 2048
    max_depth: int = 64
    require_email: bool = False


_EMAIL = re.compile(r"^[^@\s<>\"']{1,64}@[^@\s<>\"']{1,255}\.[^@\s<>\"'.]{2,63}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(text: str, limits: CommentLimits) -> str:
    """Validate a comment's Markdown source; returns it with line endings normalised."""
    check_text_field(text, "text")
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    if not text.strip():
        raise Invalid.field("text", "text-empty", "Write something before posting: the comment is empty")
    if len(text) > limits.max_text_length:
        raise Invalid.field(
            "text",
            "text-too-long",
            f"The comment is {len(text)} characters; the limit is {limits.max_text_length}",
        )
    return text.strip("\n")


def clean_author(
    name: str | None, email: str | None, website: str | None, limits: CommentLimits
) -> tuple[str, str | None, str | None]:
    """Validate guest author fields; collects every field problem before raising."""
    errors: list[FieldError] = []
    clean_name = ""
    try:
        check_text_field(name or "", "author.name")
        clean_name = " ".join((name or "").split())
        if not clean_name:
            errors.append(FieldError("author.name", "name-required", "Enter a name to comment as a guest"))
        elif len(clean_name) > limits.max_name_length:
            errors.append(
                FieldError(
                    "author.name",
                    "name-too-long",
                    f"The name is longer than {limits.max_name_length} characters",
                )
            )
    except Invalid as exc:
        errors.extend(exc.errors)
    clean_email: str | None = None
    try:
        check_text_field(email or "", "author.email")
        clean_email = (email or "").strip() or None
        if clean_email is None and limits.require_email:
            errors.append(FieldError("author.email", "email-required", "This site asks for an email address"))
        elif clean_email is not None and (len(clean_email) > 254 or not _EMAIL.match(clean_email)):
            errors.append(
                FieldError(
                    "author.email", "email-invalid", "Enter a valid email address, like ann@example.org"
                )
            )
    except Invalid as exc:
        errors.extend(exc.errors)
    clean_site: str | None = None
    if website and website.strip():
        try:
            clean_site = check_website(website, max_length=limits.max_url_length)
        except Invalid as exc:
            errors.extend(exc.errors)
    if errors:
        raise Invalid(errors[0].message, code=errors[0].code, errors=errors)
    return clean_name, clean_email, clean_site


def check_edit_window(created: int, now: int, window_seconds: int) -> None:
    """Raises Forbidden once the author's edit window has closed."""
    if now - created > window_seconds * 1_000_000:
        minutes = max(1, window_seconds // 60)
        raise Forbidden(
            f"Comments can be changed for {minutes} minutes after posting; this one can no longer be changed",
            code="edit-window-closed",
        )


def comment_not_found() -> NotFound:
    """The one answer for a comment id the asker may not know about: unknown, deleted, not public, or
    of another site than the asking page's. Each gets the same status, code and words, so that a reader
    cannot tell them apart (an existence oracle). Routes where the asker proves authorship (the edit
    token, the signed-in author) may say more."""
    return CommentNotFound()


def hide_other_sites(guard: Callable[[Any], None] | None) -> Callable[[Any], None] | None:
    """A site guard (domain.sites.SiteGuard) for a comment found by its id: a page the comment's site does
    not allow (`origin-not-allowed`) gets comment_not_found, as if the id did not exist, instead of a
    refusal that names the site. Other refusals pass unchanged."""
    if guard is None:
        return None
    inner = guard

    def hidden(site: Any) -> None:
        try:
            inner(site)
        except OriginNotAllowed:
            raise comment_not_found() from None

    return hidden


def parent_unavailable() -> Invalid:
    """The one answer for a `parent` that cannot take replies because the writer may not know it: unknown,
    in another thread or site, deleted or not public (an existence oracle otherwise)."""
    return Invalid.field(
        "parent",
        "parent-not-public",
        "The comment you reply to does not exist here, or is deleted or not public",
    )


def check_parent(parent: Comment | None, thread_id: int, limits: CommentLimits) -> int:
    """The depth a reply to `parent` gets; raises Invalid when the parent cannot take replies."""
    if parent is None:
        return 0
    if parent.thread_id != thread_id or parent.status not in PUBLIC_STATUSES:
        raise parent_unavailable()
    if parent.depth + 1 > limits.max_depth:
        raise Invalid.field("parent", "too-deep", f"Replies nest at most {limits.max_depth} levels deep")
    return parent.depth + 1
