"""Isso: its SQLite database file, read directly and read-only (`mode=ro`). Threads are `threads(id, uri,
title)`; comments carry `tid`, `parent` (Isso nests one level), `mode` (1 public, 2 pending, 4 deleted),
`created` (seconds, a float), author, email, website, `remote_addr` (Isso keeps it anonymised) and `text`
(Markdown, as the reader wrote it). A thread's `uri` is a path: the service puts the site's origin in front."""

from __future__ import annotations

import contextlib
import html
import math
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO
from urllib.parse import quote

from rejoinder.importers.base import ImportedComment, Record, Skipped, SourceStatus, UnreadableExport

MAX_TEXT = 4 * 1024 * 1024  # bytes of one comment's text: anything longer is skipped unread
_MODES = {1: SourceStatus.PUBLIC, 2: SourceStatus.PENDING, 4: SourceStatus.DELETED}
_QUERY = """
SELECT c.id, c.parent, c.created, c.mode, c.remote_addr,
       CASE WHEN length(CAST(c.text AS BLOB)) > ? THEN NULL ELSE c.text END,
       length(CAST(c.text AS BLOB)), c.author, c.email, c.website, t.uri, t.title
FROM comments AS c LEFT JOIN threads AS t ON t.id = c.tid
ORDER BY c.id
"""


class IssoImporter:
    name = "isso"
    label = "Isso database"

    def detect(self, head: bytes) -> bool:
        return head.startswith(b"SQLite format 3\x00")

    def read(self, stream: BinaryIO) -> Iterator[Record]:
        with _path_of(stream) as path:
            try:
                db = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True)
            except sqlite3.Error as exc:
                raise UnreadableExport(f"not an SQLite database: {exc}", "the file") from None
            db.text_factory = bytes  # decoded field by field: one bad string skips one comment
            try:
                try:
                    rows = db.execute(_QUERY, (MAX_TEXT,))
                except sqlite3.Error as exc:
                    raise UnreadableExport(f"not an Isso database: {exc}", "the file") from None
                while True:
                    try:
                        row = rows.fetchone()
                    except sqlite3.Error as exc:
                        raise UnreadableExport(f"the database is damaged: {exc}", "comments") from None
                    if row is None:
                        return
                    yield _comment(row)
            finally:
                db.close()


@contextlib.contextmanager
def _path_of(stream: BinaryIO) -> Iterator[Path]:
    """The file behind the stream; a stream that is no file (an upload in memory) is copied to one."""
    name = getattr(stream, "name", None)
    if isinstance(name, str) and Path(name).is_file():
        yield Path(name)
        return
    with tempfile.TemporaryDirectory(prefix="rejoinder-isso-") as work:
        copy = Path(work) / "isso.db"
        with copy.open("wb") as out:
            shutil.copyfileobj(stream, out)
        yield copy


def _str(value: object) -> str | None:
    """A column's text; raises UnicodeDecodeError for bytes that are not UTF-8."""
    if value is None:
        return None
    if isinstance(value, bytes):
        return value.decode("utf-8")
    return str(value)


def _comment(row: tuple[object, ...]) -> Record:
    number, parent, created, mode, addr, text, size, author, email, website, uri, title = row
    position = f"comments.id {number}"
    source_id = str(number)
    if text is None and isinstance(size, int) and size > MAX_TEXT:
        return Skipped(position, "too-large", f"a text of {size} bytes", source_id)
    try:
        thread_url, thread_title = _str(uri), _str(title)
        body, name, mail, site, ip = _str(text), _str(author), _str(email), _str(website), _str(addr)
    except UnicodeDecodeError as exc:
        return Skipped(position, "bad-encoding", f"bytes that are not UTF-8: {exc.reason}", source_id)
    if not thread_url:
        return Skipped(position, "no-thread", "its thread is missing", source_id)
    if not isinstance(created, int | float) or not math.isfinite(created):
        return Skipped(position, "bad-date", f"unreadable created {created!r}", source_id)
    status = _MODES.get(mode) if isinstance(mode, int) else None
    if status is None:
        return Skipped(position, "bad-status", f"unknown mode {mode!r}", source_id)
    return ImportedComment(
        source_id=source_id,
        position=position,
        thread_url=thread_url,
        thread_title=thread_title,
        parent_source_id=str(parent) if isinstance(parent, int) else None,
        # Isso HTML-escapes these three when it stores them (views/comments.py `new`); we escape on output
        author_name=html.unescape(name or "") or "Anonymous",
        author_email=html.unescape(mail or "") or None,
        author_website=html.unescape(site or "") or None,
        author_ip=ip or None,
        created=round(float(created) * 1_000_000),
        status=status,
        markdown=body or "",
    )
