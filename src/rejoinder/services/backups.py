"""Backups and restores of a SQLite database while servers run (`rejoinder backup` / `restore`); for
PostgreSQL, the pg_dump and pg_restore commands to run instead (docs/operations.md). The file-level work
(SQLite's backup API, the serving lock) is store/backup.py's."""

from __future__ import annotations

import contextlib
import os
import shlex
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import msgspec

from rejoinder.errors import BackupRefused
from rejoinder.store import backup as files
from rejoinder.store import migrate


class BackupMade(msgspec.Struct, frozen=True):
    path: str
    bytes: int
    revision: str


class Restored(msgspec.Struct, frozen=True):
    path: str
    revision_in_file: str
    revision_now: str
    migrated: bool


def postgres_commands(url: str, path: Path) -> tuple[str, str]:
    """The pg_dump and pg_restore command lines for a PostgreSQL database URL, without its password (give it
    in PGPASSWORD or ~/.pgpass, as libpq reads it)."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    conninfo = ["--host", parts.hostname or "localhost", "--port", str(parts.port or 5432)]
    if parts.username:
        conninfo += ["--username", parts.username]
    dbname = parts.path.lstrip("/") or "postgres"
    schema = ["--schema", query["schema"]] if query.get("schema") else []
    dump = ["pg_dump", *conninfo, "--format", "custom", *schema, "--file", str(path), dbname]
    restore = ["pg_restore", *conninfo, "--clean", "--if-exists", "--single-transaction", "--dbname", dbname]
    return shlex.join(dump), shlex.join([*restore, str(path)])


def _sqlite_or_refuse(url: str, path: Path, verb: str) -> Path:
    database = files.sqlite_file(url)
    if database is not None:
        return database
    if urlsplit(url).scheme.startswith("postgresql"):
        dump, restore = postgres_commands(url, path)
        command = dump if verb == "backup" else restore
        raise BackupRefused(
            f"rejoinder {verb} copies SQLite databases only; this one is PostgreSQL, so nothing was done. "
            f"Run instead:\n  {command}"
        )
    raise BackupRefused(f"rejoinder {verb} needs a database file; {url!r} is not one")


def backup(url: str, target: Path, *, overwrite: bool = False) -> BackupMade:
    """Copy the database at `url` to `target` as one consistent snapshot, while servers keep writing.

    The copy is made beside `target` and renamed into place only once it passed integrity_check, so a
    failed or interrupted backup never leaves a half-written file under the expected name.

    Raises:
        BackupRefused: PostgreSQL (the message says what to run), `target` exists, or the copy is unsound.
    """
    database = _sqlite_or_refuse(url, target, "backup")
    if not database.exists():
        raise BackupRefused(f"there is no database at {database}")
    if target.exists() and not overwrite:
        raise BackupRefused(f"{target} exists; choose another name or pass --force to replace it")
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        files.copy_database(database, partial)
        verdict = files.integrity(partial)
        if verdict != "ok":
            raise BackupRefused(f"the copy failed integrity_check ({verdict}); the database may be damaged")
        revision = files.schema_revision(partial) or "none"
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return BackupMade(path=str(target), bytes=target.stat().st_size, revision=revision)


def _check_backup(source: Path) -> str:
    """The file's schema revision, once it is known to be a sound rejoinder database this version can read."""
    if not source.is_file():
        raise BackupRefused(f"there is no file at {source}")
    try:
        revision = files.schema_revision(source)
        verdict = files.integrity(source)
    except files.NotADatabase:
        raise BackupRefused(f"{source} is not an SQLite database, so not a rejoinder backup") from None
    if revision is None:
        raise BackupRefused(
            f"{source} is an SQLite database but not rejoinder's (it has no rejoinder schema)"
        )
    if verdict != "ok":
        raise BackupRefused(f"{source} failed integrity_check ({verdict}); it is damaged")
    head, known = migrate.known_revisions()
    if revision not in known:
        raise BackupRefused(
            f"{source} has schema revision {revision}, newer than this rejoinder knows (up to {head}); "
            "restore it with the rejoinder version that made it, or upgrade rejoinder first"
        )
    return revision


def restore(url: str, source: Path, *, force: bool = False) -> Restored:
    """Replace the database at `url` with the backup `source`, migrated to this version's schema.

    The backup is copied and migrated beside the database first; only a copy that migrated cleanly replaces
    the database (through SQLite's backup API, so a database in WAL mode is replaced whole).

    Raises:
        BackupRefused: PostgreSQL (the message says what to run), a file that is not a sound rejoinder
            database, a newer schema, or a database a running server holds (unless `force`).
    """
    database = _sqlite_or_refuse(url, source, "restore")
    revision = _check_backup(source)
    if files.in_use(database) and not force:
        raise BackupRefused(
            f"a running rejoinder server uses {database}; stop it first, or pass --force to replace the "
            "database under it (its readers then see the restored data at once)"
        )
    head, _known = migrate.known_revisions()
    staged = database.with_name(f".{database.name}.restoring")
    staged.unlink(missing_ok=True)
    try:
        files.copy_database(source, staged)
        if revision != head:
            migrate.upgrade(f"sqlite:///{staged}")
        if database.exists():
            files.copy_database(staged, database)
        else:
            os.replace(staged, database)
    finally:
        for leftover in (staged, Path(f"{staged}-wal"), Path(f"{staged}-shm")):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
    return Restored(
        path=str(database), revision_in_file=revision, revision_now=head, migrated=revision != head
    )
