"""SQLite database files as whole files: an online copy (SQLite's backup API), the schema revision a file
carries, and the lock a running server holds on its database. The rules (what may be restored over what)
live in services/backups.py; PostgreSQL is backed up with pg_dump, not here."""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa

# Pages copied per step of the backup API: between steps the source is unlocked, so the server's writers
# wait for one step at most; a write between steps makes SQLite restart the copy from the changed page on.
BACKUP_PAGES_PER_STEP = 1024


class NotADatabase(Exception):
    """The file is not an SQLite database (or is damaged)."""


def _read_only(path: Path) -> str:
    return f"{path.resolve().as_uri()}?mode=ro"


def sqlite_file(url: str) -> Path | None:
    """The file of a `sqlite://` database URL; None for PostgreSQL, an in-memory or a URI-named database."""
    parsed = sa.engine.make_url(url)
    if not parsed.drivername.startswith("sqlite"):
        return None
    if not parsed.database or parsed.database == ":memory:" or parsed.query:
        return None
    return Path(parsed.database)


def copy_database(source: Path, target: Path) -> None:
    """Copy the live database `source` into `target` (created or overwritten) through the online backup
    API: the copy is one consistent snapshot even while other processes write (WAL included)."""
    src = sqlite3.connect(_read_only(source), uri=True)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst, pages=BACKUP_PAGES_PER_STEP)
        finally:
            dst.close()
    finally:
        src.close()


def integrity(path: Path) -> str:
    """PRAGMA integrity_check's answer: 'ok' for a sound file."""
    try:
        conn = sqlite3.connect(_read_only(path), uri=True)
        try:
            return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise NotADatabase(str(exc)) from exc


def schema_revision(path: Path) -> str | None:
    """The Alembic revision recorded in the file; None when the file is an SQLite database without one
    (not made by rejoinder). Raises NotADatabase for anything else."""
    try:
        conn = sqlite3.connect(_read_only(path), uri=True)
        try:
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if "alembic_version" not in tables or "comments" not in tables:
                return None
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            return None if row is None else str(row[0])
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise NotADatabase(str(exc)) from exc


def _lock_path(database: Path) -> str:
    return f"{database}-serving.lock"


@contextlib.contextmanager
def serving(database: Path) -> Iterator[None]:
    """Hold a shared lock saying "a server runs on this database" (every worker holds one)."""
    fd = os.open(_lock_path(database), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def in_use(database: Path) -> bool:
    """Whether a running server holds this database (its serving lock is taken)."""
    try:
        fd = os.open(_lock_path(database), os.O_RDWR)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False
