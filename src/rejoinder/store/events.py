"""SQL of the outbox: writing events with their deliveries, claiming deliveries under a lease, recording
the outcome, and the dead letters /admin shows. The rules (who delivers what, backoff) are in events/."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from rejoinder.events.kinds import Event, EventKind
from rejoinder.store.rows import from_row
from rejoinder.store.schema import event_deliveries as deliveries
from rejoinder.store.schema import events

PENDING, DONE, DEAD = "pending", "done", "dead"
# Claims on PostgreSQL take this transaction-level advisory lock, so that two dispatchers never claim
# out of order within one queue (SQLite's single writer serialises them already).
CLAIM_LOCK = 0x72656A6F


class Delivery(msgspec.Struct, frozen=True):
    id: int
    handler: str
    attempts: int
    event: Event


class DeadLetter(msgspec.Struct, frozen=True):
    id: int
    handler: str
    attempts: int
    last_error: str | None
    finished: int | None
    event: Event


def _event_of(row: sa.Row[tuple[object, ...]] | sa.RowMapping) -> Event:
    m = row._mapping if isinstance(row, sa.Row) else row
    return Event(
        uid=m["uid"],
        kind=EventKind(m["kind"]),
        created=m["created"],
        site_id=m["site_id"],
        thread_id=m["thread_id"],
        subject=m["subject"],
        data=dict(m["data"] or {}),
    )


# Built once: every write of the site runs them (building a Core statement costs more than running it).
_INSERT_EVENT = sa.insert(events).returning(events.c.id)
_INSERT_DELIVERIES = sa.insert(deliveries)


async def insert_event(conn: AsyncConnection, event: Event, handlers: Iterable[str], *, next_at: int) -> int:
    """Write the event and one pending delivery per handler; returns the event's row id."""
    result = await conn.execute(
        _INSERT_EVENT,
        {
            "uid": event.uid,
            "kind": event.kind.value,
            "site_id": event.site_id,
            "thread_id": event.thread_id,
            "subject": event.subject,
            "data": event.data,
            "created": event.created,
        },
    )
    event_id = int(result.scalar_one())
    rows = [
        {"event_id": event_id, "handler": name, "queue": event.queue, "state": PENDING, "next_at": next_at}
        for name in handlers
    ]
    if rows:
        await conn.execute(_INSERT_DELIVERIES, rows)
    return event_id


def _unleased(d: sa.FromClause, now: int) -> sa.ColumnElement[bool]:
    return sa.or_(d.c.lease_until.is_(None), d.c.lease_until < now)


def _claimable(
    d: sa.FromClause, now: int, uids: Sequence[str], fresh_until: int | None
) -> sa.ColumnElement[bool]:
    due = d.c.next_at <= now
    if uids:
        # This worker's own new events start before their grace ends, never a retry before its backoff nor
        # a delivery a handler scheduled for later (a digest): a wake can come again (an admin's redeliver).
        mine = sa.select(events.c.id).where(events.c.uid.in_(uids)).scalar_subquery()
        early = sa.and_(d.c.event_id.in_(mine), d.c.attempts == 0)
        if fresh_until is not None:
            early = sa.and_(early, d.c.next_at <= fresh_until)
        due = sa.or_(due, early)
    return sa.and_(d.c.state == PENDING, due, _unleased(d, now))


async def claim_deliveries(
    conn: AsyncConnection,
    owner: str,
    *,
    now: int,
    lease_until: int,
    limit: int,
    uids: Sequence[str] = (),
    fresh_until: int | None = None,
) -> list[Delivery]:
    """Lease up to `limit` deliveries that are due (or belong to the events `uids`, which this process
    just committed: never tried and due by `fresh_until`, None: whenever) and that no earlier unfinished
    delivery of the same handler and queue holds back.

    Deliveries come in id order; several of one queue can be claimed together, in order. The UPDATE that
    takes the lease checks again that each is still claimable, so a row another writer changed since the
    SELECT (an inline record, a late outcome, an admin's redeliver) is never held by two owners at once.
    """
    if conn.dialect.name == "postgresql":
        await conn.execute(sa.select(sa.func.pg_advisory_xact_lock(CLAIM_LOCK)))
    earlier = deliveries.alias("earlier")
    blocked = (
        sa.select(earlier.c.id)
        .where(
            earlier.c.handler == deliveries.c.handler,
            earlier.c.queue == deliveries.c.queue,
            earlier.c.state == PENDING,
            earlier.c.id < deliveries.c.id,
            sa.not_(_claimable(earlier, now, uids, fresh_until)),
        )
        .exists()
    )
    ids = (
        (
            await conn.execute(
                sa.select(deliveries.c.id)
                .where(_claimable(deliveries, now, uids, fresh_until), sa.not_(blocked))
                .order_by(deliveries.c.id)
                .limit(limit)
            )
        )
        .scalars()
        .all()
    )
    if not ids:
        return []
    leased = (
        (
            await conn.execute(
                sa.update(deliveries)
                .where(deliveries.c.id.in_(ids), _claimable(deliveries, now, uids, fresh_until))
                .values(lease_owner=owner, lease_until=lease_until)
                .returning(deliveries.c.id)
            )
        )
        .scalars()
        .all()
    )
    if not leased:
        return []
    rows = await conn.execute(
        sa.select(
            deliveries.c.id.label("delivery_id"),
            deliveries.c.handler,
            deliveries.c.attempts,
            events,
        )
        .join(events, events.c.id == deliveries.c.event_id)
        .where(deliveries.c.id.in_(leased))
        .order_by(deliveries.c.id)
    )
    return [
        Delivery(id=r.delivery_id, handler=r.handler, attempts=r.attempts, event=_event_of(r)) for r in rows
    ]


async def mark_done(conn: AsyncConnection, ids: Sequence[int], owner: str, *, now: int) -> None:
    if ids:
        await conn.execute(
            sa.update(deliveries)
            .where(deliveries.c.id.in_(ids), deliveries.c.lease_owner == owner, deliveries.c.state == PENDING)
            .values(state=DONE, finished=now, lease_until=None, lease_owner=None)
        )


async def mark_done_by_uid(conn: AsyncConnection, uids: Sequence[str], handler: str, *, now: int) -> int:
    """Record deliveries that ran inline right after commit, unless another dispatcher holds them."""
    if not uids:
        return 0
    result = await conn.execute(
        sa.update(deliveries)
        .where(
            deliveries.c.event_id.in_(sa.select(events.c.id).where(events.c.uid.in_(uids)).scalar_subquery()),
            deliveries.c.handler == handler,
            deliveries.c.state == PENDING,
            _unleased(deliveries, now),
        )
        .values(state=DONE, finished=now, attempts=deliveries.c.attempts + 1)
    )
    return int(result.rowcount or 0)


async def mark_failed(
    conn: AsyncConnection, delivery_id: int, owner: str, *, error: str, next_at: int | None, now: int
) -> None:
    """One failed attempt: retry at `next_at`, or give up (dead) when it is None."""
    values: dict[str, object] = {
        "attempts": deliveries.c.attempts + 1,
        "last_error": error[:500],
        "lease_until": None,
        "lease_owner": None,
    }
    if next_at is None:
        values.update(state=DEAD, finished=now)
    else:
        values["next_at"] = next_at
    await conn.execute(
        sa.update(deliveries)
        .where(deliveries.c.id == delivery_id, deliveries.c.lease_owner == owner)
        .values(**values)
    )


async def release(conn: AsyncConnection, ids: Sequence[int], owner: str) -> None:
    """Give leased deliveries back untried (an earlier one of their queue failed)."""
    if ids:
        await conn.execute(
            sa.update(deliveries)
            .where(deliveries.c.id.in_(ids), deliveries.c.lease_owner == owner)
            .values(lease_until=None, lease_owner=None)
        )


async def select_dead(
    conn: AsyncConnection, *, site_ids: Sequence[int] | None, limit: int
) -> list[DeadLetter]:
    """Dead letters, newest first (`site_ids` None: every site)."""
    query = (
        sa.select(
            deliveries.c.id.label("delivery_id"),
            deliveries.c.handler,
            deliveries.c.attempts,
            deliveries.c.last_error,
            deliveries.c.finished,
            events,
        )
        .join(events, events.c.id == deliveries.c.event_id)
        .where(deliveries.c.state == DEAD)
        .order_by(deliveries.c.id.desc())
        .limit(limit)
    )
    if site_ids is not None:
        query = query.where(events.c.site_id.in_(site_ids))
    return [from_row(DeadLetter, r, id=r.delivery_id, event=_event_of(r)) for r in await conn.execute(query)]


async def select_delivery_site(conn: AsyncConnection, delivery_id: int) -> tuple[str, int | None] | None:
    """(state, site id) of one delivery, None when there is no such delivery."""
    row = (
        await conn.execute(
            sa.select(deliveries.c.state, events.c.site_id)
            .join(events, events.c.id == deliveries.c.event_id)
            .where(deliveries.c.id == delivery_id)
        )
    ).first()
    return None if row is None else (row.state, row.site_id)


async def revive(conn: AsyncConnection, delivery_id: int, *, now: int) -> bool:
    """Put a dead letter back in line (attempts start again); False when it was not dead."""
    result = await conn.execute(
        sa.update(deliveries)
        .where(deliveries.c.id == delivery_id, deliveries.c.state == DEAD)
        .values(state=PENDING, attempts=0, next_at=now, finished=None, last_error=None)
    )
    return bool(result.rowcount)


async def count_by_state(conn: AsyncConnection) -> dict[str, int]:
    rows = await conn.execute(sa.select(deliveries.c.state, sa.func.count()).group_by(deliveries.c.state))
    return {state: int(n) for state, n in rows}


async def delete_finished_before(conn: AsyncConnection, before: int) -> int:
    """Forget events whose every delivery finished (done) before `before`; dead letters stay."""
    unfinished = sa.select(deliveries.c.event_id).where(
        sa.or_(deliveries.c.state != DONE, deliveries.c.finished >= before)
    )
    result = await conn.execute(
        sa.delete(events).where(events.c.created < before, events.c.id.not_in(unfinished))
    )
    return int(result.rowcount or 0)


async def any_due(conn: AsyncConnection, *, now: int) -> bool:
    """Whether some delivery is due and unleased (a cheap read before a claiming write)."""
    found = await conn.execute(
        sa.select(deliveries.c.id).where(_claimable(deliveries, now, (), None)).limit(1)
    )
    return found.first() is not None


class Numbered(msgspec.Struct, frozen=True):
    """An event with its row id: the id live streams send, by which a reconnecting client resumes."""

    id: int
    event: Event


async def select_thread_events(
    conn: AsyncConnection, thread_id: int, *, since: int, kinds: Sequence[EventKind], limit: int
) -> list[Numbered]:
    """A thread's events of these kinds created at or after `since` (microseconds), oldest first."""
    rows = await conn.execute(
        sa.select(events)
        .where(
            events.c.thread_id == thread_id,
            events.c.created >= since,
            events.c.kind.in_(sorted(k.value for k in kinds)),
        )
        .order_by(events.c.created, events.c.id)
        .limit(limit)
    )
    return [Numbered(id=row.id, event=_event_of(row)) for row in rows]


async def select_event_time(conn: AsyncConnection, event_id: int, thread_id: int) -> int | None:
    """When a thread's event was created (None: not this thread's, or forgotten since)."""
    found = await conn.execute(
        sa.select(events.c.created).where(events.c.id == event_id, events.c.thread_id == thread_id)
    )
    value = found.scalar()
    return int(value) if value is not None else None


async def add_deliveries(
    conn: AsyncConnection, event_uid: str, handlers: Sequence[str], *, queue: str, next_at: int
) -> list[str]:
    """Give an event more deliveries, to handlers named at delivery time (a webhook route fans out one
    per endpoint); those it has already are kept as they are. Returns the names added."""
    event_id = (await conn.execute(sa.select(events.c.id).where(events.c.uid == event_uid))).scalar()
    if event_id is None or not handlers:
        return []
    have = set(
        (
            await conn.execute(
                sa.select(deliveries.c.handler).where(
                    deliveries.c.event_id == event_id, deliveries.c.handler.in_(handlers)
                )
            )
        ).scalars()
    )
    new = [name for name in dict.fromkeys(handlers) if name not in have]
    if new:
        await conn.execute(
            sa.insert(deliveries),
            [
                {"event_id": event_id, "handler": n, "queue": queue, "state": PENDING, "next_at": next_at}
                for n in new
            ],
        )
    return new


async def requeue(conn: AsyncConnection, event_uid: str, handler: str, *, now: int) -> bool:
    """Deliver an event to a handler again, now, whatever became of its delivery (done, dead or waiting
    for a retry); False when there is no such delivery (never made, or purged after events.keep_days).

    A delivery a dispatcher holds right now keeps its lease: it is being delivered, and clearing the lease
    would let a second dispatcher deliver it at the same time; that attempt's outcome is then recorded.
    """
    event_id = sa.select(events.c.id).where(events.c.uid == event_uid).scalar_subquery()
    held = deliveries.c.lease_until >= now
    result = await conn.execute(
        sa.update(deliveries)
        .where(deliveries.c.event_id == event_id, deliveries.c.handler == handler)
        .values(
            state=PENDING,
            attempts=0,
            next_at=now,
            finished=None,
            last_error=None,
            lease_until=sa.case((held, deliveries.c.lease_until), else_=None),
            lease_owner=sa.case((held, deliveries.c.lease_owner), else_=None),
        )
    )
    return bool(result.rowcount)


async def select_event(conn: AsyncConnection, uid: str) -> Event | None:
    row = (await conn.execute(sa.select(events).where(events.c.uid == uid))).first()
    return None if row is None else _event_of(row)
