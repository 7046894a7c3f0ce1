"""One import run's map of source ids (which ids the file has shown, and where each comment was placed), kept
in a private temporary SQLite file rather than in Python memory, so that an import's memory stays flat however
large the file (a dict cost about 0.3 KB per comment: 30 MB for 100,000). Not the site's database: the map is
needed by dry runs too, and is gone when the run ends.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Generic, TypeVar

import msgspec

T = TypeVar("T", bound=msgspec.Struct)


class SourceMap(Generic[T]):
    """Source ids seen, and a small record (`kind`, a msgspec Struct) per source id placed.

    SQLite's empty file name opens a private database on disk, deleted when closed; its page cache is capped
    (CACHE_KIB), so the run's memory does not grow with it.
    """

    CACHE_KIB = 4096

    def __init__(self, kind: type[T]) -> None:
        self._kind = kind
        self._encode = msgspec.msgpack.Encoder().encode
        self._decode = msgspec.msgpack.Decoder(kind).decode
        self._db = sqlite3.connect("", isolation_level=None, check_same_thread=False)
        self._db.executescript(
            f"PRAGMA cache_size = -{self.CACHE_KIB}; PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;"
            "CREATE TABLE seen (source_id TEXT PRIMARY KEY) WITHOUT ROWID;"
            "CREATE TABLE placed (source_id TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;"
        )

    def close(self) -> None:
        self._db.close()

    def first_time(self, source_id: str) -> bool:
        """Note `source_id` as seen; whether it was new."""
        cursor = self._db.execute("INSERT OR IGNORE INTO seen VALUES (?)", (source_id,))
        return cursor.rowcount == 1

    def get(self, source_id: str) -> T | None:
        row = self._db.execute("SELECT value FROM placed WHERE source_id = ?", (source_id,)).fetchone()
        return self._decode(row[0]) if row is not None else None

    def __contains__(self, source_id: str) -> bool:
        found = self._db.execute("SELECT 1 FROM placed WHERE source_id = ?", (source_id,)).fetchone()
        return found is not None

    def put(self, source_id: str, value: T) -> None:
        self._db.execute("INSERT OR REPLACE INTO placed VALUES (?, ?)", (source_id, self._encode(value)))

    def forget(self, source_ids: Iterable[str]) -> None:
        self._db.executemany("DELETE FROM placed WHERE source_id = ?", ((s,) for s in source_ids))
