"""CPU of one uncached thread read, in-process, with a breakdown: a cross-check of the wrk figure.

    .venv/bin/python bench/profile_cold.py [DB_FILE] [--reads N] [--size 1000]

Builds the real ASGI app (rejoinder.app.create_app) on a copy of the benchmark's seeded database with
the response cache off, runs its lifespan, and sends it N GET /api/threads requests directly (no HTTP
server, no socket). process_time() covers every thread of the process (aiosqlite runs SQLite in one).
Then it times, for scale, parts that do not need the app: gzip of the body, msgspec
decoding/encoding, and the ETag hash.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import hashlib
import shutil
import tempfile
import time
import urllib.parse
from pathlib import Path
from typing import Any

import msgspec

from corpus import ORIGIN, read_path
from rejoinder import config
from rejoinder.app import create_app

WORK = Path(__file__).resolve().parent / ".work"


async def _call(app: Any, path: str, query: str) -> bytes:
    body: list[bytes] = []
    status: list[int] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            status.append(message["status"])
        elif message["type"] == "http.response.body":
            body.append(message.get("body", b""))

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1")],
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 8080),
        "state": {},
    }
    await app(scope, receive, send)
    assert status == [200], status
    return b"".join(body)


async def _lifespan(app: Any) -> tuple[asyncio.Queue[dict[str, Any]], asyncio.Task[None]]:
    inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    task = asyncio.create_task(
        app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, inbox.get, outbox.put)
    )
    await inbox.put({"type": "lifespan.startup"})
    msg = await outbox.get()
    assert msg["type"] == "lifespan.startup.complete", msg
    return inbox, task


async def run(db: Path, reads: int, size: int, keep_fragments: bool) -> None:
    settings = config.load(
        env={
            "REJOINDER_DATABASE__URL": f"sqlite:///{db}",
            "REJOINDER_CACHE__MAX_ENTRIES": "0",
            "REJOINDER_CACHE__COMMENT_FRAGMENTS": "50000" if keep_fragments else "0",
            "REJOINDER_DATABASE__AUTO_MIGRATE": "false",
        }
    )
    app = create_app(settings)
    inbox, task = await _lifespan(app)
    query = urllib.parse.urlencode({"url": ORIGIN + read_path(size), "limit": 1000})
    for _ in range(3):  # warm-up: imports, statement caches, site registry
        body = await _call(app, "/api/threads", query)
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(reads):
        body = await _call(app, "/api/threads", query)
    cpu_ms = (time.process_time() - cpu) * 1000 / reads
    wall_ms = (time.perf_counter() - wall) * 1000 / reads
    await inbox.put({"type": "lifespan.shutdown"})
    await task
    print(
        f"uncached read of the {size:,}-comment thread, {len(body):,} bytes: {cpu_ms:.2f} ms CPU, {wall_ms:.2f} ms wall"
    )

    def per_call(fn: Any, n: int = 20) -> float:
        t = time.process_time()
        for _ in range(n):
            fn()
        return (time.process_time() - t) * 1000 / n

    data = msgspec.json.decode(body)
    print("  for scale, each alone on this body:")
    print(f"    gzip level 1: {per_call(lambda: gzip.compress(body, 1, mtime=0)):.2f} ms")
    print(f"    gzip level 6: {per_call(lambda: gzip.compress(body, 6, mtime=0)):.2f} ms")
    print(f"    msgspec encode: {per_call(lambda: msgspec.json.encode(data)):.2f} ms")
    print(f"    blake2b: {per_call(lambda: hashlib.blake2b(body, digest_size=12).digest()):.2f} ms")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("db", nargs="?", type=Path, default=WORK / "rejoinder" / "bench.db")
    ap.add_argument("--reads", type=int, default=50)
    ap.add_argument("--size", type=int, default=1000)
    ap.add_argument(
        "--keep-fragments", action="store_true", help="keep encoded comments (a re-read after a write)"
    )
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "bench.db"
        shutil.copyfile(args.db, copy)
        asyncio.run(run(copy, args.reads, args.size, args.keep_fragments))


if __name__ == "__main__":
    main()
