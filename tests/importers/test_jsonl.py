"""Reading rejoinder's own export format: the manifest's checks (format, version first, kinds) and each
line's, on small files made with the format's own writer (no database: tests/test_cli_export.py has those)."""

from __future__ import annotations

import io

import pytest

from rejoinder.importers import jsonl
from rejoinder.importers.base import UnreadableExport

KINDS = ("site", "thread", "comment")


def export(*records: tuple[str, dict[str, object]], **manifest: object) -> bytes:
    digests = jsonl.Digests(KINDS)
    body = b""
    for kind, data in records:
        line = jsonl.encode_record(kind, data)
        digests.add(kind, line)
        body += line
    made = digests.manifest("0008")
    head = jsonl.encode_manifest(made)
    if manifest:
        import json

        head = (
            json.dumps({**json.loads(head), **manifest}, sort_keys=True, separators=(",", ":")) + "\n"
        ).encode()
    return head + body


def read(data: bytes) -> list[jsonl.Line | jsonl.Manifest]:
    return list(jsonl.read_lines(io.BytesIO(data), KINDS))


def refusal(data: bytes) -> str:
    with pytest.raises(UnreadableExport) as caught:
        read(data)
    return str(caught.value)


def test_records_come_back_with_their_line_numbers() -> None:
    data = export(("site", {"origins": []}), ("thread", {"ref": 1}), ("comment", {"id": "a", "thread_id": 1}))
    lines = read(data)
    assert isinstance(lines[0], jsonl.Manifest) and lines[0].counts == {"site": 1, "thread": 1, "comment": 1}
    assert lines[1:] == [
        jsonl.Line("site", {"origins": []}, 2),
        jsonl.Line("thread", {"ref": 1}, 3),
        jsonl.Line("comment", {"id": "a", "thread_id": 1}, 4),
    ]
    assert data.splitlines()[3] == b'["comment",{"id":"a","thread_id":1}]'  # sorted keys, no spaces


def test_a_newer_version_is_named_even_with_fields_this_version_does_not_know() -> None:
    data = export(("site", {}), version=2, compression="zstd")
    assert refusal(data) == (
        "line 1: format version 2 is newer than this rejoinder reads (1): upgrade rejoinder to import it"
    )


def test_manifest_problems_are_on_line_1() -> None:
    assert refusal(b"") == "line 1: the file is empty"
    assert (
        refusal(b'{"format":"rejoinder-export"')
        == "line 1: the file ends inside its manifest: it is truncated"
    )
    assert refusal(b"[1,2]\n") == "line 1: format None is not 'rejoinder-export'"
    assert refusal(export(("site", {}), format="isso")) == "line 1: format 'isso' is not 'rejoinder-export'"
    assert refusal(export(("site", {}), version=0)) == "line 1: format version 0 does not exist"
    unknown = export(("site", {}), counts={"site": 1, "planet": 0})
    assert refusal(unknown) == "line 1: the manifest lists unknown record kinds: planet"


def test_lines_that_are_not_records() -> None:
    data = export(("site", {}))
    assert refusal(data + b'{"kind":"thread"}\n') == 'line 3: not a record: expected ["kind", {…}] as JSON'
    assert refusal(data + b'["thread",{"ref":1}\n') == 'line 3: not a record: expected ["kind", {…}] as JSON'
    assert refusal(data + b'["thread",{"ref":1}]') == "line 3: the line has no end: the file is truncated"
    assert refusal(data + b'["thread",{"ref":1}]\n') == (
        "end of file (after line 3): 1 thread record(s) where the manifest says 0: the file is truncated or was "
        "edited"
    )
