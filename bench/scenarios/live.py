"""Live updates (issue 13): many readers following one thread over Server-Sent Events, on `rejoinder serve
--workers 2` with Redis (the invalidation signal that reaches every worker).

`clients` streams are opened on one article (plain loopback sockets, all read by one asyncio loop in this
process). Then one comment at a time is posted; for each, the time from the POST's answer to the moment a
stream has read the event that carries the comment's id is taken for every stream. Reported: p50 / p99 / max
of those latencies over all posts and streams, how many streams got every event, and the memory the
streams cost: the RSS of the server's processes with the streams open minus before they opened, divided by
the streams. The reading side shares the machine (2 cores) with the server: its own delay is part of every
figure, so these are upper bounds.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

ORIGIN = "https://bench.example"
ARTICLE = f"{ORIGIN}/live/thread"
TARGET_P99_MS = 100.0

ENV = {
    "REJOINDER_MODERATION__RATE_LIMITS": "false",
    "REJOINDER_MODERATION__REPEAT_WINDOW": "0",
    "REJOINDER_MODERATION__MIN_SECONDS": "0",
    "REJOINDER_LIVE__MAX_STREAMS_PER_IP": "100000",  # every stream comes from 127.0.0.1
}


def rss_kib(root_pid: int) -> int:
    """Resident memory of a process and all its descendants (KiB), from /proc."""
    total, todo = 0, [root_pid]
    while todo:
        pid = todo.pop()
        try:
            status = Path(f"/proc/{pid}/status").read_text()
            for task in Path(f"/proc/{pid}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
        total += next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))
    return total


class Follower:
    """One stream: reads what comes and notes when each awaited comment id first arrived."""

    def __init__(self) -> None:
        self.seen: dict[str, float] = {}
        self.ready = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    async def follow(self, base: str) -> None:
        parts = urlsplit(base)
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
        query = urlencode({"url": ARTICLE})
        writer.write(f"GET /api/threads/live?{query} HTTP/1.1\r\nHost: {parts.hostname}\r\n\r\n".encode())
        pending = b""
        try:
            while chunk := await reader.read(65536):
                now = time.monotonic()
                pending += chunk
                if not self.ready.is_set() and b": live" in pending:
                    self.ready.set()
                *lines, pending = pending.split(b"\n")
                for line in lines:
                    if line.startswith(b"data: {"):
                        found = json.loads(line[6:]).get("id")
                        self.seen.setdefault(found, now)
        finally:
            writer.close()


def _post(base: str, text: str) -> tuple[str, float]:
    body = json.dumps({"url": ARTICLE, "text": text, "author": {"name": "Bench"}}).encode()
    request = urllib.request.Request(
        base + "/api/comments",
        data=body,
        headers={"Content-Type": "application/json", "Origin": ORIGIN},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        answer = json.loads(response.read())
    return str(answer["id"]), time.monotonic()


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def _measure(
    base: str, pid: int, clients: int, posts: int, log: Callable[[str], None]
) -> dict[str, Any]:
    before = rss_kib(pid)
    followers = [Follower() for _ in range(clients)]
    for f in followers:
        f.task = asyncio.create_task(f.follow(base))
    await asyncio.wait_for(asyncio.gather(*(f.ready.wait() for f in followers)), 120)
    await asyncio.sleep(1)  # let the workers settle before reading their memory
    after = rss_kib(pid)
    log(f"live: {clients} streams open; RSS {before} → {after} KiB")
    latencies: list[float] = []
    complete = 0
    for i in range(posts):
        started = time.monotonic()
        # Every stream notes when it first read each id (an event read before the answer counts as 0 ms).
        posted, answered = await asyncio.to_thread(
            _post, base, f"Live comment {i}: hello to {clients} readers."
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and sum(posted in f.seen for f in followers) < clients:
            await asyncio.sleep(0.01)
        got = [f.seen[posted] - answered for f in followers if posted in f.seen]
        latencies += [max(0.0, g) * 1000 for g in got]
        complete += len(got) == clients
        await asyncio.sleep(max(0.0, 0.5 - (time.monotonic() - started)))
    for f in followers:
        if f.task is not None:
            f.task.cancel()
    await asyncio.gather(*(f.task for f in followers if f.task), return_exceptions=True)
    return {
        "clients": clients,
        "posts": posts,
        "posts_reaching_every_stream": complete,
        "deliveries": len(latencies),
        "p50_ms": round(pct(latencies, 0.50), 1) if latencies else None,
        "p99_ms": round(pct(latencies, 0.99), 1) if latencies else None,
        "max_ms": round(max(latencies), 1) if latencies else None,
        "mean_ms": round(statistics.fmean(latencies), 1) if latencies else None,
        "rss_before_kib": before,
        "rss_with_streams_kib": after,
        "kib_per_stream": round((after - before) / clients, 1),
        "target_p99_ms": TARGET_P99_MS,
    }


def run(
    start: Callable[[int, str, dict[str, str]], Any],
    stop: Callable[[Any], None],
    *,
    redis_url: str,
    quick: bool,
    log: Callable[[str], None],
) -> dict[str, Any]:
    """`start(workers, name, env)` starts `rejoinder serve` on the bench database (a site for ORIGIN exists)."""
    clients, posts = (200, 5) if quick else (1000, 20)
    server = start(2, "rejoinder-live", {**ENV, "REJOINDER_REDIS__URL": redis_url})
    try:
        found = asyncio.run(_measure(server.base, server.popen.pid, clients, posts, log))
    finally:
        stop(server)
    found["redis"] = True
    found["workers"] = 2
    found["date"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    found["loadavg_at_start"] = Path("/proc/loadavg").read_text().split()[:3]
    return found
