"""What every importer yields and the `Importer` protocol: records read from another system's export,
as plain values (no SQL, no clock). Turning them into our comments is services/imports.py's job.

    importer = REGISTRY["wxr"]
    with open("export.xml", "rb") as stream:
        for record in importer.read(stream):
            ...  # an ImportedComment, or a Skipped with its position and reason
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from typing import BinaryIO, Protocol

import msgspec


class SourceStatus(enum.StrEnum):
    """A comment's state in the system it comes from, reduced to what we can keep."""

    PUBLIC = "public"  # shown to readers there, moderated or not (Disqus, Commento "approved")
    APPROVED = "approved"  # shown there after a moderator's (or the owner's auto-) approval (WordPress "1")
    PENDING = "pending"  # held for a moderator (WordPress "0", Commento "unapproved")
    SPAM = "spam"  # judged spam there (WordPress "spam", Disqus isSpam, Commento "flagged")
    DELETED = "deleted"  # deleted or in the trash there (WordPress "trash", Disqus isDeleted)


class ImportedComment(msgspec.Struct, frozen=True):
    """One comment as its export has it. Strings are as read: the service cleans and checks them."""

    source_id: str  # the comment's id in the source system: the key of idempotent re-imports
    position: str  # where it is in the file, for messages ("line 1624", "comments[3]")
    thread_url: str  # the article's permalink (absolute), before --map-url
    thread_title: str | None
    parent_source_id: str | None  # the parent's source id; None for a top-level comment
    author_name: str
    author_email: str | None
    author_website: str | None
    author_ip: str | None
    created: int  # microseconds since the epoch, UTC
    status: SourceStatus
    html: str | None = None  # the body as HTML (WordPress, Disqus)
    markdown: str | None = None  # the body as Markdown (Commento): wins over html when both are set


class Skipped(msgspec.Struct, frozen=True):
    """A record the importer could not use: reported with its position, never stops the import."""

    position: str
    reason: str  # a short slug: pingback, trackback, no-id, bad-date, no-thread…
    detail: str = ""
    source_id: str | None = None


Record = ImportedComment | Skipped


class UnreadableExport(Exception):
    """The file cannot be read on (not well-formed XML, a DTD, bytes that are not UTF-8, not the format):
    the import stops here. Records yielded before it stay valid. An operator's error, shown by the CLI."""

    def __init__(self, message: str, position: str) -> None:
        super().__init__(f"{position}: {message}")
        self.message = message
        self.position = position


class Importer(Protocol):
    """One export format. `read` streams records one at a time: memory stays flat as the file grows."""

    name: str  # the FORMAT argument of `rejoinder import`
    label: str  # what the summary calls it ("WordPress WXR")

    def detect(self, head: bytes) -> bool:
        """Whether a file starting with these bytes (the first 4 KiB) looks like this format."""
        ...

    def read(self, stream: BinaryIO) -> Iterator[Record]:
        """The file's comments in file order.

        Raises:
            UnreadableExport: the file stops making sense at some position.
        """
        ...
