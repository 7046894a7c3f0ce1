"""Seed Isso's SQLite database with the benchmark corpus. Runs under Isso's own venv python:

    bench/.work/isso-venv/bin/python bench/seed_isso.py ISSO_CFG CORPUS_JSON

Isso creates its schema itself (isso.db.SQLite3); rows then go in with executemany, as Isso's own
Comments.add would write them (a reply's parent is the top-level comment: Isso nests one level).
Going through POST /new would take minutes for 11,000 comments and add nothing to what is measured.
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

from isso import config
from isso.db import SQLite3
from isso.utils import Bloomfilter

from corpus import load

REMOTE_ADDR = "127.0.0.0"


def main(cfg_path: str, corpus_path: str) -> None:
    conf = config.load(config.default_file(), cfg_path)
    dbpath = conf.get("general", "dbpath")
    Path(dbpath).unlink(missing_ok=True)
    SQLite3(dbpath, conf)  # creates the tables, triggers and preferences
    voters = memoryview(Bloomfilter(iterable=[REMOTE_ADDR]).array)
    with sqlite3.connect(dbpath) as con:
        for thread in load(Path(corpus_path)):
            tid = con.execute(
                "INSERT INTO threads (uri, title) VALUES (?, ?)", (thread.path, thread.title)
            ).lastrowid
            rows = []
            ids: dict[int, int] = {}
            root_of: dict[int, int] = {}
            next_id = con.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM comments").fetchone()[0]
            for c in thread.comments:
                ids[c.index] = next_id
                root = c.index if c.parent is None else root_of[c.parent]
                root_of[c.index] = root
                parent = None if c.parent is None else ids[root]
                rows.append(
                    (
                        tid,
                        next_id,
                        parent,
                        c.created,
                        None,
                        1,
                        REMOTE_ADDR,
                        c.text,
                        c.name,
                        c.email,
                        c.website,
                        voters,
                    )
                )
                next_id += 1
            con.executemany(
                "INSERT INTO comments (tid, id, parent, created, modified, mode, remote_addr, text, author,"
                " email, website, voters) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
    print(f"isso seeded: {dbpath}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
