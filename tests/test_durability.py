"""An acknowledged comment survives the server being killed (SIGKILL, no clean shutdown)."""

from __future__ import annotations

import signal
from typing import Any

import httpx

from tests.fixtures.app import ARTICLE, ORIGIN, run_cli


def test_acknowledged_comments_survive_a_crash(db_url: str, server_factory: Any) -> None:
    run_cli(db_url, "site", "add", "blog", "--origin", ORIGIN)
    server = server_factory(db_url)
    acknowledged = []
    with httpx.Client(base_url=server.url, timeout=10) as http:
        for i in range(25):
            response = http.post(
                "/api/comments", json={"url": ARTICLE, "text": f"comment {i}", "author": {"name": "Ann"}}
            )
            assert response.status_code == 201
            acknowledged.append(response.json()["id"])
    # Kill the whole process group at once: no lifespan shutdown, no connection pool cleanup.
    import os

    os.killpg(server.proc.pid, signal.SIGKILL)
    server.proc.wait(timeout=10)

    restarted = server_factory(db_url)
    body = httpx.get(f"{restarted.url}/api/threads", params={"url": ARTICLE, "limit": 100}, timeout=10).json()
    assert [c["id"] for c in body["comments"]] == acknowledged
    assert body["thread"]["count"] == 25
