"""CORS over HTTP: the public reads answer any origin without credentials; every other endpoint answers only
the origins its site allows (preflights included)."""

from __future__ import annotations

import time
from typing import Any

from litestar.testing import TestClient

from tests.fixtures.app import ARTICLE, ORIGIN, new_client, post_comment, run_cli

EVIL = "https://evil.example"
VISITOR = {"Rejoinder-Visitor": "visitor-0123456789abcdef"}


def preflight(client: TestClient[Any], path: str, origin: str, method: str, headers: str = "") -> Any:
    request_headers = {"Origin": origin, "Access-Control-Request-Method": method}
    if headers:
        request_headers["Access-Control-Request-Headers"] = headers
    return client.options(path, headers=request_headers)


def listed(value: str) -> set[str]:
    return {part.strip().lower() for part in value.split(",") if part.strip()}


def test_public_reads_answer_any_origin_without_credentials(client: TestClient[Any]) -> None:
    made = post_comment(client, "Hi")
    for origin in (EVIL, ORIGIN, "null"):
        for path, params in (
            ("/api/threads", {"url": ARTICLE}),
            ("/api/counts", {"url": [ARTICLE]}),
            (made["author"]["avatar"], {}),
        ):
            response = client.get(path, params=params, headers={"Origin": origin})
            assert response.status_code == 200, (path, origin)
            assert response.headers.get_list("access-control-allow-origin") == ["*"], (path, origin)
            [exposed] = response.headers.get_list("access-control-expose-headers")  # one header, not two
            assert "etag" in listed(exposed), (path, origin)
            assert "access-control-allow-credentials" not in response.headers
            assert "origin" not in listed(response.headers.get("vary", "")), (path, origin)


def test_public_read_preflight(client: TestClient[Any]) -> None:
    response = preflight(client, "/api/threads?url=" + ARTICLE, EVIL, "GET", "if-none-match")
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == "*"
    methods = listed(response.headers["access-control-allow-methods"])
    assert "get" in methods and not methods & {"post", "put", "patch", "delete"}
    assert "if-none-match" in listed(response.headers["access-control-allow-headers"])
    assert "access-control-allow-credentials" not in response.headers


def test_write_preflight_from_an_allowed_origin(client: TestClient[Any]) -> None:
    for path, method in (
        ("/api/comments", "POST"),
        ("/api/comments/abc", "PATCH"),
        ("/api/comments/abc", "DELETE"),
        ("/api/comments/abc/like", "PUT"),
        ("/api/threads/like?url=" + ARTICLE, "PUT"),
        ("/api/viewer?url=" + ARTICLE, "GET"),
    ):
        response = preflight(
            client, path, ORIGIN, method, "content-type, rejoinder-visitor, rejoinder-edit-token"
        )
        assert response.status_code == 204, (path, method)
        assert response.headers["access-control-allow-origin"] == ORIGIN, (path, method)
        assert method.lower() in listed(response.headers["access-control-allow-methods"]), (path, method)
        allowed_headers = listed(response.headers["access-control-allow-headers"])
        assert {"content-type", "rejoinder-visitor", "rejoinder-edit-token"} <= allowed_headers
        assert "origin" in listed(response.headers["vary"])


def test_write_preflight_from_other_origins_is_refused(client: TestClient[Any]) -> None:
    for origin in (
        EVIL,
        "http://blog.example",
        "https://blog.example:8443",
        "https://sub.blog.example",
        "null",
    ):
        for path, method in (
            ("/api/comments", "POST"),
            ("/api/comments/abc", "DELETE"),
            ("/api/threads/like?url=" + ARTICLE, "PUT"),
            ("/api/viewer?url=" + ARTICLE, "GET"),
        ):
            response = preflight(client, path, origin, method, "content-type")
            assert response.status_code == 403, (origin, path)
            assert "access-control-allow-origin" not in response.headers, (origin, path)
            assert "access-control-allow-methods" not in response.headers, (origin, path)


def test_writes_answer_only_allowed_origins(client: TestClient[Any]) -> None:
    body = {"url": ARTICLE, "text": "Hi", "author": {"name": "Ann"}}
    allowed = client.post("/api/comments", json=body, headers={"Origin": ORIGIN})
    assert allowed.status_code == 201
    assert allowed.headers["access-control-allow-origin"] == ORIGIN
    assert "origin" in listed(allowed.headers["vary"])
    refused = client.post("/api/comments", json=body, headers={"Origin": EVIL})
    assert refused.status_code == 403
    assert refused.json()["code"] == "origin-not-allowed"
    assert "access-control-allow-origin" not in refused.headers
    # Per-reader answers: only to the site's pages.
    mine = client.get("/api/viewer", params={"url": ARTICLE}, headers={**VISITOR, "Origin": ORIGIN})
    assert mine.headers["access-control-allow-origin"] == ORIGIN
    theirs = client.get("/api/viewer", params={"url": ARTICLE}, headers={**VISITOR, "Origin": EVIL})
    assert "access-control-allow-origin" not in theirs.headers
    # Requests without an Origin (curl, server to server) are not browser requests: no CORS headers.
    plain = client.post("/api/comments", json={**body, "text": "Hi from a script"})
    assert plain.status_code == 201
    assert "access-control-allow-origin" not in plain.headers


def test_an_origin_of_one_site_may_not_write_to_another(site_db: str) -> None:
    run_cli(site_db, "site", "add", "news", "--origin", "https://news.example")
    with new_client(site_db) as client:
        response = client.post(
            "/api/comments",
            json={"url": "https://news.example/story", "text": "Hi", "author": {"name": "Ann"}},
            headers={"Origin": ORIGIN},
        )
        assert response.status_code == 403
        assert response.json()["code"] == "origin-not-allowed"
        response = client.put(
            "/api/threads/like",
            params={"url": "https://news.example/story"},
            headers={**VISITOR, "Origin": ORIGIN},
        )
        assert response.status_code == 403
        assert (
            client.get("/api/threads", params={"url": "https://news.example/story"}).json()["comments"] == []
        )


def test_an_origin_added_with_the_cli_is_allowed_while_running(client: TestClient[Any], site_db: str) -> None:
    www = "https://www.blog.example"
    assert preflight(client, "/api/comments", www, "POST").status_code == 403
    run_cli(site_db, "site", "origin", "blog", "--add", www)
    deadline = time.monotonic() + 5
    while (response := preflight(client, "/api/comments", www, "POST")).status_code != 204:
        assert time.monotonic() < deadline, "a new origin was not picked up within 5 s"
        time.sleep(0.1)
    assert response.headers["access-control-allow-origin"] == www


NEWS = "https://news.example"
CREDENTIALS = {"authorization", "rejoinder-visitor", "rejoinder-edit-token"}


def test_the_viewer_answers_only_the_threads_own_site(site_db: str) -> None:
    """Defect 7 of #10: GET /api/viewer of a blog thread answered a page on news (another site of the same
    server) with its CORS permission, so news could read what a signed-in reader did on blog."""
    run_cli(site_db, "site", "add", "news", "--origin", NEWS)
    with new_client(site_db) as client:
        made = post_comment(client, "Hi")
        assert client.put(
            f"/api/comments/{made['id']}/like", headers={**VISITOR, "Origin": ORIGIN}
        ).is_success
        params = {"url": ARTICLE}
        own = client.get("/api/viewer", params=params, headers={**VISITOR, "Origin": ORIGIN})
        assert own.status_code == 200 and own.json()["liked"] == [made["id"]]
        assert own.headers["access-control-allow-origin"] == ORIGIN
        assert "origin" in listed(own.headers["vary"])
        for origin in (NEWS, EVIL, "null"):
            other = client.get("/api/viewer", params=params, headers={**VISITOR, "Origin": origin})
            assert other.status_code == 403, (origin, other.text)
            assert other.json()["code"] == "origin-not-allowed"
            assert made["id"] not in other.text
            assert "access-control-allow-origin" not in other.headers, origin
            assert "origin" in listed(other.headers["vary"])
        # Servers and scripts (no Origin) still read it.
        assert client.get("/api/viewer", params=params, headers=VISITOR).json()["liked"] == [made["id"]]


def test_preflights_allow_credentials_headers_only_from_allowed_origins(client: TestClient[Any]) -> None:
    asked = "authorization, rejoinder-visitor, rejoinder-edit-token, if-none-match"
    for path in ("/api/threads?url=" + ARTICLE, "/api/counts?url=" + ARTICLE):
        stranger = preflight(client, path, EVIL, "GET", asked)
        assert stranger.status_code == 204
        assert stranger.headers["access-control-allow-origin"] == "*"
        assert listed(stranger.headers["access-control-allow-headers"]) == {"if-none-match"}
        assert "origin" in listed(stranger.headers["vary"])
        friend = preflight(client, path, ORIGIN, "GET", asked)
        assert friend.status_code == 204
        assert listed(friend.headers["access-control-allow-headers"]) >= CREDENTIALS
    for path, method in (
        ("/api/viewer?url=" + ARTICLE, "GET"),
        ("/api/me", "GET"),
        ("/api/comments", "POST"),
    ):
        for origin in (EVIL, "null"):
            refused = preflight(client, path, origin, method, asked)
            assert refused.status_code == 403, (path, origin)
            assert "access-control-allow-headers" not in refused.headers
            assert "access-control-allow-origin" not in refused.headers


def test_null_is_never_an_allowed_origin(client: TestClient[Any]) -> None:
    for path in ("/api/me", "/api/form-token", "/api/auth/providers?site=blog"):
        response = client.get(path, headers={"Origin": "null"})
        assert "access-control-allow-origin" not in response.headers, path
        assert "origin" in listed(response.headers["vary"]), path


def test_public_reads_are_the_same_whatever_the_origin(client: TestClient[Any]) -> None:
    """Nothing in a public read depends on the Origin (so `*` without Vary: Origin is right), from the
    handler (a miss) and from the fast path's cache (a hit) alike."""
    post_comment(client, "Hi")
    seen = []
    for origin in (None, ORIGIN, EVIL, "null", ORIGIN):
        headers = {"Origin": origin} if origin else {}
        response = client.get("/api/threads", params={"url": ARTICLE}, headers=headers)
        kept = {
            k: v for k, v in response.headers.items() if k not in ("date", "access-control-expose-headers")
        }
        seen.append((response.content, kept))
    assert all(s == seen[1] for s in seen[1:])
    assert seen[0][0] == seen[1][0]
