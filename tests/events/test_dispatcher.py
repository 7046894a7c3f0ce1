"""events/dispatcher.py with events/outbox.py on SQLite and PostgreSQL, driven round by round with an
injected clock (no waiting on real time): at-least-once delivery in order per thread, backoff, dead
letters, inline handlers, events whose writer died before delivering them, and two dispatchers sharing
the work without delivering one event twice."""

from __future__ import annotations

import asyncio
import itertools

from sqlalchemy.ext.asyncio import AsyncEngine

from rejoinder.events.dispatcher import Dispatcher, RetryPolicy
from rejoinder.events.kinds import Event, EventKind, ThreadOf
from rejoinder.events.outbox import Outbox, Route
from rejoinder.store import engine as store_engine
from rejoinder.store import events as store
from tests.store.contract import run

US = 1_000_000


class Clock:
    def __init__(self) -> None:
        self.now = 1_000 * US

    def __call__(self) -> int:
        return self.now


class Recorder:
    """A handler that fails while `failures` says so, and records what it saw."""

    def __init__(self, failures: dict[str, int] | None = None) -> None:
        self.seen: list[str] = []
        self.failures = dict(failures or {})

    async def __call__(self, event: Event) -> None:
        left = self.failures.get(event.subject or "", 0)
        if left:
            self.failures[event.subject or ""] = left - 1
            raise RuntimeError(f"receiver down for {event.subject}")
        self.seen.append(event.subject or "")


_ids = itertools.count()


def outbox_with(clock: Clock, *routes: Route) -> Outbox:
    return Outbox(routes=routes, clock=clock, token=lambda n: f"ev{next(_ids):08d}", grace_us=5 * US)


def dispatcher(
    engine: AsyncEngine, outbox: Outbox, clock: Clock, owner: str = "w1", attempts: int = 3
) -> Dispatcher:
    return Dispatcher(
        engine=engine,
        outbox=outbox,
        clock=clock,
        owner=owner,
        retry=RetryPolicy(max_attempts=attempts, base_us=10 * US, max_us=60 * US),
        random=lambda: 0.5,  # no jitter: delays are exactly base * 2^(n-1)
    )


THREAD = ThreadOf(id=1, site_id=1, uri="https://blog.example/a", key=None)


async def post(engine: AsyncEngine, outbox: Outbox, subject: str, thread: ThreadOf = THREAD) -> Event:
    async with store_engine.write(engine) as conn:
        return await outbox.add(conn, EventKind.COMMENT_POSTED, thread=thread, subject=subject)


async def states(engine: AsyncEngine) -> dict[str, int]:
    async with store_engine.read(engine) as conn:
        return await store.count_by_state(conn)


def test_a_failing_handler_is_retried_with_backoff_and_its_thread_waits(db_url: str) -> None:
    clock = Clock()
    handler = Recorder(failures={"c1": 2})
    outbox = outbox_with(clock, Route("hook", frozenset({EventKind.COMMENT_POSTED}), handler=handler))

    async def go(engine: AsyncEngine) -> list[object]:
        d = dispatcher(engine, outbox, clock)
        outbox.waker = d
        other = THREAD.__class__(id=2, site_id=1, uri="https://blog.example/b", key=None)
        outbox.committed(await post(engine, outbox, "c1"), await post(engine, outbox, "c2"))
        outbox.committed(await post(engine, outbox, "x1", thread=other))
        seen = []
        await d.run_once()  # c1 fails; c2 waits behind it; x1 (another thread) goes through
        seen.append(list(handler.seen))
        clock.now += 9 * US
        await d.run_once()  # not due yet (10 s after the first failure)
        seen.append(list(handler.seen))
        clock.now += 1 * US
        await d.run_once()  # second failure: the next try waits 20 s
        clock.now += 20 * US
        await d.run_once()  # c1, then c2, in order
        seen.append(list(handler.seen))
        seen.append(await states(engine))
        return seen

    assert run(db_url, go) == [["x1"], ["x1"], ["x1", "c1", "c2"], {"done": 3}]


def test_a_delivery_gives_up_after_max_attempts_and_can_be_revived(db_url: str) -> None:
    clock = Clock()
    handler = Recorder(failures={"c1": 5})
    outbox = outbox_with(clock, Route("hook", frozenset({EventKind.COMMENT_POSTED}), handler=handler))

    async def go(engine: AsyncEngine) -> list[object]:
        d = dispatcher(engine, outbox, clock, attempts=3)
        outbox.waker = d
        outbox.committed(await post(engine, outbox, "c1"))
        for _ in range(3):
            await d.run_once()
            clock.now += 3600 * US
        async with store_engine.read(engine) as conn:
            [dead] = await store.select_dead(conn, site_ids=[1], limit=5)
        handler.failures.clear()
        async with store_engine.write(engine) as conn:
            await store.revive(conn, dead.id, now=clock.now)
        await d.run_once()
        return [dead.attempts, dead.last_error, handler.seen, await states(engine)]

    assert run(db_url, go) == [3, "RuntimeError: receiver down for c1", ["c1"], {"done": 1}]


def test_inline_handlers_run_at_commit_and_the_dispatcher_only_records_them(db_url: str) -> None:
    clock = Clock()
    bumped: list[str] = []
    outbox = outbox_with(
        clock,
        Route("bump", frozenset({EventKind.COMMENT_POSTED}), inline=lambda e: bumped.append(e.subject or "")),
    )

    async def go(engine: AsyncEngine) -> list[object]:
        d = dispatcher(engine, outbox, clock)
        outbox.waker = d
        outbox.committed(await post(engine, outbox, "c1"))
        at_commit = list(bumped)
        await d.run_once()
        return [at_commit, bumped, await states(engine)]

    assert run(db_url, go) == [["c1"], ["c1"], {"done": 1}]


def test_events_whose_writer_died_before_delivering_are_delivered_after_the_grace(db_url: str) -> None:
    clock = Clock()
    handler = Recorder()
    bumped: list[str] = []
    routes = (
        Route("hook", frozenset({EventKind.COMMENT_POSTED}), handler=handler),
        Route("bump", frozenset({EventKind.COMMENT_POSTED}), inline=lambda e: bumped.append(e.subject or "")),
    )

    async def go(engine: AsyncEngine) -> list[object]:
        # The writer commits and is gone before `committed` ran (kill -9 right after COMMIT).
        writer = outbox_with(clock, *routes)
        await post(engine, writer, "c1")
        survivor = outbox_with(clock, *routes)
        d = dispatcher(engine, survivor, clock, owner="w2")
        survivor.waker = d
        await d.run_once()  # within the grace period: left to its writer
        early = (list(handler.seen), list(bumped))
        clock.now += 5 * US
        await d.run_once()
        return [early, handler.seen, bumped, await states(engine)]

    assert run(db_url, go) == [([], []), ["c1"], ["c1"], {"done": 2}]


def test_two_dispatchers_share_the_work_and_deliver_each_event_once(db_url: str) -> None:
    clock = Clock()
    handler = Recorder()
    route = Route("hook", frozenset({EventKind.COMMENT_POSTED}), handler=handler)

    async def go(engine: AsyncEngine) -> tuple[list[str], dict[str, int]]:
        outbox = outbox_with(clock, route)
        for n in range(60):
            thread = ThreadOf(id=n % 7, site_id=1, uri=f"https://blog.example/{n % 7}", key=None)
            await post(engine, outbox, f"c{n:02d}", thread=thread)
        clock.now += 5 * US
        second = store_engine.create_engine(db_url)
        try:
            a = dispatcher(engine, outbox_with(clock, route), clock, owner="a")
            b = dispatcher(second, outbox_with(clock, route), clock, owner="b")

            async def drain(d: Dispatcher) -> None:
                while await d.run_once():
                    pass

            await asyncio.gather(drain(a), drain(b))
            await drain(a)
        finally:
            await second.dispose()
        return handler.seen, await states(engine)

    seen, final = run(db_url, go)
    assert sorted(seen) == [f"c{n:02d}" for n in range(60)]  # each once
    for t in range(7):  # and in order within each thread
        mine = [s for s in seen if int(s[1:]) % 7 == t]
        assert mine == sorted(mine)
    assert final == {"done": 60}
