"""The server-rendered thread page, its no-JS form, the fragment and the stylesheet, over HTTP."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlsplit

import mf2py
import pytest
from litestar.testing import TestClient

from rejoinder.web.page_models import FORM_TOKEN_MAX_AGE, form_token
from tests.fixtures.app import ARTICLE, new_client, post_comment

HTML_ACCEPT = {"Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"}


class Tree(HTMLParser):
    """Every start tag with its attributes, the forms' fields, and the text inside each element id."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.forms: list[dict[str, Any]] = []
        self._form: dict[str, Any] | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.tags.append((tag, a))
        if tag == "form":
            self._form = {"attrs": a, "fields": {}}
            self.forms.append(self._form)
        elif self._form is not None and tag == "input" and "name" in a:
            self._form["fields"][a["name"]] = a.get("value", "")
        elif self._form is not None and tag == "textarea":
            self._textarea = a["name"]
            self._form["fields"][a["name"]] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._form is not None and self._textarea:
            self._form["fields"][self._textarea] += data


def parse(html: str) -> Tree:
    tree = Tree()
    tree.feed(html)
    tree.close()
    return tree


def page(client: TestClient[Any], **params: Any) -> Any:
    response = client.get("/thread", params={"url": ARTICLE, **params}, headers=HTML_ACCEPT)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    return response


def the_form(html: str) -> dict[str, str]:
    forms = parse(html).forms
    assert len(forms) == 1, f"expected one form, found {len(forms)}"
    assert forms[0]["attrs"]["method"] == "post"
    assert forms[0]["attrs"]["action"].split("#")[0] == "/thread"
    fields: dict[str, str] = forms[0]["fields"]
    return fields


def submit(client: TestClient[Any], fields: dict[str, str], **typed: str) -> Any:
    return client.post("/thread", data={**fields, **typed}, headers=HTML_ACCEPT, follow_redirects=False)


def field_block(html: str, name: str) -> str:
    """The markup of one form field's wrapper (label, hint, error and control)."""
    match = re.search(rf'<div class="rj-field[^"]*">\s*<label for="rj-{name}">.*?</div>', html, re.S)
    assert match, f"no field {name}"
    return match.group(0)


def thread_json(client: TestClient[Any]) -> Any:
    return client.get("/api/threads", params={"url": ARTICLE}).json()


# --- reading ----------------------------------------------------------------------------------------


def test_page_renders_the_thread(client: TestClient[Any]) -> None:
    root = post_comment(client, "First **post**", title="A post about bridges")
    reply = post_comment(
        client, "A reply with a [link](https://example.org/x)", parent=root["id"], author={"name": "Bo"}
    )
    html = page(client).text
    assert "<title>2 Responses · A post about bridges</title>" in html
    assert '<h2 class="rj-count" id="rj-count">2 Responses</h2>' in html
    assert "<p>First <strong>post</strong></p>" in html
    assert '<a href="https://example.org/x" rel="nofollow noopener ugc">link</a>' in html
    assert f'class="rj-comment rj-depth-0 h-entry" id="comment-{root["id"]}"' in html
    assert f'class="rj-comment rj-depth-1 h-entry" id="comment-{reply["id"]}"' in html
    assert re.search(r'<time class="dt-published" datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z">', html)
    assert f'href="{ARTICLE}"' in html  # back to the article
    assert f"reply={root['id']}#reply" in html
    # microformats2 (docs/federation.md#webmention): each comment an h-entry a Webmention receiver reads
    # as a reply, the top-level one to the article, the reply to its parent's permalink.
    page_url = "http://rejoinder.test/thread?url=https%3A%2F%2Fblog.example%2F2026%2F11%2Fa-post"
    parsed = mf2py.parse(doc=html, url=page_url, html_parser="html5lib")
    entries = [i for i in parsed["items"] if "h-entry" in i["type"]]
    # The permalinks are on the server's own address (server.public_url, here its loopback address).
    permalinks = [e["properties"]["url"] for e in entries]
    assert [p[0].split("/thread?")[1] for p in permalinks] == [
        f"{page_url.split('?')[1]}#comment-{root['id']}",
        f"{page_url.split('?')[1]}#comment-{reply['id']}",
    ]
    assert [e["properties"]["in-reply-to"] for e in entries] == [[ARTICLE], permalinks[0]]
    author = entries[1]["properties"]["author"][0]
    assert author["type"] == ["h-card"] and author["properties"]["name"] == ["Bo"]
    assert author["properties"]["photo"][0]["value"].startswith("http://rejoinder.test/api/avatars/")
    assert entries[0]["properties"]["content"][0]["html"] == "<p>First <strong>post</strong></p>"
    assert entries[0]["properties"]["published"][0][:19] == root["created"][:19]  # mf2py drops the µs
    fields = the_form(html)
    assert fields["url"] == ARTICLE and "parent" not in fields and fields["token"]


def test_empty_thread_and_title_from_the_link(client: TestClient[Any]) -> None:
    html = page(client, title="Not yet discussed").text
    assert "No responses yet" in html and "Be the first to respond." in html
    assert '<h1 class="rj-page-title">Not yet discussed</h1>' in html
    assert the_form(html)["title"] == "Not yet discussed"


def test_website_link_and_likes(client: TestClient[Any]) -> None:
    c = post_comment(client, "Hi", author={"name": "Cy", "website": "https://cy.example/home"})
    client.put(f"/api/comments/{c['id']}/like", headers={"Rejoinder-Visitor": "v" * 20})
    for n, name in enumerate(["Dee", None, "Eli"]):
        client.put(
            "/api/threads/like",
            params={"url": ARTICLE},
            headers={"Rejoinder-Visitor": f"visitor-{n:012d}"},
            json={"name": name} if name else None,
        )
    html = page(client).text
    assert '<a class="u-url" href="https://cy.example/home" rel="nofollow ugc noopener">Cy</a>' in html
    assert "3 people like this" in html
    assert (
        '<span class="rj-liker-name">Dee</span>' in html and '<span class="rj-liker-name">Eli</span>' in html
    )
    assert "1 like</span>" in html


def test_deleted_comment_with_replies_is_a_placeholder(client: TestClient[Any]) -> None:
    root = post_comment(client, "Soon gone")
    post_comment(client, "Still here", parent=root["id"])
    gone = client.delete(f"/api/comments/{root['id']}", headers={"Rejoinder-Edit-Token": root["edit_token"]})
    assert gone.status_code == 204
    html = page(client).text
    assert "Soon gone" not in html and "Still here" in html
    assert f'class="rj-comment rj-depth-0 rj-deleted" id="comment-{root["id"]}"' in html
    assert "This comment was deleted." in html
    assert f"reply={root['id']}" not in html  # no reply link on a placeholder


def test_replies_past_the_display_depth_stay_flat(client: TestClient[Any]) -> None:
    parent = post_comment(client, "depth 0", author={"name": "Root Person"})
    ids = [parent["id"]]
    for depth in range(1, 6):
        ids.append(post_comment(client, f"depth {depth}", parent=ids[-1], author={"name": f"P{depth}"})["id"])
    html = page(client).text  # the site's display depth is 3
    assert f'rj-depth-3 h-entry" id="comment-{ids[3]}"' in html
    assert (
        f'rj-depth-3 h-entry" id="comment-{ids[4]}"' in html
        and f'rj-depth-3 h-entry" id="comment-{ids[5]}"' in html
    )
    assert "in reply to P3" in html and "in reply to P4" in html
    assert "in reply to P2" not in html  # depth 3 is still indented, not flattened


def test_pagination_links(site_db: str) -> None:
    with new_client(site_db, comments={"page_size": 2}) as client:
        roots = [post_comment(client, f"root number {n}") for n in range(5)]
        first = page(client).text
        assert "root number 0" in first and "root number 1" in first and "root number 2" not in first
        tree = parse(first)
        nexts = [a["href"] for tag, a in tree.tags if tag == "a" and a.get("rel") == "next"]
        assert len(nexts) == 1 and parse_qs(urlsplit(nexts[0]).query)["page"] == ["2"]
        assert not [a for tag, a in tree.tags if tag == "a" and a.get("rel") == "prev"]
        assert 'aria-current="page" class="rj-current">1<' in first
        last = client.get(nexts[0].replace("page=2", "page=3"), headers=HTML_ACCEPT).text
        assert "root number 4" in last and "root number 3" not in last
        assert 'rel="prev"' in last and 'rel="next"' not in last
        newest = page(client, sort="newest").text
        assert newest.index("root number 4") < newest.index("root number 3")
        assert "root number 2" not in newest
        # a reply link carries the page, so the form shows under the comment on that page
        reply_page = page(client, page=3, reply=roots[4]["id"]).text
        assert the_form(reply_page)["parent"] == roots[4]["id"]
        beyond = page(client, page=9).text
        assert "There are no comments on this page." in beyond


# --- the no-JS form ---------------------------------------------------------------------------------


def test_form_post_redirects_to_the_new_comment(client: TestClient[Any]) -> None:
    post_comment(client, "Already here", title="Bridges")
    fields = the_form(page(client).text)
    response = submit(client, fields, text="Posted *without* JavaScript", name="Nia", email="nia@example.org")
    assert response.status_code == 303
    location = response.headers["location"]
    comment_id = thread_json(client)["comments"][-1]["id"]
    assert location.startswith("/thread?url=") and location.endswith(f"#comment-{comment_id}")
    assert parse_qs(urlsplit(location).query)["url"] == [ARTICLE]
    html = client.get(location, headers=HTML_ACCEPT).text
    assert f'id="comment-{comment_id}"' in html and "<p>Posted <em>without</em> JavaScript</p>" in html
    body = thread_json(client)
    assert body["thread"]["count"] == 2 and body["comments"][-1]["author"]["name"] == "Nia"
    assert "nia@example.org" not in html  # emails are never shown


def test_reply_link_shows_the_form_under_the_comment(client: TestClient[Any]) -> None:
    root = post_comment(client, "Reply to me", author={"name": "Ola"})
    later = post_comment(client, "Another root")
    html = page(client, reply=root["id"]).text
    fields = the_form(html)
    assert fields["parent"] == root["id"]
    form_at = html.index('<form class="rj-form rj-form-reply" id="reply"')
    assert html.index(f'id="comment-{root["id"]}"') < form_at < html.index(f'id="comment-{later["id"]}"')
    assert "Reply to Ola" in html and "Cancel reply" in html
    response = submit(client, fields, text="Here you go", name="Pat")
    assert response.status_code == 303
    reply = next(c for c in thread_json(client)["comments"] if c["text"] == "Here you go")
    assert reply["parent"] == root["id"] and reply["depth"] == 1
    assert response.headers["location"].endswith(f"#comment-{reply['id']}")
    # an unknown reply id falls back to the form at the end
    assert "parent" not in the_form(page(client, reply="no-such-comment").text)


def test_errors_rerender_with_messages_by_field_and_keep_the_input(client: TestClient[Any]) -> None:
    fields = the_form(page(client).text)
    response = submit(
        client, fields, text="Kept <text> & more", name="", email="not-an-email", website="ftp://x.example"
    )
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")
    assert "content-security-policy" in response.headers
    html = response.text
    name = field_block(html, "name")
    assert "Enter a name to comment as a guest" in name and 'aria-invalid="true"' in name
    email = field_block(html, "email")
    assert "Enter a valid email address" in email and 'value="not-an-email"' in email
    website = field_block(html, "website")
    assert "website must be an http:// or https:// address" in website
    assert 'value="ftp://x.example"' in website
    text = field_block(html, "text")
    assert ">Kept &lt;text&gt; &amp; more</textarea>" in text and "aria-invalid" not in text
    assert "Your comment was not posted" in html
    again = the_form(html)
    assert again["text"] == "Kept <text> & more" and again["token"]
    assert thread_json(client)["thread"]["count"] == 0

    empty = submit(client, again, text="   ", name="Ann")
    assert empty.status_code == 422
    assert "Write something before posting" in field_block(empty.text, "text")
    assert 'value="Ann"' in field_block(empty.text, "name")


def test_a_reply_error_keeps_the_form_under_its_comment(client: TestClient[Any]) -> None:
    root = post_comment(client, "Parent")
    fields = the_form(page(client, reply=root["id"]).text)
    response = submit(client, fields, text="", name="Ro")
    assert response.status_code == 422
    again = the_form(response.text)
    assert again["parent"] == root["id"]
    assert response.text.index(f'id="comment-{root["id"]}"') < response.text.index('id="reply"')


def test_the_form_token_is_required_and_bound_to_the_thread(site_db: str) -> None:
    secret = "s" * 40
    with new_client(site_db, security={"secret_key": secret}) as client:
        fields = the_form(page(client).text)
        for bad in ("", "123.abc", fields["token"] + "x", "99999999999999.x"):
            response = submit(client, {**fields, "token": bad}, text="Hi", name="Eve")
            assert response.status_code == 403, bad
            assert "This form did not come from this discussion" in response.text
            assert the_form(response.text)["text"] == "Hi"  # kept, with a fresh token to try again
        other = page(client, url="https://blog.example/another-post").text
        response = submit(client, {**fields, "token": the_form(other)["token"]}, text="Hi", name="Eve")
        assert response.status_code == 403
        now = int(fields["token"].split(".")[0])
        lookup = f"1|u:{ARTICLE}"  # the only site is number 1
        assert form_token(secret.encode(), lookup, now) == fields["token"]
        stale = form_token(secret.encode(), lookup, now - FORM_TOKEN_MAX_AGE - 60)
        response = submit(client, {**fields, "token": stale}, text="Hi", name="Eve")
        assert response.status_code == 403 and "opened too long ago" in response.text
        assert thread_json(client)["thread"]["count"] == 0
        old_but_valid = form_token(secret.encode(), lookup, now - FORM_TOKEN_MAX_AGE + 60)
        assert submit(client, {**fields, "token": old_but_valid}, text="Hi", name="Eve").status_code == 303
        assert submit(client, fields, text="Hi again", name="Eve").status_code == 303
        assert thread_json(client)["thread"]["count"] == 2


def test_a_post_from_another_origin_is_refused(client: TestClient[Any]) -> None:
    fields = the_form(page(client).text)
    response = client.post(
        "/thread",
        data={**fields, "text": "Hi", "name": "Mal"},
        headers={**HTML_ACCEPT, "Origin": "https://evil.example"},
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert "may not post" in response.text
    # Without server.public_url, rejoinder's own pages are those of the loopback address it listens on.
    same = client.post(
        "/thread",
        data={**fields, "text": "Hi", "name": "Sam"},
        headers={**HTML_ACCEPT, "Origin": "http://localhost:8080"},
        follow_redirects=False,
    )
    assert same.status_code == 303


def test_the_form_behind_a_tls_proxy_is_known_by_the_public_url(site_db: str) -> None:
    """Behind a proxy that terminates TLS, the browser's Origin (https://comments.example.org) never equals
    the scheme and Host the server sees (http, an internal name): rejoinder's own origin comes from
    server.public_url, and the Host header (or X-Forwarded-*) can no longer vouch for a page."""
    public = {"public_url": "https://comments.example.org"}
    with new_client(site_db, database={"auto_migrate": False}, server=public) as client:
        fields = the_form(page(client).text)
        proxied = {
            "Host": "127.0.0.1:8080",
            "X-Forwarded-Proto": "https",
            "X-Forwarded-Host": "comments.example.org",
        }

        def send(origin: str, name: str, **extra: str) -> Any:
            return client.post(
                "/thread",
                data={**fields, "text": f"From {origin}", "name": name},
                headers={**HTML_ACCEPT, **proxied, **extra, "Origin": origin},
                follow_redirects=False,
            )

        accepted = send("https://comments.example.org", "Pat")
        assert accepted.status_code == 303, accepted.text
        # The request's own scheme and Host, or a forged forwarded host, are not rejoinder's page.
        for origin, extra in (
            ("http://127.0.0.1:8080", {}),
            ("http://rejoinder.test", {"Host": "rejoinder.test"}),
            ("https://evil.example", {"X-Forwarded-Host": "evil.example", "Host": "evil.example"}),
        ):
            refused = send(origin, "Mal", **extra)
            assert refused.status_code == 403 and "may not post" in refused.text, origin
        texts = [c["text"] for c in thread_json(client)["comments"]]
    assert texts == ["From https://comments.example.org"]


def test_unreadable_form_posts(client: TestClient[Any]) -> None:
    json_post = client.post("/thread", json={"url": ARTICLE, "text": "x"})
    assert json_post.status_code == 415
    assert json_post.headers["content-type"].startswith("application/problem+json")
    assert json_post.json()["code"] == "unsupported-media-type"
    bad_bytes = client.post(
        "/thread",
        content=b"url=x&text=%ff%fe",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert bad_bytes.status_code == 400 and bad_bytes.json()["code"] == "malformed-request"
    no_thread = client.post("/thread", data={"text": "x", "name": "A"}, headers=HTML_ACCEPT)
    assert no_thread.status_code == 422 and "text/html" in no_thread.headers["content-type"]
    assert "Give the article" in no_thread.text


# --- errors, fragment, stylesheet, CSP --------------------------------------------------------------


def test_errors_are_html_for_browsers_and_problems_for_others(client: TestClient[Any]) -> None:
    browser = client.get("/thread", headers=HTML_ACCEPT)
    assert browser.status_code == 422 and browser.headers["content-type"].startswith("text/html")
    assert "content-security-policy" in browser.headers and "url-required" in browser.text
    api = client.get("/thread")
    assert api.status_code == 422 and api.json()["code"] == "url-required"
    foreign = client.get("/thread", params={"url": "https://elsewhere.example/a"}, headers=HTML_ACCEPT)
    assert foreign.status_code == 403 and "origin-not-allowed" in foreign.text
    bad_sort = client.get("/thread", params={"url": ARTICLE, "sort": "random"})
    assert bad_sort.status_code == 400 and bad_sort.json()["code"] == "invalid-request"
    bad_page = client.get("/thread", params={"url": ARTICLE, "page": "0"}, headers=HTML_ACCEPT)
    assert bad_page.status_code == 400 and "text/html" in bad_page.headers["content-type"]


def test_fragment_is_bare_html_with_links_from_the_public_url(site_db: str) -> None:
    public = {"public_url": "https://comments.example.org/"}
    with new_client(site_db, database={"auto_migrate": False}, server=public) as client:
        root = post_comment(client, "In the fragment", author={"name": "Fay"})
        # The request's Host says nothing about where readers reach rejoinder (a proxy, or a forgery).
        response = client.get(
            "/thread/fragment", params={"url": ARTICLE}, headers={"Host": "evil.example:8080"}
        )
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"].startswith("public")
    html = response.text
    assert not re.search(r"<(html|head|body|form)[\s>]", html)
    assert html.lstrip().startswith('<div class="rj-static" lang="en" dir="ltr">')
    assert "1 Response" in html and "<p>In the fragment</p>" in html
    assert 'href="https://comments.example.org/thread?url=' in html
    assert f"reply={root['id']}#reply" in html
    assert 'src="https://comments.example.org/api/avatars/' in html
    assert "Leave a Reply" in html
    assert "evil.example" not in html


def test_without_a_public_url_no_page_reflects_the_host_header(client: TestClient[Any]) -> None:
    """A publicly cacheable fragment built from a forged Host would send every later reader to the forger's
    server (cache poisoning): without server.public_url, links are paths on rejoinder's origin."""
    post_comment(client, "Cached", author={"name": "Fay"})
    forged = {"Host": "evil.example", "X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https"}
    fragment = client.get("/thread/fragment", params={"url": ARTICLE}, headers=forged)
    assert fragment.status_code == 200 and fragment.headers["cache-control"].startswith("public")
    links = [a.get("href") or a.get("src") for _, a in parse(fragment.text).tags if "href" in a or "src" in a]
    assert links and all(link.startswith(("/", "#")) and not link.startswith("//") for link in links), links
    assert "evil.example" not in fragment.text
    assert fragment.text == client.get("/thread/fragment", params={"url": ARTICLE}).text
    for path in ("/thread", "/thread?page=99"):
        html = client.get(path, params={"url": ARTICLE}, headers={**HTML_ACCEPT, **forged}).text
        assert "evil.example" not in html
    thread = client.get("/api/threads", params={"url": ARTICLE}, headers=forged).text
    assert "evil.example" not in thread


def test_csp_and_stylesheet(client: TestClient[Any]) -> None:
    post_comment(client, "styled")
    response = page(client)
    csp = response.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "style-src 'self'" in csp and "unsafe-inline" not in csp
    assert "script-src" not in csp  # nothing may run on this page
    assert response.headers["x-content-type-options"] == "nosniff"
    tree = parse(response.text)
    assert not [t for t, _ in tree.tags if t in ("script", "style")]
    assert not [a for _, a in tree.tags if "style" in a]
    links = [a["href"] for t, a in tree.tags if t == "link" and a.get("rel") == "stylesheet"]
    assert len(links) == 1 and links[0].startswith("/static/noscript.css?v=")
    css = client.get(links[0])
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert "immutable" in css.headers["cache-control"] and ".rj-depth-1" in css.text
    assert client.get("/static/noscript.css?v=old").headers["cache-control"] == "public, max-age=300"
    assert client.get("/static/other.css").status_code == 404


def test_demo_page_is_not_served_outside_demo_mode(client: TestClient[Any]) -> None:
    for path in ("/demo/", "/"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json()["code"] == "not-found", response.text


# --- hostile input ----------------------------------------------------------------------------------

ATTACKS = [
    '<script>alert("t")</script>',
    '"><img src=x onerror=alert(1)>',
    "<svg/onload=alert(2)>",
    "[click](javascript:alert(3))",
    '<a href="javascript:alert(4)">x</a>',
    "'; alert(5); '",
    "<iframe src=javascript:alert(6)></iframe>",
]


def assert_inert(html: str) -> None:
    tree = parse(html)
    tags = {t for t, _ in tree.tags}
    assert not tags & {"script", "iframe", "svg", "object", "embed", "style"}, tags
    for tag, attrs in tree.tags:
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name, value)
            if name in ("href", "src", "action", "formaction"):
                assert not value.strip().lower().startswith(("javascript:", "data:", "vbscript:")), (
                    tag,
                    value,
                )
            assert name != "style", (tag, attrs)


def test_hostile_text_name_and_website_are_inert(client: TestClient[Any]) -> None:
    for n, attack in enumerate(ATTACKS):
        post_comment(client, f"{attack} text", author={"name": f"{attack} name"[:80]})
        website = client.post(
            "/api/comments",
            json={"url": ARTICLE, "text": "w", "author": {"name": "W", "website": f"javascript:alert({n})"}},
        )
        assert website.status_code == 422
    post_comment(client, "fine", author={"name": "Q", "website": "https://q.example/?a=1&b=2"})
    html = page(client, title='<script>alert("title")</script>').text
    assert_inert(html)
    assert "&lt;script&gt;alert(&#34;t&#34;)&lt;/script&gt; name" in html
    assert 'href="https://q.example/?a=1&amp;b=2"' in html
    assert_inert(client.get("/thread/fragment", params={"url": ARTICLE}).text)
    # what a reader typed comes back escaped too, when the form is re-rendered with errors
    fields = the_form(html)
    for attack in ATTACKS:
        again = submit(client, fields, text=attack, name=attack, email=attack, website=attack)
        assert again.status_code == 422
        assert_inert(again.text)
    assert_inert(client.get("/thread", params={"url": ATTACKS[1]}, headers=HTML_ACCEPT).text)


@pytest.mark.parametrize("reply", ['"><script>alert(1)</script>', "x" * 500, "a b"])
def test_odd_reply_ids_are_ignored(client: TestClient[Any], reply: str) -> None:
    html = page(client, reply=reply).text
    assert "parent" not in the_form(html)
    assert_inert(html)


@pytest.mark.parametrize(
    ("tampered", "status"),
    [
        ({"token": "١٢٣.abc"}, 403),  # a form token that is not ours: refused
        ({"token": "1.é"}, 403),
        ({"page": "²"}, 303),  # page and sort only say where to go back to: a bad one is ignored
        ({"page": "0"}, 303),
        ({"page": "9" * 40}, 303),
        ({"sort": "sideways"}, 303),
        ({"parent": "no\x00such"}, 422),
        ({"parent": "x" * 300}, 422),
        ({"parent": "missing-comment"}, 422),
        ({"title": "t\x00"}, 422),
        ({"name": "Nul\x00Name"}, 422),
        ({"url": "javascript:alert(1)"}, 422),
        ({"key": ""}, 303),  # an empty key is no key: the url names the thread
    ],
)
def test_tampered_form_fields_answer_4xx(
    client: TestClient[Any], tampered: dict[str, str], status: int
) -> None:
    post_comment(client, "existing")
    fields = the_form(page(client).text)
    response = submit(client, {**fields, "text": "Hi", "name": "Tam", **tampered})
    assert response.status_code == status, response.text
    if response.status_code != 303:
        assert_inert(response.text)
