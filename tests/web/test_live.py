"""GET /api/threads/live: Server-Sent Events from real `rejoinder serve` processes, read with httpx.

Each read waits for the next event (with a deadline), never for a fixed time."""

from __future__ import annotations

import json
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.fixtures.app import ARTICLE, ORIGIN, run_cli

VISITOR = {"Rejoinder-Visitor": "visitor-0123456789abcdef"}


@dataclass
class Message:
    event: str
    id: str | None
    data: Any


class Reader:
    """Reads one SSE stream in a thread of its own and hands over whole messages (comments and
    heartbeats are skipped)."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self.messages: list[Message] = []
        self.retry: int | None = None
        self._changed = threading.Condition()
        self._done = False
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        fields: dict[str, str] = {}
        try:
            for line in self.response.iter_lines():
                if line == "":
                    if "data" in fields:
                        with self._changed:
                            self.messages.append(
                                Message(
                                    fields.get("event", "message"),
                                    fields.get("id"),
                                    json.loads(fields["data"]),
                                )
                            )
                            self._changed.notify_all()
                    fields = {}
                elif line.startswith(":"):
                    continue
                else:
                    name, _, value = line.partition(":")
                    if name == "retry":
                        self.retry = int(value.strip())
                    else:
                        fields[name] = value.removeprefix(" ")
        except httpx.HTTPError:
            pass
        finally:
            with self._changed:
                self._done = True
                self._changed.notify_all()

    def next(self, count: int = 1, timeout: float = 15) -> list[Message]:
        """Wait for `count` more messages than were taken so far and take them."""
        with self._changed:
            taken = getattr(self, "_taken", 0)
            ok = self._changed.wait_for(lambda: len(self.messages) >= taken + count or self._done, timeout)
            assert ok and len(self.messages) >= taken + count, (self.messages, taken, count)
            self._taken = taken + count
            return self.messages[taken : taken + count]

    def ended(self, timeout: float = 15) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: self._done, timeout)


@contextmanager
def follow(base: str, headers: dict[str, str] | None = None, **params: str) -> Iterator[Reader]:
    with (
        httpx.Client(timeout=httpx.Timeout(30, connect=10)) as http,
        http.stream(
            "GET", base + "/api/threads/live", params={"url": ARTICLE, **params}, headers=headers
        ) as response,
    ):
        assert response.status_code == 200, response.read()
        assert response.headers["content-type"] == "text/event-stream; charset=utf-8"
        assert response.headers["cache-control"] == "no-cache, no-transform"
        assert response.headers["x-accel-buffering"] == "no"
        reader = Reader(response)
        yield reader
        response.close()


def post(base: str, text: str, **fields: Any) -> Any:
    body = {"url": ARTICLE, "text": text, "author": {"name": "Ann"}, **fields}
    response = httpx.post(base + "/api/comments", json=body, headers={"Origin": ORIGIN}, timeout=10)
    assert response.status_code == 201, response.text
    return response.json()


def test_new_liked_and_deleted_comments_arrive_in_order(site_db: str, server_factory: Any) -> None:
    server = server_factory(site_db)
    with follow(server.url) as live:
        first = post(server.url, "Hello *live*")
        (message,) = live.next()
        assert live.retry == 3000
        assert message.event == "comment"
        assert message.data["id"] == first["id"]
        assert message.data["html"] == "<p>Hello <em>live</em></p>"
        assert message.data["author"]["name"] == "Ann"
        assert "email" not in message.data["author"]
        assert message.id is not None and message.id.isdigit()
        liked = httpx.put(
            f"{server.url}/api/comments/{first['id']}/like", headers={**VISITOR, "Origin": ORIGIN}
        )
        assert liked.status_code == 200
        (message,) = live.next()
        assert (message.event, message.data) == ("likes", {"comment": first["id"], "likes": 1})
        gone = httpx.delete(
            f"{server.url}/api/comments/{first['id']}",
            headers={"Rejoinder-Edit-Token": first["edit_token"], "Origin": ORIGIN},
        )
        assert gone.status_code == 204
        (message,) = live.next()
        assert (message.event, message.data) == ("removed", {"id": first["id"]})
        ids = [int(m.id or 0) for m in live.messages]
        assert ids == sorted(ids) and len(set(ids)) == 3


def test_held_comments_are_not_streamed(site_db: str, server_factory: Any) -> None:
    server = server_factory(site_db, env={"REJOINDER_MODERATION__PREMODERATION": "all"})
    with follow(server.url) as live:
        held = post(server.url, "Wait for me")
        assert held["status"] == "pending"
        liked = httpx.put(
            f"{server.url}/api/threads/like", params={"url": ARTICLE}, headers={**VISITOR, "Origin": ORIGIN}
        )
        assert liked.status_code == 200
        (message,) = live.next()  # the article's like is the first thing streamed: the held comment was not
        assert (message.event, message.data) == ("likes", {"comment": None, "likes": 1})


def test_reaction_counts_arrive_with_every_kind_of_the_target(db_url: str, server_factory: Any) -> None:
    run_cli(db_url, "site", "add", "blog", "--origin", ORIGIN, "--reaction", "love", "--reaction", "laugh")
    server = server_factory(db_url)
    bob = {"Rejoinder-Visitor": "visitor-bob-0000000002", "Origin": ORIGIN}
    with follow(server.url) as live:
        made = post(server.url, "React to me")
        assert [m.event for m in live.next()] == ["comment"]
        reactions_url = f"{server.url}/api/comments/{made['id']}/reactions"
        assert httpx.put(f"{reactions_url}/love", headers={**VISITOR, "Origin": ORIGIN}).status_code == 200
        assert httpx.put(f"{reactions_url}/laugh", headers=bob).status_code == 200
        assert httpx.delete(f"{reactions_url}/love", headers={**VISITOR, "Origin": ORIGIN}).status_code == 200
        article = f"{server.url}/api/threads/reactions/love"
        assert (
            httpx.put(article, params={"url": ARTICLE}, headers=bob, json={"name": None}).status_code == 200
        )
        messages = live.next(4)
        assert [(m.event, m.data) for m in messages] == [
            ("reactions", {"comment": made["id"], "reactions": {"love": 1}, "reactors": None}),
            ("reactions", {"comment": made["id"], "reactions": {"laugh": 1, "love": 1}, "reactors": None}),
            ("reactions", {"comment": made["id"], "reactions": {"laugh": 1}, "reactors": None}),
            ("reactions", {"comment": None, "reactions": {"love": 1}, "reactors": 1}),
        ]
    # What the stream said is what the thread read says.
    read = httpx.get(f"{server.url}/api/threads", params={"url": ARTICLE}, headers={"Origin": ORIGIN}).json()
    assert read["reactions"] == {made["id"]: {"laugh": 1}}
    assert read["thread"]["reactions"]["kinds"] == {"love": 1}


def test_a_reconnecting_client_gets_what_it_missed(site_db: str, server_factory: Any) -> None:
    server = server_factory(site_db)
    with follow(server.url) as live:
        seen = post(server.url, "Seen")
        (message,) = live.next()
        assert message.data["id"] == seen["id"]
        last = message.id or ""
    missed = post(server.url, "Missed while away")
    with follow(server.url, headers={"Last-Event-ID": last}) as live:
        (message,) = live.next()
        assert (message.event, message.data["id"]) == ("comment", missed["id"])
    with follow(server.url, headers={"Last-Event-ID": "999999999"}) as live:  # not this thread's: refetch
        (message,) = live.next()
        assert (message.event, message.id, message.data) == ("reset", None, {})


def test_changes_reach_streams_on_every_worker(site_db: str, server_factory: Any) -> None:
    server = server_factory(site_db, "--workers", "2")
    with follow(server.url) as a, follow(server.url) as b, follow(server.url) as c:
        posted = [post(server.url, f"Comment {i}")["id"] for i in range(4)]  # from both workers
        for live in (a, b, c):
            assert [m.data["id"] for m in live.next(4)] == posted


def test_changes_cross_hosts_through_redis(site_db: str, redis_url: str, server_factory: Any) -> None:
    env = {"REJOINDER_REDIS__URL": redis_url}  # two servers as two hosts would run them, one database
    one = server_factory(site_db, env=env)
    other = server_factory(site_db, env=env)
    with follow(one.url) as live:
        posted = post(other.url, "From the other host")
        (message,) = live.next()
        assert message.data["id"] == posted["id"]


def test_too_many_streams_from_one_address_is_a_problem(site_db: str, server_factory: Any) -> None:
    server = server_factory(
        site_db, env={"REJOINDER_LIVE__MAX_STREAMS_PER_IP": "2", "REJOINDER_LIVE__HEARTBEAT_SECONDS": "1"}
    )
    with follow(server.url), follow(server.url):
        third = httpx.get(server.url + "/api/threads/live", params={"url": ARTICLE}, timeout=10)
        assert third.status_code == 429
        assert third.headers["content-type"] == "application/problem+json"
        assert third.json()["code"] == "too-many-streams"
        assert third.headers["retry-after"] == "30"
    # The closed ones are counted out once the server sees them gone (at once, or at its next write to
    # them: the heartbeat).
    deadline = time.monotonic() + 20
    while (status := probe(server.url)) == 429 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert status == 200


def probe(base: str) -> int:
    """The status a new stream gets (the stream is closed again at once)."""
    with (
        httpx.Client(timeout=10) as http,
        http.stream("GET", base + "/api/threads/live", params={"url": ARTICLE}) as r,
    ):
        return r.status_code


def test_bad_requests_are_problems(site_db: str, server_factory: Any) -> None:
    server = server_factory(site_db)
    for params, headers, status, code in [
        ({}, {}, 422, "url-required"),
        ({"url": "https://nowhere.example/x"}, {}, 403, "origin-not-allowed"),
        ({"url": ARTICLE}, {"Last-Event-ID": "12abc"}, 400, "invalid-request"),
    ]:
        response = httpx.get(server.url + "/api/threads/live", params=params, headers=headers, timeout=10)
        assert response.status_code == status, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["code"] == code, response.text


def test_live_updates_can_be_turned_off(site_db: str, server_factory: Any) -> None:
    server = server_factory(site_db, env={"REJOINDER_LIVE__ENABLED": "false"})
    response = httpx.get(server.url + "/api/threads/live", params={"url": ARTICLE}, timeout=10)
    assert response.status_code == 503
    assert response.json()["code"] == "live-disabled"


@pytest.mark.parametrize("http_server", ["granian", "uvicorn"])
def test_a_stop_signal_ends_open_streams_at_once(site_db: str, server_factory: Any, http_server: str) -> None:
    """Open streams end when the server is asked to stop, not at its stop timeout (the HTTP server waits
    for open responses before it stops); the browser then reconnects with Last-Event-ID."""
    server = server_factory(
        site_db, "--workers", "2", "--server", http_server, env={"REJOINDER_SERVER__STOP_TIMEOUT": "60"}
    )
    with follow(server.url) as a, follow(server.url) as b:
        posted = post(server.url, "Before the restart")
        for live in (a, b):
            assert [m.data["id"] for m in live.next()] == [posted["id"]]
        started = time.monotonic()
        server.proc.send_signal(signal.SIGTERM)
        assert a.ended(timeout=10) and b.ended(timeout=10)
        assert server.proc.wait(timeout=20) == 0
        assert time.monotonic() - started < 20  # the defect: 60 s, the stop timeout
