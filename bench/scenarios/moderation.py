"""Moderation pipeline latency (issue 6): what the pipeline adds to posting one comment, in-process, without
external checks (no Akismet key, no hook), target under 5 ms.

Two measurements, each over a few hundred synthetic comments (20–120 words, one in five with a link) on a
site configured heavily: 150 blocked and 100 suspect terms, 200 blocked domains, pre-moderation of new
commenters, the local learning classifier with its shipped model, repeat detection over the author's
last 20 comments:

- **checks alone**: `Pipeline.run` on facts already loaded (no database);
- **checks with their database work**: every step `services.comments.post_comment` takes for moderation,
  in its order and through the same functions: the rate-limit hit, the form token and text/email
  digests, the read of the thread with the facts (one read connection, one query), the checks, and
  recording the revision inside the write transaction. The comment's own INSERT is not counted (it is not moderation),
  but it runs, so each comment sees the ones before it.

Each sample is wall time (`time.perf_counter`), this process's CPU time (`time.process_time`, which
includes aiosqlite's thread but not other processes: on a shared machine it is the steadier figure) and
the event loop thread's CPU time (`time.thread_time`: *loop CPU*, the steadiest). Only `rejoinder` is
imported. Performance is measured here, not in timed tests: the test suite asserts no milliseconds.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

TARGET_MS = 5.0
EARLIER = 50_000  # comments already on the site in the large-site variant

WORDS = [
    "council",
    "budget",
    "vote",
    "library",
    "road",
    "school",
    "park",
    "tax",
    "bridge",
    "river",
    "market",
    "train",
    "station",
    "mayor",
    "plan",
    "housing",
    "rent",
    "water",
    "energy",
    "solar",
    "bike",
    "lane",
    "museum",
    "festival",
    "hospital",
    "nurse",
    "teacher",
    "police",
    "fire",
]
BLOCKED = [f"blockedterm{n}" for n in range(150)] + ["viagra", "casino bonus", "cheap pills"]
SUSPECT = [f"suspect{n}*" for n in range(100)] + ["idiot*", "stupid"]
DOMAINS = [f"spam{n}.example" for n in range(200)]
ARTICLE = "https://blog.example/2026/11/latency"


def moderation_settings() -> dict[str, Any]:
    return {
        "blocked_words": BLOCKED,
        "suspect_words": SUSPECT,
        "blocked_domains": DOMAINS,
        "premoderation": "first",
        "min_seconds": 0,
    }


def settings_for(db_url: str, *, classifier: bool = True, rate_limits: bool = True) -> Any:
    from rejoinder import config

    checks = [c for c in config.MODERATION_CHECKS if classifier or c != "classifier"]
    moderation = {**moderation_settings(), "checks": checks, "rate_limits": rate_limits}
    if rate_limits:  # the limits are counted (in memory), never reached
        moderation.update(comment_limit_ip="100000/minute", comment_limit_thread="100000/minute")
    return config.load(env={}, overrides={"database": {"url": db_url}, "moderation": moderation})


def text_of(rng: random.Random, n: int) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(20, 120))]
    if n % 5 == 0:
        words.insert(3, "https://news.example/story")
    return " ".join(words).capitalize() + "."


def percentiles(samples: list[float]) -> tuple[float, float]:
    """The median and the 99th percentile (nearest rank)."""
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[max(0, int(len(ordered) * 0.99 + 0.5) - 1)]


def _scorer(classifier: bool, folder: Path) -> Any:
    if not classifier:
        return None
    from rejoinder.moderation.checks.classifier import ClassifierScorer
    from rejoinder.moderation.classifier import Classifier

    return ClassifierScorer(Classifier(folder / "models"))


def measure_checks(
    n: int = 2000, *, classifier: bool = True, clock: Callable[[], float] = time.perf_counter
) -> list[float]:
    """Milliseconds per `Pipeline.run` on loaded facts (the first 100 runs warm caches and are dropped).
    As in the database measurement, 40 authors take turns and each one's 20 latest texts are its recent
    comments (repeat detection keeps the word pairs of texts it has seen, so the turn-taking matters)."""
    from rejoinder.domain.sites import Site, SiteOptions
    from rejoinder.domain.text import render
    from rejoinder.moderation.pipeline import Pipeline
    from rejoinder.moderation.rules import Facts, FormToken, Recent, Submission

    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        s = settings_for("sqlite:///:memory:", classifier=classifier)
        pipeline = Pipeline.from_settings(s.moderation, scorer=_scorer(classifier, Path(tmp)), http=None)
        site = Site(id=1, name="blog", origins=("https://blog.example",), options=SiteOptions())
        policy = pipeline.policy_for(site)
        written: dict[int, list[Recent]] = {who: [] for who in range(40)}
        samples: list[float] = []

        async def go() -> None:
            for i in range(n + 100):
                text = text_of(rng, i)
                mine = written[i % 40]
                facts = Facts(
                    thread_id=1,
                    thread_created=10**15 - 10**9,
                    recent=tuple(reversed(mine[-20:])),
                    approved_count=3,
                )
                sub = Submission(
                    site_id=1,
                    text=text,
                    html=render(text),
                    author_name="Ann Example",
                    author_key="k",
                    now=10**15,
                    email="ann@example.org",
                    ip="203.0.113.9",
                    form_token=FormToken.OK,
                    form_age=12.0,
                )
                started = clock()
                await pipeline.run(sub, facts, policy)
                samples.append((clock() - started) * 1000)
                mine.append(Recent(text, 1, None, 10**15 - 1_000_000))

        asyncio.run(go())
    return samples[100:]


Parts = dict[str, list[float]]


def measure_with_store(
    db_url: str, n: int = 300, *, classifier: bool = True, warmup: int = 30, earlier: int = 0
) -> Parts:
    """Per comment, in milliseconds: `total`, `total_cpu` (this process) and `main_cpu` (the event loop's
    thread alone: every thread a long test session left running counts in the process's time) for
    everything moderation adds, and the parts
    `facts` (thread + facts read), `checks`, `record` (the revision, inside the write transaction).
    `earlier`: comments other authors wrote on the site before (over 30 days, 5,000 authors, 200
    networks, 100 threads; two thirds approved), so that the facts are read from a site of that size."""
    from rejoinder.store import migrate

    migrate.upgrade(db_url)
    with tempfile.TemporaryDirectory() as tmp:
        return asyncio.run(_with_store(db_url, n, classifier, Path(tmp), warmup, earlier))


async def _fill(engine: Any, site_id: int, count: int, now: int) -> None:
    """`count` earlier comments by other authors, written straight into the tables (quick to seed)."""
    import sqlalchemy as sa

    from rejoinder.store import engine as store_engine
    from rejoinder.store.schema import comments, threads

    rng = random.Random(3)
    async with store_engine.write(engine) as conn:
        await conn.execute(
            sa.insert(threads),
            [
                {
                    "site_id": site_id,
                    "uri": f"https://blog.example/old/{t}",
                    "created": now - 40 * 86_400_000_000,
                }
                for t in range(100)
            ],
        )
        ids = [r[0] for r in await conn.execute(sa.select(threads.c.id).where(threads.c.site_id == site_id))]
        day = 86_400_000_000
        for start in range(0, count, 5000):
            rows = []
            for i in range(start, min(count, start + 5000)):
                text = text_of(rng, i)
                rows.append(
                    {
                        "id": f"e{i:010d}",
                        "thread_id": rng.choice(ids),
                        "status": "approved" if i % 3 else "published",
                        "text": text,
                        "html": f"<p>{text}</p>",
                        "author_name": f"Earlier {i % 5000}",
                        "author_key": f"earlier-{i % 5000}",
                        "ip": f"198.51.{i % 200}.0/24",
                        "created": now - rng.randrange(30 * day),
                        "text_hash": f"earlier-{i}",
                    }
                )
            await conn.execute(sa.insert(comments), rows)


async def _with_store(
    db_url: str, n: int, classifier: bool, folder: Path, warmup: int, earlier: int = 0
) -> Parts:
    import msgspec

    from rejoinder.domain.comments import Author, Comment
    from rejoinder.domain.identity import anonymize_ip
    from rejoinder.domain.sites import SiteOptions
    from rejoinder.domain.text import render
    from rejoinder.moderation.rules import STAFF, Submission
    from rejoinder.ratelimit import Action as Limited
    from rejoinder.ratelimit import Scope
    from rejoinder.runtime import open_context
    from rejoinder.services import moderation
    from rejoinder.services.sites import add_site
    from rejoinder.store import comments as comment_store
    from rejoinder.store import engine as store_engine
    from rejoinder.store import threads as thread_store

    rng = random.Random(11)
    settings = settings_for(db_url, classifier=classifier)
    database = msgspec.structs.replace(settings.database, sqlite_synchronous="NORMAL")
    settings = msgspec.structs.replace(settings, database=database)
    parts: Parts = {"total": [], "total_cpu": [], "main_cpu": [], "facts": [], "checks": [], "record": []}
    # The runtime builds the moderation parts (classifier models beside the database, a fresh directory).
    async with open_context(settings, migrate=False, classifier=classifier) as runtime:
        ctx, engine = runtime.ctx, runtime.engine
        site = await add_site(engine, "blog", ["https://blog.example"], SiteOptions(), 1)
        async with store_engine.write(engine) as conn:
            await thread_store.insert_thread(conn, site.id, uri=ARTICLE, key=None, title=None, now=1)
        if earlier:
            await _fill(engine, site.id, earlier, 10**15)
        for i in range(n + warmup):
            text = text_of(rng, i)
            html = render(text)
            now = 10**15 + i * 1000
            who = i % 40
            ip = f"203.0.113.{who}"
            email = f"reader{who}@example.org" if who % 2 else None
            t0, c0, m0 = time.perf_counter(), time.process_time(), time.thread_time()
            # what post_comment does for moderation, in its order
            await moderation.admit(
                ctx, Limited.COMMENT, {Scope.IP: ip, Scope.THREAD: f"{site.id}|u:{ARTICLE}"}
            )
            form_state, form_age = moderation.read_form_token(ctx, None)
            text_hash = moderation.text_hash_of(text)
            sub = Submission(
                site_id=site.id,
                text=text,
                html=html,
                author_name=f"Reader {who}",
                author_key=f"key-{who}",
                now=now,
                email=email,
                email_hash=moderation.email_hash_of(ctx, email),
                ip=ip,
                thread_url=ARTICLE,
                form_token=form_state,
                form_age=form_age,
            )
            t1 = time.perf_counter()
            async with store_engine.quick_read(engine) as conn:
                facts = await moderation.load_facts(
                    ctx, conn, sub, site, thread_id=None, uri=ARTICLE, key=None, text_hash=text_hash
                )
            t2 = time.perf_counter()
            outcome = await moderation.judge(ctx, site, sub, facts)
            status = moderation.status_after(outcome, None)
            t3, c3, m3 = time.perf_counter(), time.process_time(), time.thread_time()
            assert facts.thread_id is not None
            async with store_engine.write(engine) as conn:
                comment = Comment(
                    id=f"c{i:08d}",
                    thread_id=facts.thread_id or 0,
                    parent=None,
                    text=text,
                    html=html,
                    author=Author(name=sub.author_name, email=email, website=None, key=sub.author_key),
                    status=status,
                    created=now,
                    edited=None,
                    likes=0,
                    depth=0,
                )
                await comment_store.insert_comment(
                    conn, comment, visitor_hash=None, edit_token_hash=None, ip=anonymize_ip(ip)
                )
                t4, c4, m4 = time.perf_counter(), time.process_time(), time.thread_time()
                await moderation.record(
                    conn,
                    comment.id,
                    revision=0,
                    text=text,
                    now=now,
                    outcome=outcome,
                    status=status,
                    text_hash=text_hash,
                    staff=bool(facts.roles & STAFF),
                )
                t5, c5, m5 = time.perf_counter(), time.process_time(), time.thread_time()
            if i < warmup:
                continue
            parts["total"].append(((t3 - t0) + (t5 - t4)) * 1000)
            parts["total_cpu"].append(((c3 - c0) + (c5 - c4)) * 1000)
            parts["main_cpu"].append(((m3 - m0) + (m5 - m4)) * 1000)
            parts["facts"].append((t2 - t1) * 1000)
            parts["checks"].append((t3 - t2) * 1000)
            parts["record"].append((t5 - t4) * 1000)
    return parts


def _pg(url: str, statement: str) -> None:
    """One statement on the PostgreSQL server (a fresh schema per run, so any database will do)."""
    import asyncpg

    async def go() -> None:
        conn = await asyncpg.connect(url.split("?", 1)[0], timeout=10)
        try:
            await conn.execute(statement)
        finally:
            await conn.close()

    asyncio.run(go())


def _row(what: str, samples: list[float], **extra: Any) -> dict[str, Any]:
    p50, p99 = percentiles(samples)
    return {"what": what, "n": len(samples), "p50_ms": round(p50, 3), "p99_ms": round(p99, 3), **extra}


def run(work: Path, *, quick: bool = False, pg_url: str | None = None) -> dict[str, Any]:
    """The scenario as bench/run.py records it: rows of p50/p99 per measurement, and whether each meets
    the 5 ms target at p50 and p99. Each database measurement runs `reps` times on a fresh database and
    the run with the median p50 is reported (with every run's p50): on a shared machine one run can be
    disturbed by other work."""
    n_checks, n_store, reps = (400, 120, 1) if quick else (2000, 400, 3)
    rows = []
    for what, classifier in (("local checks + classifier", True), ("local checks only", False)):
        # CPU: the event loop thread's (`thread_time`), which other processes on a busy machine inflate
        # less than wall time; the checks run nowhere else.
        cpu50, cpu99 = percentiles(measure_checks(n_checks, classifier=classifier, clock=time.thread_time))
        rows.append(
            _row(
                f"checks alone, {what}",
                measure_checks(n_checks, classifier=classifier),
                kind="checks",
                loop_cpu_p50_ms=round(cpu50, 3),
                loop_cpu_p99_ms=round(cpu99, 3),
            )
        )
    work.mkdir(parents=True, exist_ok=True)
    variants = [("SQLite", None, 0), (f"SQLite, site with {EARLIER:,} earlier comments", None, EARLIER)]
    if pg_url:
        variants.insert(1, ("PostgreSQL", pg_url, 0))
    for name, server, earlier in variants:
        runs = [_measure_fresh(work, server, n_store, earlier) for _ in range(reps)]
        runs.sort(key=lambda parts: percentiles(parts["total"])[0])
        parts = runs[len(runs) // 2]
        cpu50, cpu99 = percentiles(parts["total_cpu"])
        loop50, loop99 = percentiles(parts["main_cpu"])
        rows.append(
            _row(
                f"checks + their database work, {name}",
                parts["total"],
                kind="store",
                cpu_p50_ms=round(cpu50, 3),
                cpu_p99_ms=round(cpu99, 3),
                loop_cpu_p50_ms=round(loop50, 3),
                loop_cpu_p99_ms=round(loop99, 3),
                runs_p50_ms=[round(percentiles(r["total"])[0], 3) for r in runs],
                parts={
                    k: [round(v, 3) for v in percentiles(parts[k])] for k in ("facts", "checks", "record")
                },
            )
        )
    for row in rows:
        row["met_p50"] = row["p50_ms"] < TARGET_MS
        row["met_p99"] = row["p99_ms"] < TARGET_MS
    return {"available": True, "target_ms": TARGET_MS, "reps": reps, "rows": rows}


def _measure_fresh(work: Path, pg_url: str | None, n: int, earlier: int) -> Parts:
    """One measurement on a new SQLite file, or on a new schema of the PostgreSQL database."""
    if pg_url is None:
        path = work / "moderation-latency.db"
        for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            stale.unlink(missing_ok=True)
        return measure_with_store(f"sqlite:///{path}", n, earlier=earlier)
    schema = f"bench_moderation_{random.randrange(16**8):08x}"
    _pg(pg_url, f"CREATE SCHEMA {schema}")
    try:
        return measure_with_store(
            f"{pg_url}{'&' if '?' in pg_url else '?'}schema={schema}", n, earlier=earlier
        )
    finally:
        _pg(pg_url, f"DROP SCHEMA {schema} CASCADE")


if __name__ == "__main__":  # pragma: no cover - a quick look while tuning
    import json
    import sys

    quick = "--quick" in sys.argv
    pg = next((a for a in sys.argv[1:] if a.startswith("postgresql://")), None)
    print(json.dumps(run(Path(tempfile.mkdtemp()), quick=quick, pg_url=pg), indent=1))
