"""Crash safety: everything acknowledged survives `kill -9` of the whole server (two workers) in the middle of
concurrent writes, on SQLite and PostgreSQL; the kill comes from the client thread that just got the 2xx
making the cycle's count, right after it. The cycle and its checks are in tests/fixtures/crash.py; `make
bench` runs 50 cycles of the same (bench/scenarios/crash.py)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tests.fixtures import crash
from tests.fixtures.app import ORIGIN, run_cli
from tests.fixtures.servers import start_server

CYCLES = int(os.environ.get("REJOINDER_TEST_CRASH_CYCLES", "3"))


def test_acknowledged_writes_survive_kill_9_of_the_whole_server(db_url: str, tmp_path: Path) -> None:
    run_cli(db_url, "site", "add", "blog", "--origin", ORIGIN)
    assert ORIGIN == crash.ORIGIN

    def start() -> Any:
        return start_server(db_url, tmp_path, args=("--workers", "2"), env=crash.SERVER_ENV)

    ledger = crash.Ledger()
    server = start()
    try:
        for n in range(CYCLES):
            article = f"{ORIGIN}/2026/crash-{n}"
            server, result, problems = crash.crash_cycle(
                start, server, ledger, article=article, writers=4, seed=n + 1
            )
            assert not problems, f"cycle {n}: {problems[:10]}"
            assert result.acknowledged > 0
        assert len(ledger.comments) > 0 and len(ledger.likes) > 0
    finally:
        server.stop()
