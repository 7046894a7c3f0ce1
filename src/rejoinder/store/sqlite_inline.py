"""The SQLite writer's driver: the aiosqlite interface SQLAlchemy's `sqlite+aiosqlite` dialect uses, with
statements run on the event loop's own thread, and only BEGIN and COMMIT in a worker thread. The same driver
with nothing offloaded serves the short indexed reads a post makes before it writes (`quick=True`).

Through aiosqlite every statement of a write is three or four hand-offs to its thread and back; with 32
posts in flight each hand-off also waits behind other requests' work on the loop, and the write lock is
held through all of it (a post's transaction held SQLite's lock ~10 ms for ~1.5 ms of work). A write's
statements take microseconds, so they run inline. BEGIN IMMEDIATE may wait for another process's lock
(busy timeout) and COMMIT waits for fsync, so those two go to a worker thread and the loop keeps serving.
Used for the one writer connection of a process (store/engine.py); reads keep aiosqlite's pool, except the
few statements of a post's moderation facts (`store.engine.quick_read`): a deferred BEGIN in WAL mode takes
no lock and a rollback of a read writes nothing, so those run inline too, and the facts cost no hand-off.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from typing import Any

_OFFLOADED = ("BEGIN", "COMMIT", "END")


def _waits(sql: str) -> bool:
    return sql.lstrip()[:6].upper().startswith(_OFFLOADED)


class InlineCursor:
    def __init__(self, owner: InlineConnection) -> None:
        self._owner = owner
        self._cursor = owner._open().cursor()

    async def __aenter__(self) -> InlineCursor:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def execute(self, sql: str, parameters: Sequence[Any] | dict[str, Any] = ()) -> InlineCursor:
        if self._owner.offload and _waits(sql):
            await asyncio.get_running_loop().run_in_executor(None, self._cursor.execute, sql, parameters)
        else:
            self._cursor.execute(sql, parameters)
        return self

    async def executemany(self, sql: str, parameters: Iterable[Any]) -> InlineCursor:
        self._cursor.executemany(sql, parameters)
        return self

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(size if size is not None else self._cursor.arraysize)

    async def close(self) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value


class _RunNow:
    """Stands in for aiosqlite's request queue, which the dialect's isolation-level setter writes to."""

    def __init__(self) -> None:
        pass

    def put_nowait(self, item: tuple[asyncio.Future[Any], Callable[[], Any]]) -> None:
        future, function = item
        try:
            future.set_result(function())
        except Exception as exc:
            future.set_exception(exc)


class InlineConnection:
    """One sqlite3 connection, shared with worker threads only for BEGIN and COMMIT (never at once)."""

    def __init__(self, database: str, timeout: float, *, quick: bool = False) -> None:
        self._conn: sqlite3.Connection | None = sqlite3.connect(
            database, timeout=timeout, check_same_thread=False, isolation_level=None
        )
        self._tx = _RunNow()
        self.offload = not quick  # a quick reader's BEGIN and COMMIT wait for nothing: inline too

    @property
    def _connection(self) -> sqlite3.Connection | None:  # the dialect checks it before commit/rollback
        return self._conn

    def _open(self) -> sqlite3.Connection:
        if self._conn is None:
            raise ValueError("Connection closed")
        return self._conn

    @property
    def isolation_level(self) -> str | None:
        return self._open().isolation_level

    def cursor(self) -> InlineCursor:
        self._open()
        return InlineCursor(self)

    async def commit(self) -> None:
        if not self.offload:
            self._open().commit()
            return
        await asyncio.get_running_loop().run_in_executor(None, self._open().commit)

    async def rollback(self) -> None:
        self._open().rollback()

    async def create_function(self, *args: Any, **kw: Any) -> None:
        self._open().create_function(*args, **kw)

    async def close(self) -> None:
        self.stop()

    def stop(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def creator(database: str, timeout: float, *, quick: bool = False) -> Callable[[], Any]:
    """The `async_creator` for create_async_engine (`quick`: nothing offloaded, for short reads)."""

    async def connect() -> InlineConnection:
        return InlineConnection(database, timeout, quick=quick)

    return connect
