"""External checks against loopback servers: Akismet's comment-check protocol, and a generic hook that
verifies rejoinder's HMAC-SHA256 signature and answers {action, reason}; timeouts and failures."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

import pytest

from tests.moderation.test_pipeline import CLIENT_IP, moderated_client, post, revisions, shown_ids

AKISMET_KEY = "akismet-test-key-31"
HOOK_SECRET = "hook-secret-5c1b9e"


@dataclass
class Loopback:
    url: str
    requests: list[dict[str, Any]] = field(default_factory=list)


def serve(
    respond: Callable[[BaseHTTPRequestHandler, bytes], tuple[int, dict[str, str], bytes]],
) -> Iterator[Loopback]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    loop = Loopback(url=f"http://127.0.0.1:{server.server_address[1]}")

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            loop.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
            status, headers, out = respond(self, body)
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

    server.RequestHandlerClass = Handler
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield loop
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def akismet_answer(handler: BaseHTTPRequestHandler, body: bytes) -> tuple[int, dict[str, str], bytes]:
    """Akismet's comment-check as documented: "true"/"false", a pro-tip header for blatant spam, and
    "invalid" with a debug header for a bad key."""
    form = dict(parse_qsl(body.decode()))
    if handler.path != "/1.1/comment-check":
        return 404, {}, b"not found"
    if form.get("api_key") != AKISMET_KEY:
        return 200, {"X-akismet-debug-help": 'Empty "api_key" value'}, b"invalid"
    if form.get("comment_author") == "akismet-guaranteed-spam":
        return 200, {}, b"true"
    if "discard-me" in form.get("comment_content", ""):
        return 200, {"X-akismet-pro-tip": "discard"}, b"true"
    return 200, {}, b"false"


@pytest.fixture
def akismet() -> Iterator[Loopback]:
    yield from serve(akismet_answer)


def hook_answer(handler: BaseHTTPRequestHandler, body: bytes) -> tuple[int, dict[str, str], bytes]:
    """A publisher's hook: checks the signature, then answers by what the comment says."""
    stamp = handler.headers.get("Rejoinder-Timestamp", "")
    expected = (
        "sha256=" + hmac.new(HOOK_SECRET.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    )
    if not hmac.compare_digest(expected, handler.headers.get("Rejoinder-Signature", "")):
        return 401, {}, b"bad signature"
    if abs(time.time() - int(stamp)) > 300:
        return 401, {}, b"stale"
    text = json.loads(body)["comment"]["text"]
    if "slow" in text:
        time.sleep(2)
    for action in ("reject", "nudge", "hold", "flag"):
        if f"please {action}" in text:
            return (
                200,
                {"Content-Type": "application/json"},
                json.dumps({"action": action, "reason": f"The hook says {action}."}).encode(),
            )
    if "garbage" in text:
        return 200, {}, b"<html>oops</html>"
    return 200, {"Content-Type": "application/json"}, b'{"action": "pass"}'


@pytest.fixture
def hook() -> Iterator[Loopback]:
    yield from serve(hook_answer)


def test_akismet_spam_is_held_ham_published_blatant_spam_refused(site_db: str, akismet: Loopback) -> None:
    with moderated_client(site_db, akismet_key=AKISMET_KEY, akismet_url=akismet.url) as client:
        ham = post(client, "A thoughtful reply about the budget")
        assert ham.json()["status"] == "published"
        spam = post(client, "Nice post", name="akismet-guaranteed-spam")
        assert spam.status_code == 201
        assert spam.json()["status"] == "pending"
        assert "spam filter" in spam.json()["reason"]
        [rev] = revisions(client, spam.json()["id"])
        assert rev.external == {"akismet": {"spam": True, "discard": False}}
        blatant = post(client, "cheap pills discard-me")
        assert blatant.status_code == 422
        assert blatant.json()["errors"][0]["code"] == "akismet-discard"
        assert shown_ids(client) == [ham.json()["id"]]
    sent = dict(parse_qsl(akismet.requests[0]["body"].decode()))
    assert sent["user_ip"] == CLIENT_IP  # the client's address from the trusted proxy, not the proxy's
    assert sent["blog"] == "https://blog.example"
    assert sent["permalink"] == "https://blog.example/2026/11/a-post"
    assert (sent["comment_type"], sent["comment_author"]) == ("comment", "Ann")
    assert sent["comment_content"] == "A thoughtful reply about the budget"


def test_akismet_with_a_bad_key_gets_the_failure_action(site_db: str, akismet: Loopback) -> None:
    with moderated_client(
        site_db, akismet_key="wrong-key", akismet_url=akismet.url, external_failure="hold"
    ) as client:
        made = post(client, "Hello there")
        assert made.json()["status"] == "pending"
        [rev] = revisions(client, made.json()["id"])
        assert [r["code"] for r in rev.reasons] == ["external-unavailable"]
        assert "invalid" in rev.external["akismet"]["error"]


def test_without_a_key_akismet_is_not_called(site_db: str, akismet: Loopback) -> None:
    with moderated_client(site_db, akismet_url=akismet.url) as client:
        assert post(client, "Hello", name="akismet-guaranteed-spam").json()["status"] == "published"
    assert akismet.requests == []


@pytest.mark.parametrize(
    ("text", "status", "code"),
    [
        ("ordinary words", 201, None),
        ("please flag this", 201, "external-hook"),
        ("please hold this", 201, "external-hook"),
        ("please nudge this", 422, "external-hook"),
        ("please reject this", 422, "external-hook"),
    ],
)
def test_the_signed_hook_decides(
    site_db: str, hook: Loopback, text: str, status: int, code: str | None
) -> None:
    with moderated_client(site_db, hook_url=hook.url + "/check", hook_secret=HOOK_SECRET) as client:
        made = post(client, text)
        assert made.status_code == status, made.text
        if status == 422:
            problem = made.json()
            assert problem["errors"][0]["code"] == code
            assert problem["detail"] == f"The hook says {text.split()[1]}."
        else:
            [rev] = revisions(client, made.json()["id"])
            assert [r["code"] for r in rev.reasons] == ([code] if code else [])
            assert made.json()["status"] == ("pending" if "hold" in text else "published")
    [request] = hook.requests
    assert request["headers"]["Content-Type"] == "application/json"
    payload = json.loads(request["body"])
    assert payload["event"] == "comment.new"
    assert payload["comment"]["text"] == text
    assert payload["comment"]["ip"] == CLIENT_IP
    assert payload["thread"]["url"] == "https://blog.example/2026/11/a-post"


def test_a_hook_that_times_out_or_answers_garbage_gets_the_failure_action(
    site_db: str, hook: Loopback
) -> None:
    with moderated_client(
        site_db,
        hook_url=hook.url,
        hook_secret=HOOK_SECRET,
        external_timeout_ms=300,
        external_failure="flag",
    ) as client:
        started = time.monotonic()
        slow = post(client, "a slow one")
        assert time.monotonic() - started < 2  # did not wait for the hook's 2 seconds
        garbage = post(client, "send garbage back")
        for made in (slow, garbage):
            assert made.json()["status"] == "published"
            [rev] = revisions(client, made.json()["id"])
            assert [(r["code"], r["action"]) for r in rev.reasons] == [("external-unavailable", "flag")]


def test_a_hook_with_the_wrong_secret_is_refused_by_the_publisher(site_db: str, hook: Loopback) -> None:
    with moderated_client(
        site_db, hook_url=hook.url, hook_secret="not-the-secret", external_failure="hold"
    ) as client:
        made = post(client, "please reject this")
        assert made.json()["status"] == "pending"  # the hook answered 401: a failure, not a decision
        [rev] = revisions(client, made.json()["id"])
        assert rev.external == {"hook": {"error": "status 401"}}


def test_external_checks_are_skipped_when_a_local_check_refuses(site_db: str, hook: Loopback) -> None:
    with moderated_client(
        site_db, hook_url=hook.url, hook_secret=HOOK_SECRET, blocked_words=["casino"]
    ) as client:
        assert post(client, "casino night").status_code == 422
    assert hook.requests == []
