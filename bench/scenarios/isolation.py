"""Load isolation (issue 10): how much a burst of CPU-heavy writes slows a concurrent reader.

One reader reads a thread (GET /api/threads of an article nobody writes to, so it is served from the response
cache: what it waits for is the worker's event loop) one request after another. Every few seconds 20 clients
post a 10,000-character Markdown comment each at once to another article. The reader's latencies are split
into "quiet" (no write in flight) and "during a burst" (from the first POST sent to the last answered).
Reported: p50 / p99 / max of each, per server configuration.
"""

from __future__ import annotations

import json
import statistics
import threading
import time
import urllib.request
from collections.abc import Callable
from typing import Any

ORIGIN = "https://bench.example"
READ_ARTICLE = f"{ORIGIN}/isolation/read"
WRITE_ARTICLE = f"{ORIGIN}/isolation/write"
BURST = 20
TEXT_CHARS = 10_000

# Server settings: rate limits off (20 posts from one address at once), repeats off (the texts are alike).
ENV = {
    "REJOINDER_MODERATION__RATE_LIMITS": "false",
    "REJOINDER_MODERATION__REPEAT_WINDOW": "0",
    "REJOINDER_MODERATION__MIN_SECONDS": "0",
}

_PARAGRAPH = (
    "Thanks for writing this up. I tried the *second* approach last winter and the results were mixed: the "
    "soil held water well, but the **seedlings** came up unevenly, and `pH 6.5` seemed too high for them. "
    "See [my notes](https://example.org/notes) for the details; the short version follows.\n\n"
    "> Quote from the article: patience matters more than light.\n\n"
    "- first, water less often\n- second, shade in the afternoon\n- third, wait\n\n"
)


def long_text(n: int) -> str:
    text = f"Comment {n} of the burst. " + _PARAGRAPH * (TEXT_CHARS // len(_PARAGRAPH) + 1)
    return text[: TEXT_CHARS - 1].rstrip() + "."


def _request(
    method: str, url: str, body: dict[str, Any] | None = None, timeout: float = 60
) -> tuple[int, bytes]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(
        url, data=data, method=method, headers={"Content-Type": "application/json", "Origin": ORIGIN}
    )
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summarise(ms: list[float]) -> dict[str, float]:
    if not ms:
        return {"n": 0}
    return {
        "n": len(ms),
        "p50_ms": round(statistics.median(ms), 1),
        "p99_ms": round(_pct(ms, 0.99), 1),
        "max_ms": round(max(ms), 1),
    }


def measure(
    base: str, *, bursts: int = 5, quiet_s: float = 2.0, log: Callable[[str], None] = print
) -> dict[str, Any]:
    """Reader latencies against the server at `base` (a site for ORIGIN must exist), quiet and during bursts."""
    status, body = _request(
        "POST",
        f"{base}/api/comments",
        {"url": READ_ARTICLE, "text": "A comment to read.", "author": {"name": "R"}},
    )
    assert status == 201, body
    samples: list[tuple[float, float]] = []  # (start time, latency ms)
    stop = threading.Event()

    def reader() -> None:
        url = f"{base}/api/threads?url={urllib.request.quote(READ_ARTICLE, safe='')}"
        while not stop.is_set():
            t0 = time.monotonic()
            code, _ = _request("GET", url)
            samples.append((t0, (time.monotonic() - t0) * 1000))
            assert code == 200

    windows: list[tuple[float, float]] = []
    statuses: list[int] = []
    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    n = 0
    for _ in range(bursts):
        time.sleep(quiet_s)
        posts = []

        def post(k: int) -> None:
            code, _ = _request(
                "POST",
                f"{base}/api/comments",
                {"url": WRITE_ARTICLE, "text": long_text(k), "author": {"name": "W"}},
                timeout=120,
            )
            statuses.append(code)

        start = time.monotonic()
        for _ in range(BURST):
            n += 1
            t = threading.Thread(target=post, args=(n,))
            t.start()
            posts.append(t)
        for t in posts:
            t.join()
        windows.append((start, time.monotonic()))
    time.sleep(quiet_s)
    stop.set()
    thread.join(timeout=60)

    def in_burst(t0: float, ms: float) -> bool:
        end = t0 + ms / 1000
        return any(t0 < w_end and end > w_start for w_start, w_end in windows)

    during = [ms for t0, ms in samples if in_burst(t0, ms)]
    quiet = [ms for t0, ms in samples if not in_burst(t0, ms)]
    burst_s = [round(e - s, 2) for s, e in windows]
    result = {
        "quiet": summarise(quiet),
        "during_burst": summarise(during),
        "burst_seconds": burst_s,
        "posts_created": statuses.count(201),
        "posts": len(statuses),
    }
    log(
        f"  reader quiet p99 {result['quiet'].get('p99_ms')} ms; during bursts p50 {result['during_burst'].get('p50_ms')} "
        f"p99 {result['during_burst'].get('p99_ms')} max {result['during_burst'].get('max_ms')} ms; "
        f"bursts took {statistics.median(burst_s):.2f} s (median); {result['posts_created']}/{result['posts']} created"
    )
    return result


def run(
    start_server: Callable[[int, str, dict[str, str]], Any],
    stop_server: Callable[[Any], None],
    *,
    quick: bool,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """`start_server(workers, name, env)` returns something with `.base`; measured with 1 and 2 workers."""
    rows = []
    for workers in (1, 2):
        name = f"rejoinder-isolation-{workers}w"
        log(f"load isolation: {workers} worker(s)")
        server = start_server(workers, name, ENV)
        try:
            found = measure(server.base, bursts=2 if quick else 5, quiet_s=1.0 if quick else 2.0, log=log)
        finally:
            stop_server(server)
        rows.append({"workers": workers, **found})
    return {"burst": BURST, "text_chars": TEXT_CHARS, "rows": rows}
