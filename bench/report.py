"""Render docs/benchmarks.md from the results JSON (bench/results/latest.json)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

SERVERS = {
    "rejoinder-1w": "rejoinder, granian 1 worker (default)",
    "rejoinder-2w": "rejoinder, granian 2 workers",
    "rejoinder-1w-rebuild": "rejoinder, 1 worker, response cache off (comment fragments kept)",
    "rejoinder-1w-nocache": "rejoinder, 1 worker, response cache and comment fragments off",
    "isso": "Isso, gunicorn -w 2",
    "nginx": "nginx static file",
}
COMPARED = [
    ("read-10", "GET thread, 10 comments"),
    ("read-10-gz", "GET thread, 10 comments, gzip"),
    ("read-1000", "GET thread, 1,000 comments"),
    ("read-1000-gz", "GET thread, 1,000 comments, gzip"),
    ("read-10000", "GET thread, 10,000 comments (rejoinder: first 1,000 top-level; Isso: all)"),
    ("read-10000-gz", "GET thread, 10,000 comments, gzip (as above)"),
    ("cold-1000", "GET thread, 1,000 comments, uncached (first read)"),
    ("cold-1000-gz", "GET thread, 1,000 comments, gzip, uncached (first read)"),
    ("cold-10000", "GET thread, 10,000 comments, first page, uncached (first read)"),
    ("cold-10000-gz", "GET thread, 10,000 comments, first page, gzip, uncached (first read)"),
    ("rebuild-1000", "GET thread, 1,000 comments, rebuilt from cached comment fragments"),
    ("rebuild-1000-gz", "GET thread, 1,000 comments, gzip, rebuilt from cached comment fragments"),
    ("write", "POST a comment"),
    ("counts-20", "counts for 20 URLs"),
    ("cold-counts-20", "counts for 20 URLs, uncached"),
]


def num(x: float | None, digits: int = 1) -> str:
    if x is None:
        return "–"
    if x >= 100:
        return f"{x:,.0f}"
    return f"{x:,.{digits}f}" if x >= 1 else f"{x:.{max(digits, 2)}f}"


def ratio(a: float | None, b: float | None) -> str:
    if not a or not b:
        return "–"
    r = a / b
    if r >= 100:
        return f"{r:,.0f}×"
    if r >= 10:
        return f"{r:.0f}×"
    return f"{r:.2f}×"


def find(results: dict[str, Any], server: str, case: str) -> dict[str, Any] | None:
    for c in results["cases"]:
        if c["server"] == server and c["id"] == case and "rps" in c:
            return c
    return None


def rps(results: dict[str, Any], server: str, case: str) -> float | None:
    c = find(results, server, case)
    return c["rps"] if c and c["requests"] else None


def uncached_server(case: str) -> str:
    return "rejoinder-1w-rebuild" if case.startswith("rebuild-") else "rejoinder-1w-nocache"


def isso_case(case: str) -> str:
    """Isso has no compression and no cache: its plain read is the figure to compare with."""
    return nginx_case(case.removesuffix("-gz"))


def nginx_case(case: str) -> str:
    return case.replace("cold-counts", "counts").replace("cold-", "read-").replace("rebuild-", "read-")


def status(ok: bool | None) -> str:
    return "–" if ok is None else ("**met**" if ok else "**missed**")


def targets(results: dict[str, Any]) -> list[str]:
    rows = ["| target | configuration | measured | status |", "|---|---|---|---|"]
    for server in ("rejoinder-1w", "rejoinder-2w"):
        for case, what in (("read-1000", "uncompressed"), ("read-1000-gz", "gzip")):
            a, b = rps(results, server, case), rps(results, "nginx", case)
            share = a / b if a and b else None
            rows.append(
                f"| cached 1,000-comment read ≥ 50 % of nginx req/s, {what} | {SERVERS[server]} | "
                f"{num(a)} vs {num(b)} req/s = {f'{share:.0%}' if share else '–'} | "
                f"{status(None if share is None else share >= 0.5)} |"
            )
    for server, case, what, limit in (
        ("rejoinder-1w-nocache", "cold-1000", "1,000-comment read, first read, nothing cached", 3),
        ("rejoinder-1w-nocache", "cold-1000-gz", "1,000-comment read, first read, nothing cached, gzip", 3),
        ("rejoinder-1w-rebuild", "rebuild-1000", "1,000-comment read after a write: fragments cached", 3),
        ("rejoinder-1w-rebuild", "rebuild-1000-gz", "1,000-comment read after a write, gzip", 3),
        ("rejoinder-1w-nocache", "cold-10000", "first page of the 10,000-comment thread, first read", 5),
        ("rejoinder-1w-nocache", "cold-10000-gz", "first page of the 10,000-comment thread, gzip", 5),
    ):
        cold = find(results, server, case)
        cpu = cold["cpu_ms_per_req"] if cold and cold.get("requests") else None  # none done: not measured
        rows.append(
            f"| uncached {what} ≤ {limit} ms server CPU (issue 15) | {SERVERS[server]} | "
            f"{num(cpu, 2)} ms | {status(None if cpu is None else cpu <= limit)} |"
        )
    for case, factor, what in (
        ("write", 2, "comment writes ≥ 2× Isso"),
        ("counts-20", 20, "counts(20) ≥ 20× Isso"),
    ):
        for server in ("rejoinder-1w", "rejoinder-2w"):
            a, b = rps(results, server, case), rps(results, "isso", case)
            rows.append(
                f"| {what} | {SERVERS[server]} | {num(a)} vs {num(b)} req/s = {ratio(a, b)} | "
                f"{status(None if not (a and b) else a >= factor * b)} |"
            )
    w = {(r["widget"], r["size"], r.get("cpu", 1)): r for r in results.get("widget", {}).get("rows", [])}
    rj, isso = w.get(("rejoinder", 1000, 1), {}), w.get(("isso", 1000, 1), {})
    first = rj.get("first_ms")
    rows.append(
        f"| widget: first comments painted < 200 ms, 1,000-comment thread (issue 12) | headless Chromium | "
        f"{num(first, 0)} ms | {status(None if first is None else first < 200)} |"
    )
    other = isso.get("first_ms")
    rows.append(
        f"| widget: first comments painted sooner than Isso's, 1,000-comment thread (issue 4) | headless Chromium | "
        f"{num(first, 0)} vs {num(other, 0)} ms | {status(None if not (first and other) else first < other)} |"
    )
    small, small_isso = (
        w.get(("rejoinder", 10, 1), {}).get("first_ms"),
        w.get(("isso", 10, 1), {}).get("first_ms"),
    )
    rows.append(
        f"| widget: first comments painted sooner than Isso's, 10-comment thread (issue 12) | headless Chromium | "
        f"{num(small, 0)} vs {num(small_isso, 0)} ms | "
        f"{status(None if not (small and small_isso) else small < small_isso)} |"
    )
    for size in (10, 1000):
        slow = w.get(("rejoinder", size, 4), {})
        slow_first, longest = slow.get("first_ms"), slow.get("longest_task_ms")
        met = None if slow_first is None or longest is None else slow_first < 1000 and longest <= 200
        rows.append(
            f"| widget, CPU 4× slower: first comments < 1 s, no long task > 200 ms while painting, "
            f"{size:,}-comment thread (issue 12) | headless Chromium | {num(slow_first, 0)} ms, longest task "
            f"{num(longest, 0)} ms | {status(met)} |"
        )
    rows += moderation_targets(results)
    rows += import_targets(results)
    rows += export_targets(results)
    rows += reliability_targets(results)
    return rows


def import_targets(results: dict[str, Any], target_s: float = 60.0, memory_mib: float = 200.0) -> list[str]:
    """The issue 14 targets: a generated 100,000-comment WXR imports in under 60 s (rows/s, on SQLite and
    the same on PostgreSQL), with peak memory under 200 MB and flat as the file grows (10k against 100k).
    Wall times decide only when the load average was below the core count (as for the export)."""
    found = results.get("imports") or {}
    ours = [r for r in found.get("rows", []) if r["system"] == "rejoinder" and r.get("exit") == 0]
    if not ours:
        return []
    load = float((found.get("loadavg_at_start") or ["0"])[0])
    loaded = load >= (os.cpu_count() or 1)
    note = f" (load average {load:g}: the wall time is not representative)" if loaded else ""
    rows = []
    for row in ours:
        if row["comments"] != 100_000:
            continue
        met = None if loaded else row["seconds"] < target_s
        rows.append(
            f"| import of a 100,000-comment WXR < {target_s:g} s (issue 14) | `rejoinder import wxr`, "
            f"{row['backend']} | {row['seconds']} s, {num(row['rows_per_s'])} comments/s, CPU {row['cpu_s']} s"
            f"{note} | {status(met)} |"
        )
    sqlite = {r["comments"]: r["peak_rss_mib"] for r in ours if r["backend"] == "sqlite"}
    if 10_000 in sqlite and 100_000 in sqlite:
        small, large = sqlite[10_000], sqlite[100_000]
        flat = max(small, large) * 1.048576 < memory_mib and large <= small * 1.1  # MiB against MB
        rows.append(
            f"| import peak memory < {memory_mib:g} MB and flat as the file grows (issue 14) | "
            f"`rejoinder import wxr`, SQLite, 10,000 → 100,000 comments | {small} → {large} MiB | "
            f"{status(flat)} |"
        )
    return rows


def export_targets(results: dict[str, Any]) -> list[str]:
    """The issue 14 target: a 100,000-comment site exports in under 20 s on SQLite. Under load, the wall
    time says more about the machine than the code: the CPU time is shown beside it, and the verdict is
    the wall time's only when the load average was below the core count."""
    found = results.get("export") or {}
    target = found.get("target_s", 20.0)
    rows = []
    for row in found.get("rows", []):
        if row["comments"] != 100_000:
            continue
        load = float((found.get("loadavg_at_start") or ["0"])[0])
        loaded = load >= (os.cpu_count() or 1)
        met = None if loaded else row["export_s"] < target  # under load a wall time decides nothing
        note = f" (load average {load:g}: the wall time is not representative)" if loaded else ""
        rows.append(
            f"| export of a 100,000-comment site < {target:g} s (issue 14) | `rejoinder export`, SQLite | "
            f"{row['export_s']} s, CPU {row['export_cpu_s']} s, peak {row['export_peak_mb']} MB{note} | "
            f"{status(met)} |"
        )
    return rows


def moderation_targets(results: dict[str, Any]) -> list[str]:
    """The issue 6 target: the pipeline adds under 5 ms per comment without external checks."""
    found = results.get("moderation") or {}
    target = found.get("target_ms", 5.0)
    rows = []
    for row in found.get("rows", []):
        if row.get("kind") != "store":
            continue
        rows.append(
            f"| moderation pipeline adds < {target:g} ms per comment, p50 (issue 6) | {row['what']}, in-process | "
            f"{num(row['p50_ms'], 2)} ms (CPU {num(row.get('cpu_p50_ms'), 2)} ms) | {status(row['met_p50'])} |"
        )
        rows.append(
            f"| moderation pipeline adds < {target:g} ms per comment, p99 (issue 6) | {row['what']}, in-process | "
            f"{num(row['p99_ms'], 2)} ms (CPU {num(row.get('cpu_p99_ms'), 2)} ms) | {status(row['met_p99'])} |"
        )
    return rows


def reliability_targets(results: dict[str, Any]) -> list[str]:
    rows = []
    for row in (results.get("crash") or {}).get("rows", []):
        ok = row["cycles_with_losses"] == 0
        rows.append(
            f"| every acknowledged comment and like survives `kill -9` of the server (issue 10) | "
            f"{row['database']}, granian 2 workers, 4 writers | {row['cycles']} cycles, "
            f"{row['comments_acknowledged']:,} comments + {row['likes_acknowledged']:,} likes acknowledged, "
            f"{row['cycles_with_losses']} cycles lost any | {status(ok)} |"
        )
    live_run = results.get("live")
    if live_run:
        p99 = live_run.get("p99_ms")
        met = p99 is not None and p99 < live_run["target_p99_ms"]
        rows.append(
            f"| live update reaches every reader, p99 < {live_run['target_p99_ms']:g} ms after the POST's answer "
            f"(issue 13) | {live_run['clients']:,} streams, granian 2 workers, Redis | p50 "
            f"{num(live_run.get('p50_ms'))} ms, p99 {num(p99)} ms; {num(live_run['kib_per_stream'])} KiB per "
            f"stream | {status(met)} |"
        )
    soak_run = results.get("soak")
    if soak_run:
        total = next((r for r in soak_run["rows"] if r["process"] == "total"), None)
        rows.append(
            f"| memory flat within 10 % after warm-up, mixed traffic (issue 10) | granian 2 workers, "
            f"{soak_run['minutes']:g} min | total RSS {total['after_warm_up_mib'] if total else '?'} → "
            f"{total['end_mib'] if total else '?'} MiB ({total['growth_pct'] if total else '?'} %) | "
            f"{status(soak_run['passed'])} |"
        )
    return rows


NAMES = {"read": "thread reads", "counts": "count requests", "like": "likes", "write": "new comments"}


def reliability_tables(results: dict[str, Any]) -> list[str]:
    out: list[str] = []
    crash_run = results.get("crash")
    out += ["### Crash safety: `kill -9` cycles", ""]
    if crash_run:
        out += [
            f"Measured {crash_run.get('date', '?')} (load average at start "
            f"{' '.join(crash_run.get('loadavg_at_start', []))}). Each cycle: `rejoinder serve --workers 2`, four "
            "clients post comments, like comments and like the article; after a random 5–40 acknowledged writes "
            "the whole process group gets SIGKILL; the server starts again and every write a client saw "
            "acknowledged is looked for through the API (thread, counts, `/api/viewer`) and in the store. The same "
            "cycle runs 3 times per database in CI (tests/test_durability.py); `make bench` runs 50 per database "
            "(`--crash-cycles N` to change it; the table says how many this run made). Method: "
            "[bench/scenarios/crash.py](../bench/scenarios/crash.py).",
            "",
            "| database | cycles | comments acknowledged | likes acknowledged | cycles that lost anything | "
            "median restart (s) |",
            "|---|---|---|---|---|---|",
        ]
        for row in crash_run["rows"]:
            out.append(
                f"| {row['database']} | {row['cycles']} | {row['comments_acknowledged']:,} | "
                f"{row['likes_acknowledged']:,} | {row['cycles_with_losses']} | {row['median_restart_s']} |"
            )
    else:
        out.append("Not measured in this run.")
    out += ["", "### Load isolation: a reader during bursts of long comments", ""]
    iso = results.get("isolation")
    if iso:
        out += [
            f"Measured {iso.get('date', '?')} (load average at start {' '.join(iso.get('loadavg_at_start', []))}). "
            f"One client reads a thread (served from the response cache) one request after another; every few "
            f"seconds {iso['burst']} clients post a {iso['text_chars']:,}-character Markdown comment each at once "
            "to another article. Reader latency in ms, quiet vs. while a burst is in flight. Since issue 10 the "
            "CPU-heavy steps of a write (Markdown, the moderation checks and classifier) run in a thread beside "
            "the worker's event loop (`services/cpu.py`). Before that change (the same scenario on the same "
            "machine, 2026-12-07 00:28 UTC, load average 16.9) the reader's p99 during bursts was 1,404 ms with "
            "1 worker and 725 ms with 2 (max 2,862 and 1,165 ms; quiet p99 18 and 12 ms): two workers alone "
            "halve the stall, the thread removes most of it, so the default stays one worker (one per core is "
            "still the advice for throughput). Method: [bench/scenarios/isolation.py](../bench/scenarios/isolation.py).",
            "",
            "| workers | quiet p50 | quiet p99 | burst p50 | burst p99 | burst max | burst duration (median s) |",
            "|---|---|---|---|---|---|---|",
        ]
        for row in iso["rows"]:
            q, b = row["quiet"], row["during_burst"]
            durations = sorted(row["burst_seconds"])
            out.append(
                f"| {row['workers']} | {q.get('p50_ms')} | {q.get('p99_ms')} | {b.get('p50_ms')} | "
                f"**{b.get('p99_ms')}** | {b.get('max_ms')} | {durations[len(durations) // 2]} |"
            )
    else:
        out.append("Not measured in this run.")
    out += ["", "### Soak: memory under mixed traffic", ""]
    soak_run = results.get("soak")
    if soak_run:
        req = soak_run["requests"]
        out += [
            f"Measured {soak_run.get('date', '?')} (load average at start "
            f"{' '.join(soak_run.get('loadavg_at_start', []))}): {soak_run['minutes']:g} minutes against "
            f"`rejoinder serve --workers 2`, four clients ({', '.join(f'{v:,} {NAMES.get(k, k)}' for k, v in sorted(req.items()))}; "
            f"errors: {soak_run['errors'] or 'none'}). RSS sampled every 5 s; the first 20 % is warm-up, then the "
            "mean of the second half is compared with the first half's. `make bench` runs 30 minutes; "
            "`bench/run.py --only soak --soak-minutes N` runs it alone. Method: "
            "[bench/scenarios/soak.py](../bench/scenarios/soak.py).",
            "",
            "| process | after warm-up (MiB) | end (MiB) | peak (MiB) | growth | flat (≤ 10 %) |",
            "|---|---|---|---|---|---|",
        ]
        for row in soak_run["rows"]:
            out.append(
                f"| {row['process']} | {row['after_warm_up_mib']} | {row['end_mib']} | {row['peak_mib']} | "
                f"{row['growth_pct']} % | {'yes' if row['flat'] else '**no**'} |"
            )
    else:
        out.append("Not measured in this run.")
    out += ["", "### Live updates: readers following one thread", ""]
    live_run = results.get("live")
    if live_run:
        out += [
            f"Measured {live_run.get('date', '?')} (load average at start "
            f"{' '.join(live_run.get('loadavg_at_start', []))}, on a machine shared with other work: the figures "
            f"are upper bounds). {live_run['clients']:,} Server-Sent Events streams on one article against "
            "`rejoinder serve --workers 2` with Redis (default `[live]` settings: a worker looks for changes "
            f"every `live.check_ms` = 100 ms); {live_run['posts']} comments posted one at a time. Latency: from the "
            "POST's answer to the event read by each stream; the streams are read by one Python process on the "
            "same 2 cores. Memory: the server's RSS (main process and workers) with the streams open, minus "
            "before. `bench/run.py --only live` runs it alone. Method: "
            "[bench/scenarios/live.py](../bench/scenarios/live.py).",
            "",
            "| streams | posts reaching every stream | p50 (ms) | p99 (ms) | max (ms) | RSS before → with streams "
            "(MiB) | per stream (KiB) |",
            "|---|---|---|---|---|---|---|",
            f"| {live_run['clients']:,} | {live_run['posts_reaching_every_stream']} of {live_run['posts']} | "
            f"{num(live_run['p50_ms'])} | {num(live_run['p99_ms'])} | {num(live_run['max_ms'])} | "
            f"{live_run['rss_before_kib'] / 1024:.0f} → {live_run['rss_with_streams_kib'] / 1024:.0f} | "
            f"{num(live_run['kib_per_stream'])} |",
        ]
    else:
        out.append("Not measured in this run.")
    return out


def classifier_table(results: dict[str, Any]) -> list[str]:
    found = results.get("classifier")
    if not found:
        return ["Not measured in this run (`--no-classifier`)."]
    h = found["heldout"]
    lines = [
        f"The shipped model on the held-out set ({h['examples']:,} comments in 11 languages, written from "
        "templates training never sees; per language and kind, and how a site's decisions fix a "
        "systematic mistake, in [moderation.md](moderation.md#every-language-and-the-hard-cases-issue-18)). "
        f"Measured {found.get('date', '')}; method: "
        "[bench/scenarios/classifier.py](../bench/scenarios/classifier.py).",
        "",
        "| what | measured | target |",
        "|---|---|---|",
        f"| legitimate comments held | {100 * h['ham_held']:.1f} % | ≤ 1 % |",
        f"| difficult legitimate comments held | {100 * h['difficult_ham_held']:.1f} % | ≤ 2 % |",
        f"| spam precision / recall (flag threshold) | {h['spam']['precision']:.3f} / {h['spam']['recall']:.3f} | |",
        f"| abuse precision / recall (flag threshold) | {h['abuse']['precision']:.3f} / "
        f"{h['abuse']['recall']:.3f} | |",
        f"| scoring one comment, p50 / p99 wall | {found['speed']['score_ms_p50']} / "
        f"{found['speed']['score_ms_p99']} ms | |",
    ]
    return lines


def load_note(found: dict[str, Any]) -> str:
    """ ", load average at start 1.2 0.9 0.5" for a part measured on its own (empty when unknown)."""
    load = found.get("loadavg_at_start")
    return f", load average at start {' '.join(load)}" if load else ""


def export_table(results: dict[str, Any]) -> list[str]:
    found = results.get("export")
    if not found or not found.get("available"):
        return ["Not measured in this run (`--no-export`; `bench/run.py --only export` measures it alone)."]
    at = load_note(found)
    rows = [
        f"`rejoinder export` of a generated site on SQLite (a third of the comments replies, each with its "
        f"revision, a like per ten comments), target under {found['target_s']:g} s for 100,000 comments; then "
        "`rejoinder import jsonl` of the file into an empty instance and an export of the restored site, "
        "compared byte for byte. Each command is its own process, timed from start to exit; CPU is user + "
        "system time (the steadier figure on a shared machine); peak is its maximum resident memory."
        f" Measured {found.get('date', '')}{at}. Method: [bench/scenarios/export.py](../bench/scenarios/export.py).",
        "",
        *(
            [
                f"Other runs of the 100,000-comment export on this machine: {found['other_runs']}.",
                "",
            ]
            if found.get("other_runs")
            else []
        ),
        "| comments | export s (CPU s) | rows/s | peak MB | file MB | WXR s (CPU s) | restore s (CPU s) | restore peak MB "
        "| round trip identical |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in found["rows"]:
        rows.append(
            f"| {row['comments']:,} | {row['export_s']} ({row['export_cpu_s']}) | {row['export_rows_per_s']:,} "
            f"| {row['export_peak_mb']} | {row['file_mb']} | {row['wxr_s']} ({row['wxr_cpu_s']}) "
            f"| {row['restore_s']} ({row['restore_cpu_s']}) | {row['restore_peak_mb']} "
            f"| {'yes' if row['round_trip_identical'] else 'NO'} |"
        )
    return rows


def mail_table(results: dict[str, Any]) -> list[str]:
    found = results.get("mail")
    if not found or not found.get("available"):
        return ["Not measured in this run (`--no-mail`; `bench/run.py --only mail` measures it alone)."]
    return [
        f"{found['subscribers']:,} confirmed subscribers of one thread (immediate mode), one new comment: the "
        "fan-out (a notification per address, written by the outbox's handler), then, once the batch minute "
        "has passed (the injected clock is moved, not waited for), the batched sender mailing every address "
        "through an SMTP server on loopback (aiosmtpd, in the same process). In-process, SQLite. Wall times"
        f" under whatever else the machine ran. Measured {found.get('date', '')}{load_note(found)}. Method: "
        "[bench/scenarios/mail.py](../bench/scenarios/mail.py).",
        "",
        "| subscribers | emails received | fan-out s | sending s | emails/s |",
        "|---|---|---|---|---|",
        f"| {found['subscribers']:,} | {found['emails']:,} | {found['fan_out_s']} | {found['send_s']} "
        f"| {num(found.get('emails_per_s'))} |",
    ]


def hosts_table(results: dict[str, Any]) -> list[str]:
    found = results.get("hosts")
    if not found or not found.get("available"):
        why = f" ({found['why']})" if found and found.get("why") else ""
        return [f"Not measured in this run{why}; `bench/run.py --only hosts` measures it alone (as root)."]
    rows = [
        "rejoinder hosts (`rejoinder serve --workers 2` each) behind nginx, with PostgreSQL and Redis, each in "
        "a network namespace of its own on one bridge (tests/fixtures/hosts.py), all on the same 2 cores with "
        f"wrk. `wrk -t1 -c32` for {found['duration_s']:.0f} s through the balancer; *server CPU* is the CPU "
        "time of every process in the hosts' namespaces per request, *db CPU* PostgreSQL's. Reads: a cached "
        "100-comment thread, gzip. Writes: a new comment each. Measured "
        f"{found.get('date', '')}{load_note(found)}. Method: [bench/scenarios/hosts.py](../bench/scenarios/hosts.py).",
        "",
        "| hosts | case | req/s | p99 ms | server CPU ms/req | db CPU ms/req | errors |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for key, label in (("one", "1"), ("two", "2")):
        for case in ("read", "write"):
            row = found.get(key, {}).get(case)
            if row:
                errors = ", ".join(f"{k} {v}" for k, v in row["errors"].items()) or "0"
                rows.append(
                    f"| {label} | {case} | {num(row['rps'])} | {num(row['p99_ms'])} | "
                    f"{num(row['cpu_ms_per_req'], 3)} | {num(row['db_cpu_ms_per_req'], 3)} | {errors} |"
                )
    rows += [
        "",
        "Fault runs (two hosts, 2 writers and 2 readers through the balancer): answers by status, requests "
        "that failed otherwise (a 502 is a write in flight on a killed host, never retried), and acknowledged "
        "writes missing from the database afterwards.",
        "",
        "| fault | answers by status | other failures | writes acknowledged | lost | seconds |",
        "|---|---|---:|---:|---:|---:|",
    ]
    names = {"kill_host": "`kill -9` of one host", "redis_10s": "Redis unreachable 10 s",
             "pg_restart": "PostgreSQL restart"}  # fmt: skip
    for key, row in found.get("faults", {}).items():
        statuses = ", ".join(f"{k}: {v}" for k, v in row["statuses"].items())
        rows.append(
            f"| {names.get(key, key)} | {statuses} | {row['failures']} | {row['acknowledged']} | "
            f"**{row['lost']}** | {row['seconds']} |"
        )
    return rows


def _of(row: dict[str, Any]) -> str:
    """ "of N" when a run was stopped before the end (Isso's import, limited in time)."""
    return f" of {row['of']:,}" if row.get("of") and row["of"] != row["comments"] else ""


def imports_table(results: dict[str, Any]) -> list[str]:
    found = results.get("imports")
    if not found or not found.get("rows"):
        return ["Not measured in this run (`--no-imports`)."]
    load = found.get("loadavg_at_start")
    at = f", load average at start {' '.join(load)}" if load else ""
    rows = [
        f"A generated WXR 1.2 file (posts of {found.get('per_post', 20)} comments, one in three a reply, HTML "
        "paragraphs with emphasis and a link; bench/scenarios/imports.py) imported by `rejoinder import` into "
        "a fresh database, and the same files by Isso's own `isso import -t wordpress` into a fresh Isso "
        "database (its importer commits every comment on its own; stopped after 5 minutes if still running, "
        "the rate then counts what it had imported), each as "
        f"one process: wall time, comments per second, CPU time (user + system, the steadier figure on a "
        f"shared machine; per comment in brackets) and that process's peak RSS. Measured {found.get('date', results['date'])}{at}; "
        "the machine is shared, so wall times are upper bounds.",
        "",
        "Where an import's CPU time goes (cProfile of the 10,000-comment file, before the changes of this "
        "run's commit): rendering Markdown with markdown-it a third, reading the XML 13 %, turning the HTML "
        "into Markdown 12 %, writing (batches of 500 rows through executemany, the search index's triggers "
        "included) 14 %, checking thread URLs and the rest of cleaning 12 %, starting Python 12 %. Plain "
        "comments (paragraphs of words with emphasis, strong and links: every comment of this file, 25 of the "
        "32 of the real WordPress fixtures) now render without markdown-it, to the same bytes; thread URLs are "
        "checked once per page. The map of source ids (about 0.3 KB per comment in a dict) is kept in a "
        "temporary SQLite file with a 4 MB page cache, so the peak RSS no longer grows with the file.",
        "",
        "| system | database | comments | file | wall | comments/s | CPU (per comment) | peak RSS | exit |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in found["rows"]:
        cpu = r.get("cpu_s")
        per = f"{cpu / r['comments'] * 1000:.2f} ms" if cpu and r.get("comments") else "–"
        rows.append(
            f"| {r['system']} | {r['backend']} | {r['comments']:,}{_of(r)} | {r['file_mib']} MiB | {r['seconds']} s | "
            f"{r['rows_per_s']:,} | {f'{cpu} s ({per})' if cpu is not None else '–'} | {r['peak_rss_mib']} MiB | {r['exit']} |"
        )
    return rows


def moderation_table(results: dict[str, Any]) -> list[str]:
    found = results.get("moderation")
    if not found or not found.get("available"):
        return ["Not measured in this run (`--no-moderation`)."]
    at = load_note(found)
    when = f" Measured {found['date']} with `--moderation-only`{at}." if found.get("date") else ""
    rows = [
        "In-process, without external checks, on a site with 150 blocked and 100 suspect terms, 200 blocked "
        "domains, pre-moderation of new commenters, the learning classifier with its shipped model and repeat "
        "detection over the author's last 20 comments; synthetic comments of 20–120 words, one in five with a "
        "link. The database rows are the run with the median p50 of "
        f"{found.get('reps', 1)} (each on a fresh database). *With their database work* is everything `post_comment` does for moderation (rate-limit hit, "
        "form token and digests, the thread and facts read, the checks, recording the revision), not the "
        "comment's own INSERT. CPU is this process's (with aiosqlite's thread); *loop CPU* is the event loop "
        "thread's alone, which other work on a busy machine inflates least (what the test suite guarded before "
        f"issue #11 moved timing out of it); PostgreSQL's own work shows only in the wall time.{when} "
        "Method: [bench/scenarios/moderation.py](../bench/scenarios/moderation.py).",
        "",
        "| what | comments | p50 ms | p99 ms | CPU p50 ms | CPU p99 ms | loop CPU p50 / p99 ms "
        "| facts / checks / record p50 ms | p50 of each run |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in found["rows"]:
        parts = row.get("parts") or {}
        split = " / ".join(num(parts[k][0], 2) for k in ("facts", "checks", "record") if k in parts)
        loop = " / ".join(num(row[k], 2) for k in ("loop_cpu_p50_ms", "loop_cpu_p99_ms") if k in row)
        rows.append(
            f"| {row['what']} | {row['n']:,} | {num(row['p50_ms'], 2)} | {num(row['p99_ms'], 2)} | "
            f"{num(row.get('cpu_p50_ms'), 2)} | {num(row.get('cpu_p99_ms'), 2)} | {loop or '–'} | {split or '–'} | "
            f"{' / '.join(num(x, 2) for x in row.get('runs_p50_ms', [])) or '–'} |"
        )
    return rows


def comparison(results: dict[str, Any]) -> list[str]:
    rows = [
        "| case | rejoinder 1w | rejoinder 2w | Isso | nginx | rejoinder ÷ Isso (1w / 2w) "
        "| rejoinder ÷ nginx (1w / 2w) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for case, label in COMPARED:
        if case.startswith(("cold-", "rebuild-")):
            one, two = rps(results, uncached_server(case), case), None
        else:
            one, two = rps(results, "rejoinder-1w", case), rps(results, "rejoinder-2w", case)
        isso = rps(results, "isso", isso_case(case))
        ng = rps(results, "nginx", nginx_case(case))
        rows.append(
            f"| {label} | {num(one)} | {num(two)} | {num(isso)} | {num(ng)} | "
            f"{ratio(one, isso)} / {ratio(two, isso)} | {ratio(one, ng)} / {ratio(two, ng)} |"
        )
    return rows


def cpu_table(results: dict[str, Any]) -> list[str]:
    rows = [
        "| case | rejoinder 1w | rejoinder 2w | Isso | nginx | Isso ÷ rejoinder 1w |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for case, label in COMPARED:

        def cpu(server: str, c: str) -> float | None:
            found = find(results, server, c)
            return found["cpu_ms_per_req"] if found else None

        if case.startswith(("cold-", "rebuild-")):
            one, two = cpu(uncached_server(case), case), None
        else:
            one, two = cpu("rejoinder-1w", case), cpu("rejoinder-2w", case)
        isso = cpu("isso", isso_case(case))
        ng = cpu("nginx", nginx_case(case))
        rows.append(
            f"| {label} | {num(one, 3)} | {num(two, 3)} | {num(isso, 3)} | {num(ng, 3)} | {ratio(isso, one)} |"
        )
    return rows


def all_runs(results: dict[str, Any]) -> list[str]:
    rows = [
        "| server | case | req/s | each rep | p50 ms | p99 ms | server CPU ms/req "
        "| cores busy: server / wrk / other | bytes/response | conns | errors |",
        "|---|---|---:|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for c in results["cases"]:
        name = SERVERS.get(c["server"], c["server"])
        if "rps" not in c:
            rows.append(f"| {name} | {c['label']} | skipped ({c.get('skipped', '')}) | | | | | | | | |")
            continue
        errors = ", ".join(f"{k} {v}" for k, v in c["errors"].items()) or ""
        notes = f" ({'; '.join(c['notes'])})" if c.get("notes") else ""
        reps = " / ".join(num(x) for x in c["reps_rps"])
        rows.append(
            f"| {name} | {c['label']}{notes} | {num(c['rps'])} | {reps} | {num(c['p50_ms'])} | "
            f"{num(c['p99_ms'])} | {num(c['cpu_ms_per_req'], 3)} | "
            f"{c['server_busy']:.2f} / {c.get('wrk_busy', 0):.2f} / {c.get('other_busy', 0):.2f} | "
            f"{c['bytes_per_resp']:,.0f} | {c['connections']} | {errors} |"
        )
    return rows


def thread_table(results: dict[str, Any]) -> list[str]:
    rows = [
        "| thread | comments | rejoinder: comments in one response (limit=1000) | top-level | pages "
        "| rejoinder bytes | gzip bytes | Isso bytes |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    isso = results.get("isso_bytes", {})
    for key, t in results.get("threads", {}).items():
        isso_bytes = isso.get(key)
        if isso_bytes is None:
            found = find(results, "isso", f"read-{key[1:]}")
            isso_bytes = found["bytes_per_resp"] if found else None
        rows.append(
            f"| {key} | {t['comments_in_thread']:,} | {t['comments_in_response']:,} | {t['roots']:,} | "
            f"{t['pages']} | {t['bytes']:,} | {t['gzip_bytes']:,} | "
            f"{f'{isso_bytes:,.0f}' if isso_bytes else '–'} |"
        )
    return rows


def widget_table(results: dict[str, Any]) -> list[str]:
    w = results.get("widget", {})
    if not w.get("available"):
        return [f"Not measured: {w.get('reason', 'no data')}."]
    rows = []
    for name, why in w.get("missing", {}).items():
        rows.append(f"- {name}: not available ({why}).")
    if rows:
        rows.append("")
    rows += [
        "| widget | thread | CPU | first comment painted (ms) | first page painted (ms) | longest task while "
        "painting (ms) | comments rendered | runs |",
        "|---|---:|---|---:|---:|---:|---:|---|",
    ]
    for r in w.get("rows", []):
        runs = " / ".join(
            f"{x['first_ms']:.0f}–{x['page_ms']:.0f}" if "error" not in x else x["error"] for x in r["runs"]
        )
        cpu = r.get("cpu", 1)
        rows.append(
            f"| {r['widget']} | {r['size']:,} | {'as is' if cpu == 1 else f'{cpu}× slower'} | "
            f"{num(r.get('first_ms'), 0)} | {num(r.get('page_ms'), 0)} | {num(r.get('longest_task_ms'), 0)} | "
            f"{r.get('count', '–')} | {runs} |"
        )
    return rows


def render(results: dict[str, Any]) -> str:
    m = results["machine"]
    s = results["settings"]
    v = results.get("versions", {})
    iv = results.get("isso_versions", {})
    quick = " (**--quick run: 1 short repetition, for development only**)" if s.get("quick") else ""
    changed = (
        [
            "**Warning:** files under `src/rejoinder/` changed while this run was going on (other work in "
            "the same tree), so servers started later in the run ran newer code than the first ones.",
            "",
        ]
        if results.get("source_changed_during_run")
        else []
    )
    out = [
        "# Benchmarks",
        "",
        "<!-- Generated by bench/run.py from bench/results/latest.json; do not edit by hand. -->",
        "",
        f"Measured {results['date']}{quick} with `make bench` on one machine: {m['nproc']} cores "
        f"({m['cpu']}), {m['memory_gib']} GiB, Linux {m['kernel']}, Python {m['python']}; load average at "
        f"start {' '.join(m['loadavg_at_start'])}. rejoinder {v.get('rejoinder', '?')}, Isso "
        f"{iv.get('isso', '–')} under gunicorn {iv.get('gunicorn', '–')} (2 sync workers, `--preload`), "
        f"nginx {v.get('nginx', '?')} (Debian nginx-light, 2 workers), {v.get('wrk', 'wrk')}.",
        "",
        f"Every figure is the median of {s['reps']} runs of {s['duration_s']:.0f} s "
        "(`wrk -t1 -c32 --latency` on 127.0.0.1 unless the case says otherwise). **wrk runs on the same "
        "2 cores as the server it measures**, so req/s are lower bounds on what the server could do alone; "
        "*server CPU ms/request* (CPU time of the server's whole process tree from /proc, divided by the "
        "requests completed) is the figure to compare across machines. The machine is shared with other "
        "work (the last table shows how busy other processes kept the cores during each run; the benchmark "
        f"ran at nice {s.get('nice', 0)}): treat differences under ~20 % as noise. "
        "Method: [bench/README.md](../bench/README.md).",
        "",
        *changed,
        "## Targets",
        "",
        *targets(results),
        "",
        "Why the missed ones miss, with profiles: "
        "[bench/README.md, Why targets are missed](../bench/README.md#why-targets-are-missed).",
        "",
        "## Requests per second",
        "",
        "Isso has no response compression and no cache, so its plain read stands in its column for the "
        "gzip and uncached rows; nginx serves the exact bytes of rejoinder's 1,000-comment response (and a "
        "pre-compressed copy of rejoinder's own gzip body through `gzip_static`).",
        "",
        *comparison(results),
        "",
        "## Server CPU per request (ms)",
        "",
        *cpu_table(results),
        "",
        "## Threads",
        "",
        "The same threads in both servers: realistic Markdown (paragraphs, emphasis, links, inline code, "
        f"code blocks, quotes, lists), about {results.get('corpus', {}).get('reply_share', 0.25):.0%} replies. "
        "rejoinder's read asks for `limit=1000` top-level comments (its largest page) with their replies (up to "
        "100 per conversation and 1,000 comments a page since #10): the whole thread up to 1,000 comments, the "
        "first 1,000 for 10,000. Isso always sends the whole thread.",
        "",
        *thread_table(results),
        "",
        "## Widget in headless Chromium (issue 4)",
        "",
        "Time from navigation start to the first comment painted and to the whole first page painted "
        "(the widget's own first page: rejoinder renders its default page, Isso its default: every top-level "
        "comment with up to 5 replies each), host page and API on 127.0.0.1, median of the runs shown "
        "(first–page ms per run). The 10- and 1,000-comment threads are timed again with the CPU 4× slower "
        "(Chrome DevTools Protocol `Emulation.setCPUThrottlingRate`), as on a slow phone; *longest task* is "
        "the longest task (PerformanceObserver `longtask`, over 50 ms; 0 when none) from navigation until "
        "the first page was painted."
        + (
            f" Measured {results['widget']['date']} (`bench/run.py --widget-only`), after the rest of this page."
            if results.get("widget", {}).get("date")
            else ""
        ),
        "",
        *widget_table(results),
        "",
        "## Importing a 100,000-comment WordPress export (issue 14)",
        "",
        *imports_table(results),
        "",
        "## Moderation pipeline latency (issue 6)",
        "",
        *moderation_table(results),
        "",
        "## Export (issue 14)",
        "",
        *export_table(results),
        "",
        "## Email notifications (issue 13)",
        "",
        *mail_table(results),
        "",
        "## Several hosts (issue 15)",
        "",
        *hosts_table(results),
        "",
        "## Classifier on comments it never saw (issue 18)",
        "",
        *classifier_table(results),
        "",
        "## Reliability (issue 10)",
        "",
        *reliability_tables(results),
        "",
        "## Every run",
        "",
        *all_runs(results),
        "",
        f"Whole run: {results.get('elapsed_s', 0) / 60:.0f} minutes.",
        "",
    ]
    return "\n".join(out)


# Hand-written sections (such as a before/after comparison) go after this line in docs/benchmarks.md;
# write_doc keeps them when it renders the generated part again.
KEPT_MARKER = "<!-- Hand-written below this line: bench/run.py keeps it when it writes this page again. -->"


def write_doc(path: Path, results: dict[str, Any]) -> None:
    """Render the report into path, keeping whatever follows KEPT_MARKER in the page already there."""
    kept = ""
    if path.exists():
        _, marker, tail = path.read_text(encoding="utf-8").partition(KEPT_MARKER)
        kept = marker + tail if marker else ""
    path.write_text(render(results) + ("\n" + kept if kept else ""), encoding="utf-8")


if __name__ == "__main__":
    src = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "results" / "latest.json"
    print(render(json.loads(src.read_text(encoding="utf-8"))))
