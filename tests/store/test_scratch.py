"""store/scratch.py: an import run's source-id map, on disk instead of in Python memory."""

from __future__ import annotations

import resource

import msgspec

from rejoinder.store.scratch import SourceMap


class Where(msgspec.Struct, frozen=True):
    comment_id: str
    thread_id: int
    depth: int


def test_the_map_remembers_forgets_and_tells_first_sightings() -> None:
    found = SourceMap(Where)
    try:
        assert found.first_time("1") and not found.first_time("1") and found.first_time("2")
        assert found.get("1") is None and "1" not in found
        found.put("1", Where("abc", 7, 0))
        found.put("2", Where("def", 7, 1))
        assert found.get("1") == Where("abc", 7, 0) and "2" in found
        found.forget(["1"])
        assert found.get("1") is None and found.get("2") == Where("def", 7, 1)
        assert not found.first_time("1")  # forgetting a placement does not make an id unseen
    finally:
        found.close()


def test_a_large_map_does_not_grow_the_process() -> None:
    """200,000 entries (a dict of them would take about 60 MB) grow the peak RSS by a few MB at most."""
    found = SourceMap(Where)
    try:
        for n in range(20_000):  # warm up: the page cache fills to its cap
            found.first_time(str(n))
            found.put(str(n), Where(f"c{n:010d}", n // 20, n % 3))
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        for n in range(20_000, 200_000):
            found.first_time(str(n))
            found.put(str(n), Where(f"c{n:010d}", n // 20, n % 3))
        grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
        assert found.get("199999") == Where("c0000199999", 9999, 199999 % 3)
    finally:
        found.close()
    assert grown_kib < 8 * 1024, grown_kib
