"""The Isso reader against a real Isso database: Isso 0.14 (from PyPI, in its own virtual environment, the
one the benchmark uses) runs on loopback, comments and replies are posted through its HTTP API, one is
deleted, one is held for moderation; then `rejoinder import isso` reads its database file."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from rejoinder.store.schema import comments
from tests.fixtures.app import ORIGIN
from tests.importers.files import read_all, read_file
from tests.test_cli_import import rows, run_import, thread

ROOT = Path(__file__).resolve().parents[2]
ISSO_VENV = ROOT / "bench" / ".work" / "isso-venv"  # shared with bench/servers.py (ISSO_PACKAGES)
ISSO_PACKAGES = ("isso==0.14.0", "gunicorn")
HOST = "http://blog.example"  # the site Isso believes it serves (its Origin check); never contacted

CFG = """\
[general]
dbpath = {db}
host = {host}
notify = stdout
log-file = {log}
[moderation]
enabled = {moderated}
[server]
listen = http://127.0.0.1:{port}
[guard]
enabled = false
"""


def ensure_isso() -> Path:
    """Isso's own command, installed into its own virtual environment on first use."""
    isso = ISSO_VENV / "bin" / "isso"
    if not isso.exists():
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(ISSO_VENV)], check=True)
        py = str(ISSO_VENV / "bin" / "python")
        subprocess.run([py, "-m", "pip", "install", "-q", *ISSO_PACKAGES], check=True, timeout=600)
    return isso


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def running_isso(work: Path, *, moderated: bool) -> Iterator[httpx.Client]:
    """Isso on a free loopback port with its database in `work`; a client that talks to it as the page would."""
    port = free_port()
    cfg = work / "isso.cfg"
    cfg.write_text(
        CFG.format(
            db=work / "comments.db",
            host=HOST,
            log=work / "isso.log",
            moderated=str(moderated).lower(),
            port=port,
        )
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("ISSO_")}
    with (work / "isso.out").open("ab") as out:
        proc = subprocess.Popen(
            [str(ensure_isso()), "-c", str(cfg), "run"],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, headers={"Origin": HOST}, timeout=30) as client:
            deadline = time.monotonic() + 60
            while True:
                assert proc.poll() is None, (work / "isso.out").read_text()
                with contextlib.suppress(httpx.TransportError):
                    if client.get("/info").status_code == 200:
                        break
                assert time.monotonic() < deadline, "Isso did not start in 60 s"
                time.sleep(0.1)  # polling a starting process's port: there is no event to wait on
            yield client
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)


def post(client: httpx.Client, uri: str, *, status: int = 201, **data: Any) -> dict[str, Any]:
    """Post through Isso's API: 201 when published, 202 when held for its moderator."""
    answer = client.post("/new", params={"uri": uri}, json={"title": "Hello, Isso", **data})
    assert answer.status_code == status, answer.text
    body: dict[str, Any] = answer.json()
    return body


HOSTILE = '<script>alert("x")</script> **bold** [click](javascript:alert(1)) <img src=x onerror=alert(2)>'


@pytest.fixture(scope="module")
def isso_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database Isso wrote: two threads, a reply, a reply to a reply (Isso hangs it on the top-level
    comment), a deleted comment kept as a placeholder for its reply, a held one, hostile Markdown."""
    work = tmp_path_factory.mktemp("isso")
    with running_isso(work, moderated=False) as isso:
        first = post(
            isso,
            "/posts/one/",
            text="First *comment*",
            author="Ann",
            email="ann@example.org",
            website="https://ann.example",
        )
        reply = post(isso, "/posts/one/", text="A reply to Ann", author="Bob", parent=first["id"])
        post(isso, "/posts/one/", text="A reply to Bob", author="Cy", parent=reply["id"])
        doomed = post(isso, "/posts/two/", text="Soon deleted", author="Dee", title="Second post")
        post(isso, "/posts/two/", text="Reply to the deleted one", parent=doomed["id"])
        post(isso, "/posts/two/", text=HOSTILE, author="<b>Mallory</b>")
        gone = isso.delete(f"/id/{doomed['id']}")  # the cookie /new set lets its author delete it
        assert gone.status_code == 200, gone.text
    with running_isso(work, moderated=True) as isso:
        post(isso, "/posts/two/", status=202, text="Held for the moderator", author="Eve")
    return work / "comments.db"


def test_the_reader_sees_what_isso_stored(isso_db: Path) -> None:
    with sqlite3.connect(isso_db) as db:  # what Isso wrote, to be sure the test made what it meant to
        modes = db.execute("SELECT id, parent, mode FROM comments ORDER BY id").fetchall()
    assert modes == [(1, None, 1), (2, 1, 1), (3, 1, 1), (4, None, 4), (5, 4, 1), (6, None, 1), (7, None, 2)]
    found, skipped, stopped = read_all("isso", isso_db.read_bytes())  # a stream, not a file: copied first
    assert (skipped, stopped) == ([], None)
    assert [(c.source_id, c.parent_source_id, c.status.value, c.thread_url) for c in found] == [
        ("1", None, "public", "/posts/one/"),
        ("2", "1", "public", "/posts/one/"),
        ("3", "1", "public", "/posts/one/"),
        ("4", None, "deleted", "/posts/two/"),
        ("5", "4", "public", "/posts/two/"),
        ("6", None, "public", "/posts/two/"),
        ("7", None, "pending", "/posts/two/"),
    ]
    ann = found[0]
    assert (ann.author_name, ann.author_email, ann.author_website) == (
        "Ann",
        "ann@example.org",
        "https://ann.example",
    )
    assert ann.markdown == "First *comment*" and ann.thread_title == "Hello, Isso"
    assert ann.author_ip == "127.0.0.0"  # Isso anonymises before it stores
    assert abs(ann.created / 1e6 - time.time()) < 3600


def test_the_database_is_opened_read_only(isso_db: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.db"
    copy.write_bytes(isso_db.read_bytes())
    copy.chmod(0o444)
    before = copy.read_bytes()
    with copy.open("rb") as stream:
        from rejoinder.importers.isso import IssoImporter

        assert len(list(IssoImporter().read(stream))) == 7
    assert copy.read_bytes() == before


def test_isso_import_into_rejoinder(isso_db: Path, site_db: str) -> None:
    result = run_import(site_db, "isso", str(isso_db), "--site", "blog")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1:4] == [
        "Threads: 2 (2 new)",
        "Comments: 7 new (deleted 1, pending 1, published 5), 0 updated, 0 unchanged",
        "Skipped: 0",
    ]
    one = thread(site_db, f"{ORIGIN}/posts/one/")  # Isso's paths, on the site's origin
    assert one["thread"]["title"] == "Hello, Isso" and one["thread"]["count"] == 3
    shown = {c["text"]: c for c in one["comments"]}
    assert shown["First *comment*"]["html"] == "<p>First <em>comment</em></p>"
    assert shown["A reply to Ann"]["parent"] == shown["First *comment*"]["id"]
    assert shown["A reply to Bob"]["parent"] == shown["First *comment*"]["id"]
    two = thread(site_db, f"{ORIGIN}/posts/two/")
    assert two["thread"]["count"] == 2
    by_parent = {c["id"]: c for c in two["comments"]}
    reply = next(c for c in two["comments"] if c["text"] == "Reply to the deleted one")
    assert by_parent[reply["parent"]]["status"] == "deleted"  # the placeholder keeps the reply threaded
    hostile = next(c for c in two["comments"] if c["author"]["name"] == "<b>Mallory</b>")
    assert hostile["html"] == (  # markup shown as text, the javascript: link not a link
        '<p>&lt;script&gt;alert("x")&lt;/script&gt; <strong>bold</strong> [click](javascript:alert(1)) '
        "&lt;img src=x onerror=alert(2)&gt;</p>"
    )
    held = rows(site_db, sa.select(comments.c.text, comments.c.status).where(comments.c.status == "pending"))
    assert held == [("Held for the moderator", "pending")]
    again = run_import(site_db, "isso", str(isso_db), "--site", "blog")
    assert again.output.splitlines()[2] == "Comments: 0 new, 0 updated, 7 unchanged"


def test_not_an_isso_database(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE t (x)")
    _, _, stopped = read_file("isso", str(other))
    assert stopped is not None and "not an Isso database" in stopped.message


def test_bad_rows_are_skipped_with_their_id(tmp_path: Path) -> None:
    db_path = tmp_path / "made.db"
    with sqlite3.connect(db_path) as db:
        db.executescript(
            "CREATE TABLE threads (id INTEGER PRIMARY KEY, uri VARCHAR(256) UNIQUE, title VARCHAR(256));"
            "CREATE TABLE comments (tid REFERENCES threads(id), id INTEGER PRIMARY KEY, parent INTEGER,"
            " created FLOAT NOT NULL, modified FLOAT, mode INTEGER, remote_addr VARCHAR, text VARCHAR,"
            " author VARCHAR, email VARCHAR, website VARCHAR, likes INTEGER DEFAULT 0,"
            " dislikes INTEGER DEFAULT 0, voters BLOB NOT NULL);"
            "INSERT INTO threads VALUES (1, '/p/', NULL);"
        )
        rows_in = [
            (1, 1, None, 1.6e9, 1, "fine"),
            (1, 2, None, 1.6e9, 8, "odd mode"),
            (9, 3, None, 1.6e9, 1, "no thread"),
            (1, 4, None, "soon", 1, "bad date"),
            (1, 5, None, 1.6e9, 1, b"\xff\xfe bytes"),
            (1, 6, None, 1.6e9, 1, "x" * (4 * 1024 * 1024 + 1)),
        ]
        db.executemany(
            "INSERT INTO comments (tid, id, parent, created, mode, text, voters) VALUES (?, ?, ?, ?, ?, ?, x'')",
            rows_in,
        )
        db.execute("UPDATE comments SET text = CAST(text AS BLOB) WHERE id = 5")
    found, skipped, stopped = read_file("isso", str(db_path))
    assert stopped is None
    assert [c.source_id for c in found] == ["1"]
    assert [(s.position, s.reason) for s in skipped] == [
        ("comments.id 2", "bad-status"),
        ("comments.id 3", "no-thread"),
        ("comments.id 4", "bad-date"),
        ("comments.id 5", "bad-encoding"),
        ("comments.id 6", "too-large"),
    ]
