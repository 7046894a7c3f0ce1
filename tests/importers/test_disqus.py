"""The Disqus reader on real exports, including the two deliberately malformed ones."""

from __future__ import annotations

from collections import Counter

from rejoinder.importers.base import SourceStatus
from tests.importers.files import FILES, read_all, read_file


def test_a_whole_site_export() -> None:
    comments, skipped, stopped = read_file("disqus", "disqus/laisky-blog-export.xml")
    assert (skipped, stopped) == ([], None)
    assert len(comments) == 209
    assert Counter(c.status for c in comments) == {
        SourceStatus.PUBLIC: 204,
        SourceStatus.DELETED: 4,
        SourceStatus.SPAM: 1,
    }
    assert sum(1 for c in comments if c.parent_source_id) == 118
    assert sum(1 for c in comments if not c.html) == 3
    assert all(c.author_email is None and c.author_ip is None for c in comments)  # none exported
    assert sum(1 for c in comments if any("\u4e00" <= ch <= "\u9fff" for ch in c.html or "")) >= 190


def test_a_reply_chain_with_emails_and_addresses() -> None:
    comments, skipped, stopped = read_file("disqus", "disqus/schnack-disqus.xml")
    assert (skipped, stopped) == ([], None)
    assert len(comments) == 5
    assert {c.thread_url for c in comments} == {"http://localhost:3000/foo/", "http://localhost:3000/bar/"}
    assert {c.thread_title for c in comments} == {"Welcome", "Bar!"}
    by_id = {c.source_id: c for c in comments}
    depth = {}
    for c in comments:
        d, at = 0, c
        while at.parent_source_id:
            at, d = by_id[at.parent_source_id], d + 1
        depth[c.source_id] = d
    assert sorted(depth.values()) == [0, 0, 1, 2, 3]
    assert all(c.author_ip == "127.0.0.1" and c.author_email for c in comments)
    assert all(c.html == c.html.strip() and c.html.startswith("<") for c in comments)


def test_the_malformed_export_stops_at_its_first_byte() -> None:
    """remark42-disqus.xml starts with a backtick: not XML at all. The reader says where and stops."""
    for name in ("disqus/remark42-disqus.xml", "disqus/remark42-disqus-deleted-thread.xml"):
        comments, skipped, stopped = read_file("disqus", name)
        assert (comments, skipped) == ([], [])
        assert stopped is not None
        assert stopped.position == "line 1, column 1"
        assert stopped.message == "not well-formed XML: Start tag expected, '<' not found"


def test_without_the_backtick_the_posts_before_the_broken_attribute_are_read() -> None:
    data = (FILES / "disqus/remark42-disqus.xml").read_bytes()[1:]
    comments, skipped, stopped = read_all("disqus", data)
    assert [(c.source_id, c.status) for c in comments] == [
        ("299619020", SourceStatus.PUBLIC),
        ("299744309", SourceStatus.PUBLIC),
        ("299986072", SourceStatus.PUBLIC),
        ("299986073", SourceStatus.SPAM),
    ]
    assert [(s.position, s.reason) for s in skipped] == [("line 102", "no-id")]
    assert stopped is not None and stopped.position == "line 147, column 24"
    assert "AttValue" in stopped.message


def test_posts_of_a_deleted_thread_are_skipped_with_that_reason() -> None:
    data = (FILES / "disqus/remark42-disqus-deleted-thread.xml").read_bytes()[1:]
    comments, skipped, _ = read_all("disqus", data)
    assert [c.source_id for c in comments] == ["299986072"]  # the one on the other thread
    assert Counter(s.reason for s in skipped) == {"thread-deleted": 3, "no-id": 1}


def disqus(*posts: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">\n'
        '<thread dsq:id="t1"><link>https://blog.example/p</link><title>P</title>'
        "<isDeleted>false</isDeleted></thread>\n" + "\n".join(posts) + "\n</disqus>\n"
    ).encode()


def post(
    pid: str, *, parent: str = "", thread: str = "t1", spam: str = "false", date: str = "2015-01-01T00:00:00Z"
) -> str:
    parent_el = f'<parent dsq:id="{parent}"/>' if parent else ""
    return (
        f'<post dsq:id="{pid}"><message><![CDATA[<p>Hi {pid}</p>]]></message><createdAt>{date}</createdAt>'
        f"<isDeleted>false</isDeleted><isSpam>{spam}</isSpam>"
        f"<author><name></name><isAnonymous>true</isAnonymous><username>anon{pid}</username></author>"
        f'<thread dsq:id="{thread}"/>{parent_el}</post>'
    )


def test_bad_values_and_unknown_threads_are_skipped_with_their_line() -> None:
    comments, skipped, stopped = read_all(
        "disqus",
        disqus(
            post("1"),
            post("2", spam="123"),
            post("3", thread="nope"),
            post("4", date="2011-x09"),
            post("5", parent="1"),
        ),
    )
    assert stopped is None
    assert [(c.source_id, c.parent_source_id, c.author_name) for c in comments] == [
        ("1", None, "anon1"),
        ("5", "1", "anon5"),
    ]
    assert [(s.source_id, s.reason, s.position) for s in skipped] == [
        ("2", "bad-value", "line 5"),
        ("3", "no-thread", "line 6"),
        ("4", "bad-date", "line 7"),
    ]
