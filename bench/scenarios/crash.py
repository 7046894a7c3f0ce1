"""Crash safety (issue 10): `kill -9` of the whole two-worker server during concurrent writes, many cycles, on
SQLite and PostgreSQL. The cycle and its checks are the test suite's (tests/fixtures/crash.py: every acknowledged
comment and like must be there after the restart, through the API and in the store); CI runs 3 cycles per
database, the benchmark 50.
"""

from __future__ import annotations

import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent.parent


def _cycles(db_url: str, work: Path, cycles: int, log: Callable[[str], None]) -> dict[str, Any]:
    from tests.fixtures import crash
    from tests.fixtures.app import run_cli
    from tests.fixtures.servers import start_server

    run_cli(db_url, "migrate")
    run_cli(db_url, "site", "add", "blog", "--origin", crash.ORIGIN)

    def start() -> Any:
        return start_server(db_url, work, args=("--workers", "2"), env=crash.SERVER_ENV)

    ledger = crash.Ledger()
    server = start()
    lost_cycles = 0
    problems: list[str] = []
    results = []
    t0 = time.monotonic()
    try:
        for n in range(cycles):
            server, result, found = crash.crash_cycle(
                start, server, ledger, article=f"{crash.ORIGIN}/bench/crash-{n}", writers=4, seed=n + 1
            )
            results.append(result)
            if found:
                lost_cycles += 1
                problems += [f"cycle {n}: {p}" for p in found[:5]]
                log(f"  cycle {n}: {'; '.join(found[:3])}")
            if (n + 1) % 10 == 0 or n + 1 == cycles:
                log(
                    f"  {n + 1}/{cycles} cycles, {len(ledger.comments)} comments and {len(ledger.likes)} likes acknowledged, {lost_cycles} cycles with losses"
                )
    finally:
        server.stop()
    return {
        "cycles": cycles,
        "cycles_with_losses": lost_cycles,
        "comments_acknowledged": len(ledger.comments),
        "likes_acknowledged": len(ledger.likes) + len(ledger.article_likes),
        "median_acknowledged_per_cycle": statistics.median(r.acknowledged for r in results),
        "median_restart_s": round(statistics.median(r.restart_s for r in results), 1),
        "problems": problems[:20],
        "elapsed_s": round(time.monotonic() - t0),
    }


def run(
    cycles: int, *, work: Path, pg_server: str | None, log: Callable[[str], None] = print
) -> dict[str, Any]:
    """`cycles` kill -9 cycles on a fresh SQLite file, then on a fresh PostgreSQL database on `pg_server`
    (postgresql://user@host:port; skipped when None)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))  # tests.fixtures.crash: the same cycle CI runs
    rows = []
    work.mkdir(parents=True, exist_ok=True)
    log(f"crash safety: {cycles} kill -9 cycles on SQLite")
    with tempfile.TemporaryDirectory(dir=work) as tmp:
        rows.append({"database": "SQLite", **_cycles(f"sqlite:///{tmp}/crash.db", Path(tmp), cycles, log)})
    if pg_server:
        import asyncio

        import asyncpg  # type: ignore[import-untyped]

        name = "rj_bench_crash_" + secrets.token_hex(4)

        async def admin(sql: str) -> None:
            conn = await asyncpg.connect(f"{pg_server}/postgres", timeout=10)
            try:
                await conn.execute(sql)
            finally:
                await conn.close()

        log(f"crash safety: {cycles} kill -9 cycles on PostgreSQL")
        asyncio.run(admin(f'CREATE DATABASE "{name}"'))
        try:
            with tempfile.TemporaryDirectory(dir=work) as tmp:
                rows.append(
                    {"database": "PostgreSQL", **_cycles(f"{pg_server}/{name}", Path(tmp), cycles, log)}
                )
        finally:
            asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    return {"rows": rows}
