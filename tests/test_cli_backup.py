"""`rejoinder backup` and `rejoinder restore` (services/backups.py, store/backup.py): an online copy while
a real server takes writes, and the refusals of restore (not a database, not ours, newer schema, a running
server's database)."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from rejoinder.cli import main
from rejoinder.store import migrate
from tests.fixtures import crash
from tests.fixtures.app import ORIGIN, run_cli
from tests.fixtures.servers import start_server


def cli(db_url: str, *args: str) -> Result:
    return CliRunner().invoke(main, list(args), env={"REJOINDER_DATABASE__URL": db_url})


def query(path: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(path)
    try:
        return list(conn.execute(sql))
    finally:
        conn.close()


def comment_ids(path: Path) -> set[str]:
    return {str(row[0]) for row in query(path, "SELECT id FROM comments")}


def integrity(path: Path) -> str:
    return str(query(path, "PRAGMA integrity_check")[0][0])


def revision(path: Path) -> str:
    return str(query(path, "SELECT version_num FROM alembic_version")[0][0])


def wait_for(condition: object, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_backup_while_writes_happen_has_every_acknowledged_comment(tmp_path: Path) -> None:
    db = tmp_path / "rejoinder.db"
    url = f"sqlite:///{db}"
    run_cli(url, "site", "add", "blog", "--origin", ORIGIN)
    server = start_server(url, tmp_path, args=("--workers", "2"), env=crash.SERVER_ENV)
    ledger = crash.Ledger()
    writers = [crash.Writer(server.url, f"{ORIGIN}/2026/backup", str(n), ledger, seed=n) for n in range(3)]
    try:
        for writer in writers:
            writer.start()
        wait_for(lambda: len(ledger.comments) >= 20)
        with ledger.lock:
            acknowledged = set(ledger.comments)
        copy = tmp_path / "copy.db"
        result = cli(url, "backup", str(copy))
        with ledger.lock:
            during = len(ledger.comments) - len(acknowledged)
        # The server kept writing while the copy was made, and afterwards.
        wait_for(lambda: len(ledger.comments) >= len(acknowledged) + during + 5)
        assert result.exit_code == 0, result.output
        assert result.output.startswith(f"wrote {copy}: ")
        assert result.output.rstrip().endswith(f"schema revision {revision(db)}, integrity ok")
    finally:
        for writer in writers:
            writer.halt.set()
        for writer in writers:
            writer.join(timeout=15)
        server.stop()
    assert all(not writer.unexpected for writer in writers), [w.unexpected for w in writers]
    assert integrity(copy) == "ok"
    in_copy = comment_ids(copy)
    assert acknowledged <= in_copy
    assert in_copy <= set(ledger.comments)  # nothing invented, nothing half-written
    assert len(in_copy) < len(ledger.comments)  # a snapshot: later writes are not in it
    assert not (tmp_path / ".copy.db.partial").exists()


def test_backup_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'rejoinder.db'}"
    run_cli(url, "site", "add", "blog", "--origin", ORIGIN)
    target = tmp_path / "copy.db"
    target.write_text("precious")
    result = cli(url, "backup", str(target))
    assert result.exit_code == 1
    assert f"{target} exists; choose another name or pass --force to replace it" in result.output
    assert target.read_text() == "precious"
    assert cli(url, "backup", str(target), "--force").exit_code == 0
    assert integrity(target) == "ok"


def test_backup_of_postgresql_prints_pg_dump_and_copies_nothing(tmp_path: Path) -> None:
    url = "postgresql://rj@db.internal:5433/comments?schema=blog"
    target = tmp_path / "copy.dump"
    result = cli(url, "backup", str(target))
    assert result.exit_code == 1
    assert "this one is PostgreSQL, so nothing was done" in result.output
    assert (
        f"pg_dump --host db.internal --port 5433 --username rj --format custom --schema blog --file {target} "
        "comments"
    ) in result.output
    assert not target.exists()
    result = cli(url, "restore", str(target))
    assert result.exit_code == 1
    assert (
        "pg_restore --host db.internal --port 5433 --username rj --clean --if-exists --single-transaction "
        f"--dbname comments {target}"
    ) in result.output


def posted(url: str, text: str) -> None:
    run_cli(url, "site", "add", text, "--origin", f"https://{text}.example")


def site_names(path: Path) -> set[str]:
    return {str(row[0]) for row in query(path, "SELECT name FROM sites")}


def test_restore_replaces_the_database_and_refuses_while_a_server_runs(tmp_path: Path) -> None:
    db = tmp_path / "rejoinder.db"
    url = f"sqlite:///{db}"
    run_cli(url, "site", "add", "blog", "--origin", ORIGIN)
    backup = tmp_path / "monday.db"
    assert cli(url, "backup", str(backup)).exit_code == 0
    posted(url, "later")
    assert site_names(db) == {"blog", "later"}

    server = start_server(url, tmp_path)
    try:
        result = cli(url, "restore", str(backup))
        assert result.exit_code == 1
        assert f"a running rejoinder server uses {db}; stop it first, or pass --force" in result.output
        assert site_names(db) == {"blog", "later"}
    finally:
        server.stop()

    result = cli(url, "restore", str(backup))
    assert result.exit_code == 0, result.output
    assert result.output == f"restored {db} from {backup} (schema revision {revision(backup)})\n"
    assert site_names(db) == {"blog"}
    assert integrity(db) == "ok"
    assert [p.name for p in tmp_path.glob(".rejoinder.db.restoring*")] == []


def test_restore_with_force_replaces_a_running_servers_database(tmp_path: Path) -> None:
    db = tmp_path / "rejoinder.db"
    url = f"sqlite:///{db}"
    run_cli(url, "site", "add", "blog", "--origin", ORIGIN)
    backup = tmp_path / "monday.db"
    assert cli(url, "backup", str(backup)).exit_code == 0
    posted(url, "later")
    server = start_server(url, tmp_path)
    try:
        result = cli(url, "restore", str(backup), "--force")
        assert result.exit_code == 0, result.output
        assert site_names(db) == {"blog"}
    finally:
        server.stop()


def test_restore_migrates_an_older_schema(tmp_path: Path) -> None:
    old = tmp_path / "old.db"
    migrate.upgrade(f"sqlite:///{old}", "0007")
    assert revision(old) == "0007"
    db = tmp_path / "rejoinder.db"
    url = f"sqlite:///{db}"
    head, _ = migrate.known_revisions()
    result = cli(url, "restore", str(old))
    assert result.exit_code == 0, result.output
    assert result.output == f"restored {db} from {old} (schema revision 0007, migrated to {head})\n"
    assert revision(db) == head
    assert revision(old) == "0007"  # the backup itself is left as it was


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda p: p.write_bytes(b"id,text\n1,hello\n" * 100),
            "is not an SQLite database, so not a rejoinder backup",
        ),
        (
            lambda p: sqlite3.connect(p).execute("CREATE TABLE notes (body TEXT)").connection.commit(),
            "is an SQLite database but not rejoinder's (it has no rejoinder schema)",
        ),
    ],
    ids=["csv", "another-sqlite-database"],
)
def test_restore_refuses_a_file_that_is_not_a_rejoinder_database(
    tmp_path: Path, make: object, message: str
) -> None:
    db = tmp_path / "rejoinder.db"
    url = f"sqlite:///{db}"
    run_cli(url, "site", "add", "blog", "--origin", ORIGIN)
    source = tmp_path / "source.db"
    make(source)  # type: ignore[operator]
    result = cli(url, "restore", str(source))
    assert result.exit_code == 1
    assert f"{source} {message}" in result.output
    assert site_names(db) == {"blog"}


def test_restore_refuses_a_newer_schema(tmp_path: Path) -> None:
    db = tmp_path / "rejoinder.db"
    url = f"sqlite:///{db}"
    run_cli(url, "site", "add", "blog", "--origin", ORIGIN)
    newer = tmp_path / "newer.db"
    assert cli(url, "backup", str(newer)).exit_code == 0
    conn = sqlite3.connect(newer)
    conn.execute("UPDATE alembic_version SET version_num = '0042'")
    conn.commit()
    conn.close()
    head, _ = migrate.known_revisions()
    result = cli(url, "restore", str(newer))
    assert result.exit_code == 1
    assert (
        f"{newer} has schema revision 0042, newer than this rejoinder knows (up to {head}); restore it with "
        "the rejoinder version that made it, or upgrade rejoinder first"
    ) in result.output
    assert revision(db) == head
