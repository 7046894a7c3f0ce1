"""The Invalidator protocol. A cached response records the generations of the slots it depends on and is
valid while they are unchanged; a write bumps the slots of what it changed, after it commits.

    inv = MemoryInvalidator()
    g = inv.generations(["1|u:https://example.org/a"])   # read BEFORE querying the database
    ...                                                   # build the response from the database
    inv.bump(["1|u:https://example.org/a"])               # a writer, after commit
    assert inv.generations([...]) != g                    # the cached copy is now stale
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable
from typing import Protocol

SLOTS = 1 << 16


def slot_of(key: str) -> int:
    """Stable across processes (unlike hash()): the same key maps to the same slot in every worker."""
    return zlib.crc32(key.encode("utf-8")) & (SLOTS - 1)


class Invalidator(Protocol):
    def generations(self, keys: Iterable[str]) -> tuple[int, ...]:
        """Current generation of each key's slot; cheap enough for every request."""
        ...

    def slot_generations(self, slots: tuple[int, ...]) -> tuple[int, ...]:
        """Current generation of slots already computed with slot_of."""
        ...

    def bump(self, keys: Iterable[str]) -> None:
        """Mark every response depending on these keys as stale, in every worker."""
        ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    def subscribe(self, listener: Callable[[], None]) -> None:
        """Call `listener` (on the event loop, cheaply: it should only set a flag) after every bump this
        process applies: its own, and, through Redis, other hosts'. Bumps that other processes write to the
        shared generation file are not announced: readers of generations poll for those (services/live.py)."""
        ...

    async def reachable(self) -> bool | None:
        """Whether what carries bumps to other hosts works now (readiness, `GET /healthz`); None when
        nothing outside this host is involved."""
        ...


class Announcer:
    """The listeners of one invalidator (`Invalidator.subscribe`)."""

    def __init__(self) -> None:
        self._listeners: list[Callable[[], None]] = []

    def subscribe(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    def announce(self) -> None:
        for listener in self._listeners:
            listener()
