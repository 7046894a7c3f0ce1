"""POST/PATCH/DELETE /api/comments over HTTP: the comment contract, Markdown, inert attack payloads, edit and
delete by the author, privacy of the email and per-site avatars."""

from __future__ import annotations

import asyncio
import hashlib
import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from litestar.testing import TestClient

from rejoinder.domain import text as markdown
from rejoinder.store import schema
from rejoinder.store.engine import create_engine
from tests.fixtures.app import ARTICLE, new_client, post_comment, run_cli

COMMENT_FIELDS = {"id", "parent", "text", "html", "author", "created", "edited", "status", "likes", "deleted"}
RFC3339_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
SAFE_ATTRIBUTES = {"href", "title", "rel", "start"}
SAFE_SCHEMES = {"", "http", "https", "mailto"}


def thread(client: TestClient[Any], **params: Any) -> Any:
    response = client.get("/api/threads", params={"url": ARTICLE, **params})
    assert response.status_code == 200, response.text
    return response.json()


def parse_time(value: str) -> datetime:
    assert RFC3339_UTC.match(value), value
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


class InertCheck(HTMLParser):
    """Fails on any tag outside the allow-list, any attribute that is not a link's, and any link whose
    scheme (after entity decoding, which HTMLParser does) is not http(s) or mailto."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in markdown.ALLOWED_TAGS:
            self.problems.append(f"tag <{tag}>")
        for name, value in attrs:
            if name not in SAFE_ATTRIBUTES:
                self.problems.append(f"attribute {name}= on <{tag}>")
            if name == "href":
                # Browsers drop tabs and newlines (and trim spaces) before finding a URL's scheme.
                cleaned = re.sub(r"[\x00-\x20]", "", value or "").lower()
                if urlsplit(cleaned).scheme not in SAFE_SCHEMES:
                    self.problems.append(f"href {value!r}")

    handle_startendtag = handle_starttag


def assert_inert(html: str) -> None:
    checker = InertCheck()
    checker.feed(html)
    checker.close()
    assert checker.problems == [], (html, checker.problems)
    # The same, on the raw string: real tags only (escaped text has no "<"), quoted values removed.
    for tag in re.findall(r"<[a-zA-Z][^>]*>", html):
        name = re.match(r"<([a-zA-Z0-9]+)", tag)
        assert name and name.group(1).lower() in markdown.ALLOWED_TAGS, (tag, html)
        bare = re.sub(r"\"[^\"]*\"|'[^']*'", "", tag)
        assert not re.search(r"\son\w+\s*=", bare, re.I), (tag, html)
        assert not re.search(r"href\s*=\s*[\"']?\s*(javascript|data|vbscript):", tag, re.I), (tag, html)


def test_post_answers_201_with_the_contract_comment_and_an_edit_token(client: TestClient[Any]) -> None:
    before = datetime.now(UTC)
    response = client.post(
        "/api/comments",
        json={
            "url": ARTICLE,
            "title": "A post",
            "parent": None,
            "text": "Hello *world*",
            "author": {
                "name": "  Ann   Smith ",
                "email": "ann@example.org",
                "website": "https://ann.example/",
            },
        },
    )
    assert response.status_code == 201, response.text
    assert response.headers["content-type"].startswith("application/json")
    made = response.json()
    assert COMMENT_FIELDS | {"edit_token", "edit_until"} <= set(made)
    assert made["parent"] is None
    assert made["text"] == "Hello *world*"
    assert made["html"] == "<p>Hello <em>world</em></p>"
    assert made["author"]["name"] == "Ann Smith"
    assert made["author"]["website"] == "https://ann.example/"
    assert "/api/avatars/" in made["author"]["avatar"]
    assert set(made["author"]) >= {"name", "website", "avatar"}
    assert "email" not in made["author"]
    assert (made["status"], made["likes"], made["deleted"], made["edited"]) == ("published", 0, False, None)
    created = parse_time(made["created"])
    assert before - timedelta(seconds=5) <= created <= datetime.now(UTC) + timedelta(seconds=5)
    until = parse_time(made["edit_until"])
    assert until - created == timedelta(minutes=15)
    assert len(made["edit_token"]) >= 24
    # The thread shows the same comment object, without the token; as a top-level comment of a thread read it
    # also says how many of its replies the page left out (none).
    shown = thread(client)["comments"]
    assert len(shown) == 1
    assert shown[0].pop("more_replies") == 0
    assert {k: v for k, v in made.items() if k not in ("edit_token", "edit_until")} == shown[0]


def test_comment_ids_are_random_not_sequential(client: TestClient[Any]) -> None:
    ids = [post_comment(client, f"Comment {i}")["id"] for i in range(6)]
    assert len(set(ids)) == 6
    for comment_id in ids:
        assert len(comment_id) >= 8
        assert not comment_id.isdigit()
        assert re.fullmatch(r"[A-Za-z0-9_-]+", comment_id)
    # Counters, timestamps and ULID-like ids written in a row share a prefix; random ones do not.
    assert len({comment_id[0] for comment_id in ids}) > 1


def test_markdown_subset(client: TestClient[Any]) -> None:
    cases = {
        "*em* and **strong** and ~~gone~~": "<p><em>em</em> and <strong>strong</strong> and <s>gone</s></p>",
        "`code <b>`": "<p><code>code &lt;b&gt;</code></p>",
        "> quoted": "<blockquote>\n<p>quoted</p>\n</blockquote>",
        "- one\n- two": "<ul>\n<li>one</li>\n<li>two</li>\n</ul>",
        "3. three\n4. four": '<ol start="3">\n<li>three</li>\n<li>four</li>\n</ol>',
        "```\nx < y\n```": "<pre><code>x &lt; y\n</code></pre>",
    }
    for source, html in cases.items():
        assert post_comment(client, source)["html"] == html, source
    link = post_comment(client, "[docs](https://docs.example/a?b=1&c=2)")["html"]
    assert link == (
        '<p><a href="https://docs.example/a?b=1&amp;c=2" rel="nofollow noopener ugc">docs</a></p>'
    )
    bare = post_comment(client, "see https://docs.example/x")["html"]
    assert '<a href="https://docs.example/x" rel="nofollow noopener ugc">' in bare
    # No images, headings or raw HTML by default: they stay visible as text.
    image = post_comment(client, "![cat](https://img.example/cat.png)")["html"]
    assert "<img" not in image
    heading = post_comment(client, "# Title")["html"]
    assert heading == "<p># Title</p>"
    raw = post_comment(client, "<b>bold</b>")["html"]
    assert raw == "<p>&lt;b&gt;bold&lt;/b&gt;</p>"


TEXT_ATTACKS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    '"><script>alert(document.cookie)</script>',
    "<<script>script>alert(1)<</script>/script>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<img src=x onerror=alert(1)>",
    '<img src="x" onerror="alert(1)"/>',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<iframe src=javascript:alert(1)></iframe>",
    "<details open ontoggle=alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    "<form action=javascript:alert(1)><button>go</button></form>",
    "<style>body{background:url(javascript:alert(1))}</style>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](  javascript:alert(1)  )",
    "[click](<javascript:alert(1)>)",
    "[click](javascript&colon;alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1))",
    "[click](&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116:alert(1))",
    "[click](java&#x09;script:alert(1))",
    "[click](java\tscript:alert(1))",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click][1]\n\n[1]: javascript:alert(1)",
    "![x](javascript:alert(1))",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    '![x](https://img.example/a.png "x\\" onerror=\\"alert(1)")',
    '[x](https://a.example "t\\" onmouseover=\\"alert(1)")',
    "<javascript:alert(1)>",
    '<https://a.example/" onmouseover="alert(1)>',
    'https://a.example/"onmouseover="alert(1)',
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    "\\<script\\>alert(1)\\</script\\>",
    "`<script>alert(1)</script>`",
    "```html\n<script>alert(1)</script>\n```",
    "<!-- <script>alert(1)</script> -->",
    "<![CDATA[<script>alert(1)</script>]]>",
]


def test_attack_payloads_in_text_come_out_inert(client: TestClient[Any], subtests: Any) -> None:
    for payload in TEXT_ATTACKS:
        with subtests.test(msg=payload):
            made = post_comment(client, payload)
            assert made["text"] == payload.strip("\n")  # kept as written: it is shown through `html` only
            assert_inert(made["html"])
    shown = thread(client, limit=1000)["comments"]
    assert len(shown) == len(TEXT_ATTACKS)
    for comment in shown:
        assert_inert(comment["html"])


NAME_ATTACKS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "&lt;b&gt;Ann&lt;/b&gt;",
    "javascript:alert(1)",
    "**Ann**",
]


def test_names_are_returned_as_plain_text(client: TestClient[Any]) -> None:
    for visitor, name in enumerate(NAME_ATTACKS):
        made = post_comment(client, "Hi", author={"name": name})
        assert made["author"]["name"] == name  # verbatim: neither escaped nor rendered, so shown as text
        assert name not in made["html"]
        liked = client.put(
            "/api/threads/like",
            params={"url": ARTICLE},
            headers={"Rejoinder-Visitor": f"visitor-{visitor:016d}"},
            json={"name": name},
        )
        assert liked.status_code == 200
    view = thread(client)
    assert [c["author"]["name"] for c in view["comments"]] == NAME_ATTACKS
    assert [c["html"] for c in view["comments"]] == ["<p>Hi</p>"] * len(NAME_ATTACKS)
    assert sorted(liker["name"] for liker in view["thread"]["likes"]["recent"]) == sorted(NAME_ATTACKS)


def test_edit_within_the_window(client: TestClient[Any]) -> None:
    made = post_comment(client, "Frist")
    token = {"Rejoinder-Edit-Token": made["edit_token"]}
    response = client.patch(f"/api/comments/{made['id']}", json={"text": "First, *fixed*"}, headers=token)
    assert response.status_code == 200, response.text
    edited = response.json()
    assert edited["id"] == made["id"]
    assert edited["text"] == "First, *fixed*"
    assert edited["html"] == "<p>First, <em>fixed</em></p>"
    assert parse_time(edited["edited"]) >= parse_time(made["created"])
    assert "edit_token" not in edited
    shown = thread(client)
    assert shown["thread"]["count"] == 1
    assert [(c["text"], c["html"], c["edited"]) for c in shown["comments"]] == [
        (edited["text"], edited["html"], edited["edited"])
    ]
    # The token stays valid for further edits within the window, and for deleting.
    again = client.patch(f"/api/comments/{made['id']}", json={"text": "<script>x</script>"}, headers=token)
    assert again.status_code == 200
    assert_inert(again.json()["html"])
    assert client.delete(f"/api/comments/{made['id']}", headers=token).status_code == 204
    assert thread(client)["comments"] == []


def test_deleting_a_leaf_removes_it_and_lowers_the_count(client: TestClient[Any]) -> None:
    keep = post_comment(client, "Stays")
    leaf = post_comment(client, "Goes")
    assert thread(client)["thread"]["count"] == 2
    response = client.delete(
        f"/api/comments/{leaf['id']}", headers={"Rejoinder-Edit-Token": leaf["edit_token"]}
    )
    assert response.status_code == 204
    assert response.content == b""
    shown = thread(client)
    assert shown["thread"]["count"] == 1
    assert [c["id"] for c in shown["comments"]] == [keep["id"]]
    counts = client.get("/api/counts", params={"url": ARTICLE}).json()
    assert counts["counts"][ARTICLE]["comments"] == 1


def all_bodies(client: TestClient[Any], made: dict[str, Any], visitor: str) -> list[bytes]:
    """Every public and per-reader response about the article and the comment."""
    headers = {"Rejoinder-Visitor": visitor}
    responses = [
        client.get("/api/threads", params={"url": ARTICLE}),
        client.get("/api/threads", params={"url": ARTICLE}, headers={"Accept-Encoding": "identity"}),
        client.get("/api/threads", params={"url": ARTICLE, "sort": "top", "limit": 1}),
        client.get("/api/counts", params={"url": ARTICLE}),
        client.get("/api/viewer", params={"url": ARTICLE}, headers=headers),
        client.get(f"/api/comments/{made['id']}/page"),
        client.put(f"/api/comments/{made['id']}/like", headers=headers),
        client.put("/api/threads/like", params={"url": ARTICLE}, headers=headers, json={"name": "Reader"}),
        client.get(made["author"]["avatar"]),
        client.get("/api/openapi.json"),
    ]
    for response in responses:
        assert response.status_code == 200, response.text
    return [r.content for r in responses]


def test_email_is_never_returned(client: TestClient[Any]) -> None:
    email = "Secret.Person+tag@Example.org"
    digests = {
        hashlib.md5(email.strip().lower().encode()).hexdigest(),  # noqa: S324 - what Gravatar would use
        hashlib.sha256(email.strip().lower().encode()).hexdigest(),
    }
    made_response = client.post(
        "/api/comments", json={"url": ARTICLE, "text": "Psst", "author": {"name": "Sam", "email": email}}
    )
    assert made_response.status_code == 201
    made = made_response.json()
    token = {"Rejoinder-Edit-Token": made["edit_token"]}
    reply = post_comment(client, "Reply", parent=made["id"], author={"name": "Kim", "email": email})
    edit = client.patch(f"/api/comments/{made['id']}", json={"text": "Psst, edited"}, headers=token)
    bodies = [made_response.content, edit.content, *all_bodies(client, reply, "visitor-0123456789abcdef")]
    for body in bodies:
        text = body.decode("utf-8", "replace").lower()
        assert email.lower() not in text
        assert "secret.person" not in text
        for digest in digests:
            assert digest not in text and digest[:20] not in text


def test_avatar_is_per_author_and_per_site(site_db: str) -> None:
    run_cli(site_db, "site", "add", "news", "--origin", "https://news.example")
    with new_client(site_db) as client:
        author = {"name": "Ann", "email": "ann@example.org"}
        on_blog = post_comment(client, "On the blog", author=author)
        again = post_comment(
            client, "Again on the blog", author={"name": "Ann B.", "email": " ANN@example.org "}
        )
        other = post_comment(client, "Someone else", author={"name": "Ann", "email": "bob@example.org"})
        on_news = post_comment(client, "On the news", url="https://news.example/story", author=author)
        avatars = [c["author"]["avatar"] for c in (on_blog, again, other, on_news)]
        assert avatars[0] == avatars[1]  # the same author on one site keeps one avatar
        assert avatars[0] != avatars[2]  # another email, another avatar
        assert avatars[0] != avatars[3]  # the same email on another site: not linkable across sites
        for avatar in avatars:
            assert avatar.startswith("/api/avatars/")
            key = avatar.rsplit("/", 1)[1]
            assert "ann" not in key.lower() and "example" not in key
            image = client.get(avatar)
            assert image.status_code == 200
            assert image.headers["content-type"].startswith("image/")
        assert client.get(avatars[0]).content == client.get(avatars[1]).content


def test_a_website_is_stored_and_shown_in_its_normal_form(client: TestClient[Any], site_db: str) -> None:
    """Scheme and host in lower case, the host in punycode, no user name or password, no default port:
    what the API, the no-JS page and the database hold, through posting and a later edit."""
    typed = "HTTPS://Ann:hunter2@Bücher.EXAMPLE:443/Blog?Q=1#Top"
    stored = "https://xn--bcher-kva.example/Blog?Q=1#Top"
    made = post_comment(client, "Mine", author={"name": "Ann", "website": typed})
    assert made["author"]["website"] == stored
    edited = client.patch(
        f"/api/comments/{made['id']}",
        json={"text": "Mine, edited"},
        headers={"Rejoinder-Edit-Token": made["edit_token"]},
    )
    assert edited.status_code == 200 and edited.json()["author"]["website"] == stored
    assert [c["author"]["website"] for c in thread(client)["comments"]] == [stored]
    page = client.get("/thread", params={"url": ARTICLE}, headers={"Accept": "text/html"}).text
    assert f'href="{stored}"' in page and "hunter2" not in page and "Bücher" not in page

    async def stored_websites() -> list[str | None]:
        engine = create_engine(site_db)
        try:
            async with engine.connect() as conn:
                rows = await conn.execute(sa.select(schema.comments.c.author_website))
                return [row[0] for row in rows.all()]
        finally:
            await engine.dispose()

    assert asyncio.run(stored_websites()) == [stored]
