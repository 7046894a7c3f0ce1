"""Before/after: the rejoinder load cases of two checkouts, interleaved on one machine (issue #11).

    .venv/bin/python bench/compare.py /work/wt/before [--after .] [--configs nocache,rebuild,1w,2w]
        [--rounds 3] [--duration 10] [--cases cold-counts-20,...] [--output /tmp/compare.json]

Each checkout needs its own `.venv` and a seeded database in its `bench/.work/seed-cache/` (one run of
`bench/run.py --quick --no-isso --no-widget --no-reliability --output /tmp/x.json --doc /tmp/x.md` there
makes it). For every server configuration of `make bench` (1 worker, 2 workers, response cache off, response
cache and comment fragments off) both checkouts' servers run at the same time, each on a fresh copy of its
own seeded database, and wrk alternates between them case by case, flipping which goes first every round.
A shared machine's load then falls on both sides alike, which separate runs a minute apart do not give
(docs/benchmarks.md, "Structure work (issue #11)"). Reported per case: server CPU per request and req/s,
the median over the rounds of each side and of the after/before ratio of each round, and the load average
sampled every 5 s. Run as root for the default `--nice -10`. Nothing is written under docs/ or bench/results/.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import wrk
from procs import Proc, Procs, free_port, set_priority, wait_http
from scenarios import load
from servers import ROOT, SERVE_SETTINGS, clean_env, log, settings_env

OFF = {"REJOINDER_CACHE__MAX_ENTRIES": "0"}
CONFIGS: dict[str, tuple[int, dict[str, str], Callable[[], list[load.Case]]]] = {
    "nocache": (1, {**OFF, "REJOINDER_CACHE__COMMENT_FRAGMENTS": "0"}, load.rejoinder_cold_cases),
    "rebuild": (1, OFF, load.rejoinder_rebuild_cases),
    "1w": (1, {}, load.rejoinder_cases),
    "2w": (2, {}, load.rejoinder_cases),
}


def seeded_db(tree: Path) -> Path:
    found = sorted((tree / "bench" / ".work" / "seed-cache").glob("rejoinder-*.db"))
    if len(found) != 1:
        raise SystemExit(
            f"compare: expected one seeded database in {tree}/bench/.work/seed-cache, found {found}"
        )
    return found[0]


def loadavg() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


def start(procs: Procs, tree: Path, name: str, workers: int, env: dict[str, str], work: Path) -> Proc:
    work.mkdir(parents=True)
    db = work / "bench.db"
    shutil.copyfile(seeded_db(tree), db)
    port = free_port()
    command = [str(tree / ".venv" / "bin" / "rejoinder"), "serve", "--host", "127.0.0.1", "--port", str(port)]
    proc = procs.start(
        name,
        [*command, "--workers", str(workers)],
        env=clean_env({"REJOINDER_DATABASE__URL": f"sqlite:///{db}", **settings_env(SERVE_SETTINGS), **env}),
        cwd=work,
    )
    proc.base = f"http://127.0.0.1:{port}"
    wait_http(proc.base + "/healthz", proc)
    return proc


def compare(config: str, trees: dict[str, Path], args: argparse.Namespace) -> dict[str, Any]:
    """Both sides' servers in `config`; `args.rounds` alternated wrk runs per case; every run returned."""
    workers, env, make_cases = CONFIGS[config]
    cases = [c for c in make_cases() if not args.cases or c.id in args.cases]
    work = args.work / config
    shutil.rmtree(work, ignore_errors=True)
    (work / "wrk").mkdir(parents=True)
    procs = Procs(work / "logs", nice=args.nice)
    (work / "logs").mkdir(parents=True)
    loads: list[float] = []
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            loads.append(loadavg())
            done.wait(5)

    threading.Thread(target=sample, daemon=True).start()
    runs: list[dict[str, Any]] = []
    began = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    try:
        servers = {
            side: start(procs, tree, f"{side}-{config}", workers, env, work / side)
            for side, tree in trees.items()
        }
        for case in cases:
            for proc in servers.values():
                load.check(proc.base, case)
        for rnd in range(args.rounds):
            order = list(servers) if rnd % 2 == 0 else list(reversed(servers))
            for case in cases:
                for side in order:
                    proc = servers[side]
                    rep = wrk.run(
                        proc.base,
                        case.request,
                        server_pid=proc.pid,
                        duration=args.duration,
                        connections=case.connections,
                        work=work / "wrk",
                        name=f"{side}-{case.id}-{rnd}",
                    )
                    runs.append(
                        {
                            "side": side,
                            "case": case.id,
                            "label": case.label,
                            "round": rnd,
                            "cpu_ms_per_req": rep.cpu_ms_per_req,
                            "rps": rep.rps,
                            "p99_ms": rep.p99_ms,
                            "other_busy": rep.other_busy,
                            "errors": rep.errors,
                        }
                    )
                    log(
                        f"{config} round {rnd} {case.id} {side}: {rep.rps:,.1f} req/s, {rep.cpu_ms_per_req or 0:.3f} ms CPU/req"
                    )
    finally:
        procs.stop_all()
        done.set()
    ended = time.strftime("%H:%M:%S UTC", time.gmtime())
    return {"config": config, "began": began, "ended": ended, "loadavg": loads, "runs": runs}


def summary(part: dict[str, Any]) -> list[str]:
    """One line per case: medians of each side, the median of the per-round ratios, every run."""
    lines = []
    cases = dict.fromkeys(r["case"] for r in part["runs"])
    for case in cases:
        rounds: dict[int, dict[str, dict[str, Any]]] = {}
        for r in part["runs"]:
            if r["case"] == case:
                rounds.setdefault(r["round"], {})[r["side"]] = r
        pairs = [p for _, p in sorted(rounds.items()) if len(p) == 2]
        for what, key, digits in (("CPU ms/req", "cpu_ms_per_req", 3), ("req/s", "rps", 0)):
            before = [p["before"][key] for p in pairs]
            after = [p["after"][key] for p in pairs]
            ratios = [a / b - 1 for a, b in zip(after, before, strict=True)]
            each = " / ".join(f"{r:+.0%}" for r in ratios)
            lines.append(
                f"{part['config']:8} {case:16} {what:10} before {statistics.median(before):,.{digits}f} "
                f"after {statistics.median(after):,.{digits}f} "
                f"change {statistics.median(after) / statistics.median(before) - 1:+.1%} "
                f"(per round {each}; median {statistics.median(ratios):+.1%})"
            )
    loads = part["loadavg"]
    lines.append(
        f"{part['config']:8} {part['began']}–{part['ended']}, load average {min(loads):.1f}–{max(loads):.1f}"
        f" (median {statistics.median(loads):.1f})"
    )
    return lines


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("before", type=Path, help="the checkout measured as before (with its .venv and seed)")
    ap.add_argument(
        "--after", type=Path, default=ROOT, help="the checkout measured as after (default: this one)"
    )
    ap.add_argument("--configs", default=",".join(CONFIGS), help=f"from {', '.join(CONFIGS)}")
    ap.add_argument("--cases", default="", help="only these case ids (e.g. cold-counts-20)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--duration", type=float, default=10.0, help="seconds per wrk run")
    ap.add_argument("--nice", type=int, default=-10 if os.geteuid() == 0 else 0)
    ap.add_argument("--work", type=Path, default=Path("/tmp/rejoinder-compare"))
    ap.add_argument("--output", type=Path, default=Path("/tmp/rejoinder-compare.json"))
    args = ap.parse_args()
    args.cases = set(filter(None, args.cases.split(",")))
    if args.nice:
        set_priority(os.getpid(), args.nice)  # wrk inherits it; the servers get theirs in Procs
    trees = {"before": args.before.resolve(), "after": args.after.resolve()}
    parts = [compare(config, trees, args) for config in args.configs.split(",")]
    args.output.write_text(
        json.dumps({"trees": {k: str(v) for k, v in trees.items()}, "parts": parts}, indent=1)
    )
    for part in parts:
        print("\n".join(summary(part)))
    log(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
