"""In-process generations: correct for a single worker process only."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from rejoinder.invalidation.base import SLOTS, Announcer, slot_of


class MemoryInvalidator:
    def __init__(self) -> None:
        self._gen = [0] * SLOTS
        self._announcer = Announcer()

    def subscribe(self, listener: Callable[[], None]) -> None:
        self._announcer.subscribe(listener)

    def generations(self, keys: Iterable[str]) -> tuple[int, ...]:
        return tuple(self._gen[slot_of(k)] for k in keys)

    def slot_generations(self, slots: tuple[int, ...]) -> tuple[int, ...]:
        gen = self._gen
        return tuple(gen[s] for s in slots)

    def bump(self, keys: Iterable[str]) -> None:
        for k in keys:
            self._gen[slot_of(k)] += 1
        self._announcer.announce()

    def bump_all(self) -> None:
        self._gen = [g + 1 for g in self._gen]
        self._announcer.announce()

    def bump_slot(self, slot: int) -> None:
        self._gen[slot] += 1

    async def start(self) -> None:
        return None

    async def reachable(self) -> bool | None:
        return None  # this host only

    async def stop(self) -> None:
        return None
