"""Before/after of a widget change in one Chromium, alternating (issue 12): on a shared machine two runs a
minute apart measure the load, this measures the change.

    .venv/bin/python bench/widget_ab.py --before 7c14d9f [--rounds 5] [--cpu 1,4] [--sizes 10,1000] [--isso]

`--before` is a commit: its `src/` is exported (git archive) to /tmp and served by a second `rejoinder
serve` (the same .venv, the older package first on PYTHONPATH), so the two sides differ by exactly what
changed between that commit and the work tree, widget and server alike. Both serve one seeded database
(only the 10- and 1,000-comment threads of bench/corpus.py, kept in bench/.work/ab/) and the host pages
come from a third process (python -m http.server). For each round and case (thread size × CPU slowdown)
each side loads its page once, the first side flipped every round; one untimed warm-up load per side
and case first. With `--isso`, Isso (bench/.work/isso-venv, made by bench/run.py) is timed in the same
rounds. The measurement of one load is scenarios/widget.py's: first comment painted, last comment of the
first page painted, long tasks until then. Medians, every run, and the load average go to stdout and to
/tmp/widget-ab.json; nothing in the repository is written except the seeded database.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import urllib.request
from pathlib import Path
from typing import Any

import corpus
import seed_rejoinder
from procs import Procs, free_port, set_priority, wait_http
from scenarios import widget
from servers import ISSO_VENV, SEED_SETTINGS, Isso, Rejoinder, log, settings_env

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / ".work" / "ab"
SIZES = (10, 1000)


def export(commit: str) -> Path:
    """`commit`'s src/ in a fresh directory under /tmp."""
    target = Path(tempfile.mkdtemp(prefix="widget-ab-"))
    archive = target / "src.tar"
    subprocess.run(["git", "archive", "-o", str(archive), commit, "src"], cwd=ROOT, check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(target, filter="data")
    archive.unlink()
    return target


def seeded(threads: list[corpus.SeedThread]) -> str:
    """The URL of a database holding `threads` (seeded once, then reused)."""
    WORK.mkdir(parents=True, exist_ok=True)
    db = WORK / "ab.db"
    url = f"sqlite:///{db}"
    if not db.exists():
        rj = Rejoinder(f"sqlite:///{WORK / 'seeding.db'}", WORK)
        (WORK / "seeding.db").unlink(missing_ok=True)
        rj.cli("site", "add", "bench", "--origin", corpus.ORIGIN)
        count = seed_rejoinder.seed(rj.db_url, threads, settings_env(SEED_SETTINGS), WORK)
        log(f"seeded {count} comments")
        shutil.move(WORK / "seeding.db", db)
    return url


def after_thread(run: dict[str, Any]) -> float | None:
    """ms from the thread's answer (its last byte) to the first comments painted: the widget's own part,
    less sensitive to the server and the network than `first_ms`."""
    ends = [
        end for name, _start, end in run.get("requests", []) if "/api/threads?" in name or "/?uri=" in name
    ]
    return round(run["first_ms"] - ends[0], 1) if ends else None


def from_script(run: dict[str, Any]) -> tuple[float | None, float | None]:
    """ms from the widget script's last byte to its thread request, and to the first comments painted (the
    host page and the script's download left out)."""
    names = ("/embed.js", "/js/embed.min.js")
    script = [end for name, _start, end in run.get("requests", []) if name.endswith(names)]
    thread = [
        start for name, start, _end in run.get("requests", []) if "/api/threads?" in name or "/?uri=" in name
    ]
    if not script or not thread:
        return None, None
    return round(thread[0] - script[0], 1), round(run["first_ms"] - script[0], 1)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--before", required=True, help="the commit to compare the work tree with")
    ap.add_argument(
        "--after-src",
        type=Path,
        help="a src/ directory to serve as the after side instead of the work tree's",
    )
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--cpu", default="1,4", help="CPU slowdowns, comma-separated (1: not throttled)")
    ap.add_argument("--sizes", default="10,1000", help="thread sizes, comma-separated (10 and/or 1000)")
    ap.add_argument("--isso", action="store_true", help="time Isso too (its venv must exist: bench/run.py)")
    ap.add_argument("--nice", type=int, default=-10 if os.geteuid() == 0 else 0, help="priority (root: -10)")
    ap.add_argument("--output", type=Path, default=Path("/tmp/widget-ab.json"))
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    cpus = [int(c) for c in args.cpu.split(",")]
    threads = [
        corpus.make_thread(corpus.read_path(n), f"A thread with {n} comments", n, seed=n) for n in SIZES
    ]
    before_src = export(args.before) / "src"
    if args.nice:
        set_priority(os.getpid(), args.nice)  # Chromium inherits it; the servers get theirs from Procs
    (WORK / "logs").mkdir(parents=True, exist_ok=True)
    procs = Procs(WORK / "logs", nice=args.nice)
    results: dict[str, Any] = {"before": args.before, "loadavg_at_start": os.getloadavg(), "rows": []}
    try:
        db_url = seeded(threads)
        www = WORK / "www"
        www.mkdir(parents=True, exist_ok=True)
        page_port = free_port()
        pages = procs.start(
            "pages",
            [sys.executable, "-m", "http.server", str(page_port), "--bind", "127.0.0.1", "-d", str(www)],
            cwd=WORK,
        )
        page_base = f"http://127.0.0.1:{page_port}"
        (www / "ready.txt").write_text("ok\n")
        wait_http(page_base + "/ready.txt", pages)
        rj = Rejoinder(db_url, WORK)
        rj.cli("site", "origin", "bench", "--add", page_base)
        after_env = {"PYTHONPATH": str(args.after_src.resolve())} if args.after_src else None
        after = rj.start(procs, name="after", env=after_env)
        before = rj.start(procs, name="before", env={"PYTHONPATH": str(before_src)})
        apis = {"before": before.base, "after": after.base}
        for name, api in apis.items():  # which build each side serves
            with urllib.request.urlopen(api + "/embed.js", timeout=10) as resp:
                body = resp.read()
            log(f"{name}: embed.js {len(body):,} bytes, sha256 {hashlib.sha256(body).hexdigest()[:12]}")
        if args.isso:
            if not (ISSO_VENV / "bin" / "gunicorn").exists():
                raise SystemExit("widget_ab: no Isso venv; run bench/run.py --widget-only once")
            isso = Isso(WORK / "isso", free_port(), page_base)
            isso.configure()
            corpus_json = WORK / "corpus.json"
            corpus.dump(threads, corpus_json)
            isso.seed(corpus_json)
            isso.start(procs)
            apis["isso"] = isso.base
        for name, api in apis.items():
            kind = "isso" if name == "isso" else "rejoinder"
            for size in sizes:
                html = widget.PAGE.format(
                    title=f"{name}: {size:,} comments", embed=widget.WIDGETS[kind][2](api, size)
                )
                (www / f"{name}-t{size}.html").write_text(html, encoding="utf-8")

        from playwright.sync_api import sync_playwright

        cases = [(size, cpu) for cpu in cpus for size in sizes]
        runs: dict[tuple[str, int, int], list[dict[str, Any]]] = {}
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=widget.CHROMIUM, headless=True, args=widget.ARGS)
            try:

                def load(name: str, size: int, cpu: int) -> dict[str, Any]:
                    selector = widget.WIDGETS["isso" if name == "isso" else "rejoinder"][0]
                    return widget._one(browser, f"{page_base}/{name}-t{size}.html", selector, 60.0 * cpu, cpu)

                for size, cpu in cases:
                    for name in apis:
                        load(name, size, cpu)  # warm-up
                for round_ in range(args.rounds):
                    order = list(apis) if round_ % 2 == 0 else list(reversed(apis))
                    for size, cpu in cases:
                        for name in order:
                            run = load(name, size, cpu)
                            runs.setdefault((name, size, cpu), []).append(run)
                            log(
                                f"round {round_ + 1} {name} t{size} cpu/{cpu}: first {run.get('first_ms')} ms, "
                                f"page {run.get('page_ms')} ms, longest task {run.get('longest_task_ms')} ms"
                            )
            finally:
                browser.close()
    finally:
        procs.stop_all()
        shutil.rmtree(before_src.parent, ignore_errors=True)
    results["loadavg_at_end"] = os.getloadavg()
    print(f"\nload average at start {results['loadavg_at_start']}, at end {results['loadavg_at_end']}")
    print(
        f"{'side':7} {'size':>5} {'cpu':>3}  first ms median (runs)  /  longest task ms (runs)  /  ms from the thread"
    )
    for (name, size, cpu), done in runs.items():
        ok = [r for r in done if "error" not in r]
        firsts = [r["first_ms"] for r in ok]
        longest = [r["longest_task_ms"] for r in ok]
        own = [a for a in map(after_thread, ok) if a is not None]
        to_request = [a for a, _ in map(from_script, ok) if a is not None]
        to_paint = [b for _, b in map(from_script, ok) if b is not None]
        row = {
            "side": name,
            "size": size,
            "cpu": cpu,
            "first_ms_median": statistics.median(firsts) if firsts else None,
            "first_ms": firsts,
            "page_ms": [r["page_ms"] for r in ok],
            "after_thread_ms_median": statistics.median(own) if own else None,
            "after_thread_ms": own,
            "script_to_request_ms": to_request,
            "script_to_paint_ms": to_paint,
            "script_to_paint_ms_median": statistics.median(to_paint) if to_paint else None,
            "runs": done,
            "longest_task_ms": longest,
            "errors": [r["error"] for r in done if "error" in r],
        }
        results["rows"].append(row)
        print(
            f"{name:7} {size:5} {cpu:3}  {row['first_ms_median']} ({' / '.join(f'{f:.0f}' for f in firsts)})"
            f"  /  {' / '.join(str(t) for t in longest)}"
            f"  /  thread answered → painted {row['after_thread_ms_median']} ({' / '.join(f'{a:.0f}' for a in own)})"
            f"  /  script → request ({' / '.join(f'{a:.0f}' for a in to_request)})"
            f"  /  script → painted {row['script_to_paint_ms_median']} ({' / '.join(f'{a:.0f}' for a in to_paint)})"
        )
    args.output.write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
