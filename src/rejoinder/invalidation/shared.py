"""Generations in a memory-mapped file shared by every worker on one host.

A read is one 8-byte load from shared memory, so checking freshness costs nanoseconds. Writers bump under
an exclusive flock so two workers never lose an increment; the bump follows the commit, and a reader takes
the generation before it queries, so a reader that sees the new generation also sees the committed row.
"""

from __future__ import annotations

import fcntl
import mmap
import os
import struct
from collections.abc import Callable, Iterable
from pathlib import Path

from rejoinder.invalidation.base import SLOTS, Announcer, slot_of

_FMT = struct.Struct("<Q")


class SharedFileInvalidator:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        size = SLOTS * _FMT.size
        if os.fstat(self._fd).st_size < size:
            fcntl.flock(self._fd, fcntl.LOCK_EX)
            try:
                if os.fstat(self._fd).st_size < size:
                    os.ftruncate(self._fd, size)
            finally:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        self._map = mmap.mmap(self._fd, size)
        self._announcer = Announcer()

    def subscribe(self, listener: Callable[[], None]) -> None:
        """This process's own bumps only: other workers' reach the file without a word (poll for them)."""
        self._announcer.subscribe(listener)

    def generations(self, keys: Iterable[str]) -> tuple[int, ...]:
        return self.slot_generations(tuple(slot_of(k) for k in keys))

    def slot_generations(self, slots: tuple[int, ...]) -> tuple[int, ...]:
        unpack = _FMT.unpack_from
        m = self._map
        return tuple(unpack(m, s * 8)[0] for s in slots)

    def bump(self, keys: Iterable[str]) -> None:
        slots = sorted({slot_of(k) for k in keys})
        fcntl.flock(self._fd, fcntl.LOCK_EX)
        try:
            for s in slots:
                self.bump_slot_locked(s)
        finally:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        self._announcer.announce()

    def bump_slot_locked(self, slot: int) -> None:
        value = _FMT.unpack_from(self._map, slot * 8)[0]
        _FMT.pack_into(self._map, slot * 8, (value + 1) & 0xFFFFFFFFFFFFFFFF)

    def bump_all(self) -> None:
        """Invalidate everything (after missed cross-host messages)."""
        fcntl.flock(self._fd, fcntl.LOCK_EX)
        try:
            for slot in range(SLOTS):
                self.bump_slot_locked(slot)
        finally:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        self._announcer.announce()

    def bump_slot(self, slot: int) -> None:
        fcntl.flock(self._fd, fcntl.LOCK_EX)
        try:
            self.bump_slot_locked(slot)
        finally:
            fcntl.flock(self._fd, fcntl.LOCK_UN)

    async def start(self) -> None:
        return None

    async def reachable(self) -> bool | None:
        return None  # this host only

    async def stop(self) -> None:
        self._map.close()
        os.close(self._fd)
