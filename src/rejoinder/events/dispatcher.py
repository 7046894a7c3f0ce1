"""The dispatcher: each worker runs one. It delivers committed events to their handlers, at least once,
in order per handler and queue (a thread, else a site), with exponential backoff between attempts and a
dead-letter state after `events.max_attempts`. Several workers and hosts share the work through leases
(store/events.py claims under a PostgreSQL advisory lock; SQLite has one writer anyway); the claim protocol
is in docs/adr/0002-outbox.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine

from rejoinder.events.outbox import Outbox, RetryPolicy, Route
from rejoinder.store import engine as store_engine
from rejoinder.store import events as store

__all__ = ["Dispatcher", "RetryPolicy"]

log = logging.getLogger("rejoinder.events")
US = 1_000_000
BATCH = 100


@dataclass
class Dispatcher:
    """`owner` names the worker (host:pid); each instance leases under that name plus a token of its own,
    so that two dispatchers of one process (the server's and a test's or the CLI's) never take each
    other's leases for their own."""

    engine: AsyncEngine
    outbox: Outbox
    clock: Callable[[], int]
    owner: str
    poll_us: int = US
    lease_us: int = 120 * US
    keep_us: int = 7 * 86400 * US
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    random: Callable[[], float] = random.random
    _fresh: list[str] = field(default_factory=list)
    _inline: list[tuple[str, str]] = field(default_factory=list)
    _wakeup: asyncio.Event | None = None
    _task: asyncio.Task[None] | None = None
    _routes: dict[str, Route] = field(init=False)
    _last_purge: int = 0
    _turn: asyncio.Lock = field(default_factory=asyncio.Lock)
    _stopping: bool = False
    holder: str = field(init=False)

    def __post_init__(self) -> None:
        self._routes = {r.name: r for r in self.outbox.routes}
        self.holder = f"{self.owner[:32]}:{secrets.token_hex(3)}"  # lease_owner is 40 characters

    # --- the outbox's side -----------------------------------------------------------------------------

    def wake(self, uids: list[str], *, inline: list[tuple[str, str]]) -> None:
        """Deliveries for `uids` start at once; inline deliveries that already ran are only recorded, at
        the next poll, batched: on SQLite's single writer one small transaction per post would cost
        throughput, and a worker that dies before recording them only causes a harmless repeat."""
        self._fresh.extend(uids)
        self._inline.extend(inline)
        if uids and self._wakeup is not None:
            self._wakeup.set()

    # --- running ------------------------------------------------------------------------------------------

    def start(self) -> None:
        self._stopping = False
        self._wakeup = asyncio.Event()
        self.outbox.waker = self
        self._task = asyncio.get_running_loop().create_task(self._run(), name="rejoinder-dispatcher")

    async def stop(self, timeout: float = 10.0) -> None:
        """Let the round in progress finish (bounded by `timeout`), then stop; what is left stays pending
        for the next start or another worker. A round is not cancelled midway: its COMMIT may be running
        in a thread on the SQLite writer's connection, which the engine's disposal would close under it."""
        if self.outbox.waker is self:
            self.outbox.waker = None
        task, self._task = self._task, None
        if task is None:
            return
        self._stopping = True  # the loop ends at its next turn, even if a cancellation were lost
        if self._wakeup is not None:
            self._wakeup.set()
        try:
            await asyncio.wait_for(self._turn.acquire(), timeout)
            holding = True
        except TimeoutError:
            holding = False
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        if holding:
            self._turn.release()

    async def settle(self, timeout: float = 30.0) -> None:
        """Deliver, here and now, everything committed here and everything due, waiting for a round the
        background loop has in progress (tests wait on this instead of sleeping)."""

        async def drain() -> None:
            while await self.run_once():
                pass

        await asyncio.wait_for(drain(), timeout)

    async def _run(self) -> None:
        assert self._wakeup is not None
        while not self._stopping:
            try:
                busy = await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:  # a database hiccup must not end the loop
                log.exception("[rejoinder] delivering events failed; trying again")
                busy = False
            if busy:
                continue
            # Not asyncio.wait_for: on Python 3.11 it can lose a cancellation that arrives as the wait ends,
            # and the loop would then wait for the round lock that `stop` holds (seen as a hung shutdown).
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.poll_us / US):
                    await self._wakeup.wait()
            self._wakeup.clear()

    async def run_once(self) -> bool:
        """One round: record inline deliveries, claim what is due (and this worker's fresh events),
        deliver, record the outcomes. True when it delivered something (more may be waiting). Rounds of
        one dispatcher take turns."""
        async with self._turn:
            return await self._round()

    async def _round(self) -> bool:
        fresh, self._fresh = self._fresh, []
        inline, self._inline = self._inline, []
        now = self.clock()
        if not fresh and not inline and not await self._anything_due(now):
            await self._purge(now)
            return False
        async with store_engine.write(self.engine) as conn:
            by_handler: dict[str, list[str]] = {}
            for name, uid in inline:
                by_handler.setdefault(name, []).append(uid)
            for name, uids in by_handler.items():
                await store.mark_done_by_uid(conn, uids, name, now=now)
            claimed = await store.claim_deliveries(
                conn,
                self.holder,
                now=now,
                lease_until=now + self.lease_us,
                limit=BATCH,
                uids=fresh,
                fresh_until=now + self.outbox.grace_us,
            )
        if not claimed:
            return False
        # Once half the lease is gone the rest of the batch goes back untried, so that each delivery
        # started has at least half a lease to finish before another worker may claim it.
        start_by = now + self.lease_us // 2
        late = False
        done: list[int] = []
        failed: list[tuple[int, str, int | None]] = []
        released: list[int] = []
        stuck: set[tuple[str, str]] = set()  # (handler, queue) with a failure in this round
        gave_up: list[tuple[Route, store.Delivery, str, str]] = []
        for delivery in claimed:
            line = (delivery.handler, delivery.event.queue)
            late = late or self.clock() >= start_by
            if late or line in stuck:
                released.append(delivery.id)
                continue
            # "webhook:12": deliveries a route added at delivery time, one per target (events/outbox.py)
            name, _, target = delivery.handler.partition(":")
            route = self._routes.get(name)
            try:
                if route is None:
                    raise LookupError(f"no handler named {delivery.handler!r} is registered")
                if target and route.targeted is not None:
                    await route.targeted(delivery.event, target)
                elif route.handler is not None:
                    await route.handler(delivery.event)
                elif route.inline is not None:
                    route.inline(delivery.event)
                done.append(delivery.id)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                stuck.add(line)
                policy = route.retry if route is not None and route.retry is not None else self.retry
                when = policy.next_at(delivery.attempts + 1, self.clock(), self.random())
                reason = f"{type(exc).__name__}: {exc}"
                log.warning(
                    "[rejoinder] handler %s failed on event %s (%s), attempt %d%s",
                    delivery.handler,
                    delivery.event.uid,
                    type(exc).__name__,
                    delivery.attempts + 1,
                    "; giving up" if when is None else "",
                )
                failed.append((delivery.id, reason, when))
                if when is None and route is not None and route.given_up is not None:
                    gave_up.append((route, delivery, target, reason))
        now = self.clock()
        async with store_engine.write(self.engine) as conn:
            await store.mark_done(conn, done, self.holder, now=now)
            for delivery_id, reason, when in failed:
                await store.mark_failed(conn, delivery_id, self.holder, error=reason, next_at=when, now=now)
            await store.release(conn, released, self.holder)
        for route, delivery, target, reason in gave_up:
            assert route.given_up is not None
            try:  # after the dead letter is recorded: a failure here must not undo that
                await route.given_up(delivery.event, target, reason)
            except Exception:
                log.exception("[rejoinder] handler %s could not react to giving up", delivery.handler)
        return True

    async def _anything_due(self, now: int) -> bool:
        async with store_engine.read(self.engine) as conn:
            return await store.any_due(conn, now=now)

    async def _purge(self, now: int) -> None:
        if now - self._last_purge < 3600 * US:
            return
        self._last_purge = now
        async with store_engine.write(self.engine) as conn:
            await store.delete_finished_before(conn, now - self.keep_us)
