"""Commento and Commento++ JSON export (`commentoExportV1`: `version`, `comments`, `commenters`). The file is
one JSON document, read whole: Commento exports a whole domain at once and they stay small next to WXR."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, BinaryIO

import msgspec

from rejoinder.importers.base import ImportedComment, Record, Skipped, SourceStatus, UnreadableExport
from rejoinder.importers.dates import parse_iso

_STATES = {
    "approved": SourceStatus.APPROVED,
    "unapproved": SourceStatus.PENDING,
    "flagged": SourceStatus.SPAM,
}
_UNSET = {"", "undefined", "null"}  # Commento writes the string "undefined" for a missing email or link
_BYTE = re.compile(r"byte (\d+)")


class CommentoImporter:
    name = "commento"
    label = "Commento JSON"

    def detect(self, head: bytes) -> bool:
        return b'"commentHex"' in head or (b'"version"' in head and b'"commenters"' in head)

    def read(self, stream: BinaryIO) -> Iterator[Record]:
        data = stream.read()
        try:
            document = msgspec.json.decode(data)
        except msgspec.DecodeError as exc:
            found = _BYTE.search(str(exc))
            where = f"byte {found.group(1) if found else len(data) if 'truncated' in str(exc) else 0}"
            raise UnreadableExport(f"not a JSON document: {exc}", where) from None
        if not isinstance(document, dict) or not isinstance(document.get("comments"), list):
            raise UnreadableExport('not a Commento export: no "comments" list', "byte 0")
        if document.get("version", 1) != 1:
            raise UnreadableExport(f"Commento export version {document.get('version')!r} is not 1", "byte 0")
        commenters: dict[str, dict[str, Any]] = {}
        for entry in document.get("commenters") or []:
            if isinstance(entry, dict) and isinstance(entry.get("commenterHex"), str):
                commenters[entry["commenterHex"]] = entry
        for index, entry in enumerate(document["comments"]):
            yield _comment(entry, f"comments[{index}]", commenters)


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) and value.strip() not in _UNSET else ""


def _comment(entry: Any, position: str, commenters: dict[str, dict[str, Any]]) -> Record:
    if not isinstance(entry, dict):
        return Skipped(position, "bad-value", "a comment is not a JSON object")
    source_id = _text(entry.get("commentHex"))
    if not source_id:
        return Skipped(position, "no-id", "the comment has no commentHex")
    created = (
        parse_iso(entry.get("creationDate") or "") if isinstance(entry.get("creationDate"), str) else None
    )
    if created is None:
        return Skipped(
            position, "bad-date", f"unreadable creationDate {entry.get('creationDate')!r}", source_id
        )
    domain, path = _text(entry.get("domain")), _text(entry.get("url"))
    if not domain:
        return Skipped(position, "no-thread", "the comment has no domain", source_id)
    state = _STATES.get(_text(entry.get("state")))
    if state is None:
        return Skipped(position, "bad-status", f"unknown state {entry.get('state')!r}", source_id)
    if entry.get("deleted") is True:
        state = SourceStatus.DELETED
    who = commenters.get(_text(entry.get("commenterHex")), {})
    parent = _text(entry.get("parentHex"))
    markdown: str = entry["markdown"] if isinstance(entry.get("markdown"), str) else ""
    html: str = entry["html"] if isinstance(entry.get("html"), str) else ""
    return ImportedComment(
        source_id=source_id,
        position=position,
        thread_url=f"https://{domain}{path if path.startswith('/') else '/' + path}",
        thread_title=None,
        parent_source_id=None if parent in ("", "root") else parent,
        author_name=_text(who.get("name")) or "Anonymous",
        author_email=_text(who.get("email")) or None,
        author_website=_text(who.get("link")) or None,
        author_ip=None,
        created=created,
        status=state,
        markdown=markdown if markdown.strip() else None,
        html=html if not markdown.strip() else None,
    )
