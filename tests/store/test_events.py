"""store/events.py on SQLite and PostgreSQL: events are written with one delivery per handler; claims
lease due deliveries in id order, never one that another dispatcher holds, and never past an earlier
unfinished delivery of the same handler and queue; outcomes, dead letters, revival and the purge."""

from __future__ import annotations

import asyncio

from sqlalchemy.ext.asyncio import AsyncEngine

from rejoinder.events.kinds import Event, EventKind
from rejoinder.store import engine as store_engine
from rejoinder.store import events as store
from tests.store.contract import run


def event(uid: str, thread: int | None = 1, kind: EventKind = EventKind.COMMENT_POSTED) -> Event:
    return Event(uid=uid, kind=kind, created=100, site_id=7, thread_id=thread, subject="c1", data={"n": uid})


async def add(
    engine: AsyncEngine, *events: Event, handlers: tuple[str, ...] = ("a",), next_at: int = 0
) -> None:
    async with store_engine.write(engine) as conn:
        for e in events:
            await store.insert_event(conn, e, handlers, next_at=next_at)


async def claim(
    engine: AsyncEngine,
    owner: str,
    now: int,
    *,
    uids: tuple[str, ...] = (),
    limit: int = 10,
    fresh_until: int | None = None,
) -> list[store.Delivery]:
    async with store_engine.write(engine) as conn:
        return await store.claim_deliveries(
            conn, owner, now=now, lease_until=now + 50, limit=limit, uids=uids, fresh_until=fresh_until
        )


def test_an_event_round_trips_with_a_delivery_per_handler(db_url: str) -> None:
    async def go(engine: AsyncEngine) -> tuple[list[store.Delivery], dict[str, int]]:
        await add(engine, event("e1"), handlers=("a", "b"))
        got = await claim(engine, "w1", now=10)
        async with store_engine.read(engine) as conn:
            return got, await store.count_by_state(conn)

    got, states = run(db_url, go)
    assert [(d.handler, d.attempts, d.event) for d in got] == [
        ("a", 0, event("e1")),
        ("b", 0, event("e1")),
    ]
    assert states == {"pending": 2}


def test_claims_wait_for_next_at_unless_the_event_is_this_workers_own(db_url: str) -> None:
    async def go(engine: AsyncEngine) -> tuple[list[str], list[str], list[str]]:
        await add(engine, event("mine"), event("other", thread=2), next_at=1000)
        early = await claim(engine, "w1", now=10)
        own = await claim(engine, "w1", now=10, uids=("mine",))
        async with store_engine.write(engine) as conn:
            await store.mark_done(conn, [d.id for d in own], "w1", now=11)
        later = await claim(engine, "w2", now=1000)
        return [d.event.uid for d in early], [d.event.uid for d in own], [d.event.uid for d in later]

    early, own, later = run(db_url, go)
    assert early == []
    assert own == ["mine"]
    assert later == ["other"]


def test_a_workers_own_event_starts_early_but_never_a_retry_or_a_delivery_scheduled_later(
    db_url: str,
) -> None:
    """The early start is for new deliveries within the grace: a uid woken again (an admin's redeliver,
    a late wake) neither brings a retry before its backoff nor a digest before its hour."""

    async def go(engine: AsyncEngine) -> list[list[str]]:
        await add(engine, event("mine"), handlers=("now",), next_at=15)
        async with store_engine.write(engine) as conn:
            await store.add_deliveries(conn, "mine", ["digest"], queue="mail:1:d", next_at=10_000)
        rounds = []
        got = await claim(engine, "w1", now=10, uids=("mine",), fresh_until=15)
        rounds.append([d.handler for d in got])
        async with store_engine.write(engine) as conn:
            await store.mark_failed(conn, got[0].id, "w1", error="boom", next_at=500, now=11)
        rounds.append([d.handler for d in await claim(engine, "w1", now=20, uids=("mine",), fresh_until=25)])
        rounds.append(
            [d.handler for d in await claim(engine, "w1", now=500, uids=("mine",), fresh_until=505)]
        )
        return rounds

    assert run(db_url, go) == [["now"], [], ["now"]]


def test_a_redeliver_leaves_a_leased_delivery_to_its_holder(db_url: str) -> None:
    async def go(engine: AsyncEngine) -> list[object]:
        await add(engine, event("e1"))
        [held] = await claim(engine, "w1", now=10)  # leased until 60
        async with store_engine.write(engine) as conn:
            during = await store.requeue(conn, "e1", "a", now=20)
        meanwhile = await claim(engine, "w2", now=30, uids=("e1",))
        async with store_engine.write(engine) as conn:
            await store.mark_done(conn, [held.id], "w1", now=40)
            after = await store.requeue(conn, "e1", "a", now=100)
        again = await claim(engine, "w2", now=100)
        return [during, meanwhile, after, [(d.event.uid, d.attempts) for d in again]]

    assert run(db_url, go) == [True, [], True, [("e1", 0)]]


def test_a_leased_delivery_is_not_claimed_again_until_its_lease_ends(db_url: str) -> None:
    async def go(engine: AsyncEngine) -> tuple[int, int, int]:
        await add(engine, event("e1"))
        first = await claim(engine, "w1", now=10)  # leased until 60
        second = await claim(engine, "w2", now=59)
        third = await claim(engine, "w2", now=61)  # w1 died: its lease ran out
        return len(first), len(second), len(third)

    assert run(db_url, go) == (1, 0, 1)


def test_one_queue_is_claimed_in_order_and_an_unfinished_earlier_delivery_blocks_it(db_url: str) -> None:
    async def go(engine: AsyncEngine) -> list[list[str]]:
        await add(engine, event("t1-a"), event("t1-b"), event("t2-a", thread=2), event("t1-c"))
        rounds = []
        # Only one delivery may be claimed: the head of queue t:1.
        rounds.append([d.event.uid for d in await claim(engine, "w1", now=10, limit=1)])
        # While it is leased, t:1 is blocked for everyone; t:2 is not.
        other = await claim(engine, "w2", now=11)
        rounds.append([d.event.uid for d in other])
        async with store_engine.write(engine) as conn:
            await store.mark_done(conn, [d.id for d in other], "w2", now=12)
        # It fails and waits for a retry at 500: t:1 stays blocked behind it.
        [head] = [d for d in await claim(engine, "w3", now=70, limit=1)]  # w1's lease ran out at 60
        async with store_engine.write(engine) as conn:
            await store.mark_failed(conn, head.id, "w3", error="boom", next_at=500, now=70)
        rounds.append([d.event.uid for d in await claim(engine, "w3", now=200)])
        # Once it is due again, the whole queue comes in order.
        rounds.append([d.event.uid for d in await claim(engine, "w3", now=600)])
        return rounds

    assert run(db_url, go) == [["t1-a"], ["t2-a"], [], ["t1-a", "t1-b", "t1-c"]]


def test_done_failed_dead_revived_and_the_purge(db_url: str) -> None:
    async def go(engine: AsyncEngine) -> tuple[object, ...]:
        await add(engine, event("ok"), event("bad", thread=2))
        ok, bad = await claim(engine, "w1", now=10)
        async with store_engine.write(engine) as conn:
            await store.mark_done(conn, [ok.id], "w1", now=20)
            await store.mark_failed(conn, bad.id, "w1", error="x" * 900, next_at=None, now=20)
            await store.mark_done(conn, [bad.id], "intruder", now=21)  # not its lease: no effect
        async with store_engine.read(engine) as conn:
            states = await store.count_by_state(conn)
            [dead] = await store.select_dead(conn, site_ids=None, limit=10)
            none_for_other_site = await store.select_dead(conn, site_ids=[8], limit=10)
            where = await store.select_delivery_site(conn, dead.id)
        async with store_engine.write(engine) as conn:
            purged = await store.delete_finished_before(conn, 10**9)
            revived = await store.revive(conn, dead.id, now=30)
            again = await store.revive(conn, dead.id, now=31)
        after = await claim(engine, "w2", now=40)
        async with store_engine.read(engine) as conn:
            states_after = await store.count_by_state(conn)
        return (
            states,
            (dead.event.uid, dead.attempts, len(dead.last_error or ""), dead.finished),
            none_for_other_site,
            where,
            purged,
            revived,
            again,
            [(d.event.uid, d.attempts) for d in after],
            states_after,
        )

    states, dead, other, where, purged, revived, again, after, states_after = run(db_url, go)
    assert states == {"done": 1, "dead": 1}
    assert dead == ("bad", 1, 500, 20)
    assert other == []
    assert where == ("dead", 7)
    assert purged == 1  # "ok" is gone with its delivery; the dead letter stays
    assert (revived, again) == (True, False)
    assert after == [("bad", 0)]
    assert states_after == {"pending": 1}


def test_inline_deliveries_are_recorded_by_event_uid(db_url: str) -> None:
    async def go(engine: AsyncEngine) -> tuple[int, int, dict[str, int]]:
        await add(engine, event("e1"), event("e2", thread=2), handlers=("inline", "later"), next_at=1000)
        held = await claim(engine, "w9", now=10, uids=("e2",))  # another worker holds e2's deliveries
        async with store_engine.write(engine) as conn:
            marked = await store.mark_done_by_uid(conn, ["e1", "e2"], "inline", now=11)
        async with store_engine.read(engine) as conn:
            return len(held), marked, await store.count_by_state(conn)

    held, marked, states = run(db_url, go)
    assert held == 2
    assert marked == 1  # e1 only: e2's is leased by w9, which will deliver and record it itself
    assert states == {"done": 1, "pending": 3}


def test_concurrent_claims_never_share_a_delivery(db_url: str) -> None:
    async def go(engine: AsyncEngine) -> list[list[int]]:
        await add(engine, *(event(f"e{n}", thread=n) for n in range(40)))
        other = store_engine.create_engine(db_url)
        try:

            async def claimer(eng: AsyncEngine, owner: str) -> list[int]:
                got: list[int] = []
                for _ in range(10):
                    got += [d.id for d in await claim(eng, owner, now=10, limit=3)]
                return got

            return list(await asyncio.gather(claimer(engine, "a"), claimer(other, "b")))
        finally:
            await other.dispose()

    a, b = run(db_url, go)
    assert not set(a) & set(b)
    assert len(a) + len(b) == 40
