"""Run wrk against one request shape and return req/s, latency percentiles and the server's CPU per request.

Every run uses a small generated Lua script: it sets the method, headers and body (a counter makes each
POSTed text unique) and prints a JSON summary in done(), so nothing depends on wrk's text layout.
"""

from __future__ import annotations

import json
import resource
import subprocess
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from procs import TICK, tree_cpu_seconds, wait_idle

MARK = "BENCH-JSON "

LUA = r"""
wrk.method = %(method)s
%(headers)s
%(request)s
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '%(mark)s{"requests": %%d, "duration_us": %%d, "bytes": %%d, "p50_us": %%d, "p90_us": %%d, '
    .. '"p99_us": %%d, "max_us": %%d, "mean_us": %%f, "err_connect": %%d, "err_read": %%d, '
    .. '"err_write": %%d, "err_status": %%d, "err_timeout": %%d}\n',
    summary.requests, summary.duration, summary.bytes, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, latency.mean, e.connect, e.read, e.write, e.status, e.timeout))
end
"""

REQUEST = r"""
local counter = 0
local path = %(path)s
local body = %(body)s
request = function()
  counter = counter + 1
  return wrk.format(nil, path, nil, (body:gsub("__N__", tostring(counter))))
end
"""


def machine_busy_seconds() -> float:
    """CPU seconds all cores spent busy since boot (/proc/stat: everything but idle and iowait)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / TICK


def children_cpu_seconds() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _lua_str(value: str | None) -> str:
    if value is None:
        return "nil"
    level = "=" * 4
    assert f"]{level}]" not in value
    return f"[{level}[{value}]{level}]"


@dataclass
class Request:
    path: str  # path and query
    method: str = "GET"
    headers: dict[str, str] = field(default_factory=dict)
    body: str | None = None  # "__N__" is replaced by a per-request counter

    def lua(self) -> str:
        headers = "\n".join(f"wrk.headers[ {_lua_str(k)} ] = {_lua_str(v)}" for k, v in self.headers.items())
        request = ""
        if self.body is not None:  # a request() hook only when each request differs (it costs wrk CPU)
            request = REQUEST % {"path": _lua_str(self.path), "body": _lua_str(self.body)}
        return LUA % {"method": _lua_str(self.method), "headers": headers, "request": request, "mark": MARK}


@dataclass
class Rep:
    rps: float
    requests: int
    seconds: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    cpu_ms_per_req: float | None  # server process tree CPU over the run / completed requests
    server_busy: float  # server CPU seconds / wall seconds (2.0 = both cores)
    wrk_busy: float  # wrk's own CPU seconds / wall seconds
    other_busy: float  # everything else on the machine (other people's work), cores
    bytes_per_resp: float
    errors: dict[str, int]


def run(
    base: str,
    req: Request,
    *,
    server_pid: int,
    duration: float,
    connections: int = 32,
    timeout_s: int = 60,
    work: Path,
    name: str,
) -> Rep:
    script = work / f"{name}.lua"
    script.write_text(req.lua(), encoding="utf-8")
    wait_idle(server_pid)
    cpu0 = tree_cpu_seconds(server_pid)
    busy0, kids0 = machine_busy_seconds(), children_cpu_seconds()
    t0 = time.monotonic()
    out = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{max(1, round(duration))}s",
            f"--timeout={timeout_s}s",
            "--latency",
            "-s",
            str(script),
            base + req.path,
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=duration + timeout_s + 60,
    )
    wall = time.monotonic() - t0
    cpu = tree_cpu_seconds(server_pid) - cpu0
    wrk_cpu = children_cpu_seconds() - kids0
    other = machine_busy_seconds() - busy0 - cpu - wrk_cpu
    (work / f"{name}.out").write_text(out.stdout + out.stderr, encoding="utf-8")
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith(MARK)), None)
    if out.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed for {name} (exit {out.returncode}):\n{out.stdout}\n{out.stderr}")
    s = json.loads(line[len(MARK) :])
    n = s["requests"]
    seconds = s["duration_us"] / 1e6
    errors = {k.removeprefix("err_"): v for k, v in s.items() if k.startswith("err_") and v}
    return Rep(
        rps=n / seconds if seconds else 0.0,
        requests=n,
        seconds=seconds,
        p50_ms=s["p50_us"] / 1000,
        p90_ms=s["p90_us"] / 1000,
        p99_ms=s["p99_us"] / 1000,
        max_ms=s["max_us"] / 1000,
        cpu_ms_per_req=cpu * 1000 / n if n else None,
        server_busy=cpu / wall if wall else 0.0,
        wrk_busy=wrk_cpu / wall if wall else 0.0,
        other_busy=max(0.0, other / wall) if wall else 0.0,
        bytes_per_resp=s["bytes"] / n if n else 0.0,
        errors=errors,
    )


def median_rep(reps: list[Rep]) -> dict[str, object]:
    """The rep with the median req/s, plus every rep's req/s (3 reps: the middle one)."""
    ordered = sorted(reps, key=lambda r: r.rps)
    mid = ordered[(len(ordered) - 1) // 2] if len(ordered) % 2 else ordered[len(ordered) // 2 - 1]
    out = asdict(mid)
    out["reps_rps"] = [float(f"{r.rps:.3g}") for r in reps]
    out["reps"] = len(reps)
    return out
