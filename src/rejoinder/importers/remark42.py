"""Remark42 backup (`remark42 backup`, the admin export, `backup-<site>-<date>.gz` once unpacked): JSON lines,
a meta line `{"version":1,"users":[…],"posts":[…]}` and then one comment per line, as Remark42's
`migrator/native.go` writes them. Read one line at a time; a line over `MAX_LINE` bytes is skipped without
being held in memory."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, BinaryIO

import msgspec

from rejoinder.importers.base import ImportedComment, Record, Skipped, SourceStatus, UnreadableExport
from rejoinder.importers.dates import parse_iso

MAX_LINE = 4 * 1024 * 1024  # a comment with its HTML, Markdown and votes: far below this
_CHUNK = 64 * 1024


class Remark42Importer:
    name = "remark42"
    label = "Remark42 backup"

    def detect(self, head: bytes) -> bool:
        first = head.lstrip()[:200]
        return (first.startswith(b'{"version"') and (b'"users"' in head or b'"posts"' in head)) or (
            b'"locator"' in head and b'"pid"' in head
        )

    def read(self, stream: BinaryIO) -> Iterator[Record]:
        blocked: set[str] = set()
        for number, line in _lines(stream):
            position = f"line {number}"
            if line is None:
                yield Skipped(position, "too-large", f"a line over {MAX_LINE} bytes")
                continue
            if not line.strip():
                continue
            try:
                entry = msgspec.json.decode(line)
            except msgspec.DecodeError as exc:
                if number == 1:
                    raise UnreadableExport(f"not a Remark42 backup: {exc}", position) from None
                yield Skipped(position, "bad-json", str(exc))
                continue
            if number == 1 and isinstance(entry, dict) and "version" in entry:
                if entry["version"] not in (0, 1):
                    raise UnreadableExport(f"Remark42 backup version {entry['version']!r} is not 1", position)
                blocked = _blocked_users(entry.get("users"))
                continue
            yield _comment(entry, position, blocked)


def _lines(stream: BinaryIO) -> Iterator[tuple[int, bytes | None]]:
    """(line number, bytes) for each line; None for a line longer than MAX_LINE, read past in chunks."""
    number = 0
    while True:
        line = stream.readline(MAX_LINE + 1)
        if not line:
            return
        number += 1
        if len(line) > MAX_LINE and not line.endswith(b"\n"):
            while True:  # drop the rest of the line without keeping it
                rest = stream.readline(_CHUNK)
                if not rest or rest.endswith(b"\n"):
                    break
            yield number, None
            continue
        yield number, line


def _blocked_users(users: Any) -> set[str]:
    out: set[str] = set()
    for user in users if isinstance(users, list) else []:
        if not isinstance(user, dict) or not isinstance(user.get("id"), str):
            continue
        blocked = user.get("blocked")
        if isinstance(blocked, dict) and blocked.get("status") is True:
            out.add(user["id"])
    return out


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _comment(entry: Any, position: str, blocked: set[str]) -> Record:
    if not isinstance(entry, dict):
        return Skipped(position, "bad-value", "a comment is not a JSON object")
    source_id = _text(entry.get("id"))
    if not source_id:
        return Skipped(position, "no-id", "the comment has no id")
    locator = entry.get("locator")
    url = _text(locator.get("url")) if isinstance(locator, dict) else ""
    if not url:
        return Skipped(position, "no-thread", "the comment has no locator.url", source_id)
    raw_time = entry.get("time")
    created = parse_iso(raw_time) if isinstance(raw_time, str) else None
    if created is None:
        return Skipped(position, "bad-date", f"unreadable time {raw_time!r}", source_id)
    user = entry.get("user") if isinstance(entry.get("user"), dict) else {}
    assert isinstance(user, dict)
    status = SourceStatus.PUBLIC
    if entry.get("delete") is True:
        status = SourceStatus.DELETED
    elif user.get("block") is True or _text(user.get("id")) in blocked:
        status = SourceStatus.SPAM  # Remark42 hides a blocked user's comments from readers
    orig = entry.get("orig")
    html = entry.get("text")
    parent = _text(entry.get("pid"))
    return ImportedComment(
        source_id=source_id,
        position=position,
        thread_url=url,
        thread_title=_text(entry.get("title")) or None,
        parent_source_id=parent or None,
        author_name=_text(user.get("name")) or "Anonymous",
        author_email=_text(user.get("email")) or None,  # only newer backups carry it
        author_website=None,
        author_ip=None,  # Remark42 keeps an HMAC of the address, not the address
        created=created,
        status=status,
        markdown=orig if isinstance(orig, str) and orig.strip() else None,
        html=html if isinstance(html, str) else None,
    )
