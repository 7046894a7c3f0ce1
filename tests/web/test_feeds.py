"""GET /api/feeds/thread.atom and /api/feeds/site.atom over HTTP, read back with feedparser (a real Atom
parser), on both databases."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import feedparser
from litestar.testing import TestClient

from tests.fixtures.app import ARTICLE, advance_clock, new_client, post_comment, run_cli

OTHER = "https://blog.example/2026/11/another-post"


def feed(client: TestClient[Any], path: str, **params: Any) -> Any:
    # httpx sends Accept-Encoding: gzip unless told otherwise; ask for identity so that ETags are comparable.
    response = client.get(path, params=params or None, headers={"Accept-Encoding": "identity"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.bozo_exception  # well-formed XML that feedparser reads as Atom
    assert parsed.version == "atom10"
    return parsed


def test_a_threads_feed_lists_its_public_comments_newest_first(client: TestClient[Any], site_db: str) -> None:
    first = post_comment(client, "First *thoughts*", author={"name": "Ann", "website": "https://ann.example"})
    reply = post_comment(client, "A reply", parent=first["id"], author={"name": "Bob"})
    gone = post_comment(client, "Soon deleted")
    deleted = client.delete(
        f"/api/comments/{gone['id']}", headers={"Rejoinder-Edit-Token": gone["edit_token"]}
    )
    assert deleted.status_code == 204
    with new_client(site_db, moderation={"premoderation": "all"}) as holding:
        held = post_comment(holding, "Waiting for a moderator")
        assert held["status"] == "pending"
    post_comment(client, "Elsewhere", url=OTHER)

    got = feed(client, "/api/feeds/thread.atom", url=ARTICLE)
    assert [e.link for e in got.entries] == [
        f"{ARTICLE}#comment-{reply['id']}",
        f"{ARTICLE}#comment-{first['id']}",
    ]
    assert [e.id for e in got.entries] == [e.link for e in got.entries]
    newest, oldest = got.entries
    assert newest.author == "Bob"
    assert oldest.author_detail == {"name": "Ann", "href": "https://ann.example"}
    assert oldest.content[0].value == "<p>First <em>thoughts</em></p>"
    assert oldest.content[0].type == "text/html"
    assert newest.title == f"Bob on {ARTICLE}"  # no title known: the article's URL stands for it
    assert got.feed.title == f"Comments on {ARTICLE}"
    assert got.feed.link == ARTICLE
    assert got.feed.language == "en"
    assert got.feed.updated_parsed == newest.updated_parsed  # the feed changed when its newest entry did


def test_edits_show_as_updates_and_titles_follow_the_language(client: TestClient[Any]) -> None:
    posted = post_comment(client, "Typo hre")
    advance_clock(client, 60)
    edited = client.patch(
        f"/api/comments/{posted['id']}",
        json={"text": "Typo here"},
        headers={"Rejoinder-Edit-Token": posted["edit_token"]},
    )
    assert edited.status_code == 200, edited.text
    got = feed(client, "/api/feeds/thread.atom", url=ARTICLE, lang="de")
    (entry,) = got.entries
    assert entry.content[0].value == "<p>Typo here</p>"
    assert entry.updated_parsed > entry.published_parsed
    assert got.feed.title == f"Kommentare zu {ARTICLE}"
    assert entry.title == f"Ann zu {ARTICLE}"
    assert got.feed.language == "de"


def test_hostile_names_and_text_stay_text(client: TestClient[Any]) -> None:
    name = "]]></name><script>alert(1)</script>&amp;"
    post_comment(client, "<script>alert(2)</script><img src=x onerror=alert(3)> ok", author={"name": name})
    response = client.get("/api/feeds/thread.atom", params={"url": ARTICLE})
    assert b"<script>" not in response.content  # escaped in XML, and never in the sanitised HTML either
    got = feedparser.parse(response.content)
    assert not got.bozo
    (entry,) = got.entries
    assert entry.author == name
    # The text's markup is shown as text (the sanitised HTML escapes it), and the XML escapes that again.
    assert (
        entry.content[0].value
        == "<p>&lt;script&gt;alert(2)&lt;/script&gt;&lt;img src=x onerror=alert(3)&gt; ok</p>"
    )


def test_a_sites_feed_spans_its_articles_and_no_other_site(site_db: str) -> None:
    run_cli(site_db, "site", "add", "other", "--origin", "https://other.example")
    with new_client(site_db) as client:
        sites_feeds(client)


def sites_feeds(client: TestClient[Any]) -> None:
    one = post_comment(client, "On the first article")
    advance_clock(client, 1)
    two = post_comment(client, "On the second", url=OTHER)
    post_comment(client, "Elsewhere", url="https://other.example/post", site="other")
    got = feed(client, "/api/feeds/site.atom", site="blog")
    assert [e.link for e in got.entries] == [f"{OTHER}#comment-{two['id']}", f"{ARTICLE}#comment-{one['id']}"]
    assert got.feed.title == "Recent comments on blog"
    assert got.feed.link == "https://blog.example"
    other = feed(client, "/api/feeds/site.atom", site="other")
    assert [e.title for e in other.entries] == ["Ann on https://other.example/post"]
    unnamed = client.get("/api/feeds/site.atom")  # two sites now: which one?
    assert unnamed.status_code == 422
    assert unnamed.json()["code"] == "site-required"


def test_feeds_revalidate_like_the_thread_read(client: TestClient[Any]) -> None:
    post_comment(client, "Hello")
    first = client.get(
        "/api/feeds/thread.atom", params={"url": ARTICLE}, headers={"Accept-Encoding": "identity"}
    )
    assert "content-encoding" not in first.headers
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "public, max-age=0, s-maxage=5, must-revalidate"
    plain = {"Accept-Encoding": "identity", "If-None-Match": etag}
    again = client.get("/api/feeds/thread.atom", params={"url": ARTICLE}, headers=plain)
    assert again.status_code == 304
    assert again.content == b""
    zipped = client.get(
        "/api/feeds/thread.atom", params={"url": ARTICLE}, headers={"Accept-Encoding": "gzip"}
    )
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.headers["etag"] == etag[:-1] + '-gz"'
    assert zipped.content == first.content  # the client decoded it: the same document
    post_comment(client, "A new one")
    changed = client.get("/api/feeds/thread.atom", params={"url": ARTICLE}, headers=plain)
    assert changed.status_code == 200
    assert len(feedparser.parse(changed.content).entries) == 2


def test_an_article_without_comments_has_an_empty_feed(client: TestClient[Any]) -> None:
    got = feed(client, "/api/feeds/thread.atom", url=ARTICLE)
    assert got.entries == []
    assert got.feed.title == f"Comments on {ARTICLE}"
    keyed = feed(client, "/api/feeds/thread.atom", key="post-17", site="blog")
    assert keyed.entries == []
    assert keyed.feed.link == "/thread?key=post-17&site=blog"


def test_bad_requests_are_problems(client: TestClient[Any]) -> None:
    for params, status, code in [
        ({}, 422, "url-required"),
        ({"url": "https://nowhere.example/x"}, 403, "origin-not-allowed"),
        ({"url": ARTICLE, "site": "nope"}, 404, "site-not-found"),
        ({"key": " "}, 422, "key-invalid"),
    ]:
        response = client.get("/api/feeds/thread.atom", params=params)
        assert response.status_code == status, (params, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["code"] == code, response.text
    unknown = client.get("/api/feeds/site.atom", params={"site": "nope"})
    assert unknown.status_code == 404
    assert unknown.json()["code"] == "site-not-found"


def test_the_plain_page_links_its_feed(client: TestClient[Any]) -> None:
    post_comment(client, "Hello")
    page = client.get("/thread", params={"url": ARTICLE}, headers={"Accept": "text/html"})
    assert page.status_code == 200
    links = re.findall(
        r'<link rel="alternate" type="application/atom\+xml" title="([^"]*)" href="([^"]*)">', page.text
    )
    assert len(links) == 1, page.text
    title, href = links[0]
    assert title == f"Comments on {ARTICLE}"
    href = href.replace("&amp;", "&")
    assert urlsplit(href).path == "/api/feeds/thread.atom"
    assert parse_qs(urlsplit(href).query) == {"url": [ARTICLE]}
    assert len(feed(client, href).entries) == 1  # the link works
    assert (
        f'<a href="{links[0][1]}" type="application/atom+xml">Follow the new comments (Atom feed)</a>'
        in page.text
    )


def test_links_are_absolute_with_a_public_url(site_db: str) -> None:
    with new_client(site_db, server={"public_url": "https://comments.example"}) as client:
        posted = post_comment(client, "Hello", key="post-17")
        got = feed(client, "/api/feeds/thread.atom", key="post-17", site="blog")
        self_links = [link.href for link in got.feed.links if link.rel == "self"]
        assert self_links == ["https://comments.example/api/feeds/thread.atom?key=post-17&site=blog"]
        assert got.feed.id == self_links[0]
        (entry,) = got.entries
        assert entry.link == f"{ARTICLE}#comment-{posted['id']}"  # the thread has its article's URL too
        fragment = client.get("/thread/fragment", params={"key": "post-17", "site": "blog"})
        assert (
            'href="https://comments.example/api/feeds/thread.atom?key=post-17&amp;site=blog"' in fragment.text
        )
        only = feed(client, "/api/feeds/site.atom")  # one site on the server: no need to name it
        assert [e.link for e in only.entries] == [entry.link]


def test_characters_xml_cannot_hold_are_left_out(client: TestClient[Any]) -> None:
    """Control characters are harmless in JSON and HTML, so a comment may carry them; XML 1.0 cannot hold
    them (found by the fuzz run: a 500 from the site's feed)."""
    post_comment(client, "Bell\x07 and\x0b tab\tend", author={"name": "Ann\x1f\x0c"})
    got = feed(client, "/api/feeds/site.atom")
    (entry,) = got.entries
    assert entry.author == "Ann"
    assert entry.content[0].value == "<p>Bell and tab\tend</p>"
