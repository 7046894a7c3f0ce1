"""The claim protocol (events/dispatcher.py over store/events.py, docs/adr/0002-outbox.md) on SQLite and
PostgreSQL: two dispatchers, of one owner or of two, on one engine or two (two connections), never deliver
one (event, handler) twice at the same time nor a retry before its backoff, however they are woken; a
round stops starting deliveries once its lease is running out; an admin's redeliver leaves a delivery in
flight to its holder. Time is the test's clock; handlers wait on asyncio events, never on sleeps."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from rejoinder.events.dispatcher import Dispatcher
from rejoinder.events.kinds import Event, EventKind, ThreadOf
from rejoinder.events.outbox import Route
from rejoinder.store import engine as store_engine
from rejoinder.store import events as store
from tests.events.test_dispatcher import THREAD, Clock, dispatcher, outbox_with, post, states
from tests.store.contract import run

US = 1_000_000
WAIT = 10.0  # seconds: only a broken test waits this long
OTHER = ThreadOf(id=2, site_id=1, uri="https://blog.example/b", key=None)


class Held:
    """A handler whose every call waits until the test lets it go, then fails while `failures` lasts.
    It records when each call started (on the test's clock) and the most calls that ran at once."""

    def __init__(self, clock: Clock, failures: int = 0) -> None:
        self.clock = clock
        self.failures = failures
        self.started: list[tuple[str, int]] = []
        self.running = 0
        self.most = 0
        self.entered = asyncio.Event()
        self.go = asyncio.Event()

    async def __call__(self, event: Event) -> None:
        self.started.append((event.subject or "", self.clock.now))
        self.running += 1
        self.most = max(self.most, self.running)
        self.entered.set()
        try:
            await self.go.wait()
            if self.failures:
                self.failures -= 1
                raise RuntimeError("receiver down")
        finally:
            self.running -= 1

    async def wait_entered(self) -> None:
        await asyncio.wait_for(self.entered.wait(), WAIT)
        self.entered.clear()


def hook(handler: Held) -> Route:
    return Route("hook", frozenset({EventKind.COMMENT_POSTED}), handler=handler)


async def finish(*rounds: asyncio.Task[bool]) -> list[bool]:
    return list(await asyncio.wait_for(asyncio.gather(*rounds), WAIT))


def test_a_retry_waits_for_its_backoff_when_its_event_is_woken_during_the_failing_round(db_url: str) -> None:
    """What test_webmentions saw: the background loop's poll claims a due delivery; the writer's wake
    arrives while the first attempt runs, and the next round (settle()) found the uid fresh and tried again
    at once, ignoring the backoff."""
    clock = Clock()

    async def go(engine: AsyncEngine) -> list[object]:
        handler = Held(clock, failures=1)
        outbox = outbox_with(clock, hook(handler))
        d = dispatcher(engine, outbox, clock)  # backoff 10 s, then 20 s
        outbox.waker = d
        event = await post(engine, outbox, "c1")
        clock.now += 5 * US  # due for every worker: the grace is over
        first = asyncio.create_task(d.run_once())
        await handler.wait_entered()
        outbox.committed(event)  # the writer's own wake, late
        handler.go.set()
        await finish(first)  # the first attempt failed
        settled = await d.run_once()  # same instant: nothing is due
        clock.now += 10 * US
        retried = await d.run_once()
        return [settled, retried, handler.started, await states(engine)]

    settled, retried, started, final = run(db_url, go)
    assert (settled, retried) == (False, True)
    assert started == [("c1", 1005 * US), ("c1", 1015 * US)]
    assert final == {"done": 1}


@pytest.fixture(params=["one-owner", "two-owners", "two-engines"])
def pairing(request: pytest.FixtureRequest) -> str:
    """Two dispatchers of one process sharing an owner name (the server's and a helper's) on one engine;
    two owners on one engine; two owners on two engines (two connections, as two hosts have)."""
    value: str = request.param
    return value


@contextlib.asynccontextmanager
async def a_pair(
    engine: AsyncEngine, db_url: str, pairing: str, route: Route, clock: Clock
) -> AsyncIterator[tuple[Dispatcher, Dispatcher]]:
    second = store_engine.create_engine(db_url) if pairing == "two-engines" else engine
    try:
        a = dispatcher(engine, outbox_with(clock, route), clock, owner="w1")
        b = dispatcher(
            second, outbox_with(clock, route), clock, owner="w1" if pairing == "one-owner" else "w2"
        )
        yield a, b
    finally:
        if second is not engine:
            await second.dispose()


def test_two_dispatchers_never_deliver_one_event_twice_at_once(db_url: str, pairing: str) -> None:
    """A handler that fails once, then succeeds slowly; both dispatchers think the event is their own
    (woken with its uid) and keep trying while the slow attempt runs."""
    clock = Clock()

    async def go(engine: AsyncEngine) -> list[object]:
        handler = Held(clock, failures=1)
        out: list[object] = []
        async with a_pair(engine, db_url, pairing, hook(handler), clock) as (a, b):
            event = await post(engine, a.outbox, "c1")
            handler.go.set()
            a.wake([event.uid], inline=[])
            b.wake([event.uid], inline=[])
            first = [await a.run_once(), await b.run_once()]  # a fails; b, right after, must wait too
            clock.now += 10 * US  # the backoff is over: the retry is due for both
            handler.go.clear()
            rounds = {asyncio.create_task(a.run_once()): a, asyncio.create_task(b.run_once()): b}
            await handler.wait_entered()  # one of them holds it, slowly
            idle, _ = await asyncio.wait(rounds, timeout=WAIT, return_when=asyncio.FIRST_COMPLETED)
            [other] = [rounds[task] for task in idle]
            other.wake([event.uid], inline=[])
            clock.now += 30 * US  # well within the 120 s lease
            again = [await other.run_once(), await other.run_once()]
            handler.go.set()
            await finish(*rounds)
            out = [first, again, handler.started, handler.most, await states(engine)]
        return out

    first, again, started, most, final = run(db_url, go)
    assert first == [True, False]
    assert again == [False, False]
    assert started == [("c1", 1000 * US), ("c1", 1010 * US)]
    assert most == 1
    assert final == {"done": 1}


def test_a_round_whose_lease_is_running_out_gives_the_rest_back_untried(db_url: str, pairing: str) -> None:
    """Two deliveries claimed in one round; the first takes longer than the lease. The second is not
    started by its stale holder (another worker may have claimed it by then) but handed back whole."""
    clock = Clock()

    async def go(engine: AsyncEngine) -> list[object]:
        handler = Held(clock)
        out: list[object] = []
        async with a_pair(engine, db_url, pairing, hook(handler), clock) as (a, b):
            slow = await post(engine, a.outbox, "c1")
            other = await post(engine, a.outbox, "c2", thread=OTHER)
            a.wake([slow.uid, other.uid], inline=[])
            first = asyncio.create_task(a.run_once())
            await handler.wait_entered()
            clock.now += 121 * US  # c1 runs past the 120 s lease
            handler.go.set()
            await finish(first)
            by_a = list(handler.started)
            by_b = await b.run_once()
            out = [by_a, by_b, handler.started[len(by_a) :], await states(engine)]
        return out

    by_a, by_b, after, final = run(db_url, go)
    assert by_a == [("c1", 1000 * US)]
    assert (by_b, after) == (True, [("c2", 1121 * US)])
    assert final == {"done": 2}


def test_a_redeliver_leaves_a_delivery_in_flight_to_its_holder(db_url: str, pairing: str) -> None:
    """/admin's "deliver again" (store.requeue) while a dispatcher is delivering: another dispatcher must
    not start it too; the holder's outcome is recorded."""
    clock = Clock()

    async def go(engine: AsyncEngine) -> list[object]:
        handler = Held(clock)
        out: list[object] = []
        async with a_pair(engine, db_url, pairing, hook(handler), clock) as (a, b):
            event = await post(engine, a.outbox, "c1", thread=THREAD)
            a.wake([event.uid], inline=[])
            first = asyncio.create_task(a.run_once())
            await handler.wait_entered()
            async with store_engine.write(engine) as conn:
                requeued = await store.requeue(conn, event.uid, "hook", now=clock.now)
            b.wake([event.uid], inline=[])  # services/webhooks.redeliver wakes its worker
            second = asyncio.create_task(b.run_once())
            entered = asyncio.create_task(handler.wait_entered())
            await asyncio.wait({second, entered}, timeout=WAIT, return_when=asyncio.FIRST_COMPLETED)
            handler.go.set()  # b's round ended without delivering, or it is delivering too
            by_b = (await finish(first, second))[1]
            entered.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await entered
            out = [requeued, by_b, handler.started, handler.most, await states(engine)]
        return out

    requeued, by_b, started, most, final = run(db_url, go)
    assert (requeued, by_b) == (True, False)
    assert (started, most) == ([("c1", 1000 * US)], 1)
    assert final == {"done": 1}
