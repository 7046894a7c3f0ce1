"""The Commento / Commento++ JSON reader on real exports and broken documents."""

from __future__ import annotations

import json

from rejoinder.importers.base import SourceStatus
from tests.importers.files import read_all, read_file


def test_the_migrator_export() -> None:
    comments, skipped, stopped = read_file("commento", "commento/remark42-migrator-commento.json")
    assert (skipped, stopped) == ([], None)
    assert [(c.thread_url, c.parent_source_id is not None, c.author_name) for c in comments] == [
        ("https://example.com/blog/post/2", False, "Anonymous"),
        ("https://example.com/blog/post/1", False, comments[1].author_name),
        ("https://example.com/blog/post/1", True, comments[2].author_name),
    ]
    assert comments[2].parent_source_id == comments[1].source_id
    assert comments[1].author_name != "Anonymous"
    assert all(c.status is SourceStatus.APPROVED and c.markdown and c.html is None for c in comments)
    assert comments[1].created == 1615982987722181  # 2021-03-17T12:09:47.722181Z


def test_the_api_export_with_undefined_fields_and_empty_bodies() -> None:
    comments, skipped, stopped = read_file("commento", "commento/remark42-rest-api-commento.json")
    assert (skipped, stopped) == ([], None)
    assert len(comments) == 7
    assert sum(1 for c in comments if c.parent_source_id) == 2
    assert all(c.markdown is None and c.html == "" for c in comments)  # empty in the export
    assert all(c.author_email is None and c.author_website is None for c in comments)  # "undefined"


def document(*comments: dict[str, object], version: object = 1) -> bytes:
    return json.dumps({"version": version, "comments": list(comments), "commenters": []}).encode()


def entry(hex_id: str, **fields: object) -> dict[str, object]:
    base: dict[str, object] = {
        "commentHex": hex_id,
        "domain": "blog.example",
        "url": "/p",
        "commenterHex": "anonymous",
        "markdown": "hi",
        "parentHex": "root",
        "state": "approved",
        "creationDate": "2021-03-12T11:21:56Z",
    }
    return base | fields


def test_states_and_bad_entries() -> None:
    comments, skipped, stopped = read_all(
        "commento",
        document(
            entry("a"),
            entry("b", state="unapproved"),
            entry("c", state="flagged"),
            entry("d", deleted=True),
            entry("e", state="odd"),
            entry("f", creationDate="never"),
            entry("", markdown="x"),
        ),
    )
    assert stopped is None
    assert [(c.source_id, c.status) for c in comments] == [
        ("a", SourceStatus.APPROVED),
        ("b", SourceStatus.PENDING),
        ("c", SourceStatus.SPAM),
        ("d", SourceStatus.DELETED),
    ]
    assert [(s.position, s.reason) for s in skipped] == [
        ("comments[4]", "bad-status"),
        ("comments[5]", "bad-date"),
        ("comments[6]", "no-id"),
    ]


def test_broken_documents_stop_with_a_position() -> None:
    _, _, stopped = read_all("commento", b'{"version": 1, "comments": [')
    assert stopped is not None and stopped.position == "byte 28" and "JSON" in stopped.message
    _, _, stopped = read_all("commento", b'{"version": 1, "comments": [{"commentHex": "\xff"}]}')
    assert stopped is not None and stopped.position.startswith("byte ")
    _, _, stopped = read_all("commento", document(version=2))
    assert stopped is not None and "version 2" in stopped.message
    _, _, stopped = read_all("commento", b"[]")
    assert stopped is not None and "comments" in stopped.message
