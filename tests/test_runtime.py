"""The runtime (src/rejoinder/runtime.py): built once at start-up, refusing a misconfigured mailer or provider
with the setting's name before anything serves, closed at shutdown, and the clock injected everywhere."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import threading
from typing import Any
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from litestar.testing import TestClient

from rejoinder.app import create_app
from rejoinder.cli import main
from rejoinder.errors import Unavailable
from rejoinder.runtime import open_context
from rejoinder.services.moderation import Moderation
from rejoinder.services.sites import list_sites
from rejoinder.store import schema
from rejoinder.store.engine import create_engine
from rejoinder.web.wire import rfc3339
from tests.fixtures.app import ARTICLE, make_settings, start_failure
from tests.fixtures.clock import ManualClock

BAD_MAIL = {
    "host": "smtp.example",
    "sender": "comments@example.org",
    "password_env": "REJOINDER_TEST_UNSET_PW",
}
BAD_MAIL_MESSAGE = (
    "invalid setting email.password_env: environment variable REJOINDER_TEST_UNSET_PW is not set"
)


def count_comments(db_url: str) -> int:
    async def go() -> int:
        engine = create_engine(db_url)
        try:
            async with engine.connect() as conn:
                return int(
                    (await conn.execute(sa.select(sa.func.count()).select_from(schema.comments))).scalar_one()
                )
        finally:
            await engine.dispose()

    return asyncio.run(go())


def test_a_bad_mailer_setting_stops_the_app_from_starting(site_db: str) -> None:
    error = start_failure(create_app(make_settings(site_db, email=BAD_MAIL)))
    assert str(error) == BAD_MAIL_MESSAGE


def test_serve_refuses_a_bad_mailer_setting_before_any_worker_starts(site_db: str) -> None:
    env = {
        "REJOINDER_DATABASE__URL": site_db,
        "REJOINDER_EMAIL__HOST": BAD_MAIL["host"],
        "REJOINDER_EMAIL__SENDER": BAD_MAIL["sender"],
        "REJOINDER_EMAIL__PASSWORD_ENV": BAD_MAIL["password_env"],
    }
    result = CliRunner().invoke(main, ["serve", "--port", "1"], env=env)
    assert result.exit_code == 1, result.output
    assert result.output == f"Error: {BAD_MAIL_MESSAGE}\n"


def test_the_injected_clock_is_what_the_app_writes(site_db: str) -> None:
    clock = ManualClock(start_us=1_700_000_000 * 1_000_000)
    app = create_app(make_settings(site_db, database={"auto_migrate": False}), clock=clock)
    with TestClient(app=app, base_url="http://rejoinder.test") as client:  # type: ignore[arg-type]
        body: dict[str, Any] = {"url": ARTICLE, "text": "Hello", "author": {"name": "Ann"}}
        first = client.post("/api/comments", json=body, headers={"Origin": "https://blog.example"})
        clock.advance(3600)
        second = client.post(
            "/api/comments",
            json={**body, "text": "An hour later"},
            headers={"Origin": "https://blog.example"},
        )
    assert first.status_code == 201 and second.status_code == 201, (first.text, second.text)
    assert first.json()["created"] == rfc3339(1_700_000_000 * 1_000_000) == "2023-11-14T22:13:20.000000Z"
    assert second.json()["created"] == rfc3339(1_700_003_600 * 1_000_000)
    assert count_comments(site_db) == 2


def test_open_context_builds_everything_once_and_closes_it(site_db: str) -> None:
    settings = make_settings(site_db, database={"auto_migrate": False})

    async def go() -> None:
        async with open_context(settings) as runtime:
            ctx = runtime.ctx
            assert isinstance(ctx.moderation, Moderation)  # built here, never lazily by a use case
            assert runtime.moderation is ctx.moderation
            assert ctx.mailer is None and runtime.providers is None  # no [email] host; no serving
            assert [s.name for s in await list_sites(ctx.engine)] == ["blog"]
            assert ctx.sites.cached_by_origin("https://blog.example") is not None  # loaded at start-up
        assert runtime.started is False

    asyncio.run(go())


class Gate:
    """A TCP door in front of PostgreSQL on loopback: shut, it accepts each connection and closes it at once
    (what a client meets while the server restarts); opened, it passes bytes both ways."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.opened = threading.Event()
        self.refused = threading.Event()
        self.refusals = 0
        self.stopping = False
        self.sockets: list[socket.socket] = [self.listener]
        self.accepting = threading.Thread(target=self._accept, daemon=True)
        self.accepting.start()

    def _accept(self) -> None:
        while not self.stopping:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            if not self.opened.is_set():
                self.refusals += 1
                conn.close()
                self.refused.set()
                continue
            upstream = socket.create_connection(self.upstream, timeout=10)
            self.sockets += [conn, upstream]
            for a, b in ((conn, upstream), (upstream, conn)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                dst.shutdown(socket.SHUT_WR)

    def close(self) -> None:
        self.stopping = True
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() under way
        for s in self.sockets:
            with contextlib.suppress(OSError):
                s.close()
        self.accepting.join(timeout=10)


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_a_server_that_starts_while_the_database_restarts_waits_for_it(
    site_db: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A worker whose start-up meets a database that cannot be reached tries again (bounded) and then
    serves, instead of exiting: under Granian one worker's exit stops every worker of the host (seen in CI
    when PostgreSQL restarted while a second worker was still starting)."""
    address = urlsplit(site_db)
    gate = Gate((address.hostname or "127.0.0.1", address.port or 5432))
    try:
        through_gate = address._replace(netloc=f"{address.username}@127.0.0.1:{gate.port}").geturl()
        settings = make_settings(through_gate, database={"auto_migrate": False})

        # A command does not wait: it says at once that the database cannot be reached.
        async def command() -> None:
            async with open_context(settings):
                raise AssertionError("started without its database")

        with pytest.raises(Unavailable):
            asyncio.run(command())
        assert gate.refusals >= 1

        # The server waits: the door opens once its start-up has met it shut.
        refused_before = gate.refusals
        gate.refused.clear()
        opener = threading.Thread(target=lambda: gate.refused.wait(30) and gate.opened.set(), daemon=True)
        opener.start()
        caplog.set_level(logging.WARNING, logger="rejoinder")
        with TestClient(app=create_app(settings), base_url="http://rejoinder.test") as client:  # type: ignore[arg-type]
            answer = client.get("/api/threads", params={"url": ARTICLE})
        opener.join(timeout=30)
        assert gate.refusals > refused_before
        assert answer.status_code == 200, answer.text
        assert answer.json()["comments"] == []
        waited = [r.getMessage() for r in caplog.records if "start-up tries again" in r.getMessage()]
        assert waited and waited[0].startswith("[rejoinder] the database cannot be reached ("), waited
    finally:
        gate.close()
