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
import cProfile
import gc
import gzip
import hashlib
import pstats
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


async def _call(app: Any, path: str, query: str, headers: tuple[tuple[bytes, bytes], ...] = ()) -> bytes:
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
        "headers": [(b"host", b"127.0.0.1"), *headers],
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


async def run(
    db: Path, reads: int, size: int, keep_fragments: bool, *, use_gzip: bool, limit: int | None, profile: bool
) -> bytes:
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
    query = urllib.parse.urlencode({"url": ORIGIN + read_path(size), **({"limit": limit} if limit else {})})
    headers = ((b"accept-encoding", b"gzip"),) if use_gzip else ()
    for _ in range(3):  # warm-up: imports, statement caches, site registry
        body = await _call(app, "/api/threads", query, headers)
    gc.collect()
    gc.freeze()  # as a server worker does once the app is built (serving.load_worker_app)
    profiler = cProfile.Profile() if profile else None
    if profiler is not None:
        profiler.enable()
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(reads):
        body = await _call(app, "/api/threads", query, headers)
    cpu_ms = (time.process_time() - cpu) * 1000 / reads
    wall_ms = (time.perf_counter() - wall) * 1000 / reads
    if profiler is not None:
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    await inbox.put({"type": "lifespan.shutdown"})
    await task
    kind = ("rebuilt" if keep_fragments else "first read") + (", gzip" if use_gzip else "")
    print(
        f"uncached read ({kind}) of the {size:,}-comment thread, limit {limit}, {len(body):,} bytes:"
        f" {cpu_ms:.2f} ms CPU, {wall_ms:.2f} ms wall"
    )
    return gzip.decompress(body) if use_gzip else body


def scale(body: bytes) -> None:
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
    ap.add_argument("--gzip", action="store_true", help="ask for gzip (Accept-Encoding: gzip)")
    ap.add_argument("--limit", type=int, default=1000, help="conversations per page (0: the default page)")
    ap.add_argument("--profile", action="store_true", help="cProfile the timed reads (slower; by own time)")
    ap.add_argument("--no-scale", action="store_true", help="skip timing gzip, msgspec and hashes alone")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "bench.db"
        shutil.copyfile(args.db, copy)
        body = asyncio.run(
            run(
                copy,
                args.reads,
                args.size,
                args.keep_fragments,
                use_gzip=args.gzip,
                limit=args.limit or None,
                profile=args.profile,
            )
        )
    if not args.no_scale:
        scale(body)


if __name__ == "__main__":
    main()
