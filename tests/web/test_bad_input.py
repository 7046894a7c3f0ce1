"""Every bad input of issue 3 over HTTP: a precise 4xx application/problem+json, and nothing stored.

Each case is checked against the database itself (every row of every table, before and after) and
against the public thread, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from litestar.testing import TestClient

from rejoinder.store import schema
from rejoinder.store.engine import create_engine
from tests.fixtures.app import ARTICLE, new_client, post_comment, run_cli

PROBLEM = "application/problem+json"
VISITOR = "visitor-0123456789abcdef"
OTHER_VISITOR = "visitor-fedcba9876543210"
JSON = {"content-type": "application/json"}


def assert_problem(response: Any, status: int, code: str, field: str | None = None) -> dict[str, Any]:
    """A problem+json answer with this status and code (and this field among its `errors`)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].split(";")[0] == PROBLEM, response.headers
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["code"] == code, body
    assert body["title"] and body["detail"], body
    assert "Traceback" not in response.text
    if field is not None:
        assert field in [e["field"] for e in body.get("errors", [])], body
    return body


class Rows:
    """Reads every row of every table that holds what readers post (one engine and loop per test)."""

    def __init__(self, db_url: str) -> None:
        self.loop = asyncio.new_event_loop()
        self.engine = create_engine(db_url)

    async def _read(self) -> dict[str, list[tuple[Any, ...]]]:
        out: dict[str, list[tuple[Any, ...]]] = {}
        async with self.engine.connect() as conn:
            for table in (schema.sites, schema.threads, schema.comments, schema.likes, schema.authors):
                rows = await conn.execute(sa.select(table).order_by(*table.primary_key.columns))
                out[table.name] = [tuple(r) for r in rows]
        return out

    def __call__(self) -> dict[str, list[tuple[Any, ...]]]:
        return self.loop.run_until_complete(self._read())

    def close(self) -> None:
        self.loop.run_until_complete(self.engine.dispose())
        self.loop.close()


@pytest.fixture
def stored(site_db: str) -> Iterator[Rows]:
    rows = Rows(site_db)
    yield rows
    rows.close()


def public_view(client: TestClient[Any]) -> Any:
    thread = client.get("/api/threads", params={"url": ARTICLE})
    counts = client.get("/api/counts", params={"url": ARTICLE})
    assert thread.status_code == 200 and counts.status_code == 200
    return thread.json(), counts.json()


@dataclass
class Seed:
    id: str
    token: str


@pytest.fixture
def seed(client: TestClient[Any]) -> Seed:
    """One comment with an email, liked by a visitor, and the article liked by a named visitor."""
    posted = post_comment(client, "Seed", author={"name": "Ann", "email": "ann@example.org"})
    assert client.put(f"/api/comments/{posted['id']}/like", headers={"Rejoinder-Visitor": VISITOR}).is_success
    liked = client.put(
        "/api/threads/like",
        params={"url": ARTICLE},
        headers={"Rejoinder-Visitor": VISITOR},
        json={"name": "Bo"},
    )
    assert liked.is_success
    return Seed(id=posted["id"], token=posted["edit_token"])


def body(**fields: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"url": ARTICLE, "text": "Hello", "author": {"name": "Ann"}}
    out.update(fields)
    return out


def raw_post(text: str) -> dict[str, Any]:
    """A request whose JSON is written by hand (for escapes a JSON encoder would not produce)."""
    return {"content": text.encode("utf-8"), "headers": JSON}


def with_author(**author: Any) -> dict[str, Any]:
    return {"json": body(author={"name": "Ann", **author})}


@dataclass
class Case:
    name: str
    method: str
    path: str  # may contain {id}
    status: int
    code: str
    field: str | None = None
    request: Callable[[Seed], dict[str, Any]] = lambda s: {}


def run_cases(client: TestClient[Any], stored: Rows, seed: Seed, cases: list[Case], subtests: Any) -> None:
    before_rows = stored()
    before_view = public_view(client)
    for case in cases:
        with subtests.test(msg=case.name):
            response = client.request(case.method, case.path.format(id=seed.id), **case.request(seed))
            assert_problem(response, case.status, case.code, case.field)
            assert stored() == before_rows, f"{case.name} changed stored data"
            assert public_view(client) == before_view, f"{case.name} changed the public thread"


LONG_URL = ARTICLE + "?q=" + "a" * 2100
SURROGATE = "\\ud800"  # a lone surrogate as a JSON escape (a JSON encoder would never write one)
LOW_SURROGATE = "\\udfff"

POST_CASES: list[Case] = [
    # Unreadable bodies.
    Case(
        "malformed JSON",
        "POST",
        "/api/comments",
        400,
        "malformed-json",
        request=lambda s: raw_post('{"url": "https://blog.example/x", "text": '),
    ),
    Case(
        "trailing comma",
        "POST",
        "/api/comments",
        400,
        "malformed-json",
        request=lambda s: raw_post('{"text": "x",}'),
    ),
    Case("empty body", "POST", "/api/comments", 400, "body-required", "body", request=lambda s: raw_post("")),
    Case(
        "a JSON array",
        "POST",
        "/api/comments",
        400,
        "invalid-request",
        "body",
        request=lambda s: raw_post("[1, 2]"),
    ),
    Case(
        "invalid UTF-8",
        "POST",
        "/api/comments",
        400,
        "malformed-json",
        request=lambda s: {
            "content": b'{"url": "' + ARTICLE.encode() + b'", "text": "caf\xe9 \xff",'
            b' "author": {"name": "Ann"}}',
            "headers": JSON,
        },
    ),
    Case(
        "overlong UTF-8 for '<'",
        "POST",
        "/api/comments",
        400,
        "malformed-json",
        request=lambda s: {
            "content": b'{"url": "' + ARTICLE.encode() + b'", "text": "\xc0\xbcscript",'
            b' "author": {"name": "Ann"}}',
            "headers": JSON,
        },
    ),
    Case(
        "body over the size limit",
        "POST",
        "/api/comments",
        413,
        "body-too-large",
        request=lambda s: {"json": body(text="a" * 70_000)},
    ),
    # Wrong types.
    Case(
        "text is a number",
        "POST",
        "/api/comments",
        400,
        "invalid-request",
        "text",
        request=lambda s: {"json": body(text=5)},
    ),
    Case(
        "text is null",
        "POST",
        "/api/comments",
        400,
        "invalid-request",
        "text",
        request=lambda s: {"json": body(text=None)},
    ),
    Case(
        "author is a string",
        "POST",
        "/api/comments",
        400,
        "invalid-request",
        "author",
        request=lambda s: {"json": body(author="Ann")},
    ),
    Case(
        "author name is a number",
        "POST",
        "/api/comments",
        400,
        "invalid-request",
        "author.name",
        request=lambda s: {"json": body(author={"name": 5})},
    ),
    Case(
        "url is a list",
        "POST",
        "/api/comments",
        400,
        "invalid-request",
        "url",
        request=lambda s: {"json": body(url=[ARTICLE])},
    ),
    Case(
        "parent is a number",
        "POST",
        "/api/comments",
        400,
        "invalid-request",
        "parent",
        request=lambda s: {"json": body(parent=1.5)},
    ),
    Case(
        "title is an object",
        "POST",
        "/api/comments",
        400,
        "invalid-request",
        "title",
        request=lambda s: {"json": body(title={"a": 1})},
    ),
    # Missing fields.
    Case(
        "missing text",
        "POST",
        "/api/comments",
        400,
        "invalid-request",
        "text",
        request=lambda s: {"json": {"url": ARTICLE, "author": {"name": "Ann"}}},
    ),
    Case(
        "missing author",
        "POST",
        "/api/comments",
        422,
        "name-required",
        "author.name",
        request=lambda s: {"json": {"url": ARTICLE, "text": "Hi"}},
    ),
    Case(
        "missing name",
        "POST",
        "/api/comments",
        422,
        "name-required",
        "author.name",
        request=lambda s: {"json": body(author={"email": "ann@example.org"})},
    ),
    Case(
        "blank name",
        "POST",
        "/api/comments",
        422,
        "name-required",
        "author.name",
        request=lambda s: {"json": body(author={"name": " \t\n "})},
    ),
    Case(
        "missing url and key",
        "POST",
        "/api/comments",
        422,
        "url-required",
        "url",
        request=lambda s: {"json": {"text": "Hi", "author": {"name": "Ann"}}},
    ),
    Case(
        "new thread by key alone",
        "POST",
        "/api/comments",
        422,
        "url-required",
        "url",
        request=lambda s: {"json": {"key": "new-key", "site": "blog", "text": "Hi", "author": {"name": "A"}}},
    ),
    # NUL bytes anywhere.
    Case(
        "NUL in text",
        "POST",
        "/api/comments",
        422,
        "nul-byte",
        "text",
        request=lambda s: {"json": body(text="a\x00b")},
    ),
    Case(
        "NUL in name",
        "POST",
        "/api/comments",
        422,
        "nul-byte",
        "author.name",
        request=lambda s: {"json": body(author={"name": "An\x00n"})},
    ),
    Case(
        "NUL in email",
        "POST",
        "/api/comments",
        422,
        "nul-byte",
        "author.email",
        request=lambda s: with_author(email="ann\x00@example.org"),
    ),
    Case(
        "NUL in website",
        "POST",
        "/api/comments",
        422,
        "nul-byte",
        "author.website",
        request=lambda s: with_author(website="https://ann.example/\x00"),
    ),
    Case(
        "NUL in url",
        "POST",
        "/api/comments",
        422,
        "nul-byte",
        "url",
        request=lambda s: {"json": body(url=ARTICLE + "\x00")},
    ),
    Case(
        "NUL in key",
        "POST",
        "/api/comments",
        422,
        "nul-byte",
        "key",
        request=lambda s: {"json": body(key="k\x00")},
    ),
    Case(
        "NUL in parent",
        "POST",
        "/api/comments",
        422,
        "nul-byte",
        "parent",
        request=lambda s: {"json": body(parent=s.id + "\x00")},
    ),
    Case(
        "NUL in title",
        "POST",
        "/api/comments",
        422,
        "nul-byte",
        "title",
        request=lambda s: {"json": body(title="T\x00")},
    ),
    # Lone surrogates anywhere (JSON "\ud800" escapes: refused while decoding the body).
    *[
        Case(f"lone surrogate in {where}", "POST", "/api/comments", 400, "malformed-json", request=req)
        for where, req in [
            (
                "text",
                lambda s: raw_post(
                    f'{{"url": "{ARTICLE}", "text": "a{SURROGATE}b", "author": {{"name": "A"}}}}'
                ),
            ),
            (
                "text end",
                lambda s: raw_post(
                    f'{{"url": "{ARTICLE}", "author": {{"name": "A"}}, "text": "{SURROGATE}"}}'
                ),
            ),
            (
                "name",
                lambda s: raw_post(
                    f'{{"url": "{ARTICLE}", "text": "a", "author": {{"name": "A{LOW_SURROGATE}"}}}}'
                ),
            ),
            (
                "email",
                lambda s: raw_post(
                    f'{{"url": "{ARTICLE}", "text": "a", "author": {{"name": "A", "email": "a{SURROGATE}@x.org"}}}}'
                ),
            ),
            (
                "website",
                lambda s: raw_post(
                    f'{{"url": "{ARTICLE}", "text": "a", "author": {{"name": "A", "website": "https://x.example/{SURROGATE}"}}}}'
                ),
            ),
            (
                "url",
                lambda s: raw_post(
                    f'{{"url": "https://blog.example/{SURROGATE}x", "text": "a", "author": {{"name": "A"}}}}'
                ),
            ),
            (
                "key",
                lambda s: raw_post(
                    f'{{"url": "{ARTICLE}", "key": "k{SURROGATE}k", "text": "a", "author": {{"name": "A"}}}}'
                ),
            ),
            (
                "parent",
                lambda s: raw_post(
                    f'{{"url": "{ARTICLE}", "parent": "{SURROGATE}", "text": "a", "author": {{"name": "A"}}}}'
                ),
            ),
            (
                "title",
                lambda s: raw_post(
                    f'{{"url": "{ARTICLE}", "title": "{SURROGATE}{SURROGATE}", "text": "a", "author": {{"name": "A"}}}}'
                ),
            ),
            (
                "an unknown field's name",
                lambda s: raw_post(
                    f'{{"url": "{ARTICLE}", "x{SURROGATE}": 1, "text": "a", "author": {{"name": "A"}}}}'
                ),
            ),
        ]
    ],
    # Text and name limits.
    Case(
        "empty text",
        "POST",
        "/api/comments",
        422,
        "text-empty",
        "text",
        request=lambda s: {"json": body(text="")},
    ),
    Case(
        "whitespace-only text",
        "POST",
        "/api/comments",
        422,
        "text-empty",
        "text",
        request=lambda s: {"json": body(text=" \n\t\r\n  ")},
    ),
    Case(
        "control characters only",
        "POST",
        "/api/comments",
        422,
        "text-empty",
        "text",
        request=lambda s: {"json": body(text="\x01\x02 \x7f")},
    ),
    Case(
        "text over the limit",
        "POST",
        "/api/comments",
        422,
        "text-too-long",
        "text",
        request=lambda s: {"json": body(text="é" * 10_001)},
    ),
    Case(
        "name over the limit",
        "POST",
        "/api/comments",
        422,
        "name-too-long",
        "author.name",
        request=lambda s: {"json": body(author={"name": "N" * 81})},
    ),
    Case(
        "malformed email",
        "POST",
        "/api/comments",
        422,
        "email-invalid",
        "author.email",
        request=lambda s: with_author(email="not-an-email"),
    ),
    # Websites.
    Case(
        "javascript: website",
        "POST",
        "/api/comments",
        422,
        "website-scheme",
        "author.website",
        request=lambda s: with_author(website="javascript:alert(1)"),
    ),
    Case(
        "mixed-case JavaScript: website",
        "POST",
        "/api/comments",
        422,
        "website-scheme",
        "author.website",
        request=lambda s: with_author(website="  JaVaScRiPt:alert(document.cookie)"),
    ),
    Case(
        "data: website",
        "POST",
        "/api/comments",
        422,
        "website-scheme",
        "author.website",
        request=lambda s: with_author(website="data:text/html,<script>alert(1)</script>"),
    ),
    Case(
        "scheme-less website",
        "POST",
        "/api/comments",
        422,
        "website-scheme",
        "author.website",
        request=lambda s: with_author(website="//evil.example/"),
    ),
    Case(
        "website without a host",
        "POST",
        "/api/comments",
        422,
        "website-malformed",
        "author.website",
        request=lambda s: with_author(website="https://"),
    ),
    Case(
        "website with a bad port",
        "POST",
        "/api/comments",
        422,
        "website-malformed",
        "author.website",
        request=lambda s: with_author(website="https://ann.example:99999/"),
    ),
    Case(
        "website with a quote",
        "POST",
        "/api/comments",
        422,
        "website-malformed",
        "author.website",
        request=lambda s: with_author(website='https://ann.example/"onmouseover="alert(1)'),
    ),
    # Parents.
    Case(
        "unknown parent",
        "POST",
        "/api/comments",
        422,
        "parent-not-public",
        "parent",
        request=lambda s: {"json": body(parent="no-such-comment")},
    ),
    # Article URLs and origins.
    Case(
        "ftp url",
        "POST",
        "/api/comments",
        422,
        "url-scheme",
        "url",
        request=lambda s: {"json": body(url="ftp://blog.example/a-post")},
    ),
    Case(
        "javascript: url",
        "POST",
        "/api/comments",
        422,
        "url-scheme",
        "url",
        request=lambda s: {"json": body(url="javascript:alert(1)")},
    ),
    Case(
        "relative url",
        "POST",
        "/api/comments",
        422,
        "url-scheme",
        "url",
        request=lambda s: {"json": body(url="/2026/11/a-post")},
    ),
    Case(
        "url without a host",
        "POST",
        "/api/comments",
        422,
        "url-malformed",
        "url",
        request=lambda s: {"json": body(url="https:///a-post")},
    ),
    Case(
        "url over the limit",
        "POST",
        "/api/comments",
        422,
        "url-too-long",
        "url",
        request=lambda s: {"json": body(url=LONG_URL)},
    ),
    Case(
        "url from an origin no site allows",
        "POST",
        "/api/comments",
        403,
        "origin-not-allowed",
        request=lambda s: {"json": body(url="https://evil.example/a-post")},
    ),
    Case(
        "url on the right host but http",
        "POST",
        "/api/comments",
        403,
        "origin-not-allowed",
        request=lambda s: {"json": body(url="http://blog.example/a-post")},
    ),
    Case(
        "Origin header the site does not allow",
        "POST",
        "/api/comments",
        403,
        "origin-not-allowed",
        request=lambda s: {"json": body(), "headers": {"Origin": "https://evil.example"}},
    ),
    Case(
        "unknown site name",
        "POST",
        "/api/comments",
        404,
        "site-not-found",
        request=lambda s: {"json": body(site="nope")},
    ),
]


def test_post_comment_bad_input(client: TestClient[Any], stored: Rows, seed: Seed, subtests: Any) -> None:
    run_cases(client, stored, seed, POST_CASES, subtests)


def edit_request(token: str | None, payload: Any = None, raw: str | None = None) -> dict[str, Any]:
    headers: dict[str, str] = {} if token is None else {"Rejoinder-Edit-Token": token}
    if raw is not None:
        return {"content": raw.encode(), "headers": {**headers, **JSON}}
    return {"json": payload if payload is not None else {"text": "Edited"}, "headers": headers}


EDIT_CASES: list[Case] = [
    Case(
        "edit without a token",
        "PATCH",
        "/api/comments/{id}",
        403,
        "edit-token-required",
        request=lambda s: edit_request(None),
    ),
    Case(
        "edit with a wrong token",
        "PATCH",
        "/api/comments/{id}",
        403,
        "edit-token-invalid",
        # One character changed: a token that starts with "x" would otherwise stay right (1 run in 64).
        request=lambda s: edit_request(("y" if s.token.startswith("x") else "x") + s.token[1:]),
    ),
    Case(
        "edit with another comment's token shape",
        "PATCH",
        "/api/comments/{id}",
        403,
        "edit-token-invalid",
        request=lambda s: edit_request("not-a-token"),
    ),
    Case(
        "edit an unknown comment",
        "PATCH",
        "/api/comments/nope",
        404,
        "comment-not-found",
        request=lambda s: edit_request(s.token),
    ),
    Case(
        "edit with a NUL id",
        "PATCH",
        "/api/comments/a%00b",
        422,
        "nul-byte",
        "id",
        request=lambda s: edit_request(s.token),
    ),
    Case(
        "edit to empty text",
        "PATCH",
        "/api/comments/{id}",
        422,
        "text-empty",
        "text",
        request=lambda s: edit_request(s.token, {"text": "  \n "}),
    ),
    Case(
        "edit to text over the limit",
        "PATCH",
        "/api/comments/{id}",
        422,
        "text-too-long",
        "text",
        request=lambda s: edit_request(s.token, {"text": "x" * 10_001}),
    ),
    Case(
        "edit with a NUL",
        "PATCH",
        "/api/comments/{id}",
        422,
        "nul-byte",
        "text",
        request=lambda s: edit_request(s.token, {"text": "a\x00"}),
    ),
    Case(
        "edit with a lone surrogate",
        "PATCH",
        "/api/comments/{id}",
        400,
        "malformed-json",
        request=lambda s: edit_request(s.token, raw=f'{{"text": "a{SURROGATE}b"}}'),
    ),
    Case(
        "edit with malformed JSON",
        "PATCH",
        "/api/comments/{id}",
        400,
        "malformed-json",
        request=lambda s: edit_request(s.token, raw='{"text": "a"'),
    ),
    Case(
        "edit with a wrong type",
        "PATCH",
        "/api/comments/{id}",
        400,
        "invalid-request",
        "text",
        request=lambda s: edit_request(s.token, {"text": ["a"]}),
    ),
    Case(
        "edit without text",
        "PATCH",
        "/api/comments/{id}",
        400,
        "invalid-request",
        "text",
        request=lambda s: edit_request(s.token, {"status": "deleted"}),
    ),
    Case("delete without a token", "DELETE", "/api/comments/{id}", 403, "edit-token-required"),
    Case(
        "delete with a wrong token",
        "DELETE",
        "/api/comments/{id}",
        403,
        "edit-token-invalid",
        request=lambda s: {"headers": {"Rejoinder-Edit-Token": s.token[::-1]}},
    ),
    Case(
        "delete an unknown comment",
        "DELETE",
        "/api/comments/nope",
        404,
        "comment-not-found",
        request=lambda s: {"headers": {"Rejoinder-Edit-Token": s.token}},
    ),
]


def test_edit_and_delete_bad_input(client: TestClient[Any], stored: Rows, seed: Seed, subtests: Any) -> None:
    run_cases(client, stored, seed, EDIT_CASES, subtests)


def like_request(visitor: str | None = OTHER_VISITOR, **kwargs: Any) -> dict[str, Any]:
    headers = {} if visitor is None else {"Rejoinder-Visitor": visitor}
    headers.update(kwargs.pop("headers", {}))
    return {"headers": headers, **kwargs}


THREAD_LIKE = "/api/threads/like?url=" + ARTICLE
LIKE_CASES: list[Case] = [
    Case(
        "comment like without a visitor",
        "PUT",
        "/api/comments/{id}/like",
        422,
        "visitor-required",
        "Rejoinder-Visitor",
        request=lambda s: like_request(None),
    ),
    Case(
        "comment like with a short visitor",
        "PUT",
        "/api/comments/{id}/like",
        422,
        "visitor-invalid",
        "Rejoinder-Visitor",
        request=lambda s: like_request("short"),
    ),
    Case(
        "comment like with a visitor of bad characters",
        "PUT",
        "/api/comments/{id}/like",
        422,
        "visitor-invalid",
        "Rejoinder-Visitor",
        request=lambda s: like_request("<script>alert(1)</script>"),
    ),
    Case(
        "like an unknown comment",
        "PUT",
        "/api/comments/nope/like",
        404,
        "comment-not-found",
        request=lambda s: like_request(),
    ),
    Case(
        "like a NUL id",
        "PUT",
        "/api/comments/%00/like",
        422,
        "nul-byte",
        "id",
        request=lambda s: like_request(),
    ),
    Case(
        "unlike without a visitor",
        "DELETE",
        "/api/comments/{id}/like",
        422,
        "visitor-required",
        request=lambda s: like_request(None),
    ),
    Case(
        "article like without a visitor",
        "PUT",
        THREAD_LIKE,
        422,
        "visitor-required",
        request=lambda s: like_request(None),
    ),
    Case(
        "article like with a NUL name",
        "PUT",
        THREAD_LIKE,
        422,
        "nul-byte",
        "name",
        request=lambda s: like_request(json={"name": "B\x00"}),
    ),
    Case(
        "article like with a name over the limit",
        "PUT",
        THREAD_LIKE,
        422,
        "name-too-long",
        "name",
        request=lambda s: like_request(json={"name": "B" * 81}),
    ),
    Case(
        "article like with a lone surrogate",
        "PUT",
        THREAD_LIKE,
        400,
        "malformed-json",
        request=lambda s: like_request(content=f'{{"name": "B{SURROGATE}o"}}'.encode(), headers=JSON),
    ),
    Case(
        "article like with malformed JSON",
        "PUT",
        THREAD_LIKE,
        400,
        "malformed-json",
        request=lambda s: like_request(content=b'{"name": ', headers=JSON),
    ),
    Case(
        "article like with a wrong type",
        "PUT",
        THREAD_LIKE,
        400,
        "invalid-request",
        "name",
        request=lambda s: like_request(json={"name": 5}),
    ),
    Case(
        "article like from an Origin the site does not allow",
        "PUT",
        THREAD_LIKE,
        403,
        "origin-not-allowed",
        request=lambda s: like_request(headers={"Origin": "https://evil.example"}),
    ),
    Case(
        "article like of a url no site allows",
        "PUT",
        "/api/threads/like?url=https://evil.example/a",
        403,
        "origin-not-allowed",
        request=lambda s: like_request(),
    ),
    Case(
        "article like of a non-http url",
        "PUT",
        "/api/threads/like?url=gopher://blog.example/a",
        422,
        "url-scheme",
        "url",
        request=lambda s: like_request(),
    ),
    Case(
        "article like with a NUL key",
        "PUT",
        "/api/threads/like?key=%00&site=blog",
        422,
        "nul-byte",
        "key",
        request=lambda s: like_request(),
    ),
    Case(
        "article unlike from an Origin the site does not allow",
        "DELETE",
        THREAD_LIKE,
        403,
        "origin-not-allowed",
        request=lambda s: like_request(VISITOR, headers={"Origin": "https://evil.example"}),
    ),
]


def test_like_bad_input(client: TestClient[Any], stored: Rows, seed: Seed, subtests: Any) -> None:
    run_cases(client, stored, seed, LIKE_CASES, subtests)


READ_CASES: list[Case] = [
    Case("thread without url or key", "GET", "/api/threads", 422, "url-required", "url"),
    Case("thread of a non-http url", "GET", "/api/threads?url=file:///etc/passwd", 422, "url-scheme", "url"),
    Case("thread with a NUL url", "GET", "/api/threads?url=https://blog.example/%00", 422, "nul-byte", "url"),
    Case("thread with a NUL key", "GET", "/api/threads?key=%00", 422, "nul-byte", "key"),
    Case(
        "thread with an over-long key",
        "GET",
        "/api/threads?site=blog&key=" + "k" * 201,
        422,
        "key-invalid",
        "key",
    ),
    Case(
        "thread of an origin no site allows",
        "GET",
        "/api/threads?url=https://evil.example/",
        403,
        "origin-not-allowed",
    ),
    Case(
        "thread with an unknown sort",
        "GET",
        f"/api/threads?url={ARTICLE}&sort=best",
        400,
        "invalid-request",
        "sort",
    ),
    Case("thread page 0", "GET", f"/api/threads?url={ARTICLE}&page=0", 400, "invalid-request", "page"),
    Case(
        "thread page not a number",
        "GET",
        f"/api/threads?url={ARTICLE}&page=two",
        400,
        "invalid-request",
        "page",
    ),
    Case(
        "thread limit over the maximum",
        "GET",
        f"/api/threads?url={ARTICLE}&limit=1001",
        400,
        "invalid-request",
        "limit",
    ),
    Case("page of an unknown comment", "GET", "/api/comments/nope/page", 404, "comment-not-found"),
    Case("page of a NUL id", "GET", "/api/comments/%00/page", 422, "nul-byte", "id"),
    Case("counts without urls", "GET", "/api/counts", 422, "url-required", "url"),
    Case(
        "counts of a non-http url",
        "GET",
        f"/api/counts?url={ARTICLE}&url=mailto:a@b.example",
        422,
        "url-scheme",
        "url",
    ),
    Case(
        "counts of over 200 urls",
        "GET",
        "/api/counts?" + "&".join(f"url={ARTICLE}/{i}" for i in range(201)),
        422,
        "too-many-urls",
        "url",
    ),
    Case("viewer without a url", "GET", "/api/viewer", 422, "url-required", "url"),
    Case(
        "viewer with a bad visitor",
        "GET",
        f"/api/viewer?url={ARTICLE}",
        422,
        "visitor-invalid",
        "Rejoinder-Visitor",
        request=lambda s: like_request("bad visitor id!"),
    ),
    Case("avatar of a non-key", "GET", "/api/avatars/NOT-A-KEY.svg", 404, "avatar-not-found"),
    Case("unknown path", "GET", "/api/nothing-here", 404, "not-found"),
    Case("unsupported method", "PUT", f"/api/threads?url={ARTICLE}", 405, "method-not-allowed"),
]


def test_read_bad_input(client: TestClient[Any], stored: Rows, seed: Seed, subtests: Any) -> None:
    run_cases(client, stored, seed, READ_CASES, subtests)


def test_client_set_fields_are_ignored_and_never_stored(client: TestClient[Any], stored: Rows) -> None:
    response = client.post(
        "/api/comments",
        json=body(
            id="chosen-id",
            status="pending",
            created="2001-01-01T00:00:00Z",
            edited="2001-01-02T00:00:00Z",
            likes=1000,
            deleted=True,
            depth=7,
            html="<script>alert(1)</script>",
            author={"name": "Ann", "avatar": "https://evil.example/a.png", "key": "k"},
        ),
    )
    assert response.status_code == 201, response.text
    made = response.json()
    assert made["id"] != "chosen-id"
    assert (made["status"], made["likes"], made["deleted"], made["depth"]) == ("published", 0, False, 0)
    assert made["created"].startswith("20") and not made["created"].startswith("2001")
    assert made["edited"] is None
    assert made["html"] == "<p>Hello</p>"
    assert made["author"]["avatar"].startswith("/api/avatars/")
    rows = stored()["comments"]
    assert len(rows) == 1
    assert "chosen-id" not in repr(rows) and "2001" not in repr(rows) and "evil.example" not in repr(rows)
    shown = client.get("/api/threads", params={"url": ARTICLE}).json()["comments"]
    assert [(c["id"], c["status"], c["likes"], c["html"]) for c in shown] == [
        (made["id"], "published", 0, "<p>Hello</p>")
    ]


def test_reply_to_a_parent_in_another_thread(client: TestClient[Any], stored: Rows) -> None:
    elsewhere = post_comment(client, "Elsewhere", url="https://blog.example/another-post")
    before = stored()
    response = client.post("/api/comments", json=body(parent=elsewhere["id"]))
    assert_problem(response, 422, "parent-not-public", "parent")
    assert stored() == before
    assert client.get("/api/threads", params={"url": ARTICLE}).json()["thread"]["count"] == 0


def test_reply_to_a_parent_in_another_site(site_db: str, stored: Rows) -> None:
    run_cli(site_db, "site", "add", "news", "--origin", "https://news.example")
    with new_client(site_db) as client:
        other = post_comment(client, "On the news site", url="https://news.example/story")
        post_comment(client, "Root here", key="blog-key")
        before = stored()
        response = client.post("/api/comments", json=body(parent=other["id"]))
        assert_problem(response, 422, "parent-not-public", "parent")
        # Naming the thread by key (as a page that moved would) does not get around it either.
        response = client.post("/api/comments", json=body(key="blog-key", parent=other["id"]))
        assert_problem(response, 422, "parent-not-public", "parent")
        assert stored() == before


def test_reply_to_a_deleted_parent(client: TestClient[Any], stored: Rows) -> None:
    parent = post_comment(client, "Soon gone")
    gone = client.delete(
        f"/api/comments/{parent['id']}", headers={"Rejoinder-Edit-Token": parent["edit_token"]}
    )
    assert gone.status_code == 204
    before = stored()
    response = client.post("/api/comments", json=body(parent=parent["id"]))
    assert_problem(response, 422, "parent-not-public", "parent")
    assert stored() == before
    assert client.get("/api/threads", params={"url": ARTICLE}).json()["comments"] == []


def test_expired_edit_token(site_db: str, stored: Rows) -> None:
    with new_client(site_db, comments={"edit_window_seconds": 0}) as closed:
        posted = post_comment(closed, "Too late to change")
        token = {"Rejoinder-Edit-Token": posted["edit_token"]}
        before = stored()
        assert_problem(
            closed.patch(f"/api/comments/{posted['id']}", json={"text": "Changed"}, headers=token),
            403,
            "edit-window-closed",
        )
        assert_problem(
            closed.delete(f"/api/comments/{posted['id']}", headers=token), 403, "edit-window-closed"
        )
        assert stored() == before
        shown = closed.get("/api/threads", params={"url": ARTICLE}).json()["comments"]
        assert [c["text"] for c in shown] == ["Too late to change"]


def test_edit_token_of_another_comment_is_refused(client: TestClient[Any], stored: Rows) -> None:
    mine = post_comment(client, "Mine")
    theirs = post_comment(client, "Theirs")
    before = stored()
    response = client.patch(
        f"/api/comments/{theirs['id']}",
        json={"text": "Hijacked"},
        headers={"Rejoinder-Edit-Token": mine["edit_token"]},
    )
    assert_problem(response, 403, "edit-token-invalid")
    response = client.delete(
        f"/api/comments/{theirs['id']}", headers={"Rejoinder-Edit-Token": mine["edit_token"]}
    )
    assert_problem(response, 403, "edit-token-invalid")
    assert stored() == before


def test_deleted_comment_cannot_be_edited_or_liked(client: TestClient[Any], stored: Rows) -> None:
    posted = post_comment(client, "Short-lived")
    token = {"Rejoinder-Edit-Token": posted["edit_token"]}
    assert client.delete(f"/api/comments/{posted['id']}", headers=token).status_code == 204
    before = stored()
    assert_problem(
        client.patch(f"/api/comments/{posted['id']}", json={"text": "Back"}, headers=token),
        404,
        "comment-not-found",
    )
    assert_problem(client.delete(f"/api/comments/{posted['id']}", headers=token), 404, "comment-not-found")
    assert_problem(
        client.put(f"/api/comments/{posted['id']}/like", headers={"Rejoinder-Visitor": VISITOR}),
        404,
        "comment-not-found",
    )
    assert stored() == before


def test_liking_twice_is_idempotent(client: TestClient[Any], stored: Rows, seed: Seed) -> None:
    visitor = {"Rejoinder-Visitor": VISITOR}
    before = stored()
    again = client.put(f"/api/comments/{seed.id}/like", headers=visitor)
    assert again.status_code == 200
    assert again.json() == {"liked": True, "likes": 1}
    again = client.put("/api/threads/like", params={"url": ARTICLE}, headers=visitor, json={"name": "Bo"})
    assert again.status_code == 200
    assert again.json() == {"liked": True, "likes": 1}
    assert stored() == before
    view = client.get("/api/threads", params={"url": ARTICLE}).json()
    assert view["thread"]["likes"]["count"] == 1
    assert [c["likes"] for c in view["comments"]] == [1]


def test_unliking_what_was_never_liked_changes_nothing(
    client: TestClient[Any], stored: Rows, seed: Seed
) -> None:
    stranger = {"Rejoinder-Visitor": OTHER_VISITOR}
    before = stored()
    response = client.delete(f"/api/comments/{seed.id}/like", headers=stranger)
    assert response.status_code == 200 and response.json() == {"liked": False, "likes": 1}
    response = client.delete("/api/threads/like", params={"url": ARTICLE}, headers=stranger)
    assert response.status_code == 200 and response.json() == {"liked": False, "likes": 1}
    response = client.delete("/api/threads/like", params={"url": ARTICLE + "/unknown"}, headers=stranger)
    assert response.status_code == 200 and response.json() == {"liked": False, "likes": 0}
    assert stored() == before


def test_problem_bodies_are_valid_json_with_the_rfc9457_members(client: TestClient[Any]) -> None:
    response = client.post("/api/comments", json=body(text=""))
    problem = json.loads(response.content)
    assert set(problem) >= {"type", "title", "status", "detail", "code", "instance", "errors"}
    assert problem["type"].endswith("#text-empty")
    assert problem["instance"] == "/api/comments"
    assert response.headers["cache-control"] == "no-store"


def test_reply_nested_deeper_than_the_limit(site_db: str, stored: Rows) -> None:
    with new_client(site_db, comments={"max_depth": 2}) as client:
        parent = None
        for level in range(3):  # depths 0, 1 and 2 are allowed
            parent = post_comment(client, f"level {level}", parent=parent)["id"]
        before = stored()
        response = client.post("/api/comments", json=body(parent=parent))
        problem = assert_problem(response, 422, "too-deep", "parent")
        assert "2" in problem["detail"]
        assert stored() == before
        assert [
            c["depth"] for c in client.get("/api/threads", params={"url": ARTICLE}).json()["comments"]
        ] == [
            0,
            1,
            2,
        ]


def test_limits_are_inclusive(client: TestClient[Any]) -> None:
    made = client.post("/api/comments", json=body(text="é" * 10_000, author={"name": "N" * 80}))
    assert made.status_code == 201, made.text
    assert len(made.json()["text"]) == 10_000
