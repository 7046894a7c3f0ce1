"""services/live.py, driven directly on a running app (SQLite and PostgreSQL): the hub's checks are called by
the test (the background task is set to wait for minutes, and not to wake on writes), so every round is
deterministic; the last test lets it wake."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import TestClient

from rejoinder.services.live import Change, ChangeKind, LiveHub, Stream
from rejoinder.services.threads import resolve_ref
from tests.fixtures.app import ARTICLE, advance_clock, new_client, post_comment


@pytest.fixture
def app(site_db: str) -> Iterator[TestClient[Any]]:
    with new_client(site_db, live={"queue": 2, "check_ms": 600_000, "immediate": False}) as client:
        yield client


def hub_of(client: TestClient[Any]) -> LiveHub:
    hub = client.rejoinder.runtime.live  # type: ignore[attr-defined]
    assert isinstance(hub, LiveHub)
    return hub


def open_stream(
    client: TestClient[Any], address: str, last: int | None = None
) -> tuple[Stream, list[Change]]:
    hub = hub_of(client)
    ctx = client.rejoinder.ctx  # type: ignore[attr-defined]

    async def go() -> tuple[Stream, list[Change]]:
        ref = await resolve_ref(ctx, url=ARTICLE, key=None)
        return await hub.open(ref, address, last)

    with client.portal() as portal:
        return portal.call(go)


def check(client: TestClient[Any]) -> int:
    with client.portal() as portal:
        return portal.call(hub_of(client).check)


def drain(stream: Stream) -> list[Change | None]:
    out: list[Change | None] = []
    while not stream.queue.empty():
        out.append(stream.queue.get_nowait())
    return out


def test_a_slow_stream_is_dropped_and_the_others_get_everything(app: TestClient[Any]) -> None:
    slow, _ = open_stream(app, "203.0.113.1")
    quick, _ = open_stream(app, "203.0.113.2")
    got: list[Change | None] = []
    posted = []
    for text in ("one", "two", "three"):
        posted.append(post_comment(app, text)["id"])
        assert check(app) == 1
        got += drain(quick)  # the quick reader reads; the slow one never does
    assert [c.comment.id if c and c.comment else None for c in got] == posted
    assert all(c is not None and c.kind is ChangeKind.COMMENT for c in got)
    assert slow.closed
    assert drain(slow) == [None]  # its connection is told to end, with nothing else queued
    assert hub_of(app).streams == 1  # and it no longer counts against the caps


def test_one_change_is_shared_by_every_stream(app: TestClient[Any]) -> None:
    one, _ = open_stream(app, "203.0.113.1")
    two, _ = open_stream(app, "2001:db8:0:1::5")
    post_comment(app, "shared")
    assert check(app) == 1
    (a,) = drain(one)
    (b,) = drain(two)
    assert a is b  # built once, encoded once (web/live.encode keeps the bytes on it)
    assert check(app) == 0  # nothing new: nothing read, nothing sent


def test_a_stream_whose_response_never_began_is_swept(app: TestClient[Any]) -> None:
    open_stream(app, "203.0.113.1")
    started, _ = open_stream(app, "203.0.113.2")
    started.started = True
    assert hub_of(app).sweep() == 0  # not yet: a response may take a moment to begin
    advance_clock(app, 31)
    assert hub_of(app).sweep() == 1
    assert hub_of(app).streams == 1


def test_resuming_from_an_old_or_foreign_event_asks_for_a_refetch(app: TestClient[Any]) -> None:
    stream, _ = open_stream(app, "203.0.113.1")
    post_comment(app, "first")
    check(app)
    (first,) = drain(stream)
    assert first is not None
    second = post_comment(app, "second")
    _, missed = open_stream(app, "203.0.113.1", last=first.id)
    assert [(c.kind, c.comment.id if c.comment else None) for c in missed] == [
        (ChangeKind.COMMENT, second["id"])
    ]
    advance_clock(app, 3601)  # beyond live.resume_seconds
    _, missed = open_stream(app, "203.0.113.1", last=first.id)
    assert [c.kind for c in missed] == [ChangeKind.RESET]


def test_open_streams_are_the_metrics_gauge(app: TestClient[Any]) -> None:
    from prometheus_client import REGISTRY

    def gauge() -> float:
        return REGISTRY.get_sample_value("rejoinder_live_streams") or 0.0

    before = gauge()
    one, _ = open_stream(app, "203.0.113.1")
    two, _ = open_stream(app, "203.0.113.2")
    assert gauge() - before == 2
    hub_of(app).close(one)
    hub_of(app).close(one)  # closing twice counts once
    assert gauge() - before == 1
    hub_of(app).close(two)
    assert gauge() == before


def test_a_write_wakes_the_hub_at_once(site_db: str) -> None:
    """With `immediate` (the default), a write hands its change to the streams without waiting for the
    next round: here the rounds are ten minutes apart, and the change still arrives."""
    with new_client(site_db, live={"check_ms": 600_000}) as client:
        stream, _ = open_stream(client, "203.0.113.1")
        posted = post_comment(client, "at once")["id"]

        async def next_change() -> Change | None:
            async with asyncio.timeout(10):
                return await stream.queue.get()

        with client.portal() as portal:
            change = portal.call(next_change)
        assert change is not None and change.comment is not None
        assert change.comment.id == posted
