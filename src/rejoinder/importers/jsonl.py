"""rejoinder's own export format (JSON lines): writing its lines and manifest, and reading them back with
every check (version, kinds, counts, checksums). No SQL: services/exports.py writes and reads the rows.

A file is one manifest line, then one line per record, `["kind",{…}]`, grouped by kind in the order the
exporter lists them. Every line is JSON with sorted keys, no spaces and UTF-8 text, ending in `\\n`, so the
same data always gives the same bytes. The manifest holds the format's name and version, the database's
schema revision, and per kind the number of records and the SHA-256 of their lines; `body_sha256` covers
every line after the manifest. docs/data.md ("Exports") describes it for publishers.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterator
from typing import Any, BinaryIO

import msgspec

from rejoinder.importers.base import ImportedComment, Record, SourceStatus, UnreadableExport

FORMAT = "rejoinder-export"
VERSION = 1  # raise it when a reader of version 1 would misread the file (a new kind is no such change)
MAX_LINE = 64 * 1024 * 1024  # one record's line; a comment is at most a few hundred kilobytes

_encoder = msgspec.json.Encoder(order="sorted")
_decoder = msgspec.json.Decoder()


class Manifest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    format: str
    version: int
    schema: str  # the database's Alembic revision when it was exported
    counts: dict[str, int]  # records of each kind
    sha256: dict[str, str]  # of each kind's lines, hex
    body_sha256: str  # of every line after the manifest, hex


class Line(msgspec.Struct, frozen=True):
    """One record read back: its kind, its fields and its line number (for messages)."""

    kind: str
    data: dict[str, Any]
    number: int


def encode_record(kind: str, data: dict[str, Any]) -> bytes:
    """One record's line, `["kind",{…}]\\n` with sorted keys (the same data gives the same bytes)."""
    return _encoder.encode([kind, data]) + b"\n"


class Digests:
    """Counts and SHA-256s per kind and of the whole body, fed line by line as the file is written."""

    def __init__(self, kinds: Collection[str]) -> None:
        self.counts = dict.fromkeys(kinds, 0)
        self.kinds = {kind: hashlib.sha256() for kind in kinds}
        self.body = hashlib.sha256()

    def add(self, kind: str, line: bytes) -> None:
        self.counts[kind] += 1
        self.kinds[kind].update(line)
        self.body.update(line)

    def manifest(self, schema: str) -> Manifest:
        return Manifest(
            format=FORMAT,
            version=VERSION,
            schema=schema,
            counts=dict(self.counts),
            sha256={kind: h.hexdigest() for kind, h in self.kinds.items()},
            body_sha256=self.body.hexdigest(),
        )


def encode_manifest(manifest: Manifest) -> bytes:
    return _encoder.encode(manifest) + b"\n"


def read_manifest(first: bytes, kinds: Collection[str] | None) -> Manifest:
    """The first line, checked: our format, a version this code reads, only kinds it knows (`kinds`; None
    takes the manifest's word).

    Raises:
        UnreadableExport: at "line 1".
    """
    if not first.endswith(b"\n"):
        raise UnreadableExport("the file ends inside its manifest: it is truncated", "line 1")
    try:
        raw = msgspec.json.decode(first)
    except msgspec.DecodeError as exc:
        raise UnreadableExport(f"not a rejoinder export manifest ({exc})", "line 1") from None
    fmt = raw.get("format") if isinstance(raw, dict) else None
    if fmt != FORMAT:
        raise UnreadableExport(f"format {fmt!r} is not {FORMAT!r}", "line 1")
    version = raw.get("version")
    # The version first: a newer manifest may hold fields this one does not know.
    if isinstance(version, int) and version > VERSION:
        raise UnreadableExport(
            f"format version {version} is newer than this rejoinder reads ({VERSION}): "
            "upgrade rejoinder to import it",
            "line 1",
        )
    try:
        manifest = msgspec.convert(raw, Manifest)
    except msgspec.ValidationError as exc:
        raise UnreadableExport(f"not a rejoinder export manifest ({exc})", "line 1") from None
    if manifest.version < 1:
        raise UnreadableExport(f"format version {manifest.version} does not exist", "line 1")
    unknown = sorted(set(manifest.counts) - set(manifest.counts if kinds is None else kinds))
    if unknown:
        raise UnreadableExport(f"the manifest lists unknown record kinds: {', '.join(unknown)}", "line 1")
    return manifest


def read_lines(stream: BinaryIO, kinds: Collection[str] | None) -> Iterator[Line | Manifest]:
    """The manifest, then every record, checked as they come; the counts and checksums at the end.

    Nothing read is final until the iterator is exhausted: a caller writes in one transaction and keeps it
    only when no UnreadableExport came.

    Raises:
        UnreadableExport: naming the line (or "end of file") where the file stops matching its manifest.
    """
    first = stream.readline(MAX_LINE)
    if not first:
        raise UnreadableExport("the file is empty", "line 1")
    manifest = read_manifest(first, kinds)
    yield manifest
    kinds = list(manifest.counts) if kinds is None else kinds
    digests = Digests(kinds)
    number = 1
    for raw in iter(lambda: stream.readline(MAX_LINE), b""):
        number += 1
        where = f"line {number}"
        if not raw.endswith(b"\n"):
            if len(raw) >= MAX_LINE:
                raise UnreadableExport(f"the line is longer than {MAX_LINE // 1_048_576} MiB", where)
            raise UnreadableExport("the line has no end: the file is truncated", where)
        try:
            kind, data = _decoder.decode(raw)
        except (msgspec.DecodeError, ValueError, TypeError):
            raise UnreadableExport('not a record: expected ["kind", {…}] as JSON', where) from None
        if not isinstance(kind, str) or not isinstance(data, dict):
            raise UnreadableExport('not a record: expected ["kind", {…}] as JSON', where)
        if kind not in digests.counts:
            raise UnreadableExport(f"unknown record kind {kind!r}", where)
        digests.add(kind, raw)
        yield Line(kind, data, number)
    end = f"end of file (after line {number})"
    for kind in sorted(kinds):
        expected = manifest.counts.get(kind, 0)
        if digests.counts[kind] != expected:
            raise UnreadableExport(
                f"{digests.counts[kind]} {kind} record(s) where the manifest says {expected}: "
                "the file is truncated or was edited",
                end,
            )
        if expected and digests.kinds[kind].hexdigest() != manifest.sha256.get(kind):
            raise UnreadableExport(f"the checksum of the {kind} records does not match the manifest", end)
    if digests.body.hexdigest() != manifest.body_sha256:
        raise UnreadableExport("the checksum of the file's body does not match the manifest", end)


# How our comment statuses read as another system's (the `Importer.read` view of this format).
_SOURCE_STATUS = {
    "published": SourceStatus.PUBLIC,
    "approved": SourceStatus.APPROVED,
    "pending": SourceStatus.PENDING,
    "spam": SourceStatus.SPAM,
    "rejected": SourceStatus.SPAM,
    "deleted": SourceStatus.DELETED,
}


class JsonlImporter:
    """`rejoinder import jsonl`. `read` gives the file's comments as any importer's records; the command
    restores the whole file instead (services/exports.restore: every kind, ids kept), because `lossless`."""

    name = "jsonl"
    label = "rejoinder"
    lossless = True

    def detect(self, head: bytes) -> bool:
        first = head.split(b"\n", 1)[0]
        return first.startswith(b"{") and b'"format":"' + FORMAT.encode() + b'"' in first

    def read(self, stream: BinaryIO) -> Iterator[Record]:
        threads: dict[int, tuple[str, str | None]] = {}
        for line in read_lines(stream, None):
            if isinstance(line, Manifest):
                continue
            data = line.data
            if line.kind == "thread":
                threads[int(data["ref"])] = (str(data.get("uri") or ""), data.get("title"))
            elif line.kind == "comment":
                url, title = threads.get(int(data["thread_id"]), ("", None))
                yield ImportedComment(
                    source_id=str(data["id"]),
                    position=f"line {line.number}",
                    thread_url=url,
                    thread_title=title,
                    parent_source_id=data.get("parent_id"),
                    author_name=str(data.get("author_name") or ""),
                    author_email=data.get("author_email"),
                    author_website=data.get("author_website"),
                    author_ip=data.get("ip"),
                    created=int(data["created"]),
                    status=_SOURCE_STATUS.get(str(data.get("status")), SourceStatus.PENDING),
                    markdown=str(data.get("text") or ""),
                )
