"""Issue 15: rejoinder as one and as two hosts (two workers each) behind nginx, with PostgreSQL and Redis,
each in a network namespace of its own (tests/fixtures/hosts.py builds the topology).

Per topology: wrk through the balancer for a cached thread read (100 comments, gzip) and for comment writes;
server CPU per request is the CPU time of every process in the rejoinder hosts' namespaces (PostgreSQL,
Redis and nginx are apart: their CPU is reported on its own). Then the fault runs of the tests, counted:
kill -9 of one host under load, Redis unreachable for 10 s, PostgreSQL restarted (errors by status, and
acknowledged writes missing from the database afterwards, which must be 0).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import wrk

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.fixtures.hosts import ORIGIN, Topology, refused, wait_for  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")
ARTICLE = "https://news.example/bench/hosts"
ENV = {"REJOINDER_MODERATION__RATE_LIMITS": "false", "REJOINDER_EVENTS__GRACE_SECONDS": "1"}


def namespace_cpu(topology: Topology, machines: list[str]) -> float:
    """CPU seconds used so far by the live processes in these namespaces (exited ones are not counted)."""
    total = 0
    for machine in machines:
        pids = subprocess.run(
            ["ip", "netns", "pids", topology.ns(machine)], capture_output=True, text=True, check=False
        ).stdout.split()
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICK


def measure(
    topology: Topology, name: str, request: wrk.Request, *, duration: float, work: Path
) -> dict[str, Any]:
    hosts = [f"h{i}" for i in range(len(topology.hosts))]
    script = work / f"{name}.lua"
    script.write_text(request.lua(), encoding="utf-8")
    before = {"hosts": namespace_cpu(topology, hosts), "db": namespace_cpu(topology, ["db"])}
    out = subprocess.run(
        ["wrk", "-t1", "-c32", f"-d{round(duration)}s", "--timeout=30s", "-s", str(script),
         topology.url + request.path],
        capture_output=True, text=True, check=False, timeout=duration + 120,
    )  # fmt: skip
    hosts_cpu = namespace_cpu(topology, hosts) - before["hosts"]
    db_cpu = namespace_cpu(topology, ["db"]) - before["db"]
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith(wrk.MARK)), None)
    if out.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed for {name}: {out.stdout}\n{out.stderr}")
    s = json.loads(line[len(wrk.MARK) :])
    n = s["requests"]
    seconds = s["duration_us"] / 1e6
    return {
        "rps": round(n / seconds, 1) if seconds else 0.0,
        "requests": n,
        "p99_ms": s["p99_us"] / 1000,
        "cpu_ms_per_req": round(hosts_cpu * 1000 / n, 3) if n else None,
        "db_cpu_ms_per_req": round(db_cpu * 1000 / n, 3) if n else None,
        "errors": {k.removeprefix("err_"): v for k, v in s.items() if k.startswith("err_") and v},
    }


def seed(topology: Topology, count: int) -> None:
    import httpx

    for i in range(count):
        body = {"url": ARTICLE, "text": f"Seed comment {i} about the article", "author": {"name": "S"}}
        r = httpx.post(topology.url + "/api/comments", json=body, headers={"Origin": ORIGIN}, timeout=30)
        assert r.status_code == 201, r.text


def throughput(hosts: int, work: Path, duration: float, log: Callable[[str], None]) -> dict[str, Any]:
    work.mkdir(parents=True, exist_ok=True)
    found: dict[str, Any] = {}
    with Topology(work, hosts_count=hosts, env=ENV) as topology:
        seed(topology, 100)
        read = wrk.Request(
            f"/api/threads?url={ARTICLE}", headers={"Accept-Encoding": "gzip", "Origin": ORIGIN}
        )
        write = wrk.Request(
            "/api/comments",
            method="POST",
            headers={"Content-Type": "application/json", "Origin": ORIGIN},
            body=json.dumps(
                {"url": ARTICLE + "/w", "text": "Bench comment __N__ on hosts", "author": {"name": "B"}}
            ),
        )
        log(f"hosts: {hosts} host(s), cached reads")
        found["read"] = measure(topology, f"read-{hosts}", read, duration=duration, work=work)
        log(f"hosts: {hosts} host(s), writes")
        found["write"] = measure(topology, f"write-{hosts}", write, duration=duration, work=work)
    return found


def faults(work: Path, log: Callable[[str], None]) -> dict[str, Any]:
    """The three fault runs of tests/test_hosts.py, counted instead of asserted."""
    from tests.test_hosts import Load, stored_ids

    found: dict[str, Any] = {}

    def run(name: str, fault: Callable[[Topology, Load], None]) -> None:
        log(f"hosts: fault run, {name}")
        place = work / name
        place.mkdir(parents=True, exist_ok=True)
        with Topology(place, env=ENV) as topology:
            with Load(topology.url) as load:
                load.wait_more(40, "requests before the fault")
                started = time.monotonic()
                fault(topology, load)
                load.wait_more(40, "requests after the fault")
            stored = stored_ids(topology)
            found[name] = {
                "statuses": {str(k): v for k, v in sorted(load.statuses.items())},
                "failures": len(load.failures),
                "acknowledged": len(load.acknowledged),
                "lost": len(set(load.acknowledged) - stored),
                "seconds": round(time.monotonic() - started, 1),
            }

    def kill_host(topology: Topology, load: Load) -> None:
        topology.hosts[0].proc.kill()

    def redis_gone(topology: Topology, load: Load) -> None:
        topology.cut("redis")
        cut = time.monotonic()
        wait_for(lambda: time.monotonic() - cut >= 10, "ten seconds without Redis", timeout=30)
        topology.plug("redis")

    def pg_restart(topology: Topology, load: Load) -> None:
        topology.stop_pg()
        topology.start_pg()

    run("kill_host", kill_host)
    run("redis_10s", redis_gone)
    run("pg_restart", pg_restart)
    return found


def run(work: Path, *, quick: bool, log: Callable[[str], None]) -> dict[str, Any]:
    why = refused()
    if why is not None:
        log(f"hosts: not measured: {why}")
        return {"available": False, "why": why}
    duration = 5.0 if quick else 10.0
    found: dict[str, Any] = {"available": True, "duration_s": duration}
    found["one"] = throughput(1, work / "one", duration, log)
    found["two"] = throughput(2, work / "two", duration, log)
    found["faults"] = faults(work / "faults", log)
    return found
