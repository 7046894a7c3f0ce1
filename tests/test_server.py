"""A real `rejoinder serve` process over real HTTP: Granian (one and two workers) and uvicorn."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import sqlalchemy as sa

from rejoinder.store import schema
from rejoinder.store.engine import create_engine
from tests.fixtures.app import ARTICLE, ORIGIN, run_cli

VISITOR = {"Rejoinder-Visitor": "visitor-0123456789abcdef"}


def fresh_connections() -> httpx.Client:
    """A client that opens a new connection per request, so requests spread over the server's workers."""
    return httpx.Client(timeout=10, limits=httpx.Limits(max_keepalive_connections=0))


def post(http: httpx.Client, base: str, text: str, **fields: Any) -> Any:
    body = {"url": ARTICLE, "text": text, "author": {"name": "Ann", "email": "ann@example.org"}, **fields}
    response = http.post(base + "/api/comments", json=body, headers={"Origin": ORIGIN})
    assert response.status_code == 201, response.text
    assert response.headers["access-control-allow-origin"] == ORIGIN
    return response.json()


def read(http: httpx.Client, base: str) -> Any:
    response = http.get(base + "/api/threads", params={"url": ARTICLE})
    assert response.status_code == 200, response.text
    return response.json()


def stored_ips(db_url: str) -> list[str | None]:
    async def go() -> list[str | None]:
        engine = create_engine(db_url)
        try:
            async with engine.connect() as conn:
                return [r[0] for r in await conn.execute(sa.select(schema.comments.c.ip))]
        finally:
            await engine.dispose()

    return asyncio.run(go())


def round_trip(base: str) -> None:
    with fresh_connections() as http:
        first = post(http, base, "Over **real** HTTP", title="A post")
        reply = post(http, base, "A reply", parent=first["id"])
        liked = http.put(f"{base}/api/comments/{first['id']}/like", headers=VISITOR)
        assert liked.status_code == 200 and liked.json() == {"liked": True, "likes": 1}
        view = read(http, base)
        assert view["thread"]["count"] == 2
        assert view["thread"]["title"] == "A post"
        assert [c["id"] for c in view["comments"]] == [first["id"], reply["id"]]
        assert view["comments"][0]["html"] == "<p>Over <strong>real</strong> HTTP</p>"
        assert view["comments"][0]["likes"] == 1
        zipped = http.get(base + "/api/threads", params={"url": ARTICLE}, headers={"Accept-Encoding": "gzip"})
        assert zipped.json() == view
        etag = zipped.headers["etag"]
        again = http.get(
            base + "/api/threads",
            params={"url": ARTICLE},
            headers={"Accept-Encoding": "gzip", "If-None-Match": etag},
        )
        assert again.status_code == 304
        counts = http.get(base + "/api/counts", params={"url": ARTICLE}).json()
        assert counts == {"counts": {ARTICLE: {"comments": 2, "likes": 0}}}
        edited = http.patch(
            f"{base}/api/comments/{reply['id']}",
            json={"text": "An edited reply"},
            headers={"Rejoinder-Edit-Token": reply["edit_token"]},
        )
        assert edited.status_code == 200
        assert read(http, base)["comments"][1]["text"] == "An edited reply"
        bad = http.post(
            base + "/api/comments", content=b'{"text": ', headers={"Content-Type": "application/json"}
        )
        assert bad.status_code == 400
        assert bad.headers["content-type"].startswith("application/problem+json")
        for path in ("/healthz", "/api/openapi.json", "/api/docs"):
            response = http.get(base + path)
            assert response.status_code == 200, path
        assert http.get(base + "/healthz").json()["status"] == "ok"
        assert http.get(base + "/api/openapi.json").json()["openapi"].startswith("3.")
        assert "<html" in http.get(base + "/api/docs").text.lower()
        assert "ann@example.org" not in http.get(base + "/api/threads", params={"url": ARTICLE}).text


def test_serve_with_granian(site_db: str, server_factory: Any) -> None:
    server = server_factory(site_db)
    round_trip(server.url)
    # The client address is kept only as its network (IPv4 /24).
    assert stored_ips(site_db) == ["127.0.0.0/24", "127.0.0.0/24"]


def test_serve_with_uvicorn(sqlite_url: str, server_factory: Any) -> None:
    # The HTTP server is independent of the database, so one backend is enough here (saves a start-up).
    run_cli(sqlite_url, "site", "add", "blog", "--origin", ORIGIN)
    server = server_factory(sqlite_url, "--server", "uvicorn")
    round_trip(server.url)


def test_two_workers_always_serve_the_latest_write(site_db: str, server_factory: Any) -> None:
    server = server_factory(site_db, "--workers", "2")
    with fresh_connections() as http:
        seen: list[str] = []
        for i in range(20):
            made = post(http, server.url, f"round {i}")
            seen.append(made["id"])
            view = read(http, server.url)
            assert [c["id"] for c in view["comments"]] == seen, f"round {i}: a stale thread"
            assert view["thread"]["count"] == i + 1
            counts = http.get(server.url + "/api/counts", params={"url": ARTICLE}).json()
            assert counts["counts"][ARTICLE]["comments"] == i + 1, f"round {i}: stale counts"
        for i, comment_id in enumerate(seen[:10]):
            liked = http.put(
                f"{server.url}/api/comments/{comment_id}/like",
                headers={"Rejoinder-Visitor": f"visitor-{i:016d}"},
            )
            assert liked.status_code == 200
            likes = {c["id"]: c["likes"] for c in read(http, server.url)["comments"]}
            assert likes[comment_id] == 1, f"like {i}: a stale thread"
