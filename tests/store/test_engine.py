"""store/engine.py: SQLite writes take turns on one connection per process, server processes queue on a lock
file, other programs still meet them at SQLite's lock; disposing the engine closes the writer too."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import threading
import time

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from rejoinder.errors import Conflict, Unavailable
from rejoinder.store import engine as store_engine
from rejoinder.store import sqlite_inline


async def _make_table(engine: AsyncEngine) -> None:
    async with store_engine.write(engine) as conn:
        await conn.execute(sa.text("CREATE TABLE t (n INTEGER NOT NULL)"))


def test_concurrent_sqlite_writes_take_turns_on_one_connection(sqlite_url: str) -> None:
    async def go() -> tuple[list[int], set[int], int]:
        engine = store_engine.create_engine(sqlite_url)
        inside = 0
        most_inside = 0
        connections: set[int] = set()

        async def one(n: int) -> None:
            nonlocal inside, most_inside
            async with store_engine.write(engine) as conn:
                inside += 1
                most_inside = max(most_inside, inside)
                raw = await conn.get_raw_connection()
                connections.add(id(raw.driver_connection))
                await conn.execute(sa.text("INSERT INTO t (n) VALUES (:n)"), {"n": n})
                await asyncio.sleep(0.002)  # hold the transaction across an await, as services do
                inside -= 1

        try:
            await _make_table(engine)
            await asyncio.gather(*(one(n) for n in range(40)))
            async with store_engine.read(engine) as conn:
                rows = [r[0] for r in await conn.execute(sa.text("SELECT n FROM t ORDER BY n"))]
        finally:
            await engine.dispose()
        return rows, connections, most_inside

    rows, connections, most_inside = asyncio.run(go())
    assert rows == list(range(40))
    assert len(connections) == 1, "every write of the process goes through the one writer connection"
    assert most_inside == 1


def test_a_failed_write_rolls_back_and_frees_the_turn(sqlite_url: str) -> None:
    async def go() -> list[int]:
        engine = store_engine.create_engine(sqlite_url)
        try:
            await _make_table(engine)
            try:
                async with store_engine.write(engine) as conn:
                    await conn.execute(sa.text("INSERT INTO t (n) VALUES (1)"))
                    raise RuntimeError("the use case failed")
            except RuntimeError:
                pass
            async with store_engine.write(engine) as conn:  # would wait forever if the turn were kept
                await conn.execute(sa.text("INSERT INTO t (n) VALUES (2)"))
            async with store_engine.read(engine) as conn:
                return [r[0] for r in await conn.execute(sa.text("SELECT n FROM t"))]
        finally:
            await engine.dispose()

    assert asyncio.run(asyncio.wait_for(go(), 20)) == [2]


def test_a_write_waits_while_another_process_holds_the_lock(sqlite_url: str) -> None:
    """Another process (a second worker, the CLI) meets the writer at SQLite's lock: the write waits for
    it (busy timeout) instead of failing with 'database is locked'."""
    path = sqlite_url.removeprefix("sqlite:///")
    held = threading.Event()
    served = threading.Event()  # the event loop ticked while our write waited at the lock
    released_after_ticks: list[bool] = []

    def other_process() -> None:
        other = sqlite3.connect(path, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("INSERT INTO t (n) VALUES (1)")
            held.set()
            # Hold the lock until the loop has shown it keeps serving (or give up after 10 s, and fail below).
            released_after_ticks.append(served.wait(10))
            other.execute("COMMIT")
        finally:
            other.close()

    async def go() -> tuple[float, list[int], int]:
        engine = store_engine.create_engine(sqlite_url)
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)  # paces the ticks; what the test waits on is `served`
                ticks += 1
                if ticks == 15:
                    served.set()

        try:
            await _make_table(engine)
            holder = threading.Thread(target=other_process)
            holder.start()
            await asyncio.to_thread(held.wait, 10)
            ticking = asyncio.create_task(ticker())
            started = time.monotonic()
            async with store_engine.write(engine) as conn:
                await conn.execute(sa.text("INSERT INTO t (n) VALUES (2)"))
            waited = time.monotonic() - started
            ticking.cancel()
            await asyncio.to_thread(holder.join, 10)
            async with store_engine.read(engine) as conn:
                rows = [r[0] for r in await conn.execute(sa.text("SELECT n FROM t ORDER BY n"))]
            return waited, rows, ticks
        finally:
            await engine.dispose()

    waited, rows, ticks = asyncio.run(go())
    assert rows == [1, 2]
    # BEGIN IMMEDIATE waits in a worker thread: the event loop kept serving meanwhile, and the other process
    # let go only after that (a loop blocked by the waiting write would never tick, and it would time out).
    assert released_after_ticks == [True], (waited, ticks)
    assert ticks >= 15, ticks


def test_a_conflicting_write_is_a_conflict_and_leaves_nothing_behind(sqlite_url: str) -> None:
    async def go() -> list[int]:
        engine = store_engine.create_engine(sqlite_url)
        try:
            async with store_engine.write(engine) as conn:
                await conn.execute(sa.text("CREATE TABLE u (n INTEGER PRIMARY KEY)"))
                await conn.execute(sa.text("INSERT INTO u (n) VALUES (1)"))
            try:
                async with store_engine.write(engine) as conn:
                    await conn.execute(sa.text("INSERT INTO u (n) VALUES (2)"))
                    await conn.execute(sa.text("INSERT INTO u (n) VALUES (1)"))
            except Conflict:
                pass
            else:
                raise AssertionError("a duplicate key must be a Conflict")
            async with store_engine.read(engine) as conn:
                return [r[0] for r in await conn.execute(sa.text("SELECT n FROM u"))]
        finally:
            await engine.dispose()

    assert asyncio.run(asyncio.wait_for(go(), 20)) == [1]


def test_reads_run_beside_a_write_in_progress(sqlite_url: str) -> None:
    async def go() -> list[int]:
        engine = store_engine.create_engine(sqlite_url)
        try:
            await _make_table(engine)
            async with store_engine.write(engine) as conn:
                await conn.execute(sa.text("INSERT INTO t (n) VALUES (7)"))
            async with store_engine.write(engine) as conn:
                await conn.execute(sa.text("INSERT INTO t (n) VALUES (8)"))
                # WAL: a reader sees the last commit while the write is open, and does not wait for it
                async with store_engine.read(engine) as reader:
                    return [r[0] for r in await reader.execute(sa.text("SELECT n FROM t"))]
        finally:
            await engine.dispose()

    assert asyncio.run(asyncio.wait_for(go(), 20)) == [7]


def test_dispose_closes_the_writer_connection(sqlite_url: str) -> None:
    before = threading.active_count()

    async def go() -> None:
        engine = store_engine.create_engine(sqlite_url)
        await _make_table(engine)
        async with store_engine.read(engine) as conn:
            await conn.execute(sa.text("SELECT 1"))
        await engine.dispose()

    asyncio.run(go())
    deadline = time.monotonic() + 5
    while threading.active_count() > before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert threading.active_count() == before, [t.name for t in threading.enumerate()]


def test_writers_of_two_engines_queue_on_the_lock_file(sqlite_url: str) -> None:
    """Two engines on one file stand for two server processes (each opens the lock file itself): the second
    waits for the first's commit on the lock file, and a waiter that gives up leaves the lock free."""
    path = sqlite_url.removeprefix("sqlite:///")

    async def go() -> tuple[list[int], float, float]:
        first = store_engine.create_engine(sqlite_url)
        second = store_engine.create_engine(sqlite_url)
        try:
            await _make_table(first)
            release = asyncio.Event()

            holding = asyncio.Event()

            async def long_write() -> None:
                async with store_engine.write(first) as conn:
                    await conn.execute(sa.text("INSERT INTO t (n) VALUES (1)"))
                    holding.set()
                    await release.wait()

            holder = asyncio.create_task(long_write())
            await asyncio.wait_for(holding.wait(), 10)
            # A waiter that gives up (a cancelled request) must not keep the lock once its thread gets it.
            impatient = asyncio.create_task(_insert(second, 99))
            await asyncio.sleep(0.1)
            impatient.cancel()
            waiter = asyncio.create_task(_insert(second, 2))
            await asyncio.sleep(0.3)
            assert not waiter.done(), "the second process waits while the first holds the lock"
            started = time.monotonic()
            release.set()
            await holder
            await asyncio.wait_for(waiter, 10)
            handover = time.monotonic() - started
            started = time.monotonic()
            await asyncio.wait_for(_insert(first, 3), 10)  # the lock is free again for the first process
            again = time.monotonic() - started
            async with store_engine.read(first) as conn:
                rows = [r[0] for r in await conn.execute(sa.text("SELECT n FROM t ORDER BY n"))]
        finally:
            await first.dispose()
            await second.dispose()
        return rows, handover, again

    rows, handover, again = asyncio.run(go())
    assert rows == [1, 2, 3]
    assert handover < 1.0 and again < 1.0, (handover, again)
    assert os.path.exists(path + "-writer.lock")


async def _insert(engine: AsyncEngine, n: int) -> None:
    async with store_engine.write(engine) as conn:
        await conn.execute(sa.text("INSERT INTO t (n) VALUES (:n)"), {"n": n})


def test_quick_reads_run_on_the_loop_and_see_every_commit(sqlite_url: str) -> None:
    """store.engine.quick_read: a post's few indexed reads on a pooled inline connection, in the loop's own
    thread (no aiosqlite hand-off), seeing each commit made before it (its connection keeps no read snapshot between uses), also
    while a write is open."""

    async def go() -> list[list[int]]:
        engine = store_engine.create_engine(sqlite_url)
        seen: list[list[int]] = []
        try:
            await _make_table(engine)
            for n in range(3):
                async with store_engine.write(engine) as conn:
                    await conn.execute(sa.text("INSERT INTO t (n) VALUES (:n)"), {"n": n})
                async with store_engine.quick_read(engine) as conn:
                    seen.append([r[0] for r in await conn.execute(sa.text("SELECT n FROM t ORDER BY n"))])
            async with store_engine.write(engine) as conn:
                await conn.execute(sa.text("INSERT INTO t (n) VALUES (9)"))
                async with store_engine.quick_read(engine) as reader:  # WAL: the last commit, no wait
                    seen.append([r[0] for r in await reader.execute(sa.text("SELECT n FROM t ORDER BY n"))])
            async with store_engine.quick_read(engine) as conn:
                raw = await conn.get_raw_connection()
                # the inline driver (store/sqlite_inline.py), not aiosqlite's thread
                assert isinstance(raw.driver_connection, sqlite_inline.InlineConnection)
        finally:
            await engine.dispose()
        return seen

    assert asyncio.run(asyncio.wait_for(go(), 20)) == [[0], [0, 1], [0, 1, 2], [0, 1, 2]]


def test_a_database_that_cannot_be_reached_is_a_503_with_retry_after() -> None:
    """Issue #15: a PostgreSQL restart answers 503 with Retry-After, wherever the driver's error surfaces;
    anything else stays what it is (a bug is a 500)."""

    async def refused_connection() -> None:
        gone = store_engine.create_engine("postgresql://postgres@127.0.0.1:1/nowhere")
        try:
            async with store_engine.read(gone) as conn:
                await conn.execute(sa.text("SELECT 1"))
        finally:
            await gone.dispose()

    try:
        asyncio.run(refused_connection())
    except Exception as exc:
        raised: BaseException = exc
    else:
        raise AssertionError("a closed port answered")
    assert isinstance(raised, Unavailable), repr(raised)
    assert (raised.status, raised.code, raised.retry_after) == (503, "unavailable", 2)

    dropped = sa.exc.InterfaceError("SELECT 1", {}, Exception("connection is closed"))
    mapped = store_engine.database_unavailable(dropped)
    assert mapped is not None and mapped.__cause__ is dropped
    assert store_engine.database_unavailable(ValueError("a bug")) is None
    assert store_engine.database_unavailable(ConnectionRefusedError("not from a driver")) is None
