"""The Remark42 backup reader: a hand-written backup in Remark42's format, and each kind of bad line."""

from __future__ import annotations

import io
import json

from rejoinder.importers.base import SourceStatus
from rejoinder.importers.remark42 import MAX_LINE, Remark42Importer
from tests.importers.files import read_all, read_file

URL = "https://radio-t.example/p/2017/12/20/podcast-576/"
META = {"version": 1, "users": [], "posts": []}


def backup(*lines: object, meta: object = META) -> bytes:
    return b"".join(
        (line if isinstance(line, bytes) else json.dumps(line).encode()) + b"\n" for line in (meta, *lines)
    )


def entry(comment_id: str, **fields: object) -> dict[str, object]:
    base: dict[str, object] = {
        "id": comment_id,
        "pid": "",
        "text": "<p>hi</p>\n",
        "orig": "hi",
        "user": {"name": "Reader", "id": "github_1", "picture": "", "ip": "0" * 40, "admin": False},
        "locator": {"site": "remark", "url": URL},
        "score": 0,
        "vote": 0,
        "time": "2020-01-02T03:04:05Z",
    }
    return base | fields


def test_the_radio_t_backup() -> None:
    comments, skipped, stopped = read_file("remark42", "remark42/radio-t-backup.jsonl")
    assert (skipped, stopped) == ([], None)
    first, reply, _deleted, _spam, old = comments
    assert [(c.position, c.parent_source_id, c.status) for c in comments] == [
        ("line 2", None, SourceStatus.PUBLIC),
        ("line 3", first.source_id, SourceStatus.PUBLIC),
        ("line 4", first.source_id, SourceStatus.DELETED),
        ("line 5", None, SourceStatus.SPAM),  # its author is blocked in the meta line
        ("line 6", reply.source_id, SourceStatus.PUBLIC),
    ]
    assert first.source_id == "efbc17f1-77ee-4a1c-8ee6-e1e025749966"
    assert (first.thread_url, first.thread_title, first.author_name) == (URL, "Podcast 576", "Umputun")
    assert first.markdown == "First! With a [link](https://radio-t.example)"
    assert first.author_ip is None  # Remark42 keeps an HMAC, not the address
    assert first.created == 1513804702 * 1_000_000  # 15:18:22 at UTC-6
    assert reply.created == 1513805401_123456  # nine digits of fraction, cut to microseconds
    assert old.markdown is None and old.html == "<p>Imported from Disqus once</p>\n"  # no "orig": the HTML
    assert old.created == 1514012400 * 1_000_000


def test_detect() -> None:
    importer = Remark42Importer()
    assert importer.detect(backup(entry("a")))
    assert importer.detect(json.dumps(entry("a")).encode())  # a backup without its meta line
    assert not importer.detect(b'{"version": 1, "comments": [], "commenters": []}')  # Commento


def test_bad_lines_are_skipped_with_their_line_number() -> None:
    comments, skipped, stopped = read_all(
        "remark42",
        backup(
            entry("a"),
            b"{not json",
            b"[1, 2]",
            entry(""),
            entry("b", locator={"site": "remark"}),
            entry("c", time="yesterday"),
            b'{"id": "d", "text": "\xff\xfe", "locator": {"url": "https://x.example/"}, "time": "2020-01-01T00:00:00Z"}',
            b"",
            entry("e", user="not an object", orig="", text="<b>bold</b>"),
        ),
    )
    assert stopped is None
    assert [(c.source_id, c.position, c.author_name, c.markdown, c.html) for c in comments] == [
        ("a", "line 2", "Reader", "hi", "<p>hi</p>\n"),
        ("e", "line 10", "Anonymous", None, "<b>bold</b>"),
    ]
    assert [(s.position, s.reason) for s in skipped] == [
        ("line 3", "bad-json"),
        ("line 4", "bad-value"),
        ("line 5", "no-id"),
        ("line 6", "no-thread"),
        ("line 7", "bad-date"),
        ("line 8", "bad-json"),  # not UTF-8
    ]


def test_a_newer_version_or_a_broken_meta_line_stops_at_line_1() -> None:
    _, _, stopped = read_all("remark42", backup(entry("a"), meta={"version": 2, "users": []}))
    assert stopped is not None and stopped.position == "line 1" and "version 2" in stopped.message
    _, _, stopped = read_all("remark42", b"\x00\x01 not json\n")
    assert stopped is not None and stopped.position == "line 1"


class Endless(io.RawIOBase):
    """A file of `size` bytes whose line 2 is one huge comment, produced as it is read: never in memory."""

    def __init__(self, size: int) -> None:
        self.head = backup(entry("a"))[:-1] + b'\n{"id": "huge", "text": "'
        self.tail = b'"}\n' + json.dumps(entry("after")).encode() + b"\n"
        self.size = size
        self.at = 0
        self.largest = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: object) -> int:
        assert isinstance(buffer, memoryview)
        want = min(len(buffer), self.size - self.at)
        self.largest = max(self.largest, want)
        chunk = bytearray()
        while len(chunk) < want:
            at = self.at + len(chunk)
            body_end = self.size - len(self.tail)
            if at < len(self.head):
                chunk += self.head[at : at + want - len(chunk)]
            elif at < body_end:
                chunk += b"x" * min(want - len(chunk), body_end - at)
            else:
                chunk += self.tail[at - body_end : at - body_end + want - len(chunk)]
        buffer[:want] = chunk
        self.at += want
        return want


def test_a_2_gb_comment_is_skipped_without_being_held_in_memory() -> None:
    import tracemalloc

    source = Endless(2 * 1024**3)
    stream = io.BufferedReader(source, buffer_size=64 * 1024)
    tracemalloc.start()
    try:
        records = list(Remark42Importer().read(stream))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [(getattr(r, "source_id", None), r.position, getattr(r, "reason", None)) for r in records] == [
        ("a", "line 2", None),
        (None, "line 3", "too-large"),
        ("after", "line 4", None),
    ]
    assert source.at == source.size  # read to the end…
    assert peak < 3 * MAX_LINE  # …holding at most one line's limit at a time
