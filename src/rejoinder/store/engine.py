"""Engines for SQLite and PostgreSQL, the pragmas SQLite needs, the one SQLite writer per process, and
the driver-error boundary."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import fcntl
import os
import weakref
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from rejoinder.errors import Conflict, Unavailable
from rejoinder.store import sqlite_inline

# How long a write waits for its turn, in this process (the writer lock) and then across processes
# (SQLite's busy timeout), before it answers Unavailable.
WRITE_WAIT_SECONDS = 30.0
# How long a quick read (`quick_read`, on the event loop) may wait for SQLite: a read in WAL mode meets a lock
# only in rare moments (recovery after a crash), and the whole worker waits with it.
QUICK_READ_WAIT_SECONDS = 1.0


def driver_url(url: str) -> tuple[str, dict[str, Any]]:
    """Map a user-facing database URL to an async driver URL plus connect arguments.

    `postgresql://…?schema=NAME` puts every table in schema NAME (tests use one schema each).
    """
    parts = urlsplit(url)
    if parts.scheme in ("sqlite", "sqlite+aiosqlite"):
        return "sqlite+aiosqlite:" + url.split(":", 1)[1], {"timeout": WRITE_WAIT_SECONDS}
    if parts.scheme.startswith("postgresql"):
        query = dict(parse_qsl(parts.query))
        schema = query.pop("schema", None)
        connect_args: dict[str, Any] = {}
        if schema:
            connect_args["server_settings"] = {"search_path": schema}
        return (
            urlunsplit(("postgresql+asyncpg", parts.netloc, parts.path, urlencode(query), "")),
            connect_args,
        )
    raise ValueError(f"unsupported database URL scheme {parts.scheme!r}")


def is_sqlite(engine: AsyncEngine) -> bool:
    return engine.dialect.name == "sqlite"


class _Writer:
    """The one connection a process writes SQLite through, and the lock that queues its writers.

    SQLite has one writer at a time. When every pooled connection raced for `BEGIN IMMEDIATE`, the losers
    slept in SQLite's busy handler (1, 2, 5 … 100 ms steps) and the lock sat idle between writers (p99
    3.5 s under 32 concurrent posts, docs/benchmarks.md). Queued on an asyncio lock, the next writer starts
    the moment the previous one commits. The connection's driver (store/sqlite_inline.py) runs statements
    on the event loop and only BEGIN and COMMIT in a worker thread, so the lock is held for the work itself.

    Between processes the same idle sleeps starve one worker while the other's queue keeps the lock, so the
    writers of every `rejoinder serve` worker also take an exclusive `flock` on `<database>-writer.lock`
    around their transaction: a waiting worker is woken by the kernel when the lock is released, instead of
    polling. Other programs (the CLI, Alembic) do not take it and still meet the writers at SQLite's own
    lock, with its busy timeout; so would a second host, which SQLite does not support anyway.
    """

    def __init__(self, engine: AsyncEngine, lock_path: str | None, quick: AsyncEngine | None = None) -> None:
        self.engine = engine
        self.quick = quick  # short reads on the loop (`quick_read`)
        self.lock_path = lock_path
        self._locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            weakref.WeakKeyDictionary()
        )
        self._fd: int | None = None
        self._fd_pid = 0

    def _lock_fd(self) -> int | None:
        """This process's descriptor of the lock file (opened again after a fork: a flock belongs to an open
        file description, which a forked child would share with its parent)."""
        if self.lock_path is None:
            return None
        if self._fd is None or self._fd_pid != os.getpid():
            self._fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
            self._fd_pid = os.getpid()
        return self._fd

    def close_lock_file(self) -> None:
        if self._fd is not None and self._fd_pid == os.getpid():
            os.close(self._fd)
        self._fd = None

    async def lock_file(self) -> int | None:
        """Take the cross-process lock; returns the descriptor to unlock (None when there is no file)."""
        try:
            fd = self._lock_fd()
        except OSError:
            return None  # a read-only directory: SQLite's busy timeout still serialises the writers
        if fd is None:
            return None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return fd
        except BlockingIOError:
            pass
        waiting = asyncio.get_running_loop().run_in_executor(None, fcntl.flock, fd, fcntl.LOCK_EX)
        try:
            await asyncio.shield(waiting)
        except BaseException:
            # Cancelled or timed out while the thread still waits: give the lock back once it has it.
            waiting.add_done_callback(lambda done: _unlock_after(done, fd))
            raise
        return fd

    def lock(self) -> asyncio.Lock:
        """The lock of the running event loop (an asyncio.Lock belongs to one loop)."""
        loop = asyncio.get_running_loop()
        lock = self._locks.get(loop)
        if lock is None:
            lock = self._locks[loop] = asyncio.Lock()
        return lock


def _unlock_after(done: asyncio.Future[None], fd: int) -> None:
    if not done.cancelled() and done.exception() is None:
        fcntl.flock(fd, fcntl.LOCK_UN)


_WRITERS: weakref.WeakKeyDictionary[sa.Engine, _Writer] = weakref.WeakKeyDictionary()
# The writer lock the current task holds, and that task: a write opened inside a write of the same task
# must not wait for its own lock (tasks started inside a write inherit the variable, but not the lock).
_HOLDING: contextvars.ContextVar[tuple[_Writer, object] | None] = contextvars.ContextVar(
    "rejoinder_writer", default=None
)


def _sqlite_engine(
    target: str,
    connect_args: dict[str, Any],
    *,
    sync_level: str,
    foreign_keys: bool,
    writer: bool,
    database: str | None = None,
    quick: bool = False,
) -> AsyncEngine:
    if quick:
        # Short indexed reads run on the loop (store/sqlite_inline.py, nothing offloaded): a few
        # connections, more only while a burst of posts reads at once.
        assert database is not None
        engine = create_async_engine(
            target,
            async_creator=sqlite_inline.creator(database, QUICK_READ_WAIT_SECONDS, quick=True),
            pool_size=2,
            max_overflow=14,
        )
    elif writer:
        # One connection (statements inline on the loop, BEGIN/COMMIT in a thread: store/sqlite_inline.py);
        # overflow only for a write nested in a write (it then waits at SQLite's lock).
        assert database is not None
        engine = create_async_engine(
            target,
            async_creator=sqlite_inline.creator(database, WRITE_WAIT_SECONDS),
            pool_size=1,
            max_overflow=2,
        )
    else:
        engine = create_async_engine(target, connect_args=connect_args, pool_size=8, max_overflow=8)

    @event.listens_for(engine.sync_engine, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy not emit its own BEGIN (pysqlite's legacy transaction handling).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
        wait = QUICK_READ_WAIT_SECONDS if quick else WRITE_WAIT_SECONDS
        cur.execute(f"PRAGMA busy_timeout={int(wait * 1000)}")
        cur.execute(f"PRAGMA synchronous={sync_level}")
        cur.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(conn: Any) -> None:
        # Take the write lock up front: a deferred transaction that later writes can fail with
        # SQLITE_BUSY instead of waiting (https://sqlite.org/lang_transaction.html).
        conn.exec_driver_sql("BEGIN IMMEDIATE" if writer else "BEGIN")

    return engine


def create_engine(
    url: str, *, sqlite_synchronous: str = "FULL", pool_size: int = 10, foreign_keys: bool = True
) -> AsyncEngine:
    """An AsyncEngine for `url`; SQLite gets WAL, foreign keys, a busy timeout and the synchronous level.

    For SQLite the returned engine's pool serves reads; `write()` goes through a second engine holding
    one connection (disposed with the first).

    Migrations pass foreign_keys=False: SQLite's batch ALTER recreates tables, which foreign keys forbid
    (https://www.sqlite.org/lang_altertable.html#otheralter).
    """
    target, connect_args = driver_url(url)
    if not target.startswith("sqlite"):
        return create_async_engine(
            target, connect_args=connect_args, pool_size=pool_size, max_overflow=pool_size
        )
    options: dict[str, Any] = {"sync_level": sqlite_synchronous.upper(), "foreign_keys": foreign_keys}
    engine = _sqlite_engine(target, connect_args, writer=False, **options)
    parsed = sa.engine.make_url(target)
    database = parsed.database
    if not database or database == ":memory:" or parsed.query:
        # An in-memory database is one per connection, and a URI filename is left to aiosqlite as given:
        # writes then share the pool (BEGIN, not IMMEDIATE; nothing else can write an in-memory database).
        return engine
    writer = _Writer(
        _sqlite_engine(target, connect_args, writer=True, database=database, **options),
        f"{database}-writer.lock",
        _sqlite_engine(target, connect_args, writer=False, database=database, quick=True, **options),
    )
    _WRITERS[engine.sync_engine] = writer

    @event.listens_for(engine.sync_engine, "engine_disposed")
    def _dispose_writer(_engine: Any) -> None:
        # Runs inside AsyncEngine.dispose()'s greenlet, so the async driver can close its connection.
        writer.engine.sync_engine.dispose()
        if writer.quick is not None:
            writer.quick.sync_engine.dispose()
        writer.close_lock_file()

    return engine


@contextlib.asynccontextmanager
async def _turn(writer: _Writer) -> AsyncIterator[None]:
    """Wait for this process's write turn (unless this task already holds it)."""
    task = asyncio.current_task()
    if _HOLDING.get() == (writer, task):
        yield
        return
    lock = writer.lock()
    fd: int | None = None
    try:
        async with asyncio.timeout(WRITE_WAIT_SECONDS):
            await lock.acquire()
            try:
                fd = await writer.lock_file()
            except BaseException:
                lock.release()
                raise
    except TimeoutError as exc:
        raise Unavailable("The database is busy; try again in a moment") from exc
    token = _HOLDING.set((writer, task))
    try:
        yield
    finally:
        _HOLDING.reset(token)
        if fd is not None:
            fcntl.flock(fd, fcntl.LOCK_UN)
        lock.release()


DATABASE_RETRY_AFTER = 2  # seconds: PostgreSQL restarts in about one; a pool reconnects on the next checkout
# asyncpg's errors for a server that is gone, shutting down or starting up (matched by name: SQLite
# installations do not have asyncpg).
_DRIVER_UNREACHABLE = frozenset(
    {
        "PostgresConnectionError",
        "ConnectionDoesNotExistError",
        "OperatorInterventionError",
        "CannotConnectNowError",
    }
)


def database_unavailable(exc: BaseException) -> Unavailable | None:
    """The 503 for `exc` when it (or what caused it) says the database cannot be reached right now: a
    connection refused, reset or timed out, a server restarting, a pool that cannot hand out a connection.
    None for anything else (a bug stays a 500)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        names = {cls.__name__ for cls in type(current).__mro__}
        network = isinstance(current, ConnectionError | TimeoutError) and _from_driver(current)
        if (
            isinstance(current, sa.exc.OperationalError | sa.exc.InterfaceError | sa.exc.TimeoutError)
            or (isinstance(current, sa.exc.DBAPIError) and current.connection_invalidated)
            or names & _DRIVER_UNREACHABLE
            or network
        ):
            unavailable = Unavailable(
                "The database is busy or unreachable; try again in a moment", retry_after=DATABASE_RETRY_AFTER
            )
            unavailable.__cause__ = exc
            return unavailable
        current = current.__cause__ or current.__context__
    return None


def _from_driver(exc: BaseException) -> bool:
    """Whether `exc` was raised inside SQLAlchemy or a database driver (not, say, an avatar download)."""
    tb = exc.__traceback__
    while tb is not None:
        module = tb.tb_frame.f_globals.get("__name__", "")
        if module.startswith(("sqlalchemy", "asyncpg", "aiosqlite", "psycopg")):
            return True
        tb = tb.tb_next
    return False


@contextlib.contextmanager
def _driver_errors(*, conflicts: bool) -> Iterator[None]:
    """The driver-error boundary: a database that cannot be reached becomes Unavailable and, when
    `conflicts`, a broken constraint Conflict; anything else passes as it is."""
    try:
        yield
    except Exception as exc:
        if conflicts and isinstance(exc, sa.exc.IntegrityError):
            raise Conflict("The change conflicts with existing data; reload and try again") from exc
        if (unavailable := database_unavailable(exc)) is not None:
            raise unavailable from exc
        raise


@contextlib.asynccontextmanager
async def write(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """One unit of work that commits on success; driver errors become RejoinderErrors.

    On SQLite the writes of a process take turns on one connection (see `_Writer`).
    """
    writer = _WRITERS.get(engine.sync_engine)
    with _driver_errors(conflicts=True):
        if writer is None:
            async with engine.begin() as conn:
                yield conn
            return
        async with _turn(writer), writer.engine.begin() as conn:
            yield conn


@contextlib.asynccontextmanager
async def read(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A read-only connection; driver errors become Unavailable."""
    with _driver_errors(conflicts=False):
        async with engine.connect() as conn:
            yield conn


@contextlib.asynccontextmanager
async def quick_read(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A read of a few indexed statements (a post's moderation facts): on a SQLite file it runs on the event
    loop with no thread hand-off (store/sqlite_inline.py; through aiosqlite each statement is three or four
    hand-offs, and each waits for its turn under load); elsewhere it is `read`. Not for a read whose rows
    are many: it holds the loop while it runs."""
    writer = _WRITERS.get(engine.sync_engine)
    if writer is None or writer.quick is None:
        async with read(engine) as conn:
            yield conn
        return
    with _driver_errors(conflicts=False):
        async with writer.quick.connect() as conn:
            yield conn
