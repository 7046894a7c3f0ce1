"""Engines for SQLite and PostgreSQL, the pragmas SQLite needs, and the driver-error boundary."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from rejoinder.errors import Conflict, Unavailable


def driver_url(url: str) -> tuple[str, dict[str, Any]]:
    """Map a user-facing database URL to an async driver URL plus connect arguments.

    `postgresql://…?schema=NAME` puts every table in schema NAME (tests use one schema each).
    """
    parts = urlsplit(url)
    if parts.scheme in ("sqlite", "sqlite+aiosqlite"):
        return "sqlite+aiosqlite:" + url.split(":", 1)[1], {"timeout": 30}
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


def create_engine(
    url: str, *, sqlite_synchronous: str = "FULL", pool_size: int = 10, foreign_keys: bool = True
) -> AsyncEngine:
    """An AsyncEngine for `url`; SQLite gets WAL, foreign keys, a busy timeout and the synchronous level.

    Migrations pass foreign_keys=False: SQLite's batch ALTER recreates tables, which foreign keys forbid
    (https://www.sqlite.org/lang_altertable.html#otheralter).
    """
    target, connect_args = driver_url(url)
    if target.startswith("sqlite"):
        engine = create_async_engine(target, connect_args=connect_args, pool_size=8, max_overflow=8)
        sync_level = sqlite_synchronous.upper()

        @event.listens_for(engine.sync_engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute(f"PRAGMA synchronous={sync_level}")
            cur.close()

        @event.listens_for(engine.sync_engine, "begin")
        def _begin(conn: Any) -> None:
            # Take the write lock up front: a deferred transaction that later writes can fail with
            # SQLITE_BUSY instead of waiting (https://sqlite.org/lang_transaction.html).
            conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.info.get("rj_write") else "BEGIN")

        # Let SQLAlchemy not emit its own BEGIN (pysqlite's legacy transaction handling).
        @event.listens_for(engine.sync_engine, "connect")
        def _autocommit(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None

        return engine
    return create_async_engine(target, connect_args=connect_args, pool_size=pool_size, max_overflow=pool_size)


@contextlib.asynccontextmanager
async def write(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """One unit of work that commits on success; driver errors become RejoinderErrors."""
    try:
        async with engine.connect() as conn:
            if is_sqlite(engine):
                conn.sync_connection.info["rj_write"] = True  # type: ignore[union-attr]
            try:
                async with conn.begin():
                    yield conn
            finally:
                if is_sqlite(engine):
                    conn.sync_connection.info.pop("rj_write", None)  # type: ignore[union-attr]
    except sa.exc.IntegrityError as exc:
        raise Conflict("The change conflicts with existing data; reload and try again") from exc
    except sa.exc.OperationalError as exc:
        raise Unavailable("The database is busy or unreachable; try again in a moment") from exc


@contextlib.asynccontextmanager
async def read(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A read-only connection; driver errors become Unavailable."""
    try:
        async with engine.connect() as conn:
            yield conn
    except sa.exc.OperationalError as exc:
        raise Unavailable("The database is busy or unreachable; try again in a moment") from exc
