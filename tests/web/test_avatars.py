"""Avatars: identicons by default; opt-in Gravatar fetched by the server from a loopback stand-in."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.fixtures.app import ARTICLE, new_client, post_comment, run_cli

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


class FakeGravatar(BaseHTTPRequestHandler):
    """Speaks Gravatar's protocol: /avatar/<md5>?d=404 → an image, or 404 when it has none."""

    known: set[str] = set()
    seen: list[str] = []

    def do_GET(self) -> None:
        digest = self.path.split("/avatar/", 1)[-1].split("?", 1)[0]
        FakeGravatar.seen.append(self.path)
        if digest in self.known:
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(PNG)))
            self.end_headers()
            self.wfile.write(PNG)
        else:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()

    def log_message(self, *args: Any) -> None:
        return


@pytest.fixture
def gravatar() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeGravatar)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def md5(email: str) -> str:
    return hashlib.md5(email.encode(), usedforsecurity=False).hexdigest()


def test_identicon_is_deterministic_svg(client: Any) -> None:
    comment = post_comment(client, author={"name": "Ann", "email": "ann@example.org"})
    first = client.get(comment["author"]["avatar"])
    assert first.status_code == 200
    assert first.headers["content-type"].startswith("image/svg+xml")
    assert first.content == client.get(comment["author"]["avatar"]).content
    other = post_comment(client, author={"name": "Bob", "email": "bob@example.org"})
    assert other["author"]["avatar"] != comment["author"]["avatar"]


def test_avatar_key_is_not_the_email_or_its_hash(client: Any) -> None:
    comment = post_comment(client, author={"name": "Ann", "email": "ann@example.org"})
    body = client.get("/api/threads", params={"url": ARTICLE}).text
    assert "ann@example.org" not in body
    assert md5("ann@example.org") not in body
    assert hashlib.sha256(b"ann@example.org").hexdigest()[:20] not in comment["author"]["avatar"]


def test_bad_avatar_name_is_a_problem(client: Any) -> None:
    response = client.get("/api/avatars/..%2Fetc")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_gravatar_opt_in_is_fetched_by_the_server_and_served_locally(db_url: str, gravatar: str) -> None:
    run_cli(db_url, "site", "add", "grav", "--origin", "https://blog.example", "--gravatar")
    FakeGravatar.known = {md5("known@example.org")}
    FakeGravatar.seen = []
    with new_client(db_url, avatars={"gravatar_url": gravatar}) as client:
        known = post_comment(client, author={"name": "Kay", "email": "Known@Example.org "})
        unknown = post_comment(client, author={"name": "Una", "email": "nobody@example.org"})
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            response = client.get(known["author"]["avatar"])
            if response.headers["content-type"] == "image/png":
                break
            time.sleep(0.05)
        assert response.headers["content-type"] == "image/png"
        assert response.content == PNG
        assert client.get(unknown["author"]["avatar"]).headers["content-type"].startswith("image/svg+xml")
        assert any(md5("known@example.org") in path and "d=404" in path for path in FakeGravatar.seen)
        thread = client.get("/api/threads", params={"url": ARTICLE}).text
        assert md5("known@example.org") not in thread
        assert gravatar not in thread


def test_gravatar_is_not_contacted_without_opt_in(site_db: str, gravatar: str) -> None:
    FakeGravatar.seen = []
    with new_client(site_db, avatars={"gravatar_url": gravatar}) as client:
        comment = post_comment(client, author={"name": "Ann", "email": "ann@example.org"})
        assert client.get(comment["author"]["avatar"]).headers["content-type"].startswith("image/svg+xml")
    assert FakeGravatar.seen == []
