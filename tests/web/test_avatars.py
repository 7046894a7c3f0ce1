"""Avatars: identicons by default; opt-in Gravatar fetched by the server from a loopback stand-in."""

from __future__ import annotations

import asyncio
import hashlib
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import sqlalchemy as sa

from rejoinder.store import schema
from rejoinder.store.engine import create_engine
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


# --- what the upstream sends is checked by its bytes (issue #10) ----------------------------------------

HTML_BODY = b"<!doctype html><html><body><script>alert(document.domain)</script></body></html>"
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00"
# A PNG signature followed by markup: an image by its bytes, and never a page where it is served.
POLYGLOT = b"\x89PNG\r\n\x1a\n<html><script>alert(1)</script></html>"
AVATAR_CSP = "sandbox; default-src 'none'"


class LyingGravatar(BaseHTTPRequestHandler):
    """A Gravatar stand-in whose answers claim one type and carry another: /avatar/<md5> answers with
    `answers[md5]` = (declared Content-Type, body)."""

    answers: dict[str, tuple[str, bytes]] = {}
    seen: list[str] = []

    def do_GET(self) -> None:
        digest = self.path.split("/avatar/", 1)[-1].split("?", 1)[0]
        LyingGravatar.seen.append(digest)
        declared, body = self.answers[digest]
        self.send_response(200)
        self.send_header("Content-Type", declared)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        return


@pytest.fixture
def lying_gravatar() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), LyingGravatar)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def stored_avatars(db_url: str) -> dict[str, tuple[bytes | None, str | None, int | None]]:
    async def read() -> dict[str, tuple[bytes | None, str | None, int | None]]:
        engine = create_engine(db_url)
        try:
            async with engine.connect() as conn:
                rows = (await conn.execute(sa.select(schema.authors))).all()
                return {row.email_md5: (row.image, row.image_type, row.fetched) for row in rows}
        finally:
            await engine.dispose()

    return asyncio.run(read())


def wait_until_looked_up(
    db_url: str, digests: set[str]
) -> dict[str, tuple[bytes | None, str | None, int | None]]:
    """The background lookups of these hashes have ended (their rows carry a fetch time)."""
    deadline = time.monotonic() + 10
    while True:
        rows = stored_avatars(db_url)
        if all(rows.get(d, (None, None, None))[2] is not None for d in digests):
            return rows
        assert time.monotonic() < deadline, f"lookups did not end: {rows}"
        time.sleep(0.05)


def assert_avatar_headers(response: Any) -> None:
    assert response.headers["content-security-policy"] == AVATAR_CSP
    assert response.headers["x-content-type-options"] == "nosniff"


def test_an_upstream_answer_is_served_only_as_what_its_bytes_are(db_url: str, lying_gravatar: str) -> None:
    run_cli(db_url, "site", "add", "grav", "--origin", "https://blog.example", "--gravatar")
    LyingGravatar.answers = {
        md5("html@example.org"): ("image/png", HTML_BODY),  # a page declared as a PNG: refused
        md5("svg@example.org"): ("image/svg+xml", b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>'),
        md5("gif@example.org"): ("image/jpeg", GIF),  # a GIF declared as JPEG: served as a GIF
        md5("poly@example.org"): ("text/html", POLYGLOT),
    }
    LyingGravatar.seen = []
    with new_client(db_url, avatars={"gravatar_url": lying_gravatar}) as client:
        made = {
            email: post_comment(client, author={"name": "X", "email": email})["author"]["avatar"]
            for email in ("html@example.org", "svg@example.org", "gif@example.org", "poly@example.org")
        }
        rows = wait_until_looked_up(db_url, set(LyingGravatar.answers))
        assert set(LyingGravatar.seen) == set(LyingGravatar.answers)
        # Nothing but an image is kept.
        assert rows[md5("html@example.org")][:2] == (None, None)
        assert rows[md5("svg@example.org")][:2] == (None, None)
        assert rows[md5("gif@example.org")][:2] == (GIF, "image/gif")
        for email in ("html@example.org", "svg@example.org"):
            shown = client.get(made[email])
            assert shown.status_code == 200 and shown.headers["content-type"] == "image/svg+xml"
            assert b"<script" not in shown.content and b"<rect" in shown.content  # the identicon
            assert_avatar_headers(shown)
        gif = client.get(made["gif@example.org"])
        assert (gif.headers["content-type"], gif.content) == ("image/gif", GIF)
        assert_avatar_headers(gif)
        poly = client.get(made["poly@example.org"])
        assert (poly.headers["content-type"], poly.content) == ("image/png", POLYGLOT)
        assert_avatar_headers(poly)
        assert (
            client.get(made["gif@example.org"], headers={"If-None-Match": gif.headers["etag"]}).headers[
                "content-security-policy"
            ]
            == AVATAR_CSP
        )


def test_a_stored_copy_that_is_not_an_image_is_never_served(db_url: str, lying_gravatar: str) -> None:
    """A copy kept before downloads were checked (or written by anything else) is checked again as it goes
    out: served by what its bytes are, or replaced by the identicon."""
    run_cli(db_url, "site", "add", "grav", "--origin", "https://blog.example", "--gravatar")
    LyingGravatar.answers = {md5(f"{n}@example.org"): ("image/png", PNG) for n in ("old", "mislabelled")}
    with new_client(db_url, avatars={"gravatar_url": lying_gravatar}) as client:
        old = post_comment(client, author={"name": "O", "email": "old@example.org"})["author"]["avatar"]
        odd = post_comment(client, author={"name": "M", "email": "mislabelled@example.org"})["author"][
            "avatar"
        ]
        wait_until_looked_up(db_url, set(LyingGravatar.answers))

        async def overwrite() -> None:
            engine = create_engine(db_url)
            try:
                async with engine.begin() as conn:
                    for digest, image, declared in (
                        (md5("old@example.org"), HTML_BODY, "image/png"),
                        (md5("mislabelled@example.org"), GIF, "text/html"),
                    ):
                        await conn.execute(
                            sa.update(schema.authors)
                            .where(schema.authors.c.email_md5 == digest)
                            .values(image=image, image_type=declared)
                        )
            finally:
                await engine.dispose()

        asyncio.run(overwrite())
        shown = client.get(old)
        assert shown.headers["content-type"] == "image/svg+xml" and HTML_BODY not in shown.content
        assert_avatar_headers(shown)
        relabelled = client.get(odd)
        assert (relabelled.headers["content-type"], relabelled.content) == ("image/gif", GIF)
        assert_avatar_headers(relabelled)


def test_every_avatar_answer_is_sandboxed(client: Any) -> None:
    comment = post_comment(client, author={"name": "Ann"})
    assert_avatar_headers(client.get(comment["author"]["avatar"]))
