"""domain/webmentions.py: the pure rules (no I/O). Discovery and reading are also tested over HTTP in
tests/services/test_webmentions.py; these are the corner cases of the parsing itself."""

from __future__ import annotations

import pytest

from rejoinder.domain.webmentions import (
    Entry,
    WebmentionKind,
    check_request,
    comment_text,
    discover_endpoint,
    domain_blocked,
    links_to,
    outbound_links,
    read_entry,
)
from rejoinder.errors import WebmentionInvalid

PAGE = "https://a.example/dir/page"
TARGET = "https://blog.example/post"


def test_check_request() -> None:
    assert check_request(" https://x.example/a ", TARGET) == ("https://x.example/a", TARGET)
    with pytest.raises(WebmentionInvalid) as info:
        check_request("HTTPS://Blog.Example/post#reply", TARGET)
    assert info.value.code == "same-url"
    with pytest.raises(WebmentionInvalid) as info:
        check_request("https://x.example/a b", TARGET)
    assert info.value.code == "source-invalid" and info.value.status == 400


@pytest.mark.parametrize(
    ("header", "html", "expected"),
    [
        ('<https://e.example/wm>; rel="webmention"', None, "https://e.example/wm"),
        ("</wm>; rel=webmention", None, "https://a.example/wm"),
        ('<wm>; rel="nofollow webmention"', None, "https://a.example/dir/wm"),
        (
            '<https://x.example/a,b>; rel="other", <../wm?q=1>; rel="webmention"',
            None,
            "https://a.example/wm?q=1",
        ),
        (
            '<https://x.example/>; title="a, rel=webmention"; rel="other"',
            '<a rel="webmention" href="/h">',
            "https://a.example/h",
        ),
        (None, '<link href="/l" rel="stylesheet"><a href="/x" rel="webmention">', "https://a.example/x"),
        (
            None,
            '<base href="https://b.example/sub/"><link rel="webmention" href="ep">',
            "https://b.example/sub/ep",
        ),
        (None, '<link rel="webmention" href="">', PAGE),
        (None, '<link rel="webmention" href="mailto:x@y">', None),
        (None, '<link rel="webmention">', None),
        (None, "<p>nothing</p>", None),
    ],
)
def test_discovery(header: str | None, html: str | None, expected: str | None) -> None:
    assert discover_endpoint(PAGE, header, html) == expected


def test_links_to() -> None:
    assert links_to(f'<a href="{TARGET}#frag">x</a>', PAGE, TARGET, html=True)
    assert links_to('<base href="https://blog.example/"><a href="post">x</a>', PAGE, TARGET, html=True)
    assert links_to(f'<img src="{TARGET}">', PAGE, TARGET, html=True)
    assert not links_to(f"<p>{TARGET}</p>", PAGE, TARGET, html=True)  # text in HTML is not a link
    assert links_to(f"see {TARGET}", PAGE, TARGET, html=False)
    assert not links_to('<a href="https://blog.example/post-2">x</a>', PAGE, TARGET, html=True)


def test_read_entry_kinds_and_author() -> None:
    cite = f"""<div class="h-feed"><div class="h-entry"><p class="e-content">first</p></div>
      <div class="h-entry"><div class="u-in-reply-to h-cite"><a class="u-url" href="{TARGET}">t</a></div>
      <span class="p-author">Plain Name</span><p class="e-content">the reply
      with two lines</p></div></div>"""
    entry = read_entry(cite, PAGE, TARGET)
    assert entry.kind is WebmentionKind.REPLY and entry.author_name == "Plain Name"
    assert entry.content == "the reply with two lines"
    like = read_entry(f'<div class="h-entry"><a class="u-like-of" href="{TARGET}">x</a></div>', PAGE, TARGET)
    assert like.kind is WebmentionKind.LIKE and like.author_name is None
    bare = read_entry(f'<a href="{TARGET}">x</a>', PAGE, TARGET)
    assert bare == Entry(kind=WebmentionKind.MENTION)
    other = read_entry(
        '<div class="h-entry"><a class="u-in-reply-to" href="https://else.example/">x</a>'
        '<a class="p-author h-card" href="javascript:alert(1)">Eve</a></div>',
        PAGE,
        TARGET,
    )
    assert other.kind is WebmentionKind.MENTION and other.author_url is None


def test_read_entry_of_a_permalink_reads_that_comment_only() -> None:
    """A page of comments (rejoinder's own thread page): the source `…#comment-B` names one h-entry by its
    u-url; that one is read, though an earlier one on the page answers the target too."""
    page = f"""<article class="h-entry"><span class="p-author h-card"><span class="p-name">Ann</span></span>
      <data class="u-url" value="{PAGE}#comment-A"></data><data class="u-in-reply-to" value="{TARGET}"></data>
      <div class="e-content">from Ann</div></article>
      <article class="h-entry"><span class="p-author h-card"><span class="p-name">Bo</span></span>
      <data class="u-url" value="{PAGE}#comment-B"></data><div class="e-content">from Bo, linking
      <a href="{TARGET}">it</a></div></article>"""
    bo = read_entry(page, PAGE, TARGET, f"{PAGE}#comment-B")
    assert (bo.kind, bo.author_name, bo.content) == (WebmentionKind.MENTION, "Bo", "from Bo, linking it")
    ann = read_entry(page, PAGE, TARGET, f"{PAGE}#comment-A")
    assert (ann.kind, ann.author_name, ann.content) == (WebmentionKind.REPLY, "Ann", "from Ann")
    # No fragment, or one no h-entry has: the whole page is read as before (the first reply to the target).
    for source in (PAGE, f"{PAGE}#nowhere"):
        assert read_entry(page, PAGE, TARGET, source).author_name == "Ann"


def test_comment_text_is_cut_to_fit_and_links_the_source() -> None:
    text = comment_text(
        Entry(kind=WebmentionKind.REPLY, content="x" * 500), "https://a.example/p", max_length=100
    )
    assert len(text) <= 100 and text.endswith("— via [a.example](<https://a.example/p>)")
    assert "…" in text
    empty = comment_text(Entry(kind=WebmentionKind.REPLY), "https://a.example/p", max_length=1000)
    assert empty.startswith("(a reply on a.example)")


def test_outbound_links_and_blocked_domains() -> None:
    html = (
        '<p><a href="https://x.example/a">a</a> <a href="https://x.example/a">again</a> '
        '<a href="/relative">r</a> <a href="mailto:z@x">m</a> <a href="https://blog.example/own">own</a></p>'
    )
    assert outbound_links(html, own=("https://blog.example",)) == ["https://x.example/a"]
    assert domain_blocked("www.spam.example", ["spam.example"])
    assert domain_blocked("spam.example.", ["*.spam.example"])
    assert not domain_blocked("notspam.example", ["spam.example"])
