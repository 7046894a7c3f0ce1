"""What the moderation pipeline adds to posting a comment, without external checks: the checks alone, and
the checks with their database work (loading the facts, recording the revision) on SQLite and PostgreSQL.
The target is under 5 ms at p99. Print the numbers for docs/moderation.md with:

    .venv/bin/python -m tests.moderation.test_pipeline_latency
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from typing import Any

from rejoinder import config
from rejoinder.domain.sites import Site, SiteOptions
from rejoinder.domain.text import render
from rejoinder.moderation.pipeline import Pipeline
from rejoinder.moderation.rules import Facts, FormToken, Recent, Submission
from rejoinder.services import moderation as service
from rejoinder.store import engine as store_engine
from rejoinder.store import migrate
from rejoinder.store import threads as thread_store
from rejoinder.store.engine import create_engine

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


def settings() -> config.Settings:
    return config.load(
        env={},
        overrides={
            "moderation": {
                "blocked_words": BLOCKED,
                "suspect_words": SUSPECT,
                "blocked_domains": [f"spam{n}.example" for n in range(200)],
                "premoderation": "first",
            }
        },
    )


def text_of(rng: random.Random, n: int) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(20, 120))]
    if n % 5 == 0:
        words.insert(3, "https://news.example/story")
    return " ".join(words).capitalize() + "."


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(len(ordered) * 0.99) - 1]


def measure_checks(n: int = 2000, clock: Any = time.perf_counter) -> tuple[float, float]:
    """Milliseconds per pipeline run (every local check; the null scorer), p50 and p99. With
    clock=time.thread_time it counts CPU time only, which other processes on a busy machine cannot
    inflate (the test uses that; the docs report wall time measured on a quiet machine)."""
    rng = random.Random(7)
    s = settings()
    pipeline = Pipeline(s.moderation)
    site = Site(id=1, name="blog", origins=("https://blog.example",), options=SiteOptions())
    policy = pipeline.policy_for(site)
    recent = tuple(Recent(text_of(rng, i), 1, None, 10**15 - i) for i in range(20))
    facts = Facts(thread_id=1, thread_created=10**15 - 10**9, recent=recent, approved_count=3)
    samples = []

    async def go() -> None:
        for i in range(n):
            text = text_of(rng, i)
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

    asyncio.run(go())
    return percentiles(samples[100:])  # the first runs warm caches up


def measure_with_store(db_url: str, n: int = 300, clock: Any = time.perf_counter) -> tuple[float, float]:
    """Milliseconds per comment for what moderation adds around the insert: load the facts (a read
    connection), run the checks, record the revision; p50 and p99. clock=time.process_time counts the
    CPU time of this process's threads (SQLite runs in aiosqlite's thread) and not other processes'."""
    rng = random.Random(11)
    migrate.upgrade(db_url)
    s = settings()

    async def go() -> list[float]:
        from rejoinder.services.context import Context

        engine = create_engine(db_url, sqlite_synchronous="NORMAL")
        samples = []
        try:
            from rejoinder.bus.memory import MemoryInvalidator
            from rejoinder.services.sites import SiteRegistry, add_site

            site = await add_site(engine, "blog", ["https://blog.example"], SiteOptions(), 1)
            ctx = Context(
                engine=engine,
                settings=s,
                secret=b"x" * 32,
                invalidator=MemoryInvalidator(),
                sites=SiteRegistry(engine),
            )
            async with store_engine.write(engine) as conn:
                thread = await thread_store.insert_thread(
                    conn, site.id, uri="https://blog.example/a", key=None, title=None, now=1
                )
            from rejoinder.domain.comments import Author, Comment, CommentStatus
            from rejoinder.store import comments as comment_store

            for i in range(n):
                text = text_of(rng, i)
                now = 10**15 + i * 1000
                sub = Submission(
                    site_id=site.id,
                    text=text,
                    html=render(text),
                    author_name=f"Author {i % 40}",
                    author_key=f"key-{i % 40}",
                    now=now,
                    ip=f"203.0.113.{i % 40}",
                )
                started = clock()
                text_hash = service.text_hash_of(text)
                async with store_engine.read(engine) as conn:
                    facts = await service.load_facts(
                        ctx, conn, sub, site, thread_id=thread.id, text_hash=text_hash
                    )
                outcome = await service.judge(ctx, site, sub, facts)
                checked = clock()
                async with store_engine.write(engine) as conn:
                    comment = Comment(
                        id=f"c{i:08d}",
                        thread_id=thread.id,
                        parent=None,
                        text=text,
                        html=sub.html,
                        author=Author(name=sub.author_name, email=None, website=None, key=sub.author_key),
                        status=CommentStatus.PUBLISHED,
                        created=now,
                        edited=None,
                        likes=0,
                        depth=0,
                    )
                    await comment_store.insert_comment(
                        conn, comment, visitor_hash=None, edit_token_hash=None, ip="203.0.113.0/24"
                    )
                    inserted = clock()
                    await service.record(
                        conn,
                        comment.id,
                        revision=0,
                        text=text,
                        now=now,
                        outcome=outcome,
                        status=CommentStatus.PUBLISHED,
                        text_hash=text_hash,
                        staff=False,
                    )
                    recorded = clock()
                samples.append(((checked - started) + (recorded - inserted)) * 1000)
        finally:
            await engine.dispose()
        return samples

    samples = asyncio.run(go())
    return percentiles(samples[30:])


def test_the_checks_add_under_5_ms() -> None:
    p50, p99 = measure_checks(600, clock=time.thread_time)
    assert p99 < 5.0, f"p50 {p50:.2f} ms, p99 {p99:.2f} ms"


def test_the_checks_with_their_database_work_stay_cheap(db_url: str) -> None:
    p50, p99 = measure_with_store(db_url, 150, clock=time.process_time)
    # CPU time, and the median: wall time and the tail depend on what else the test machine runs. The
    # checks themselves stay under 5 ms (above); their database work costs about as much again (measured
    # numbers in docs/moderation.md), so this guards against regressions rather than the 5 ms target.
    assert p50 < 10.0, f"p50 {p50:.2f} ms, p99 {p99:.2f} ms"


def main() -> None:  # pragma: no cover - prints the numbers for the docs
    import tempfile

    from tests.fixtures.db import drop_pg_url, make_pg_url

    rows: list[tuple[str, Any, Any]] = []
    rows.append(("checks only (2,000 comments)", *measure_checks()))
    with tempfile.TemporaryDirectory() as tmp:
        rows.append(("checks + facts + record, SQLite (300)", *measure_with_store(f"sqlite:///{tmp}/l.db")))
    url = make_pg_url()
    try:
        rows.append(("checks + facts + record, PostgreSQL (300)", *measure_with_store(url)))
    finally:
        drop_pg_url(url)
    print("| What | p50 | p99 |\n|---|---|---|")
    for name, p50, p99 in rows:
        print(f"| {name} | {p50:.2f} ms | {p99:.2f} ms |")


if __name__ == "__main__":  # pragma: no cover
    main()
