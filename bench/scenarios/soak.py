"""Soak (issue 10): mixed traffic against `rejoinder serve --workers 2` for a long time (30 minutes in `make
bench`, `--soak-minutes` to change it), sampling the resident memory (RSS) of every process of the server.

Traffic: four clients, one request after another, over 40 articles of one site: 70 % thread reads (some of
them of the thread just written to), 10 % counts, 12 % comment likes, 8 % new comments. Memory is sampled every
5 s from /proc/<pid>/status (VmRSS) for the main process and each worker. The first 20 % of the run is warm-up;
the rest is split in two halves and the run passes when, for every process and for their sum, the mean RSS of
the second half is within 10 % of the first half's.
"""

from __future__ import annotations

import json
import random
import statistics
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

ORIGIN = "https://bench.example"
ARTICLES = [f"{ORIGIN}/soak/{n}" for n in range(40)]
ENV = {
    "REJOINDER_MODERATION__RATE_LIMITS": "false",
    "REJOINDER_MODERATION__REPEAT_WINDOW": "0",
    "REJOINDER_MODERATION__MIN_SECONDS": "0",
}
SAMPLE_EVERY_S = 5.0
WARM_UP = 0.2
FLAT_WITHIN = 0.10


def rss_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return sorted(found)


def _call(
    method: str, url: str, body: dict[str, Any] | None = None, headers: dict[str, str] | None = None
) -> int:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(
        url,
        data=data,
        method=method,
        headers={"Content-Type": "application/json", "Origin": ORIGIN, **(headers or {})},
    )
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            resp.read()
            return resp.status
    except urllib.error.HTTPError as exc:
        exc.read()
        return exc.code


class Client(threading.Thread):
    def __init__(self, base: str, n: int, stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.base, self.rng, self.stop = base, random.Random(n), stop
        self.visitor = f"soak-visitor-{n:016d}"
        self.counts: dict[str, int] = {}
        self.errors: dict[str, int] = {}
        self.known: list[str] = []

    def run(self) -> None:
        while not self.stop.is_set():
            article = self.rng.choice(ARTICLES)
            roll = self.rng.random()
            if roll < 0.70:
                kind, status = (
                    "read",
                    _call("GET", f"{self.base}/api/threads?url={urllib.parse.quote(article, safe='')}"),
                )
            elif roll < 0.80:
                query = "&".join(
                    f"url={urllib.parse.quote(a, safe='')}" for a in self.rng.sample(ARTICLES, 20)
                )
                kind, status = "counts", _call("GET", f"{self.base}/api/counts?{query}")
            elif roll < 0.92 and self.known:
                target = self.rng.choice(self.known[-200:])
                kind, status = (
                    "like",
                    _call(
                        "PUT",
                        f"{self.base}/api/comments/{target}/like",
                        headers={"Rejoinder-Visitor": self.visitor},
                    ),
                )
            else:
                text = f"Soak comment from {self.visitor}: " + " ".join(
                    self.rng.choices(_WORDS, k=self.rng.randint(8, 120))
                )
                req = urllib.request.Request(
                    f"{self.base}/api/comments",
                    data=json.dumps({"url": article, "text": text, "author": {"name": "Soak"}}).encode(),
                    method="POST",
                    headers={"Content-Type": "application/json", "Origin": ORIGIN},
                )
                kind = "write"
                try:
                    with urllib.request.urlopen(req, timeout=60) as resp:
                        status = resp.status
                        made = json.loads(resp.read())
                        if made["status"] == "published":  # a held comment cannot be liked
                            self.known.append(made["id"])
                except urllib.error.HTTPError as exc:
                    status = exc.code
                except OSError:
                    status = 0
            self.counts[kind] = self.counts.get(kind, 0) + 1
            if status not in (200, 201):
                self.errors[f"{kind} {status}"] = self.errors.get(f"{kind} {status}", 0) + 1


# Plain words from one sentence: word salad with links and markup looks like spam to the classifier, and held
# comments cannot be liked.
_SENTENCE = (
    "the article makes a fair point about gardens and rain but I would add that soil matters more than "
    "light in early spring when seedlings need patience water and a little shade from the afternoon sun"
)
_WORDS = _SENTENCE.split(" ")


def measure(base: str, server_pid: int, minutes: float, log: Callable[[str], None] = print) -> dict[str, Any]:
    stop = threading.Event()
    clients = [Client(base, n, stop) for n in range(4)]
    for c in clients:
        c.start()
    samples: list[tuple[float, dict[str, int]]] = []
    t0 = time.monotonic()
    end = t0 + minutes * 60
    next_log = t0 + 60
    while time.monotonic() < end:
        procs = {"main": server_pid, **{f"worker-{i + 1}": pid for i, pid in enumerate(children(server_pid))}}
        sample = {name: kib for name, pid in procs.items() if (kib := rss_kib(pid)) is not None}
        samples.append((time.monotonic() - t0, sample))
        if time.monotonic() >= next_log:
            next_log += 60
            total = sum(sample.values()) / 1024
            log(
                f"  soak {int((time.monotonic() - t0) // 60)} min: RSS {total:.0f} MiB ({', '.join(f'{k} {v / 1024:.0f}' for k, v in sample.items())})"
            )
        time.sleep(SAMPLE_EVERY_S)
    stop.set()
    for c in clients:
        c.join(timeout=60)
    return judge(samples, minutes, clients)


def judge(
    samples: list[tuple[float, dict[str, int]]], minutes: float, clients: list[Client]
) -> dict[str, Any]:
    span = minutes * 60
    after = [(t, s) for t, s in samples if t >= span * WARM_UP]
    half = span * WARM_UP + (span * (1 - WARM_UP)) / 2
    first = [s for t, s in after if t < half]
    second = [s for t, s in after if t >= half]
    names = sorted({k for _, s in after for k in s})
    rows = []
    for name in [*names, "total"]:

        def value(s: dict[str, int], name: str = name) -> int | None:
            return sum(s.values()) if name == "total" else s.get(name)

        a = [v for s in first if (v := value(s)) is not None]
        b = [v for s in second if (v := value(s)) is not None]
        if not a or not b:
            continue
        mean_a, mean_b = statistics.mean(a), statistics.mean(b)
        growth = (mean_b - mean_a) / mean_a
        rows.append(
            {
                "process": name,
                "after_warm_up_mib": round(mean_a / 1024, 1),
                "end_mib": round(mean_b / 1024, 1),
                "peak_mib": round(max(b) / 1024, 1),
                "growth_pct": round(growth * 100, 1),
                "flat": growth <= FLAT_WITHIN,
            }
        )
    counts: dict[str, int] = {}
    errors: dict[str, int] = {}
    for c in clients:
        for k, v in c.counts.items():
            counts[k] = counts.get(k, 0) + v
        for k, v in c.errors.items():
            errors[k] = errors.get(k, 0) + v
    return {
        "minutes": minutes,
        "samples": len(samples),
        "requests": counts,
        "errors": errors,
        "rows": rows,
        "passed": bool(rows) and all(r["flat"] for r in rows) and not errors,
    }


def run(
    start_server: Callable[[int, str, dict[str, str]], Any],
    stop_server: Callable[[Any], None],
    *,
    minutes: float,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """`start_server(workers, name, env)` returns a process with `.base` and `.pid` (the main process)."""
    log(f"soak: {minutes:g} minutes of mixed traffic against 2 workers")
    server = start_server(2, "rejoinder-soak", ENV)
    try:
        result = measure(server.base, server.pid, minutes, log)
    finally:
        stop_server(server)
    verdict = "flat" if result["passed"] else "NOT flat (or errors)"
    log(
        f"  soak: {verdict}; total RSS growth {next((r['growth_pct'] for r in result['rows'] if r['process'] == 'total'), '?')} %"
    )
    return result
