"""The real export files (tests/fixtures/import/, copied byte for byte from /work/shared/fixtures/import/;
PROVENANCE.md lists each one's source, licence and git blob) and a helper that reads a file to the end."""

from __future__ import annotations

import io
from pathlib import Path

from rejoinder.importers import REGISTRY
from rejoinder.importers.base import ImportedComment, Record, Skipped, UnreadableExport

FILES = Path(__file__).resolve().parents[1] / "fixtures" / "import"


def read_all(fmt: str, data: bytes) -> tuple[list[ImportedComment], list[Skipped], UnreadableExport | None]:
    """Every record of `data` as `fmt` reads it, and the error that stopped the reading, if any."""
    records: list[Record] = []
    stopped = None
    try:
        records.extend(REGISTRY[fmt].read(io.BytesIO(data)))
    except UnreadableExport as exc:
        stopped = exc
    comments = [r for r in records if isinstance(r, ImportedComment)]
    skipped = [r for r in records if isinstance(r, Skipped)]
    return comments, skipped, stopped


def read_file(fmt: str, name: str) -> tuple[list[ImportedComment], list[Skipped], UnreadableExport | None]:
    return read_all(fmt, (FILES / name).read_bytes())
