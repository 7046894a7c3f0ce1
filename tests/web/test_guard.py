"""Every state-changing route of the app's route table, walked (web/guard.py; defects 1 and 2 of #10):
`Origin: null` is refused everywhere, /api writes take a page only from an origin some site allows and a
body only as application/json (415 otherwise), and no JSON body may nest deeper than MAX_JSON_DEPTH (400
before decoding). Each refusal is a precise problem and stores nothing, on SQLite and PostgreSQL.

A new state-changing route fails `test_the_table_lists_every_write_route` until it gets an example here,
and then every check below runs on it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import sqlalchemy as sa
from litestar import Litestar
from litestar.testing import TestClient

from rejoinder.app import create_app
from rejoinder.domain.nesting import MAX_JSON_DEPTH
from rejoinder.store import schema
from rejoinder.store.engine import create_engine
from rejoinder.web import ROUTES
from rejoinder.web.guard import WRITES
from tests.fixtures.app import ARTICLE, ORIGIN, make_settings, new_client, post_comment, run_cli

PROBLEM = "application/problem+json"
NEWS = "https://news.example"  # allowed by the other site
EVIL = "https://evil.example"  # allowed by no site
VISITOR = "visitor-guard-0000000001"
DEEP = b"[" * 60_000  # the review's body: under the size limit, a RecursionError before the fix


@dataclass
class Seed:
    id: str  # a published comment of `blog`
    token: str  # its edit token


@dataclass
class Write:
    """One example request of a write route: its path filled in, its body (JSON or a form) and headers."""

    path: str
    json: Any = None
    form: dict[str, str] | None = None
    headers: Callable[[Seed], dict[str, str]] = lambda s: {}
    extra: dict[str, str] = field(default_factory=dict)


def _edit(s: Seed) -> dict[str, str]:
    return {"Rejoinder-Edit-Token": s.token, "Rejoinder-Visitor": VISITOR}


def _visitor(s: Seed) -> dict[str, str]:
    return {"Rejoinder-Visitor": VISITOR}


def _bearer(s: Seed) -> dict[str, str]:
    return {"Authorization": "Bearer not-a-session"}


CID = "{id}"  # replaced by the seeded comment's id
ADMIN_FORM = {"csrf": "x", "action": "approve", "back": "/admin"}
# Every POST/PUT/PATCH/DELETE route of the app, keyed by (method, route path as Litestar lists it).
WRITES_TABLE: dict[tuple[str, str], Write] = {
    ("POST", "/api/comments"): Write(
        "/api/comments", json={"url": ARTICLE, "text": "Sneaky", "author": {"name": "Eve"}}
    ),
    ("PATCH", "/api/comments/{comment_id:str}"): Write(
        f"/api/comments/{CID}", json={"text": "Changed"}, headers=_edit
    ),
    ("DELETE", "/api/comments/{comment_id:str}"): Write(f"/api/comments/{CID}", headers=_edit),
    ("POST", "/api/comments/{comment_id:str}/report"): Write(
        f"/api/comments/{CID}/report", json={"reason": "spam", "note": "hide it"}, headers=_visitor
    ),
    ("POST", "/api/comments/{comment_id:str}/appeal"): Write(
        f"/api/comments/{CID}/appeal", json={"note": "please"}, headers=_edit
    ),
    # An image upload (its body is the file; the guard lets image/* through on this route only).
    ("POST", "/api/images"): Write(f"/api/images?url={ARTICLE}", json={"not": "an image"}),
    # Reactions and mutes (#19)
    ("PUT", "/api/threads/reactions/{kind:str}"): Write(
        f"/api/threads/reactions/like?url={ARTICLE}", json={"name": "Eve"}, headers=_visitor
    ),
    ("DELETE", "/api/threads/reactions/{kind:str}"): Write(
        f"/api/threads/reactions/like?url={ARTICLE}", headers=_visitor
    ),
    ("PUT", "/api/comments/{comment_id:str}/reactions/{kind:str}"): Write(
        f"/api/comments/{CID}/reactions/like", headers=_visitor
    ),
    ("DELETE", "/api/comments/{comment_id:str}/reactions/{kind:str}"): Write(
        f"/api/comments/{CID}/reactions/like", headers=_visitor
    ),
    ("PUT", "/api/mutes"): Write("/api/mutes", json={"comment": CID}, headers=_bearer),
    ("DELETE", "/api/mutes/{key:str}"): Write("/api/mutes/abc", headers=_bearer),
    # The desk's warning, notices of illegal content and the reader's inbox (#19)
    ("POST", "/api/warnings/{warning_id:str}/acknowledge"): Write(
        "/api/warnings/abc/acknowledge", headers=_visitor
    ),
    ("POST", "/api/comments/{comment_id:str}/legal-notice"): Write(
        f"/api/comments/{CID}/legal-notice",
        json={
            "category": "defamation",
            "explanation": "It says false things about me, which is unlawful here.",
            "location": ARTICLE,
            "good_faith": True,
            "name": "Eve",
            "email": "eve@example.org",
        },
    ),
    ("POST", "/legal-notice"): Write(
        "/legal-notice",
        form={
            "comment": CID,
            "category": "defamation",
            "explanation": "It says false things about me, which is unlawful here.",
            "name": "Eve",
            "email": "eve@example.org",
            "good_faith": "1",
        },
    ),
    ("POST", "/inbox/{token:str}/appeal"): Write("/inbox/x/appeal", form={"comment": CID, "note": "please"}),
    ("PUT", "/api/threads/like"): Write(
        f"/api/threads/like?url={ARTICLE}", json={"name": "Eve"}, headers=_visitor
    ),
    ("DELETE", "/api/threads/like"): Write(f"/api/threads/like?url={ARTICLE}", headers=_visitor),
    ("PUT", "/api/comments/{comment_id:str}/like"): Write(f"/api/comments/{CID}/like", headers=_visitor),
    ("DELETE", "/api/comments/{comment_id:str}/like"): Write(f"/api/comments/{CID}/like", headers=_visitor),
    ("PATCH", "/api/me"): Write("/api/me", json={"display_name": "Eve"}, headers=_bearer),
    ("POST", "/api/logout"): Write("/api/logout", headers=_bearer),
    ("POST", "/api/me/link-ticket"): Write("/api/me/link-ticket", headers=_bearer),
    ("DELETE", "/api/me/credentials/{credential:str}"): Write("/api/me/credentials/abc", headers=_bearer),
    ("DELETE", "/api/me"): Write("/api/me?comments=remove", headers=_bearer),
    ("POST", "/data-request"): Write("/data-request", form={"email": "eve@example.org"}),
    ("POST", "/data-request/download"): Write("/data-request/download", form={"token": "x" * 43}),
    ("POST", "/data-request/erase"): Write(
        "/data-request/erase", form={"token": "x" * 43, "comments": "remove"}
    ),
    ("POST", "/api/link-offers/{offer:str}/accept"): Write("/api/link-offers/abc/accept", headers=_bearer),
    ("POST", "/api/link-offers/{offer:str}/decline"): Write("/api/link-offers/abc/decline"),
    ("POST", "/api/auth/sso"): Write("/api/auth/sso", json={"site": "blog", "token": "a.b.c"}),
    ("POST", "/api/auth/email/send"): Write(
        "/api/auth/email/send", json={"site": "blog", "email": "eve@example.org"}
    ),
    ("POST", "/auth/{provider:str}/finish"): Write(
        "/auth/passkey/finish", form={"state": "x", "credential": "{}"}
    ),
    ("POST", "/auth/{provider:str}/send"): Write(
        "/auth/email/send", form={"csrf": "x", "email": "eve@example.org"}
    ),
    ("POST", "/auth/{provider:str}/verify"): Write("/auth/email/verify", form={"csrf": "x", "token": "x"}),
    ("POST", "/api/subscriptions"): Write(
        "/api/subscriptions", json={"url": ARTICLE, "kinds": ["thread"], "email": "eve@example.org"}
    ),
    ("POST", "/subscriptions/confirm/{token:str}"): Write("/subscriptions/confirm/c1.1.x", form={}),
    ("POST", "/subscriptions/manage/{token:str}"): Write("/subscriptions/manage/m1.1.x", form={"all": "1"}),
    ("POST", "/thread"): Write(
        "/thread", form={"url": ARTICLE, "text": "Sneaky", "name": "Eve", "token": "x"}
    ),
    ("POST", "/admin/login"): Write("/admin/login", form={"csrf": "x", "username": "root", "password": "x"}),
    ("POST", "/admin/logout"): Write("/admin/logout", form={"csrf": "x"}),
    ("POST", "/admin/comments/{comment_id:str}"): Write(f"/admin/comments/{CID}", form=ADMIN_FORM),
    ("POST", "/admin/bulk"): Write("/admin/bulk", form={**ADMIN_FORM, "ids": CID}),
    ("POST", "/admin/comments/{comment_id:str}/reply"): Write(
        f"/admin/comments/{CID}/reply", form={"csrf": "x", "text": "Staff"}
    ),
    ("POST", "/admin/email/{token:str}"): Write("/admin/email/abc", form={"action": "approve"}),
    ("POST", "/admin/threads/{thread_id:int}"): Write(
        "/admin/threads/1", form={"csrf": "x", "action": "close"}
    ),
    ("POST", "/admin/bans"): Write(
        "/admin/bans", form={"csrf": "x", "kind": "network", "value": "192.0.2.1"}
    ),
    ("POST", "/admin/bans/{ban_id:int}/lift"): Write("/admin/bans/1/lift", form={"csrf": "x"}),
    ("POST", "/admin/sites"): Write("/admin/sites", form={"csrf": "x", "name": "evil", "origins": EVIL}),
    ("POST", "/admin/sites/notify"): Write(
        "/admin/sites/notify", form={"csrf": "x", "site": "blog", "mode": "digest"}
    ),
    ("POST", "/admin/sites/{name:str}"): Write("/admin/sites/blog", form={"csrf": "x", "origins": EVIL}),
    ("POST", "/admin/imports"): Write("/admin/imports", form={"csrf": "x", "site": "blog", "format": "wxr"}),
    ("POST", "/admin/people/download"): Write(
        "/admin/people/download", form={"csrf": "x", "email": "a@b.org"}
    ),
    ("POST", "/admin/people/erase"): Write(
        "/admin/people/erase", form={"csrf": "x", "email": "a@b.org", "comments": "remove"}
    ),
    ("POST", "/admin/users"): Write("/admin/users", form={"csrf": "x", "identity": "x", "role": "admin"}),
    ("POST", "/admin/events/{delivery_id:int}/retry"): Write("/admin/events/1/retry", form={"csrf": "x"}),
    ("POST", "/admin/fediverse/block"): Write(
        "/admin/fediverse/block", form={"csrf": "x", "domain": "a.example"}
    ),
    ("POST", "/admin/fediverse/unblock"): Write(
        "/admin/fediverse/unblock", form={"csrf": "x", "domain": "a.example"}
    ),
    ("POST", "/admin/comments/{comment_id:str}/edit"): Write(
        f"/admin/comments/{CID}/edit", form={"csrf": "x", "text": "Changed by Eve"}
    ),
    ("POST", "/admin/commenters/{comment_id:str}"): Write(
        f"/admin/commenters/{CID}", form={"csrf": "x", "action": "note", "text": "Eve was here"}
    ),
    ("POST", "/admin/search/filters"): Write("/admin/search/filters", form={"csrf": "x", "name": "evil"}),
    ("POST", "/admin/notices/{notice_id:int}"): Write(
        "/admin/notices/1", form={"csrf": "x", "decision": "none", "reasons": "Eve decided"}
    ),
    ("POST", "/admin/webhooks"): Write(
        "/admin/webhooks", form={"csrf": "x", "site": "blog", "url": "https://evil.example/hook"}
    ),
    ("POST", "/admin/webhooks/{endpoint_id:int}"): Write(
        "/admin/webhooks/1", form={"csrf": "x", "action": "remove"}
    ),
}
# Provider callbacks are cross-site by design (form_post from the provider: Apple, or an IdP that redirects
# through others): the state and the browser's binding cookie protect them, not the Origin.
CROSS_SITE = {
    ("POST", "/auth/{provider:str}/callback"),
    ("POST", "/admin/auth/{provider:str}/callback"),
    ("POST", "/subscriptions/unsubscribe/{token:str}"),  # RFC 8058 one-click: a mail client's POST
    # ActivityPub inboxes: other servers' POSTs, authenticated by their HTTP signatures (docs/federation.md)
    ("POST", "/ap/sites/{name:str}/inbox"),
    ("POST", "/ap/inbox"),
    ("POST", "/webmention"),  # W3C Webmention: other servers' POSTs; the source is fetched and verified
}


def write_routes(app: Litestar) -> dict[tuple[str, str], Any]:
    """(method, path) → handler of every state-changing route in a Litestar app's route table."""
    found: dict[tuple[str, str], Any] = {}
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            for method in getattr(handler, "http_methods", ()):
                if method in WRITES:
                    found[(method, route.path)] = handler
    return found


TABLE_APP = Litestar(route_handlers=ROUTES)  # routes only: nothing is started
ROUTE_IDS = sorted(WRITES_TABLE)
API_WRITES = [r for r in ROUTE_IDS if r[1].startswith("/api/")]
JSON_WRITES = [r for r, h in write_routes(TABLE_APP).items() if "data" in h.parsed_fn_signature.parameters]


def name(route: tuple[str, str]) -> str:
    return f"{route[0]} {route[1]}"


class Rows:
    """Every row of every table (one engine and loop per test): what "nothing was stored" compares."""

    def __init__(self, db_url: str) -> None:
        self.loop = asyncio.new_event_loop()
        self.engine = create_engine(db_url)

    async def _read(self) -> dict[str, list[tuple[Any, ...]]]:
        out: dict[str, list[tuple[Any, ...]]] = {}
        async with self.engine.connect() as conn:
            for table in schema.metadata.sorted_tables:
                if table is schema.event_deliveries:
                    # The dispatcher records deliveries of earlier (accepted) writes in the background;
                    # a refused write would show as a new row in `events`.
                    continue
                rows = await conn.execute(sa.select(table))
                out[table.name] = sorted((tuple(r) for r in rows), key=repr)
        return out

    def __call__(self) -> dict[str, list[tuple[Any, ...]]]:
        return self.loop.run_until_complete(self._read())

    def close(self) -> None:
        self.loop.run_until_complete(self.engine.dispose())
        self.loop.close()


@pytest.fixture
def two_sites(site_db: str) -> Iterator[tuple[TestClient[Any], Seed, Rows]]:
    run_cli(site_db, "site", "add", "news", "--origin", NEWS)
    rows = Rows(site_db)
    with new_client(site_db) as client:
        made = post_comment(client, "Seed")
        seed = Seed(id=made["id"], token=made["edit_token"])
        assert client.put(f"/api/threads/like?url={ARTICLE}", headers=_visitor(seed)).status_code == 200
        yield client, seed, rows
    rows.close()


def send(
    client: TestClient[Any],
    route: tuple[str, str],
    seed: Seed,
    headers: dict[str, str] | None = None,
    content: bytes | None = None,
) -> Any:
    """The route's example request, with extra headers (and, if given, these raw bytes as the body)."""
    write = WRITES_TABLE[route]
    sent = {**write.headers(seed), **(headers or {})}
    path = write.path.replace(CID, seed.id)
    kwargs: dict[str, Any] = {"headers": sent}
    if content is not None:
        kwargs["content"] = content
    elif write.json is not None:
        kwargs["json"] = write.json
    elif write.form is not None:
        kwargs["data"] = {k: v.replace(CID, seed.id) for k, v in write.form.items()}
    return client.request(route[0], path, **kwargs)


def assert_problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].split(";")[0] == PROBLEM, response.headers
    problem: dict[str, Any] = response.json()
    assert problem["status"] == status and problem["code"] == code, problem
    assert problem["title"] and problem["detail"] and "Traceback" not in response.text
    return problem


def test_the_table_lists_every_write_route(site_db: str) -> None:
    """The examples here cover exactly the app's write routes: a new one must be added (and so checked)."""
    routes = write_routes(create_app(make_settings(site_db)).litestar)  # built, not started
    assert set(routes) == set(WRITES_TABLE) | CROSS_SITE
    assert set(write_routes(TABLE_APP)) == set(routes)
    assert {r for r, h in routes.items() if h.opt.get("cross_site")} == CROSS_SITE


def test_origin_null_is_refused_on_every_write_and_stores_nothing(
    two_sites: tuple[TestClient[Any], Seed, Rows], subtests: Any
) -> None:
    client, seed, rows = two_sites
    before = rows()
    for route in ROUTE_IDS:
        with subtests.test(msg=name(route)):
            problem = assert_problem(send(client, route, seed, {"Origin": "null"}), 403, "origin-not-allowed")
            assert problem["detail"].startswith("Requests from an opaque origin (Origin: null")
            assert rows() == before
    # The sandboxed-iframe attack of the review, exactly: text/plain and Origin: null.
    attack = client.post(
        "/api/comments",
        content=b'{"url": "%s", "text": "Sneaky", "author": {"name": "Eve"}}' % ARTICLE.encode(),
        headers={"Origin": "null", "Content-Type": "text/plain"},
    )
    assert_problem(attack, 403, "origin-not-allowed")
    assert rows() == before
    ids = [c["id"] for c in client.get("/api/threads", params={"url": ARTICLE}).json()["comments"]]
    assert ids == [seed.id]


def test_the_no_js_form_refuses_origin_null_with_its_html_page(
    two_sites: tuple[TestClient[Any], Seed, Rows],
) -> None:
    """A browser (Accept: text/html) gets the routes' own HTML error page, still 403 and nothing stored."""
    client, seed, rows = two_sites
    before = rows()
    for route in [("POST", "/thread"), ("POST", "/admin/comments/{comment_id:str}")]:
        response = send(client, route, seed, {"Origin": "null", "Accept": "text/html"})
        assert response.status_code == 403, response.text
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        assert "origin-not-allowed" in response.text
    assert rows() == before


def test_a_page_no_site_allows_is_refused_on_every_api_write(
    two_sites: tuple[TestClient[Any], Seed, Rows], subtests: Any
) -> None:
    client, seed, rows = two_sites
    before = rows()
    for route in API_WRITES:
        with subtests.test(msg=name(route)):
            problem = assert_problem(send(client, route, seed, {"Origin": EVIL}), 403, "origin-not-allowed")
            assert problem["detail"] == (
                f"Pages on {EVIL} may not write here: no site on this server allows that origin"
            )
            assert rows() == before


def test_reports_check_the_comments_site_like_every_write(
    two_sites: tuple[TestClient[Any], Seed, Rows],
) -> None:
    """The report endpoint had no Origin check: three visitors' pages on any site could hide a comment."""
    client, seed, rows = two_sites
    before = rows()
    route = ("POST", "/api/comments/{comment_id:str}/report")
    refused = send(client, route, seed, {"Origin": NEWS})
    problem = assert_problem(refused, 403, "origin-not-allowed")
    assert problem["detail"] == f"Pages on {NEWS} may not post to site 'blog'; add the origin to the site"
    assert rows() == before
    accepted = send(client, route, seed, {"Origin": ORIGIN})
    assert accepted.status_code == 201 and accepted.json() == {"reported": True}
    assert len(rows()["reports"]) == 1


BAD_TYPES = [
    ("text/plain", "Content-Type 'text/plain'"),
    ("text/plain;charset=UTF-8", "Content-Type 'text/plain;charset=UTF-8'"),
    ("application/x-www-form-urlencoded", "Content-Type 'application/x-www-form-urlencoded'"),
    ("multipart/form-data; boundary=x", "Content-Type 'multipart/form-data; boundary=x'"),
    (None, "no Content-Type"),
]


def test_api_writes_take_json_only_and_store_nothing_otherwise(
    two_sites: tuple[TestClient[Any], Seed, Rows], subtests: Any
) -> None:
    """text/plain, form types and no Content-Type at all are what a page can send cross-site without a
    CORS preflight: every /api write answers them 415, whether or not it takes a body."""
    client, seed, rows = two_sites
    before = rows()
    for route in API_WRITES:
        write = WRITES_TABLE[route]
        payload = b'{"text": "Sneaky"}' if write.json is None else msgspec_json(write.json)
        for media, said in BAD_TYPES:
            with subtests.test(msg=f"{name(route)} {media}"):
                headers = {"Content-Type": media} if media else {}
                response = send(client, route, seed, headers, content=payload)
                problem = assert_problem(response, 415, "unsupported-media-type")
                assert (
                    problem["detail"]
                    == f"Send the request body as application/json (this request had {said})"
                )
                assert rows() == before


def msgspec_json(value: Any) -> bytes:
    import msgspec

    return msgspec.json.encode(value)


def test_json_with_a_charset_and_bodyless_writes_without_a_type_still_work(
    two_sites: tuple[TestClient[Any], Seed, Rows],
) -> None:
    client, seed, _ = two_sites
    posted = client.post(
        "/api/comments",
        content=msgspec_json({"url": ARTICLE, "text": "With a charset", "author": {"name": "Ann"}}),
        headers={"Content-Type": "application/json; charset=utf-8", "Origin": ORIGIN},
    )
    assert posted.status_code == 201, posted.text
    liked = client.put(f"/api/comments/{seed.id}/like", headers={**_visitor(seed), "Origin": ORIGIN})
    assert liked.status_code == 200 and liked.json() == {"liked": True, "likes": 1}
    unliked = client.delete(f"/api/threads/like?url={ARTICLE}", headers=_visitor(seed))
    assert unliked.status_code == 200 and unliked.json()["liked"] is False


def test_deeply_nested_json_is_a_400_on_every_json_endpoint(
    two_sites: tuple[TestClient[Any], Seed, Rows], subtests: Any
) -> None:
    client, seed, rows = two_sites
    assert JSON_WRITES, "the route table has JSON endpoints"
    before = rows()
    too_deep_member = (
        b'{"text": "x", "extra": ' + b"[" * (MAX_JSON_DEPTH + 1) + b"]" * (MAX_JSON_DEPTH + 1) + b"}"
    )
    for route in sorted(JSON_WRITES):
        for label, body in [("60,000 [", DEEP), ("one level too deep", too_deep_member)]:
            with subtests.test(msg=f"{name(route)} {label}"):
                response = send(client, route, seed, {"Content-Type": "application/json"}, content=body)
                problem = assert_problem(response, 400, "json-too-deep")
                assert problem["detail"] == (
                    f"The JSON body nests arrays or objects more than {MAX_JSON_DEPTH} levels deep"
                )
                assert rows() == before


def test_deep_but_legal_json_still_works(two_sites: tuple[TestClient[Any], Seed, Rows]) -> None:
    """MAX_JSON_DEPTH levels are fine, and brackets inside strings (Markdown links) are not structure."""
    client, _, rows = two_sites
    nested: Any = 1
    for _ in range(MAX_JSON_DEPTH - 1):
        nested = [nested]
    text = "Brackets are text: [this], [that] " * 50 + "[" * 1000
    body = {"url": ARTICLE, "text": text, "author": {"name": "Ann"}, "extra": nested}
    assert msgspec_json(body).count(b"[") > 1000
    posted = client.post("/api/comments", json=body, headers={"Origin": ORIGIN})
    assert posted.status_code == 201, posted.text
    assert posted.json()["text"] == text
    shown = client.get("/api/threads", params={"url": ARTICLE}).json()["comments"]
    assert [c["text"] for c in shown if c["id"] == posted.json()["id"]] == [text]
    assert len(rows()["comments"]) == 2
