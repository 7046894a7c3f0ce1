"""The copies of the real export files are byte for byte what PROVENANCE.md says (their git blob), and each
format's `detect` knows its own files and no other's."""

from __future__ import annotations

import hashlib
import re

import pytest

from rejoinder.cli import IMPORT_FORMATS
from rejoinder.importers import REGISTRY
from tests.importers.files import FILES

# | file | bytes | source repo | path | commit | git blob | …
ROWS = re.findall(
    r"^\| (\w+/[\w.-]+) \| (\d+) \|.*?\| [0-9a-f]{40} \| ([0-9a-f]{40}) \|",
    (FILES / "PROVENANCE.md").read_text("utf-8"),
    re.M,
)
FORMAT_OF = {"wxr": "wxr", "disqus": "disqus", "commento": "commento"}


def git_blob(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def test_provenance_lists_every_file() -> None:
    listed = sorted(name for name, _, _ in ROWS)
    on_disk = sorted(str(p.relative_to(FILES)) for p in FILES.rglob("*") if p.suffix in (".xml", ".json"))
    assert listed == on_disk
    assert len(listed) == 10


@pytest.mark.parametrize(("name", "size", "blob"), ROWS)
def test_each_file_is_the_published_one(name: str, size: str, blob: str) -> None:
    data = (FILES / name).read_bytes()
    assert len(data) == int(size)
    assert git_blob(data) == blob


@pytest.mark.parametrize(("name", "size", "blob"), ROWS)
def test_detect_knows_each_format(name: str, size: str, blob: str) -> None:
    head = (FILES / name).read_bytes()[:16384]
    found = sorted(fmt for fmt, importer in REGISTRY.items() if importer.detect(head))
    assert found == [FORMAT_OF[name.split("/")[0]]]


def test_the_command_offers_every_registered_format() -> None:
    assert sorted(REGISTRY) == IMPORT_FORMATS
