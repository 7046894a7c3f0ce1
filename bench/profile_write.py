"""CPU of one comment POST, in-process, end to end: a cross-check of the wrk write case, and its profile.

    .venv/bin/python bench/profile_write.py [--posts N] [--concurrency C] [--profile] [--sync FULL]

Builds the real ASGI app (rejoinder.app.create_app) on a fresh SQLite file with the benchmark's serving
settings (bench/servers.py SERVE_SETTINGS: rate limits and repeat detection off, the rest of the moderation
pipeline on) and `synchronous=FULL` unless told otherwise, adds the benchmark's site, and sends N
`POST /api/comments` requests (the wrk write case's body, a counter appended) from C concurrent tasks
straight to the app (no HTTP server, no socket). Reported: CPU per post (`process_time`, every thread of
the process: aiosqlite's and the COMMIT's included), wall per post, and with `--profile` the top of a
cProfile of the timed posts (cumulative time). Every post's answer must be 201.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import json
import pstats
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from corpus import ORIGIN, WRITE_PATH, write_comment_text
from profile_cold import _lifespan  # the ASGI lifespan, started and left running
from rejoinder import config
from rejoinder.app import create_app
from servers import SERVE_SETTINGS, settings_env


async def _post(app: Any, body: bytes) -> tuple[int, bytes]:
    sent = False
    status: list[int] = []
    chunks: list[bytes] = []

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:  # the request is over: wait like a server would for a disconnect
            await asyncio.Event().wait()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            status.append(message["status"])
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    path = "/api/comments"
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [
            (b"host", b"127.0.0.1"),
            (b"content-type", b"application/json"),
            (b"origin", ORIGIN.encode()),
            (b"content-length", str(len(body)).encode()),
        ],
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 8080),
        "state": {},
    }
    await app(scope, receive, send)
    return status[0], b"".join(chunks)


async def run(
    db: Path, posts: int, concurrency: int, profile: bool, sync: str, gc_freeze: bool = False
) -> dict[str, Any]:
    from rejoinder.domain.sites import SiteOptions
    from rejoinder.runtime import open_context
    from rejoinder.services.sites import add_site
    from rejoinder.store import migrate

    env = {
        **settings_env(SERVE_SETTINGS),
        "REJOINDER_DATABASE__URL": f"sqlite:///{db}",
        "REJOINDER_DATABASE__SQLITE_SYNCHRONOUS": sync,
    }
    migrate.upgrade(env["REJOINDER_DATABASE__URL"])
    settings = config.load(env=env)
    async with open_context(settings, migrate=False) as runtime:
        await add_site(runtime.engine, "bench", [ORIGIN], SiteOptions(), 1)
    app = create_app(settings)
    inbox, task = await _lifespan(app)
    text = write_comment_text()
    counter = iter(range(10**9))

    def body() -> bytes:
        return json.dumps(
            {
                "url": ORIGIN + WRITE_PATH,
                "text": f"{text} ({next(counter)})",
                "author": {"name": "Bench Writer", "email": "writer@bench.example"},
            }
        ).encode()

    latencies: list[float] = []

    async def client(n: int) -> None:
        for _ in range(n):
            started = time.perf_counter()
            status, answer = await _post(app, body())
            latencies.append((time.perf_counter() - started) * 1000)
            assert status == 201, (status, answer[:300])

    for _ in range(20):  # warm-up: imports, statement caches, the site registry, the classifier
        await client(1)
    if gc_freeze:  # what app start-up could do: move everything loaded so far out of the collector's walks
        gc.freeze()
    latencies.clear()
    profiler = cProfile.Profile() if profile else None
    each = [posts // concurrency + (1 if i < posts % concurrency else 0) for i in range(concurrency)]
    cpu, wall = time.process_time(), time.perf_counter()
    if profiler:
        profiler.enable()
    await asyncio.gather(*(client(n) for n in each))
    if profiler:
        profiler.disable()
    cpu_ms = (time.process_time() - cpu) * 1000 / posts
    wall_ms = (time.perf_counter() - wall) * 1000 / posts
    await inbox.put({"type": "lifespan.shutdown"})
    await task
    ordered = sorted(latencies)
    result = {
        "posts": posts,
        "concurrency": concurrency,
        "synchronous": sync,
        "gc_freeze": gc_freeze,
        "cpu_ms_per_post": round(cpu_ms, 3),
        "wall_ms_per_post": round(wall_ms, 3),
        "latency_p50_ms": round(statistics.median(ordered), 2),
        "latency_p99_ms": round(ordered[max(0, int(len(ordered) * 0.99 + 0.5) - 1)], 2),
    }
    if profiler:
        profiler.dump_stats("/tmp/profile_write.pstats")
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(30)
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--posts", type=int, default=400)
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--profile", action="store_true", help="print a cProfile of the timed posts")
    ap.add_argument(
        "--gc-freeze", action="store_true", help="gc.freeze() after the warm-up (a start-up hint)"
    )
    ap.add_argument("--sync", default="FULL", help="SQLite synchronous level (default FULL, as served)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        result = asyncio.run(
            run(
                Path(tmp) / "write.db",
                args.posts,
                args.concurrency,
                args.profile,
                args.sync.upper(),
                args.gc_freeze,
            )
        )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
