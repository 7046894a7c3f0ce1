"""Writes `NAME.gz` beside each file of the built widget: the same gzip stream every client can read, made
with Zopfli (about 2 % smaller than zlib's level 9; too slow to run at start-up, so it runs here, at build
time, and the result is committed). web/static.py serves a `.gz` only when it decompresses to its file, so
a stale one costs bytes, never correctness; the budgets test then fails. Usage: precompress.py DIR"""

from __future__ import annotations

import sys
from pathlib import Path

import zopfli.gzip


def main(directory: Path) -> None:
    for old in directory.glob("*.gz"):
        old.unlink()
    for path in sorted(directory.iterdir()):
        if path.is_file() and path.suffix != ".gz":
            (directory / f"{path.name}.gz").write_bytes(zopfli.gzip.compress(path.read_bytes()))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
