"""GET /healthz (readiness: every dependency, named) and GET /livez (liveness: no dependency)."""

from __future__ import annotations

import socket
import time
from typing import Any

from litestar.testing import TestClient

from rejoinder import __version__
from tests.fixtures.app import new_client


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _dialect(db_url: str) -> str:
    return "sqlite" if db_url.startswith("sqlite") else "postgresql"


def test_a_healthy_worker_is_ready_and_live(client: TestClient[Any], site_db: str) -> None:
    ready = client.get("/healthz")
    assert ready.status_code == 200
    assert ready.headers["cache-control"] == "no-store"
    assert ready.json() == {
        "status": "ok",
        "version": __version__,
        "database": _dialect(site_db),
        "checks": {"database": "ok"},  # no redis.url: nothing outside this host to check
    }
    live = client.get("/livez")
    assert (live.status_code, live.json()) == (200, {"status": "ok", "version": __version__})
    assert live.headers["cache-control"] == "no-store"


def test_redis_is_checked_when_configured(site_db: str, redis_url: str) -> None:
    with new_client(site_db, redis={"url": redis_url, "prefix": "health"}) as client:
        # The worker subscribes in the background after start-up: it is unready until then.
        deadline = time.monotonic() + 10.0
        while (answer := client.get("/healthz")).status_code != 200:
            assert answer.json()["checks"]["redis"] == "unavailable"
            assert time.monotonic() < deadline, answer.text
            time.sleep(0.02)
        assert answer.json()["checks"] == {"database": "ok", "redis": "ok"}


def test_a_worker_cut_off_from_redis_is_unready_but_live(site_db: str) -> None:
    with new_client(site_db, redis={"url": f"redis://127.0.0.1:{_closed_port()}/0"}) as client:
        ready = client.get("/healthz")
        assert ready.status_code == 503
        assert ready.json() == {
            "status": "unavailable",
            "version": __version__,
            "database": _dialect(site_db),
            "checks": {"database": "ok", "redis": "unavailable"},
        }
        assert client.get("/livez").status_code == 200
