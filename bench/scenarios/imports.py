"""Importing a large WordPress export (issue 14): a generated WXR of N comments imported by `rejoinder
import` on SQLite (10,000 and 100,000: the peak memory must stay flat) and PostgreSQL (100,000), and Isso's
own `isso import` of the same file in the same run. Each import is a separate process: wall time, rows/s, CPU
and peak RSS are its own. The peak is measured through a small launcher (`_LAUNCHER`): a child forked from this
benchmark would start from the benchmark's own resident size (Linux carries the forked copy's high-water mark
over `exec`), so every row would read at least this process's size; forked from the launcher, the floor is the
launcher's few MiB.

The file: posts of 20 comments, one in three a reply (to an earlier comment of the same post), a few HTML
paragraphs with a link and emphasis, 1 in 20 held for moderation, 1 in 50 spam, dates spread over ten years.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from scenarios.moderation import WORDS

PER_POST = 20
ORIGIN = "https://blog.example"


def write_wxr(path: Path, comments: int, *, seed: int = 14) -> None:
    """A WXR 1.2 file with `comments` comments, written as it is generated (the file, not memory, grows)."""
    rng = random.Random(seed)
    start = datetime(2015, 1, 1, tzinfo=UTC)
    with path.open("w", encoding="utf-8") as out:
        out.write(
            '<?xml version="1.0" encoding="UTF-8" ?>\n<rss version="2.0" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">\n'
            f"<channel><title>Bench</title><link>{ORIGIN}</link><wp:wxr_version>1.2</wp:wxr_version>\n"
            f"<wp:base_site_url>{ORIGIN}</wp:base_site_url><wp:base_blog_url>{ORIGIN}</wp:base_blog_url>\n"
        )
        number = 0
        post = 0
        while number < comments:
            post += 1
            out.write(
                f"<item><title>Post {post} about the {rng.choice(WORDS)}</title>"
                f"<link>{ORIGIN}/{2015 + post % 10}/post-{post}/</link><wp:post_id>{post}</wp:post_id>"
                "<wp:post_type><![CDATA[post]]></wp:post_type>\n"
            )
            first = number + 1
            for _ in range(min(PER_POST, comments - number)):
                number += 1
                parent = rng.randint(first, number - 1) if number > first and rng.random() < 1 / 3 else 0
                when = start + timedelta(seconds=rng.randint(0, 10 * 365 * 86400))
                approved = "spam" if rng.random() < 0.02 else "0" if rng.random() < 0.05 else "1"
                paragraphs = "\n\n".join(
                    " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 40)))
                    for _ in range(rng.randint(1, 3))
                )
                body = f'{paragraphs} <em>{rng.choice(WORDS)}</em> <a href="https://example.org/{number}">link</a>'
                out.write(
                    "<wp:comment>"
                    f"<wp:comment_id>{number}</wp:comment_id>"
                    f"<wp:comment_author><![CDATA[Reader {number % 997}]]></wp:comment_author>"
                    f"<wp:comment_author_email>reader{number % 997}@example.org</wp:comment_author_email>"
                    f"<wp:comment_author_url>https://reader{number % 97}.example</wp:comment_author_url>"
                    f"<wp:comment_author_IP>203.0.113.{number % 250}</wp:comment_author_IP>"
                    f"<wp:comment_date>{when:%Y-%m-%d %H:%M:%S}</wp:comment_date>"
                    f"<wp:comment_date_gmt>{when:%Y-%m-%d %H:%M:%S}</wp:comment_date_gmt>"
                    f"<wp:comment_content>{escape(body)}</wp:comment_content>"
                    f"<wp:comment_approved>{approved}</wp:comment_approved>"
                    "<wp:comment_type></wp:comment_type>"
                    f"<wp:comment_parent>{parent}</wp:comment_parent>"
                    "<wp:comment_user_id>0</wp:comment_user_id>"
                    "</wp:comment>\n"
                )
            out.write("</item>\n")
        out.write("</channel></rss>\n")


# Runs argv as its only child, forwards SIGTERM to it, and writes the child's CPU seconds and peak RSS (KiB)
# to the file named first: getrusage(RUSAGE_CHILDREN) here covers that child alone.
_LAUNCHER = """
import json, os, resource, signal, subprocess, sys
child = subprocess.Popen(sys.argv[2:])
signal.signal(signal.SIGTERM, lambda *_: child.terminate())
while True:
    try:
        _, status, _usage = os.wait4(child.pid, 0)
        break
    except InterruptedError:
        continue
used = resource.getrusage(resource.RUSAGE_CHILDREN)
with open(sys.argv[1], "w") as report:
    json.dump({"cpu_s": used.ru_utime + used.ru_stime, "maxrss_kib": used.ru_maxrss}, report)
sys.exit(os.waitstatus_to_exitcode(status))
"""


def timed(
    argv: list[str], env: dict[str, str], cwd: Path, log_file: Path, *, limit: float | None = None
) -> dict[str, Any]:
    """Run a command to the end (or SIGTERM it after `limit` seconds): wall seconds, CPU seconds and peak RSS
    (MiB) of that process, and its exit status."""
    import json
    import signal
    import sys
    import threading

    report = log_file.with_suffix(".usage.json")
    with log_file.open("wb") as out:
        started = time.monotonic()
        proc = subprocess.Popen(
            [sys.executable, "-c", _LAUNCHER, str(report), *argv],
            env=env,
            cwd=cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        stopper = threading.Timer(limit, proc.send_signal, (signal.SIGTERM,)) if limit else None
        if stopper:
            stopper.start()
        try:
            proc.wait()
        finally:
            if stopper:
                stopper.cancel()
        seconds = time.monotonic() - started
    used = json.loads(report.read_text(encoding="utf-8"))
    return {
        "seconds": round(seconds, 2),
        "cpu_s": round(used["cpu_s"], 2),
        "peak_rss_mib": round(used["maxrss_kib"] / 1024, 1),
        "exit": proc.returncode,
    }


ISSO_LIMIT = 300.0


def _isso(
    isso_bin: Path,
    export: Path,
    size: int,
    mib: float,
    work: Path,
    env: dict[str, str],
    log: Callable[[str], None],
) -> dict[str, Any]:
    """`isso import -t wordpress` into a fresh Isso database, stopped after ISSO_LIMIT seconds: the rate is
    of the comments in its database when it ended (all of them when it finished)."""
    import sqlite3

    db = work / "isso.db"
    cfg = work / "isso.cfg"
    cfg.write_text(f"[general]\ndbpath = {db}\nhost = {ORIGIN}\n", encoding="utf-8")
    log(f"  isso import of {size} comments")
    used = timed(
        [str(isso_bin), "-c", str(cfg), "import", "-t", "wordpress", str(export)],
        env,
        work,
        work / f"isso-{size}.log",
        limit=ISSO_LIMIT,
    )
    with sqlite3.connect(db) as con:
        imported = int(con.execute("SELECT count(*) FROM comments").fetchone()[0])
    found = {
        "system": "isso",
        "backend": "sqlite",
        "comments": imported,
        "of": size,
        "file_mib": round(mib, 1),
        "seconds": used["seconds"],
        "rows_per_s": round(imported / used["seconds"]),
        "cpu_s": used["cpu_s"],
        "peak_rss_mib": used["peak_rss_mib"],
        "exit": used["exit"],
    }
    log(
        f"    {imported} of {size} in {found['seconds']} s, {found['rows_per_s']} rows/s, CPU {found['cpu_s']} s, "
        f"peak {found['peak_rss_mib']} MiB"
    )
    return found


def _pg(server: str, statement: str) -> None:
    subprocess.run(["psql", f"{server}/postgres", "-q", "-c", statement], check=True, capture_output=True)


def run(
    work: Path,
    *,
    root: Path,
    isso_bin: Path | None,
    pg_server: str | None,
    quick: bool = False,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    rejoinder = str(root / ".venv" / "bin" / "rejoinder")
    sizes = (1_000, 5_000) if quick else (10_000, 100_000)
    rows: list[dict[str, Any]] = []
    base_env = {k: v for k, v in os.environ.items() if not k.startswith(("REJOINDER_", "ISSO_"))}
    for size in sizes:
        export = work / f"wxr-{size}.xml"
        write_wxr(export, size)
        mib = export.stat().st_size / 2**20
        targets: list[tuple[str, str]] = [("sqlite", f"sqlite:///{work / f'import-{size}.db'}")]
        if pg_server and size == sizes[-1]:
            targets.append(("postgresql", f"{pg_server}/bench_import"))
        for backend, url in targets:
            if backend == "postgresql":
                _pg(pg_server or "", "DROP DATABASE IF EXISTS bench_import")
                _pg(pg_server or "", "CREATE DATABASE bench_import")
            env = {**base_env, "REJOINDER_DATABASE__URL": url}
            subprocess.run([rejoinder, "migrate"], env=env, check=True, capture_output=True)
            subprocess.run(
                [rejoinder, "site", "add", "bench", "--origin", ORIGIN],
                env=env,
                check=True,
                capture_output=True,
            )
            log(f"  rejoinder import of {size} comments ({mib:.0f} MiB) on {backend}")
            found = timed(
                [rejoinder, "import", "wxr", str(export), "--site", "bench"],
                env,
                work,
                work / f"rejoinder-{backend}-{size}.log",
            )
            found.update(system="rejoinder", backend=backend, comments=size, file_mib=round(mib, 1))
            found["rows_per_s"] = round(size / found["seconds"])
            log(
                f"    {found['seconds']} s, {found['rows_per_s']} rows/s, CPU {found['cpu_s']} s, "
                f"peak {found['peak_rss_mib']} MiB"
            )
            rows.append(found)
            if backend == "postgresql":
                _pg(pg_server or "", "DROP DATABASE IF EXISTS bench_import")
    if isso_bin is not None:
        # Isso imports the same files, each within ISSO_LIMIT seconds: its importer commits every comment on
        # its own (isso/migrate.py through Comments.add), and under heavy load 5,000 once took 135 s here.
        for size in sizes:
            export = work / f"wxr-{size}.xml"
            (work / "isso.db").unlink(missing_ok=True)
            rows.append(_isso(isso_bin, export, size, export.stat().st_size / 2**20, work, base_env, log))
    return {"rows": rows, "per_post": PER_POST}
