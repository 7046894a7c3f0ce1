"""The WordPress WXR reader on the real exports (WXR 1.0, 1.1, 1.2) and on hostile or broken small files."""

from __future__ import annotations

from datetime import UTC, datetime

from rejoinder.importers.base import SourceStatus
from tests.importers.files import read_all, read_file


def us(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()) * 1_000_000


def wxr(*comments: str, version: str = "1.2", prolog: str = "") -> bytes:
    """A WXR file with one post holding these <wp:comment> bodies."""
    items = "".join(f"<wp:comment>{c}</wp:comment>" for c in comments)
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{prolog}\n'
        f'<rss version="2.0" xmlns:wp="http://wordpress.org/export/{version}/"><channel>\n'
        f"<item><title>A post</title><link>https://blog.example/a-post/</link>{items}</item>\n"
        "</channel></rss>\n"
    ).encode()


def comment(
    cid: str,
    *,
    parent: str = "0",
    approved: str = "1",
    date: str = "2020-05-01 10:00:00",
    content: str = "Hello",
    kind: str = "",
    author: str = "Ann",
    url: str = "",
    local: str = "2020-05-01 12:00:00",
) -> str:
    return (
        f"<wp:comment_id>{cid}</wp:comment_id><wp:comment_author><![CDATA[{author}]]></wp:comment_author>"
        f"<wp:comment_author_url>{url}</wp:comment_author_url><wp:comment_author_IP>203.0.113.7</wp:comment_author_IP>"
        f"<wp:comment_date>{local}</wp:comment_date><wp:comment_date_gmt>{date}</wp:comment_date_gmt>"
        f"<wp:comment_content><![CDATA[{content}]]></wp:comment_content>"
        f"<wp:comment_approved>{approved}</wp:comment_approved><wp:comment_type>{kind}</wp:comment_type>"
        f"<wp:comment_parent>{parent}</wp:comment_parent>"
    )


def test_theme_unit_test_data() -> None:
    comments, skipped, stopped = read_file("wxr", "wxr/theme-unit-test-data.xml")
    assert stopped is None
    assert len(comments) == 29
    by_status = sorted(c.status.value for c in comments)
    assert by_status.count("approved") == 26 and by_status.count("pending") == 3
    assert sorted((s.reason, s.position) for s in skipped) == [
        ("pingback", "line 9777"),
        ("pingback", "line 9791"),
        ("trackback", "line 9745"),
        ("trackback", "line 9759"),
    ]
    blog = "https://wpthemetestdata.wordpress.com#"  # ids are the blog's (base_blog_url) plus its number
    assert all(c.source_id.startswith(blog) for c in comments)
    replies = {
        c.source_id.removeprefix(blog): (c.parent_source_id or "").removeprefix(blog)
        for c in comments
        if c.parent_source_id
    }
    assert len(replies) == 10
    # The ten-level thread: 915 → 914 → … → 904.
    chain, at = [], "915"
    while at in replies:
        chain.append(at)
        at = replies[at]
    assert [*chain, at] == ["915", "914", "913", "912", "911", "910", "907", "906", "905", "904"]
    assert replies["1017"] == "168"  # the pending reply
    first = next(c for c in comments if c.source_id == blog + "2")
    assert first.created == us("2023-01-16T07:17:56")
    assert first.thread_url == "https://wpthemetestdata.wordpress.com/wp-6-1-theme-block-category/"
    assert first.thread_title == "WP 6.1 Theme block category"
    assert first.status is SourceStatus.APPROVED
    assert first.author_email == "themeshaperwp+demos@gmail.com"
    assert any("Σ" in c.author_name or "α" in c.author_name for c in comments)  # Greek, as exported


def test_wxr_1_1_with_crlf_and_an_entity_in_cdata() -> None:
    comments, skipped, stopped = read_file("wxr", "wxr/valid-wxr-1.1.xml")
    assert (len(comments), skipped, stopped) == (1, [], None)
    (only,) = comments
    assert only.author_name == "Mr WordPress"
    assert only.author_email is None and only.author_ip is None
    assert only.thread_url == "http://localhost/?p=1"
    assert "<br />" in (only.html or "") and "&#039;" in (only.html or "")
    assert only.created == us("2010-10-16T20:53:18")


def test_wxr_1_0_and_slashes() -> None:
    meta, _, stopped = read_file("wxr", "wxr/test-serialized-comment-meta.xml")
    assert stopped is None and len(meta) == 1 and meta[0].status is SourceStatus.APPROVED
    slashes, _, stopped = read_file("wxr", "wxr/slashes.xml")
    assert stopped is None and len(slashes) == 1
    assert "\\o/ ¯\\_(ツ)_/¯" in (slashes[0].html or "")


def test_statuses_and_types() -> None:
    data = wxr(
        comment("1"),
        comment("2", approved="0"),
        comment("3", approved="spam"),
        comment("4", approved="trash"),
        comment("5", approved="weird"),
        comment("6", kind="pingback"),
        comment("7", kind="trackback"),
        comment("8", kind="note"),
        comment("9", parent="1"),
    )
    comments, skipped, stopped = read_all("wxr", data)
    assert stopped is None
    assert [(c.source_id, c.status.value, c.parent_source_id) for c in comments] == [
        ("1", "approved", None),
        ("2", "pending", None),
        ("3", "spam", None),
        ("4", "deleted", None),
        ("9", "approved", "1"),
    ]
    assert [(s.source_id, s.reason) for s in skipped] == [
        ("5", "bad-status"),
        ("6", "pingback"),
        ("7", "trackback"),
        ("8", "other-type"),
    ]


def test_dates_read_as_utc_and_a_zero_gmt_date_falls_back_to_the_local_one() -> None:
    zero = comment("2", date="0000-00-00 00:00:00")
    neither = comment("3", date="yesterday", local="")
    comments, skipped, _ = read_all("wxr", wxr(comment("1"), zero, neither))
    assert [c.created for c in comments] == [us("2020-05-01T10:00:00"), us("2020-05-01T12:00:00")]
    assert [(s.source_id, s.reason) for s in skipped] == [("3", "bad-date")]


def test_newlines_become_paragraphs_and_breaks() -> None:
    (only,), _, _ = read_all("wxr", wxr(comment("1", content="one\ntwo\n\nthree\n<ul>\n<li>a</li>\n</ul>")))
    assert only.html == "<p>one<br>two</p><p>three\n<ul>\n<li>a</li>\n</ul></p>"


BILLION_LAUGHS = """
<!DOCTYPE rss [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>"""


def test_billion_laughs_is_refused_before_any_record() -> None:
    comments, skipped, stopped = read_all("wxr", wxr(comment("1", author="&lol9;"), prolog=BILLION_LAUGHS))
    assert (comments, skipped) == ([], [])
    assert stopped is not None and stopped.position == "line 1" and "DTD" in stopped.message


def test_an_external_entity_is_refused_and_never_read(tmp_path: object) -> None:
    from pathlib import Path

    assert isinstance(tmp_path, Path)
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    prolog = f'<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://{secret}">]>'
    comments, skipped, stopped = read_all("wxr", wxr(comment("1", content="&xxe;"), prolog=prolog))
    assert (comments, skipped) == ([], [])
    assert stopped is not None and "DTD" in stopped.message


def test_invalid_utf8_stops_with_its_line() -> None:
    good = comment("1")
    bad = comment("2").replace("Hello", "caf\udce9").encode("utf-8", "surrogateescape")
    data = wxr(good, "@@BAD@@").replace(b"@@BAD@@", bad)
    comments, _, stopped = read_all("wxr", data)
    assert comments == []  # the item holding the bad bytes is never complete
    assert stopped is not None and stopped.position.startswith("line 3, column ")
    assert "UTF-8" in stopped.message


def test_a_truncated_file_stops_with_its_position_after_the_complete_items() -> None:
    data = wxr(comment("1")).replace(b"</channel></rss>\n", b"<item><title>cut")
    comments, _, stopped = read_all("wxr", data)
    assert [c.source_id for c in comments] == ["1"]
    assert stopped is not None and stopped.message.startswith("not well-formed XML")


def test_a_file_in_its_declared_legacy_encoding_is_read_as_such() -> None:
    """Old WordPress and Movable Type exports declare ISO-8859-1 or windows-1252: the XML declaration rules,
    so é and € arrive as themselves (mixed encodings within one file are invalid: the test above)."""
    text = wxr(comment("1", content="Caf\u00e9 \u00e0 5 \u20ac", author="Ren\u00e9e")).decode("utf-8")
    data = text.replace('encoding="UTF-8"', 'encoding="windows-1252"').encode("cp1252")
    assert b"Caf\xe9 \xe0 5 \x80" in data
    comments, skipped, stopped = read_all("wxr", data)
    assert (skipped, stopped) == ([], None)
    assert [(c.author_name, c.html) for c in comments] == [("Ren\u00e9e", "<p>Caf\u00e9 \u00e0 5 \u20ac</p>")]
