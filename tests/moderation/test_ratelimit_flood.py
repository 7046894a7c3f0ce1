"""A flood of 1,000 comment posts and 1,000 likes from one client in a minute, against a real `rejoinder serve
--workers 2` whose workers share their limits through Redis: no more than the configured limits are
admitted, and other clients are served all along. The server trusts its loopback peer as a proxy, so the
test names each request's client with X-Forwarded-For, as a reverse proxy would. The limits are set per
hour so that the count does not depend on how fast a loaded machine gets through the flood."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from tests.fixtures.app import ARTICLE, ORIGIN, run_cli

FLOODER = "198.51.100.66"
COMMENT_LIMIT = 20
LIKE_LIMIT = 50
FLOOD = 1000


def config_file(tmp_path: Path, redis_url: str) -> Path:
    path = tmp_path / "rejoinder.toml"
    path.write_text(
        f"""
[redis]
url = "{redis_url}"

[moderation]
trusted_proxies = ["127.0.0.1/32", "::1/128"]
comment_limit_ip = "{COMMENT_LIMIT}/hour"
like_limit_ip = "{LIKE_LIMIT}/hour"
comment_limit_thread = "2000/minute"
repeat_window = 0
# "flood 198.51.100.7 12" looks like spam to the classifier; this test is about limits only
spam_hold = 100
abuse_nudge = 100
abuse_hold = 100
""",
        encoding="utf-8",
    )
    return path


def test_a_flood_from_one_client_is_held_to_the_limits_across_two_workers(
    db_url: str, redis_url: str, server_factory: Any, tmp_path: Path
) -> None:
    run_cli(db_url, "site", "add", "blog", "--origin", ORIGIN)
    server = server_factory(
        db_url, "--workers", "2", env={"REJOINDER_CONFIG": str(config_file(tmp_path, redis_url))}
    )
    local = threading.local()

    def http() -> httpx.Client:
        # One client per thread, no keep-alive: every request is a new connection, so both workers take
        # part (granian hands connections to its workers).
        if not hasattr(local, "client"):
            local.client = httpx.Client(
                base_url=server.url, timeout=20, limits=httpx.Limits(max_keepalive_connections=0)
            )
        return local.client  # type: ignore[no-any-return]

    def comment(ip: str, n: int) -> int:
        body = {"url": ARTICLE, "text": f"flood {ip} {n}", "author": {"name": f"N{n}"}}
        return http().post("/api/comments", json=body, headers={"X-Forwarded-For": ip}).status_code

    seed = comment("192.0.2.200", 0)
    assert seed == 201
    target = httpx.get(f"{server.url}/api/threads", params={"url": ARTICLE}).json()["comments"][0]["id"]

    def like(ip: str, n: int) -> int:
        headers = {"X-Forwarded-For": ip, "Rejoinder-Visitor": f"flood-visitor-{n:08d}"}
        return http().put(f"/api/comments/{target}/like", headers=headers).status_code

    others: list[int] = []
    stop = threading.Event()

    def other_clients() -> None:
        n = 0
        while not stop.is_set():
            n += 1
            others.append(comment(f"192.0.2.{n % 200 + 1}", n))
            others.append(like(f"203.0.113.{n % 200 + 1}", 10_000 + n))

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=8) as pool:
        watcher = pool.submit(other_clients)
        comment_codes = list(pool.map(lambda n: comment(FLOODER, n), range(FLOOD)))
        like_codes = list(pool.map(lambda n: like(FLOODER, n), range(FLOOD)))
        stop.set()
        watcher.result()
    elapsed = time.monotonic() - started
    assert elapsed < 300, f"the flood took {elapsed:.0f}s"

    assert set(comment_codes) <= {201, 429}, sorted(set(comment_codes))
    assert set(like_codes) <= {200, 429}, sorted(set(like_codes))
    assert comment_codes.count(201) == COMMENT_LIMIT
    assert like_codes.count(200) == LIKE_LIMIT
    # Everyone else was served during the flood.
    assert others, "no other client got a turn"
    assert set(others) <= {200, 201}, sorted(set(others))
    thread = httpx.get(f"{server.url}/api/threads", params={"url": ARTICLE, "limit": 1000}).json()
    flooder_comments = [c for c in thread["comments"] if c["text"].startswith(f"flood {FLOODER} ")]
    assert len(flooder_comments) == COMMENT_LIMIT
