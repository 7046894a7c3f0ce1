"""The load cases: what each server is asked, checked once by hand, then measured with wrk.

Case ids are shared across servers so the report can put rejoinder, Isso and nginx side by side.
"""

from __future__ import annotations

import gzip
import json
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import wrk
from corpus import ORIGIN, SIZES, WRITE_PATH, count_paths, read_path, write_comment_text
from procs import Proc, tree_cpu_seconds, wait_idle
from servers import log

GZIP = {"Accept-Encoding": "gzip"}
READ_LIMIT = 1000  # rejoinder's largest page: 1,000 top-level comments with all their replies


@dataclass
class Case:
    id: str
    label: str
    request: wrk.Request
    expect_status: int = 200
    expect_gzip: bool = False
    connections: int = 32
    min_duration: float = 0.0
    max_reps: int | None = None
    drain: bool = False  # slow closed-loop case: count the in-flight requests, which the server finishes
    skip_quick: bool = False
    notes: list[str] = field(default_factory=list)


@dataclass
class Options:
    duration: float
    reps: int
    quick: bool
    work: Path


def rejoinder_thread_path(size: int) -> str:
    query = urllib.parse.urlencode({"url": ORIGIN + read_path(size), "limit": READ_LIMIT})
    return f"/api/threads?{query}"


def rejoinder_cases() -> list[Case]:
    cases = []
    for size in SIZES:
        path = rejoinder_thread_path(size)
        cases.append(Case(f"read-{size}", f"GET thread, {size:,} comments", wrk.Request(path)))
        cases.append(
            Case(
                f"read-{size}-gz",
                f"GET thread, {size:,} comments, gzip",
                wrk.Request(path, headers=GZIP),
                expect_gzip=True,
            )
        )
    counts = "/api/counts?" + urllib.parse.urlencode([("url", ORIGIN + p) for p in count_paths()])
    cases.append(Case("counts-20", "counts for 20 URLs", wrk.Request(counts)))
    body = json.dumps(
        {
            "url": ORIGIN + WRITE_PATH,
            "text": write_comment_text() + " (__N__)",
            "author": {"name": "Bench Writer", "email": "writer@bench.example"},
        }
    )
    cases.append(
        Case(
            "write",
            "POST a comment",
            wrk.Request(
                "/api/comments",
                method="POST",
                headers={"Content-Type": "application/json", "Origin": ORIGIN},
                body=body,
            ),
            expect_status=201,
        )
    )
    return cases


def rejoinder_cold_cases() -> list[Case]:
    """Against a server with the response cache and the comment-fragment memo off: every request is a
    first read (SQLite, ordering, encoding of every comment; compression only for the gzip case)."""
    counts = "/api/counts?" + urllib.parse.urlencode([("url", ORIGIN + p) for p in count_paths()])
    cases = [Case("cold-counts-20", "counts for 20 URLs, uncached", wrk.Request(counts))]
    # 1,000 comments: the whole thread; 10,000: its first page of 1,000 (issue #15: <= 3 and <= 5 ms)
    for size, what in ((1000, "1,000 comments"), (10000, "10,000 comments (first page)")):
        path = rejoinder_thread_path(size)
        cases.append(Case(f"cold-{size}", f"GET thread, {what}, uncached", wrk.Request(path)))
        cases.append(
            Case(
                f"cold-{size}-gz",
                f"GET thread, {what}, gzip, uncached",
                wrk.Request(path, headers=GZIP),
                expect_gzip=True,
            )
        )
    return cases


def rejoinder_rebuild_cases() -> list[Case]:
    """Against a server with the response cache off but the comment-fragment memo on: every request
    rebuilds the thread as after a write (stubs from SQLite, already-encoded comments reused)."""
    path = rejoinder_thread_path(1000)
    return [
        Case("rebuild-1000", "GET thread, 1,000 comments, rebuilt from fragments", wrk.Request(path)),
        Case(
            "rebuild-1000-gz",
            "GET thread, 1,000 comments, gzip, rebuilt from fragments",
            wrk.Request(path, headers=GZIP),
            expect_gzip=True,
        ),
    ]


def isso_cases() -> list[Case]:
    cases = [Case("read-10", "GET thread, 10 comments", wrk.Request("/?uri=" + read_path(10)))]
    # One read of the 1,000-comment thread costs Isso ~2 s of CPU; with 32 connections wrk would only
    # measure queueing, and the queue would keep the workers busy long after. One connection per worker.
    cases.append(
        Case(
            "read-1000",
            "GET thread, 1,000 comments",
            wrk.Request("/?uri=" + read_path(1000)),
            connections=2,
            min_duration=20,
            drain=True,
            notes=["2 connections (one per gunicorn worker)"],
        )
    )
    cases.append(
        Case(
            "read-10000",
            "GET thread, 10,000 comments",
            wrk.Request("/?uri=" + read_path(10000)),
            connections=2,
            min_duration=45,
            max_reps=1,
            drain=True,
            skip_quick=True,
            notes=["2 connections, one 45 s run: each read takes ~20 s"],
        )
    )
    cases.append(
        Case(
            "counts-20",
            "counts for 20 URLs",
            wrk.Request(
                "/count",
                method="POST",
                headers={"Content-Type": "application/json"},
                body=json.dumps(count_paths()),
            ),
        )
    )
    body = json.dumps(
        {"text": write_comment_text() + " (__N__)", "author": "Bench Writer", "email": "writer@bench.example"}
    )
    cases.append(
        Case(
            "write",
            "POST a comment",
            wrk.Request(
                "/new?uri=" + WRITE_PATH,
                method="POST",
                headers={"Content-Type": "application/json"},
                body=body,
            ),
            expect_status=201,
        )
    )
    return cases


def nginx_cases() -> list[Case]:
    return [
        Case("read-1000", "GET thread, 1,000 comments (static file)", wrk.Request("/t1000.json")),
        Case(
            "read-1000-gz",
            "GET thread, 1,000 comments, gzip (gzip_static)",
            wrk.Request("/t1000.json", headers=GZIP),
            expect_gzip=True,
        ),
    ]


def fetch(base: str, req: wrk.Request, timeout: float = 300) -> tuple[int, dict[str, str], bytes]:
    body = req.body.replace("__N__", "check") if req.body is not None else None
    r = urllib.request.Request(
        base + req.path,
        method=req.method,
        headers=req.headers,
        data=body.encode() if body is not None else None,
    )
    try:
        with urllib.request.urlopen(r, timeout=timeout) as resp:
            return resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read()


def check(base: str, case: Case) -> dict[str, Any]:
    """One request by hand before measuring: the status and encoding must be the ones meant."""
    status, headers, body = fetch(base, case.request)
    if status != case.expect_status:
        raise RuntimeError(f"{case.id}: {base}{case.request.path} answered {status}: {body[:300]!r}")
    encoded = headers.get("content-encoding", "")
    if case.expect_gzip != (encoded == "gzip"):
        raise RuntimeError(f"{case.id}: expected gzip={case.expect_gzip}, got content-encoding {encoded!r}")
    raw = gzip.decompress(body) if encoded == "gzip" else body
    return {"status": status, "body_bytes": len(body), "decoded_bytes": len(raw)}


def measure(server: str, proc: Proc, cases: list[Case], opts: Options) -> list[dict[str, Any]]:
    results = []
    for case in cases:
        if case.skip_quick and opts.quick:
            results.append({"id": case.id, "server": server, "label": case.label, "skipped": "--quick"})
            continue
        info = check(proc.base, case)
        duration = max(opts.duration, case.min_duration)
        reps = min(opts.reps, case.max_reps or opts.reps)
        log(f"{server} {case.id}: {reps} x {duration:.0f}s, {case.connections} connections")
        runs = []
        for rep in range(reps):
            cpu0 = tree_cpu_seconds(proc.pid) if case.drain else 0.0
            r = wrk.run(
                proc.base,
                case.request,
                server_pid=proc.pid,
                duration=duration,
                connections=case.connections,
                work=opts.work,
                name=f"{server}-{case.id}-{rep}",
            )
            if case.drain:
                wait_idle(proc.pid, limit=600)
                cpu = tree_cpu_seconds(proc.pid) - cpu0
                r.cpu_ms_per_req = cpu * 1000 / (r.requests + case.connections)
            runs.append(r)
            log(
                f"  {r.rps:,.1f} req/s  p50 {r.p50_ms:.1f} ms  p99 {r.p99_ms:.1f} ms  "
                f"cpu {r.cpu_ms_per_req or 0:.3f} ms/req  {r.errors or ''}"
            )
        out = {"id": case.id, "server": server, "label": case.label, **wrk.median_rep(runs)}
        out.update(
            connections=case.connections,
            duration_s=duration,
            response_bytes=info["body_bytes"],
            decoded_bytes=info["decoded_bytes"],
            notes=case.notes,
        )
        results.append(out)
    return results
