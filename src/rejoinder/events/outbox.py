"""The outbox: `add` writes an event (and a pending delivery per interested handler) inside the caller's
write transaction; `committed` runs the inline handlers at once and wakes this worker's dispatcher.

    async with store_engine.write(ctx.engine) as conn:
        ...                                              # the change itself
        event = await ctx.outbox.add(conn, EventKind.LIKE_ADDED, thread=event_thread(thread))
    ctx.outbox.committed(event)                          # after commit: never for a rolled-back change

A change whose `committed` call never ran (the process died right after COMMIT) is still delivered: its
rows are in the database, and any worker's dispatcher claims them once `events.grace_seconds` passed.
See docs/adr/0002-outbox.md.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import msgspec
from sqlalchemy.ext.asyncio import AsyncConnection

from rejoinder.events.kinds import Event, EventKind, ThreadOf
from rejoinder.store import events as store

log = logging.getLogger("rejoinder.events")
US = 1_000_000


class Handler(Protocol):
    """Reacts to one event; must be idempotent by `event.uid` (a delivery can repeat after a crash)."""

    async def __call__(self, event: Event) -> None: ...


InlineHandler = Callable[[Event], None]


class TargetedHandler(Protocol):
    """Delivers one event to one target of a route (a webhook endpoint's id), for deliveries named
    `route:target` that a fan-out handler added (store/events.add_deliveries)."""

    async def __call__(self, event: Event, target: str) -> None: ...


class Needed(Protocol):
    """Whether an event needs a delivery on a route at all, asked inside the writing transaction (so it
    sees what the change commits against). A route that does nothing for most sites (webhooks on a site
    without endpoints, Webmentions on a site that does not send them) answers False there, and the event
    then costs that route no row, no claim and no dispatcher round."""

    async def __call__(self, conn: AsyncConnection, event: Event) -> bool: ...


class GiveUp(Protocol):
    """Reacts once a delivery of the route became a dead letter (`target` is "" for untargeted ones)."""

    async def __call__(self, event: Event, target: str, error: str) -> None: ...


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 12
    base_us: int = 2 * US
    max_us: int = 3600 * US

    def next_at(self, attempts: int, now: int, jitter: float) -> int | None:
        """When to try again after `attempts` failed attempts in all; None: give up."""
        if attempts >= self.max_attempts:
            return None
        delay = min(self.max_us, self.base_us * (2 ** (attempts - 1)))
        return now + int(delay * (0.75 + 0.5 * jitter))


@dataclass(frozen=True)
class Route:
    """A handler as the outbox knows it: its name, the kinds it wants and how it runs.

    `inline` handlers are cheap, synchronous and idempotent (cache invalidation): the committing worker
    runs them right after commit, and the dispatcher only records that they ran. `targeted` runs the
    deliveries named `name:target`; `retry` replaces the dispatcher's policy for this route's deliveries;
    `given_up` hears of each one that became a dead letter; `needed`, when set, is asked per event whether
    it wants a delivery at all (none: every event of its kinds gets one).
    """

    name: str
    kinds: frozenset[EventKind]
    handler: Handler | None = None
    inline: InlineHandler | None = None
    targeted: TargetedHandler | None = None
    retry: RetryPolicy | None = None
    given_up: GiveUp | None = None
    needed: Needed | None = None


class Waker(Protocol):
    def wake(self, uids: list[str], *, inline: list[tuple[str, str]]) -> None: ...


@dataclass
class Outbox:
    routes: tuple[Route, ...]
    clock: Callable[[], int]
    token: Callable[[int], str]
    grace_us: int = 5 * US
    waker: Waker | None = None
    wired: bool = True
    _by_kind: dict[EventKind, tuple[Route, ...]] = field(init=False)

    def __post_init__(self) -> None:
        names = [r.name for r in self.routes]
        if len(set(names)) != len(names):
            raise ValueError(f"handler names must be unique: {names}")
        self._by_kind = {kind: tuple(r for r in self.routes if kind in r.kinds) for kind in EventKind}

    @classmethod
    def unwired(cls) -> Outbox:
        """The outbox of a Context built by hand: writing an event through it is a bug (use
        runtime.wire_outbox, which knows the handlers)."""
        return cls(routes=(), clock=lambda: 0, token=lambda n: "", wired=False)

    def handler_names(self) -> Mapping[EventKind, tuple[str, ...]]:
        return {kind: tuple(r.name for r in routes) for kind, routes in self._by_kind.items()}

    async def add(
        self,
        conn: AsyncConnection,
        kind: EventKind,
        *,
        thread: ThreadOf | None = None,
        site_id: int | None = None,
        subject: str | None = None,
        data: dict[str, Any] | None = None,
    ) -> Event:
        """Write an event in the caller's transaction; returns it for `committed`."""
        if not self.wired:
            raise RuntimeError("this Context has no outbox handlers: wire it with runtime.wire_outbox")
        details = dict(data or {})
        if thread is not None:
            site_id = thread.site_id
            details.setdefault("uri", thread.uri)
            details.setdefault("key", thread.key)
        now = self.clock()
        event = Event(
            uid=self.token(16),
            kind=kind,
            created=now,
            site_id=site_id,
            thread_id=thread.id if thread is not None else None,
            subject=subject,
            data=details,
        )
        names = [r.name for r in self._by_kind[kind] if r.needed is None or await r.needed(conn, event)]
        await store.insert_event(conn, event, names, next_at=now + self.grace_us)
        return msgspec.structs.replace(event, routes=tuple(names))

    def committed(self, *events: Event | None) -> None:
        """After commit: run the inline handlers now and hand the rest to this worker's dispatcher."""
        uids: list[str] = []
        inline: list[tuple[str, str]] = []
        for event in events:
            if event is None:
                continue
            for route in self._by_kind[event.kind]:
                if event.routes is not None and route.name not in event.routes:
                    continue  # it needed no delivery (Route.needed)
                if route.inline is not None:
                    try:
                        route.inline(event)
                        inline.append((route.name, event.uid))
                    except Exception:  # the dispatcher retries it
                        log.exception("[rejoinder] inline handler %s failed on %s", route.name, event.kind)
                        uids.append(event.uid)
                else:
                    uids.append(event.uid)
        if self.waker is not None and (uids or inline):
            self.waker.wake(uids, inline=inline)
