"""Many concurrent POSTs to a real `rejoinder serve` on SQLite (one and two workers): every one is
acknowledged (no 'database is locked' / 503) and every acknowledged comment is in the thread."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from tests.fixtures.app import ARTICLE, ORIGIN, run_cli

POSTS = 60


async def _post_all(base: str) -> list[httpx.Response]:
    limits = httpx.Limits(max_connections=POSTS, max_keepalive_connections=0)  # spread over workers
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as http:

        async def one(i: int) -> httpx.Response:
            body = {"url": ARTICLE, "text": f"concurrent comment {i}", "author": {"name": f"Writer {i % 7}"}}
            return await http.post("/api/comments", json=body, headers={"Origin": ORIGIN})

        return await asyncio.gather(*(one(i) for i in range(POSTS)))


@pytest.mark.parametrize("workers", ["1", "2"])
def test_concurrent_posts_all_succeed_on_sqlite(sqlite_url: str, server_factory: Any, workers: str) -> None:
    run_cli(sqlite_url, "site", "add", "blog", "--origin", ORIGIN)
    # Rate limits off: one client address posting 60 times a second is the point here, not a flood.
    server = server_factory(
        sqlite_url, "--workers", workers, env={"REJOINDER_MODERATION__RATE_LIMITS": "false"}
    )
    responses = asyncio.run(_post_all(server.url))
    assert [r.status_code for r in responses] == [201] * POSTS, {r.status_code: r.text for r in responses}
    acknowledged = {r.json()["id"] for r in responses}
    thread = httpx.get(server.url + "/api/threads", params={"url": ARTICLE, "limit": 100}, timeout=10).json()
    assert {c["id"] for c in thread["comments"]} == acknowledged
    assert thread["thread"]["count"] == POSTS
