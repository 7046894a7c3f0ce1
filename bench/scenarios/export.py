"""Export (issue 14): `rejoinder export` of a generated site of 10,000 and 100,000 comments on SQLite, target
under 20 s for 100,000; then `rejoinder import jsonl` of that file into an empty instance and an export
of the restored site, which must give the same bytes.

The site: 1,000 threads (100 for the small one), a third of the comments replies, each comment with its
revision row as posting leaves it, one like per ten comments. Rows are written straight into a migrated
database with sqlite3 (seeding through the API would take longer than what is measured). Each command runs
as its own process, timed from start to exit (interpreter start included); peak memory is the command's
maximum resident set (getrusage of a wrapper's only child), to show memory flat as the site grows.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

TARGET_S = 20.0
ROOT = Path(__file__).resolve().parents[2]
CLI = [str(ROOT / ".venv" / "bin" / "python"), "-m", "rejoinder"]
ORIGIN = "https://bench.example"
_PEAK = (
    "import resource, subprocess, sys\n"
    "code = subprocess.run(sys.argv[1:]).returncode\n"
    "used = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "print(used.ru_maxrss, used.ru_utime + used.ru_stime, file=sys.stderr)\n"
    "sys.exit(code)\n"
)
WORDS = ["council", "budget", "vote", "library", "road", "school", "park", "tax", "bridge", "river", "market"]


def _cli(db: Path, *args: str) -> tuple[float, float, int]:
    """Run `rejoinder ARGS` on `db`: wall seconds, CPU seconds (user + system: the steadier figure on a
    shared machine) and peak resident memory in MB."""
    env = {**os.environ, "REJOINDER_DATABASE__URL": f"sqlite:///{db}"}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _PEAK, *CLI, *args], env=env, capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"rejoinder {' '.join(args)} failed: {done.stderr[-2000:]}")
    peak, cpu = done.stderr.strip().splitlines()[-1].split()
    return elapsed, float(cpu), int(peak) // 1024


def seed(db: Path, comments: int, threads: int) -> None:
    """A migrated database with site `bench` holding `comments` comments over `threads` threads."""
    _cli(db, "migrate")
    _cli(db, "site", "add", "bench", "--origin", ORIGIN)
    rng = random.Random(comments)
    conn = sqlite3.connect(db)
    try:
        site_id = conn.execute("SELECT id FROM sites WHERE name = 'bench'").fetchone()[0]
        base = 1_700_000_000_000_000
        conn.executemany(
            "INSERT INTO threads (site_id, uri, title, comment_count, like_count, created, closed, auto_close) "
            "VALUES (?, ?, ?, 0, 0, ?, 0, 1)",
            [(site_id, f"{ORIGIN}/post/{n}", f"Post {n}", base + n) for n in range(threads)],
        )
        first_thread = conn.execute("SELECT min(id) FROM threads WHERE site_id = ?", (site_id,)).fetchone()[0]
        rows, revisions, likes = [], [], []
        by_thread: dict[int, list[tuple[str, int]]] = {}
        for n in range(comments):
            thread = first_thread + n % threads
            siblings = by_thread.setdefault(thread, [])
            parent, depth = (None, 0)
            if siblings and rng.random() < 1 / 3:
                parent_id, parent_depth = rng.choice(siblings)
                parent, depth = parent_id, parent_depth + 1
            cid = f"c{n:011d}"
            siblings.append((cid, depth))
            text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(10, 60)))
            created = base + 1_000_000 * n
            rows.append(
                (
                    cid,
                    thread,
                    parent,
                    depth,
                    "published",
                    text,
                    f"<p>{text}</p>",
                    f"Reader {n % 977}",
                    f"reader{n % 977}@example.org",
                    None,
                    f"k{n % 977:039d}",
                    None,
                    "203.0.113.0/24",
                    created,
                )
            )
            revisions.append((cid, 0, text, created, "pass", "published", "[]", 120))
            if n % 10 == 0:
                likes.append((thread, cid, f"v{n:063d}", created))
        conn.executemany(
            "INSERT INTO comments (id, thread_id, parent_id, depth, status, text, html, author_name, "
            "author_email, author_website, author_key, visitor_hash, ip, created) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        conn.executemany(
            "INSERT INTO comment_revisions (comment_id, revision, text, created, decision, status, reasons, "
            "elapsed_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            revisions,
        )
        conn.executemany(
            "INSERT INTO likes (thread_id, comment_id, liker, created) VALUES (?, ?, ?, ?)", likes
        )
        conn.execute(
            "UPDATE threads SET comment_count = (SELECT count(*) FROM comments WHERE thread_id = threads.id)"
        )
        conn.commit()
    finally:
        conn.close()


def measure(work: Path, comments: int, threads: int, log: Callable[[str], None]) -> dict[str, Any]:
    work.mkdir(parents=True, exist_ok=True)
    source, target = work / f"source-{comments}.db", work / f"target-{comments}.db"
    for path in work.glob(f"*-{comments}.*"):
        path.unlink()
    log(f"  seeding {comments:,} comments")
    seed(source, comments, threads)
    first, again = work / f"export-{comments}.jsonl", work / f"again-{comments}.jsonl"
    export_s, export_cpu, export_mb = _cli(source, "export", "--site", "bench", "--output", str(first))
    wxr_s, wxr_cpu, wxr_mb = _cli(
        source, "export", "--site", "bench", "--format", "wxr", "--output", str(work / "x.xml")
    )
    restore_s, restore_cpu, restore_mb = _cli(target, "import", "jsonl", str(first), "--site", "bench")
    _cli(target, "export", "--site", "bench", "--output", str(again))
    identical = first.read_bytes() == again.read_bytes()
    row = {
        "comments": comments,
        "threads": threads,
        "export_s": round(export_s, 2),
        "export_cpu_s": round(export_cpu, 2),
        "export_peak_mb": export_mb,
        "export_rows_per_s": round(comments / export_s),
        "file_mb": round(first.stat().st_size / 1_048_576, 1),
        "wxr_s": round(wxr_s, 2),
        "wxr_cpu_s": round(wxr_cpu, 2),
        "wxr_peak_mb": wxr_mb,
        "restore_s": round(restore_s, 2),
        "restore_cpu_s": round(restore_cpu, 2),
        "restore_peak_mb": restore_mb,
        "round_trip_identical": identical,
    }
    log(f"  {json.dumps(row)}")
    return row


def run(work: Path, *, quick: bool, log: Callable[[str], None]) -> dict[str, Any]:
    sizes = [(1_000, 10)] if quick else [(10_000, 100), (100_000, 1_000)]
    with open("/proc/loadavg", encoding="ascii") as f:
        load = f.read().split()[:3]
    rows = [measure(work, comments, threads, log) for comments, threads in sizes]
    return {"available": True, "target_s": TARGET_S, "loadavg_at_start": load, "rows": rows}


if __name__ == "__main__":
    found = run(
        Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/tmp/rejoinder-bench-export"),
        quick=False,
        log=print,
    )
    print(json.dumps(found, indent=1))
