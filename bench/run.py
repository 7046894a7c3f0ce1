"""The benchmark: rejoinder beside Isso and nginx, in one run, on this machine.

    .venv/bin/python bench/run.py            # full run (10 s x 3 repetitions per case), ~25 minutes
    .venv/bin/python bench/run.py --quick    # 2 s x 1, for development
    .venv/bin/python bench/run.py --moderation-only   # only the moderation pipeline's latency (~1 minute)
    .venv/bin/python bench/run.py --classifier-only   # only the classifier on the held-out set (~1 minute)
    .venv/bin/python bench/run.py --only mail   # only the email throughput (issue 13), merged into the last results

Writes bench/results/latest.json and docs/benchmarks.md. See bench/README.md for the method.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import corpus
import report
import seed_rejoinder
from procs import Procs, free_port, set_priority
from scenarios import (
    classifier,
    crash,
    export,
    hosts,
    imports,
    isolation,
    live,
    load,
    mail,
    moderation,
    soak,
    widget,
)
from servers import (
    ISSO_VENV,
    ROOT,
    SEED_SETTINGS,
    SERVE_SETTINGS,
    WORK,
    Isso,
    Nginx,
    Rejoinder,
    ensure_apt,
    ensure_isso,
    log,
    nginx_binary,
    settings_env,
)

RESULTS = ROOT / "bench" / "results" / "latest.json"
DOC = ROOT / "docs" / "benchmarks.md"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="2 s per case, 1 repetition (development)")
    ap.add_argument("--duration", type=float, help="seconds per wrk run (default 10; 2 with --quick)")
    ap.add_argument(
        "--reps", type=int, help="repetitions per case, median reported (default 3; 1 with --quick)"
    )
    ap.add_argument("--no-two-workers", action="store_true", help="skip the rejoinder 2-worker run")
    ap.add_argument("--no-widget", action="store_true", help="skip the headless-Chromium widget timing")
    ap.add_argument("--no-load", action="store_true", help="skip the wrk cases (widget timing only)")
    ap.add_argument("--no-isso", action="store_true", help="skip Isso (ratios against it stay empty)")
    ap.add_argument("--no-moderation", action="store_true", help="skip the moderation pipeline latency")
    ap.add_argument("--no-imports", action="store_true", help="skip the 100,000-comment import (issue 14)")
    ap.add_argument(
        "--imports-only",
        action="store_true",
        help="measure only the large WXR import (rejoinder on SQLite and PostgreSQL, Isso) and update it in "
        "the existing results and report",
    )
    ap.add_argument(
        "--no-classifier", action="store_true", help="skip the classifier on the held-out set (issue 18)"
    )
    ap.add_argument(
        "--classifier-only",
        action="store_true",
        help="measure only the classifier on the held-out set and update it in the existing results and report",
    )
    ap.add_argument(
        "--moderation-only",
        action="store_true",
        help="measure only the moderation pipeline's latency and update it in the existing results and report",
    )
    ap.add_argument(
        "--widget-only",
        action="store_true",
        help="time only the widgets in Chromium (rejoinder and Isso) and update them in the existing results "
        "and report",
    )
    ap.add_argument(
        "--moderation-pg",
        metavar="URL",
        help="also measure the moderation pipeline on this PostgreSQL database (postgresql://…; its tables "
        "are created by migration, so use an empty database)",
    )
    ap.add_argument(
        "--nice",
        type=int,
        help="priority change for the benchmark and every server it starts (default -10 for a full run as "
        "root, so other work on a shared machine disturbs it less; 0 with --quick)",
    )
    ap.add_argument(
        "--no-reliability", action="store_true", help="skip crash cycles, load isolation and soak"
    )
    ap.add_argument(
        "--only",
        metavar="PARTS",
        help="run only these parts (comma-separated: crash, isolation, soak, live, export, mail, hosts, "
        "uncached, writes) and merge them into the "
        "existing results and report",
    )
    ap.add_argument("--no-export", action="store_true", help="skip the export of a 100,000-comment site")
    ap.add_argument(
        "--no-mail",
        action="store_true",
        help="skip the email throughput of the notification sender (issue 13)",
    )
    ap.add_argument(
        "--mail-subscribers",
        type=int,
        help="subscribers told about one comment in the email part (default 1,000; 200 with --quick)",
    )
    ap.add_argument(
        "--crash-cycles", type=int, help="kill -9 cycles per database (default 50; 5 with --quick)"
    )
    ap.add_argument(
        "--crash-pg",
        default="postgresql://postgres@127.0.0.1:5432",
        metavar="URL",
        help="PostgreSQL server for the crash cycles (a database is created and dropped); 'none' to skip",
    )
    ap.add_argument(
        "--soak-minutes", type=float, help="minutes of mixed traffic in the soak (default 30; 2 with --quick)"
    )
    ap.add_argument(
        "--live-redis",
        default="redis://127.0.0.1:6379/0",
        metavar="URL",
        help="Redis for the live-updates part (its invalidation keys go there)",
    )
    ap.add_argument("--output", type=Path, default=RESULTS, help="results JSON")
    ap.add_argument("--doc", type=Path, default=DOC, help="Markdown report to write")
    args = ap.parse_args(argv)
    if args.widget_only:
        # the crash cycles, isolation and soak too: their results would be dropped by the widget-only merge
        args.no_load = args.no_moderation = args.no_two_workers = args.no_reliability = True
        args.no_export = args.no_imports = args.no_classifier = args.no_mail = True
    args.duration = args.duration or (2.0 if args.quick else 10.0)
    args.crash_cycles = args.crash_cycles or (5 if args.quick else 50)
    args.soak_minutes = args.soak_minutes or (2.0 if args.quick else 30.0)
    args.reps = args.reps or (1 if args.quick else 3)
    args.mail_subscribers = args.mail_subscribers or (200 if args.quick else 1000)
    if args.nice is None:
        args.nice = -10 if not args.quick and os.geteuid() == 0 else 0
    return args


def machine_info() -> dict[str, Any]:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(mem_kb / 2**20, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "loadavg_at_start": Path("/proc/loadavg").read_text().split()[:3],
    }


def tool_versions() -> dict[str, str]:
    def first_line(argv: list[str]) -> str:
        out = subprocess.run(argv, capture_output=True, text=True, check=False)
        return (out.stdout + out.stderr).strip().splitlines()[0] if (out.stdout + out.stderr).strip() else "?"

    from rejoinder import __version__

    return {
        "rejoinder": __version__,
        "wrk": first_line(["wrk", "-v"]).split(" [")[0],
        "nginx": first_line([nginx_binary(), "-v"]).split(":")[-1].strip(),
    }


def thread_facts(base: str) -> dict[str, Any]:
    """What one rejoinder read of each thread holds, and the bytes nginx will serve for the 1k thread."""
    facts: dict[str, Any] = {}
    for size in corpus.SIZES:
        url = base + load.rejoinder_thread_path(size)
        with urllib.request.urlopen(url, timeout=60) as resp:
            body = resp.read()
        req = urllib.request.Request(url, headers=load.GZIP)
        with urllib.request.urlopen(req, timeout=60) as resp:
            gz = resp.read()
            assert resp.headers.get("content-encoding") == "gzip"
        assert gzip.decompress(gz) == body, "the gzip body must decode to the same bytes"
        data = json.loads(body)
        facts[f"t{size}"] = {
            "comments_in_thread": data["thread"]["count"],
            "comments_in_response": len(data["comments"]),
            "roots": data["page"]["roots"],
            "pages": data["page"]["pages"],
            "bytes": len(body),
            "gzip_bytes": len(gz),
            "body": body,
            "gzip_body": gz,
        }
        if size == 1000 and (data["page"]["pages"] != 1 or len(data["comments"]) != size):
            raise RuntimeError(f"the 1,000-comment thread is not whole in one response: {data['page']}")
    return facts


def isso_sizes(base: str) -> dict[str, int]:
    sizes = {}
    for size in corpus.SIZES[:2]:  # the 10,000-comment read takes ~20 s; its size is taken from wrk
        with urllib.request.urlopen(f"{base}/?uri={corpus.read_path(size)}", timeout=120) as resp:
            sizes[f"t{size}"] = len(resp.read())
    return sizes


def source_digest() -> str:
    """A hash of every source file of rejoinder: each server started loads the tree as it is then."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "src" / "rejoinder").rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def seed_cache(corpus_json: Path) -> Path:
    """Where a seeded rejoinder database is kept between runs: keyed by the corpus and by every source
    file of rejoinder (stored HTML is rendered at write time, so any code change means seeding again)."""
    digest = hashlib.sha256(corpus_json.read_bytes() + source_digest().encode()).hexdigest()[:16]
    folder = WORK / "seed-cache"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"rejoinder-{digest}.db"


def moderation_latency(args: argparse.Namespace) -> dict[str, Any]:
    """The moderation pipeline's added latency per comment (issue 6), in this process, nothing else running."""
    log("moderation pipeline latency")
    found = moderation.run(WORK / "moderation", quick=args.quick, pg_url=args.moderation_pg)
    for row in found["rows"]:
        log(f"  {row['what']}: p50 {row['p50_ms']:.2f} ms, p99 {row['p99_ms']:.2f} ms")
    return found


def classifier_quality() -> dict[str, Any]:
    """The classifier on the held-out set, per language and kind, and a site's learning (issue 18), in this
    process; also rewrites its block in docs/moderation.md."""
    log("classifier on the held-out set")
    found = classifier.run()
    h = found["heldout"]
    log(
        f"  legitimate held {100 * h['ham_held']:.1f} % (difficult {100 * h['difficult_ham_held']:.1f} %), "
        f"spam recall {h['spam']['recall']:.3f}, abuse recall {h['abuse']['recall']:.3f}"
    )
    classifier.write_docs(classifier.markdown(found))
    found["date"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return found


def merge_only(
    args: argparse.Namespace, key: str, measure: Callable[[argparse.Namespace], dict[str, Any]]
) -> int:
    """--moderation-only, --imports-only, --classifier-only: measure one part and put it into the existing results and report."""
    if args.nice:
        set_priority(os.getpid(), args.nice)
    results = json.loads(args.output.read_text(encoding="utf-8")) if args.output.exists() else None
    if results is None:
        log(f"no results at {args.output}: run the whole benchmark first")
        return 2
    results[key] = measure(args)
    results[key]["date"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    results[key]["loadavg_at_start"] = machine_info()["loadavg_at_start"]
    args.output.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    report.write_doc(args.doc, results)
    log(f"wrote {args.output} and {args.doc}")
    return 0


def import_timing(args: argparse.Namespace) -> dict[str, Any]:
    """Issue 14: a generated WXR imported by `rejoinder import` (SQLite 10k and 100k, PostgreSQL 100k) and by
    `isso import`, one process each, after every server has stopped."""
    log("importing a generated WordPress export")
    isso_bin = None if args.no_isso else ISSO_VENV / "bin" / "isso"
    if isso_bin is not None:
        ensure_isso()
    pg = None if args.crash_pg == "none" else args.crash_pg
    found = imports.run(
        WORK / "imports", root=ROOT, isso_bin=isso_bin, pg_server=pg, quick=args.quick, log=log
    )
    return found


RELIABILITY = ("crash", "isolation", "soak", "live")
ONLY = (*RELIABILITY, "export", "mail", "hosts", "uncached", "writes")


def _seeded_rejoinder() -> tuple[Rejoinder, Path]:
    """The benchmark's corpus seeded into a fresh copy of rejoinder's database (the seed cache, or a new
    seeding), as a full run has it; and the corpus file (Isso seeds from it)."""
    threads = corpus.build()
    corpus_json = WORK / "corpus.json"
    corpus.dump(threads, corpus_json)
    work = WORK / "rejoinder"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    db_path = work / "bench.db"
    db_url = f"sqlite:///{db_path}"
    rj = Rejoinder(db_url, work)
    cached = seed_cache(corpus_json)
    if cached.exists():
        shutil.copyfile(cached, db_path)
    else:
        rj.cli("site", "add", "bench", "--origin", corpus.ORIGIN)
        seed_rejoinder.seed(db_url, threads, settings_env(SEED_SETTINGS), work)
        for old in cached.parent.glob("rejoinder-*.db"):
            old.unlink()
        shutil.copyfile(db_path, cached)
    return rj, corpus_json


def _dated(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    when, loadavg = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), machine_info()["loadavg_at_start"]
    for case in found:
        case.update(date=when, loadavg_at_end=loadavg)
    return found


def uncached_bench(args: argparse.Namespace, procs: Procs) -> list[dict[str, Any]]:
    """Issue 15: only the uncached read cases (rebuilt from fragments, and first reads), on the seeded
    database, with the same servers and wrk settings as a full run."""
    ensure_apt()
    rj, _ = _seeded_rejoinder()
    opts = load.Options(duration=args.duration, reps=args.reps, quick=args.quick, work=WORK / "wrk")
    (WORK / "wrk").mkdir(parents=True, exist_ok=True)
    found: list[dict[str, Any]] = []
    server = rj.start(procs, workers=1, name="rejoinder-rebuild", env={"REJOINDER_CACHE__MAX_ENTRIES": "0"})
    found += load.measure("rejoinder-1w-rebuild", server, load.rejoinder_rebuild_cases(), opts)
    procs.stop(server)
    off = {"REJOINDER_CACHE__MAX_ENTRIES": "0", "REJOINDER_CACHE__COMMENT_FRAGMENTS": "0"}
    server = rj.start(procs, workers=1, name="rejoinder-nocache", env=off)
    found += load.measure("rejoinder-1w-nocache", server, load.rejoinder_cold_cases(), opts)
    procs.stop(server)
    return _dated(found)


def writes_bench(args: argparse.Namespace, procs: Procs) -> list[dict[str, Any]]:
    """Issue 15: only the comment-write case, for rejoinder with one and two workers and for Isso, in one
    run on the seeded databases, with the same servers and wrk settings as a full run."""
    ensure_apt()
    ensure_isso()
    rj, corpus_json = _seeded_rejoinder()
    opts = load.Options(duration=args.duration, reps=args.reps, quick=args.quick, work=WORK / "wrk")
    (WORK / "wrk").mkdir(parents=True, exist_ok=True)
    writes = [c for c in load.rejoinder_cases() if c.id == "write"]
    found: list[dict[str, Any]] = []
    for workers in (1, 2):
        server = rj.start(procs, workers=workers, name=f"rejoinder-{workers}w")
        found += load.measure(f"rejoinder-{workers}w", server, writes, opts)
        procs.stop(server)
    isso = Isso(WORK / "isso", free_port(), corpus.ORIGIN)
    isso.configure()
    isso.seed(corpus_json)
    isso_proc = isso.start(procs)
    found += load.measure("isso", isso_proc, [c for c in load.isso_cases() if c.id == "write"], opts)
    procs.stop(isso_proc)
    return _dated(found)


def export_bench(args: argparse.Namespace) -> dict[str, Any]:
    """Issue 14: `rejoinder export` of a generated 10,000- and 100,000-comment site, its restore and re-export."""
    log("export of a generated site")
    work = WORK / "export"
    shutil.rmtree(work, ignore_errors=True)
    found = export.run(work, quick=args.quick, log=log)
    found["date"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    shutil.rmtree(work, ignore_errors=True)
    return found


def reliability(
    args: argparse.Namespace, procs: Procs, parts: tuple[str, ...] = RELIABILITY
) -> dict[str, Any]:
    """Issue 10: kill -9 cycles, a reader's latency during write bursts, and the soak; each on a fresh database."""
    found: dict[str, Any] = {}
    if "crash" in parts:
        pg = None if args.crash_pg == "none" else args.crash_pg
        work = WORK / "reliability" / "crash"
        shutil.rmtree(work, ignore_errors=True)
        found["crash"] = crash.run(args.crash_cycles, work=work, pg_server=pg, log=log)
    if {"isolation", "soak"} & set(parts):
        work = WORK / "reliability" / "serving"
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        db_url = f"sqlite:///{work / 'reliability.db'}"
        rj = Rejoinder(db_url, work)
        rj.cli("migrate")
        rj.cli("site", "add", "bench", "--origin", isolation.ORIGIN)

        def start(workers: int, name: str, env: dict[str, str]) -> Any:
            return rj.start(procs, workers=workers, name=name, env=env)

        if "isolation" in parts:
            found["isolation"] = isolation.run(start, procs.stop, quick=args.quick, log=log)
        if "soak" in parts:
            found["soak"] = soak.run(start, procs.stop, minutes=args.soak_minutes, log=log)
    if "live" in parts:
        work = WORK / "reliability" / "live"
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        rj_live = Rejoinder(f"sqlite:///{work / 'live.db'}", work)
        rj_live.cli("migrate")
        rj_live.cli("site", "add", "bench", "--origin", live.ORIGIN)

        def start_live(workers: int, name: str, env: dict[str, str]) -> Any:
            return rj_live.start(procs, workers=workers, name=name, env=env)

        found["live"] = live.run(start_live, procs.stop, redis_url=args.live_redis, quick=args.quick, log=log)
    for part in found.values():
        part["date"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        part["loadavg_at_start"] = machine_info()["loadavg_at_start"]
    return found


def mail_bench(args: argparse.Namespace) -> dict[str, Any]:
    """Issue 13: N confirmed subscribers of a thread, one comment, the emails to an SMTP server on loopback."""
    log(f"email notifications to {args.mail_subscribers} subscribers")
    load_at_start = machine_info()["loadavg_at_start"]
    found = mail.run(args.mail_subscribers, log=log)
    found.update(
        available=True,
        date=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        loadavg_at_start=load_at_start,
    )
    return found


def hosts_bench(args: argparse.Namespace) -> dict[str, Any]:
    """Issue 15: one and two hosts behind nginx in network namespaces, and the fault runs."""
    load_at_start = machine_info()["loadavg_at_start"]
    work = WORK / "hosts"
    shutil.rmtree(work, ignore_errors=True)
    found = hosts.run(work, quick=args.quick, log=log)
    found.update(date=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), loadavg_at_start=load_at_start)
    return found


def reliability_only(args: argparse.Namespace) -> int:
    """--only crash,isolation,soak,export,mail,hosts,uncached,writes: run those and merge them into the existing results and report."""
    parts = tuple(p.strip() for p in args.only.split(",") if p.strip())
    if unknown := set(parts) - set(ONLY):
        log(f"unknown --only part(s): {', '.join(sorted(unknown))} (choose from {', '.join(ONLY)})")
        return 2
    results = json.loads(args.output.read_text(encoding="utf-8")) if args.output.exists() else None
    if results is None:
        log(f"no results at {args.output}: run the whole benchmark first")
        return 2
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    procs = Procs(WORK / "logs", nice=args.nice)
    (WORK / "logs").mkdir(parents=True, exist_ok=True)
    try:
        if set(parts) & set(RELIABILITY):
            results.update(reliability(args, procs, tuple(p for p in parts if p in RELIABILITY)))
        if "export" in parts:
            results["export"] = export_bench(args)
        if "mail" in parts:
            results["mail"] = mail_bench(args)
        if "hosts" in parts:
            results["hosts"] = hosts_bench(args)
        for part, bench in (("uncached", uncached_bench), ("writes", writes_bench)):
            if part in parts:
                fresh = bench(args, procs)
                replaced = {(c["server"], c["id"]) for c in fresh}
                kept = [c for c in results["cases"] if (c["server"], c["id"]) not in replaced]
                results["cases"] = kept + fresh
    finally:
        procs.stop_all()
    args.output.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    report.write_doc(args.doc, results)
    log(f"wrote {args.output} and {args.doc}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.moderation_only:
        return merge_only(args, "moderation", moderation_latency)
    if args.imports_only:
        return merge_only(args, "imports", import_timing)
    if args.classifier_only:
        return merge_only(args, "classifier", lambda _: classifier_quality())
    if args.only:
        return reliability_only(args)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the servers on SIGTERM too (finally)
    started = time.monotonic()
    if args.nice:
        set_priority(os.getpid(), args.nice)  # this session: wrk and Chromium; servers get theirs in Procs
    results: dict[str, Any] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine_info(),
        "settings": {
            "duration_s": args.duration,
            "reps": args.reps,
            "quick": args.quick,
            "nice": args.nice,
            "wrk": "wrk -t1 -c32 --latency (per case: see connections)",
        },
        "cases": [],
    }
    ensure_apt()
    if not args.no_isso:
        results["isso_versions"] = ensure_isso()
    results["versions"] = tool_versions()
    source_at_start = source_digest()
    results["rejoinder_settings"] = {
        "serve": settings_env(SERVE_SETTINGS),
        "seed": settings_env(SEED_SETTINGS),
    }

    for sub in ("rejoinder", "isso", "nginx", "wrk", "logs"):
        path = WORK / sub
        if sub != "isso":
            shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True, exist_ok=True)
    procs = Procs(WORK / "logs", nice=args.nice)
    opts = load.Options(duration=args.duration, reps=args.reps, quick=args.quick, work=WORK / "wrk")
    cases: list[dict[str, Any]] = results["cases"]

    def measure(server: str, proc: Any, wanted: list[load.Case]) -> None:
        if not args.no_load:
            cases.extend(load.measure(server, proc, wanted, opts))

    try:
        threads = corpus.build()
        corpus_json = WORK / "corpus.json"
        corpus.dump(threads, corpus_json)
        results["corpus"] = {
            "threads": {t.path: len(t.comments) for t in threads},
            "reply_share": corpus.REPLY_SHARE,
            "total_comments": sum(len(t.comments) for t in threads),
        }

        nginx = Nginx(WORK / "nginx", free_port())
        nginx.configure()
        page_origin = nginx.base
        db_path = WORK / "rejoinder" / "bench.db"
        db_url = f"sqlite:///{db_path}"
        rj = Rejoinder(db_url, WORK / "rejoinder")
        t0 = time.monotonic()
        cached = seed_cache(corpus_json)
        if cached.exists():
            shutil.copyfile(cached, db_path)
            log(f"rejoinder: seeded database reused from {cached.relative_to(ROOT)}")
        else:
            rj.cli("site", "add", "bench", "--origin", corpus.ORIGIN)
            n = seed_rejoinder.seed(db_url, threads, settings_env(SEED_SETTINGS), WORK / "rejoinder")
            log(f"rejoinder seeded: {n:,} comments in {time.monotonic() - t0:.0f}s")
            for old in cached.parent.glob("rejoinder-*.db"):
                old.unlink()
            shutil.copyfile(db_path, cached)
        rj.cli("site", "origin", "bench", "--add", page_origin)  # the widget pages' origin (a new port)
        results["seed_seconds"] = {"rejoinder": round(time.monotonic() - t0, 1)}

        isso = Isso(WORK / "isso", free_port(), page_origin)
        if not args.no_isso:
            isso.configure()
            t0 = time.monotonic()
            isso.seed(corpus_json)
            results["seed_seconds"]["isso"] = round(time.monotonic() - t0, 1)
            log(f"isso seeded in {time.monotonic() - t0:.0f}s")

        # rejoinder, default: granian, 1 worker
        server = rj.start(procs, workers=1, name="rejoinder-1w")
        facts = thread_facts(server.base)
        (nginx.root / "t1000.json").write_bytes(facts["t1000"]["body"])
        (nginx.root / "t1000.json.gz").write_bytes(facts["t1000"]["gzip_body"])
        results["threads"] = {k: {f: v for f, v in d.items() if "body" not in f} for k, d in facts.items()}
        measure("rejoinder-1w", server, load.rejoinder_cases())
        procs.stop(server)

        ng = nginx.start(procs)
        measure("nginx", ng, load.nginx_cases())

        if not (args.no_two_workers or args.no_load):
            server = rj.start(procs, workers=2, name="rejoinder-2w")
            measure("rejoinder-2w", server, load.rejoinder_cases())
            procs.stop(server)

        if not args.no_load:
            # the response cache off: every read and count misses, and is rebuilt from comment fragments
            server = rj.start(
                procs, workers=1, name="rejoinder-rebuild", env={"REJOINDER_CACHE__MAX_ENTRIES": "0"}
            )
            measure("rejoinder-1w-rebuild", server, load.rejoinder_rebuild_cases())
            procs.stop(server)
            # and the fragments off too: every read is a first read
            off = {"REJOINDER_CACHE__MAX_ENTRIES": "0", "REJOINDER_CACHE__COMMENT_FRAGMENTS": "0"}
            server = rj.start(procs, workers=1, name="rejoinder-nocache", env=off)
            measure("rejoinder-1w-nocache", server, load.rejoinder_cold_cases())
            procs.stop(server)

        isso_proc = None
        if not args.no_isso:
            isso_proc = isso.start(procs)
            if not args.no_load:
                results["isso_bytes"] = isso_sizes(isso.base)
            measure("isso", isso_proc, load.isso_cases())

        if args.no_widget:
            results["widget"] = {"available": False, "reason": "skipped (--no-widget)"}
        else:
            server = rj.start(procs, workers=1, name="rejoinder-widget")
            apis = {"rejoinder": server.base}
            if isso_proc is not None:
                apis["isso"] = isso.base
            results["widget"] = widget.run(page_origin, apis, nginx.root, reps=1 if args.quick else 3)
            procs.stop(server)
        if not args.no_reliability:
            results.update(reliability(args, procs))
    finally:
        procs.stop_all()
    if not args.no_moderation:
        results["moderation"] = moderation_latency(args)  # in-process, after every server has stopped
    if not args.no_export:
        results["export"] = export_bench(args)
    if not args.no_mail:
        results["mail"] = mail_bench(args)  # in-process, like the moderation latency
    if not args.no_imports:
        results["imports"] = import_timing(args)
        results["imports"]["date"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    if not args.no_classifier:
        results["classifier"] = classifier_quality()

    results["elapsed_s"] = round(time.monotonic() - started)
    results["source_changed_during_run"] = source_digest() != source_at_start
    if results["source_changed_during_run"]:
        log("warning: files under src/rejoinder changed during the run: servers started later ran newer code")
    if args.widget_only and args.output.exists():
        # only the widget rows are new: the rest of the last full run stays as it was measured
        widget_rows = results["widget"]
        widget_rows["date"] = results["date"]
        widget_rows["loadavg_at_start"] = results["machine"]["loadavg_at_start"]
        results = json.loads(args.output.read_text(encoding="utf-8"))
        results["widget"] = widget_rows
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    args.doc.parent.mkdir(parents=True, exist_ok=True)
    report.write_doc(args.doc, results)
    log(f"wrote {args.output} and {args.doc} in {results['elapsed_s']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
