"""Browser-test stack, one per test module: a real `rejoinder serve` on a fresh SQLite database, and a
host site on another loopback port that the site `hostsite` allows (created through the CLI).

A module sets `SERVER_ENV = {...}` to start its server with other settings (e.g. a short edit window),
`SITE_ARGS = (...)` for more options of `rejoinder site add` (e.g. `--images`),
and `SERVER_CLOCK = True` to give it a clock the test moves (`Stack.advance`) instead of waiting.
Each test uses its own article path, so tests in a module never share a thread.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import msgspec
import pytest

from tests.e2e.hostsite import HostSite
from tests.fixtures.app import run_cli
from tests.fixtures.browser import in_thread
from tests.fixtures.clock import SharedClock
from tests.fixtures.servers import Server, start_server

READY = "#rejoinder:not([aria-busy]) .rj-list"

# Every post of these tests comes from 127.0.0.1 within seconds, typed faster than a person types:
# the server's per-network rate limits, repeat detection and minimum form time would refuse most of
# them, so the browser tests turn those checks off (tests/moderation covers them). Only settings this
# version of rejoinder declares are passed.
RELAXED = {
    ("moderation", "rate_limits"): "false",
    ("moderation", "repeat_window"): "0",
    ("moderation", "min_seconds"): "0",
    # The classifier's verdicts are covered by tests/moderation; here they would only add noise.
    ("moderation", "spam_hold"): "100",
    ("moderation", "abuse_nudge"): "100",
    ("moderation", "abuse_hold"): "100",
}


def relaxed_env() -> dict[str, str]:
    from rejoinder import config

    env = {}
    for (section, key), value in RELAXED.items():
        cls = config.SECTIONS.get(section)
        if cls is not None and key in {f.name for f in msgspec.structs.fields(cls)}:
            env[f"REJOINDER_{section.upper()}__{key.upper()}"] = value
    return env


@dataclass
class Stack:
    api: str
    host: HostSite
    server: Server
    db_path: str
    clock: SharedClock | None = None  # the server's time, when the module asked for SERVER_CLOCK

    def advance(self, page: Any, seconds: float) -> None:
        """Move time on by `seconds` for the server and for `page` (whose clock `install_clock` faked)."""
        assert self.clock is not None, "set SERVER_CLOCK = True in the test module"
        self.clock.advance(seconds)
        page.clock.fast_forward(int(seconds * 1000))

    def post(self, url: str, text: str, name: str = "Ann", **fields: Any) -> dict[str, Any]:
        """Post through the HTTP API as a browser on the host site would (Origin header included)."""
        author = {"name": name, **fields.pop("author", {})}
        body = {"url": url, "text": text, "author": author, **fields}
        r = httpx.post(self.api + "/api/comments", json=body, headers={"Origin": self.host.origin})
        assert r.status_code == 201, r.text + "\n" + self.log_tail()
        result: dict[str, Any] = r.json()
        return result

    def like(self, url: str, visitor: str, name: str | None = None) -> None:
        r = httpx.put(
            self.api + "/api/threads/like",
            params={"url": url},
            json={"name": name},
            headers={"Origin": self.host.origin, "Rejoinder-Visitor": visitor},
        )
        assert r.status_code == 200, r.text

    def thread(self, url: str, **params: Any) -> dict[str, Any]:
        r = httpx.get(self.api + "/api/threads", params={"url": url, **params})
        assert r.status_code == 200, r.text
        result: dict[str, Any] = r.json()
        return result

    def log_tail(self) -> str:
        return self.server.log.read_text(errors="replace")[-3000:]

    def sql(self, statement: str, *args: Any) -> None:
        """A direct change to the database (e.g. a moderator action the API does not offer yet)."""
        with sqlite3.connect(self.db_path) as conn:
            conn.execute(statement, args)


@pytest.fixture(scope="module")
def stack(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    tmp = tmp_path_factory.mktemp("e2e")
    env = {
        **relaxed_env(),
        "REJOINDER_IMAGES__DIRECTORY": str(tmp / "images"),
        **getattr(request.module, "SERVER_ENV", {}),
    }
    db_path = str(tmp / "rejoinder.db")
    db_url = f"sqlite:///{db_path}"
    host = HostSite().start()
    try:
        # A module may give the site more options (SITE_ARGS, e.g. its reactions: test_widget_reactions.py).
        site_args = getattr(request.module, "SITE_ARGS", ())
        in_thread(run_cli, db_url, "site", "add", "hostsite", "--origin", host.origin, *site_args)
        clock = SharedClock(tmp / "clock") if getattr(request.module, "SERVER_CLOCK", False) else None
        server = start_server(db_url, tmp, env=env, clock=clock)
        try:
            yield Stack(api=server.url, host=host, server=server, db_path=db_path, clock=clock)
        finally:
            server.stop()
    finally:
        host.stop()


def open_widget(browser_page: Any, url: str, *, install_clock: bool = False, **options: Any) -> Any:
    """Open `url` in a fresh context and wait until the widget has rendered; returns the Watched page.
    `install_clock`: the page's time runs on as usual until the test moves it on (Stack.advance)."""
    watched = browser_page(**options)
    if install_clock:
        watched.page.clock.install()
    watched.page.goto(url)
    watched.page.wait_for_selector(READY, state="attached")
    return watched
