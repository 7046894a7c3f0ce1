"""store/webhooks.py (and the outbox's fan-out helpers in store/events.py) on SQLite and PostgreSQL:
endpoints round-trip with their event types, secrets and state; only active endpoints that take a type are
subscribed; rotation keeps the previous secret until a time; a state change is reported once; the attempt
log is newest first and goes with its endpoint; deliveries added at delivery time are added once and can
be requeued."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from rejoinder.domain.webhooks import Attempt, Endpoint, EndpointState, WebhookType
from rejoinder.events.kinds import Event, EventKind
from rejoinder.store import engine as store_engine
from rejoinder.store import events as event_store
from rejoinder.store import webhooks as store
from rejoinder.store.schema import event_deliveries
from tests.store.contract import a_thread, run

SECRET = "whsec_" + "A" * 43 + "="


async def site_with_endpoints(engine: AsyncEngine) -> tuple[int, Endpoint, Endpoint]:
    async with store_engine.write(engine) as conn:
        await a_thread(conn)
        site_id = 1
        first = await store.insert_endpoint(
            conn,
            site_id,
            url="https://hooks.example/a",
            events=(WebhookType.COMMENT_CREATED, WebhookType.LIKE_CREATED),
            description="chat",
            secret=SECRET,
            now=10,
        )
        second = await store.insert_endpoint(
            conn,
            site_id,
            url="https://hooks.example/b",
            events=tuple(WebhookType),
            description="",
            secret=SECRET,
            now=11,
        )
    return site_id, first, second


def test_endpoints_round_trip_and_subscribe_by_type_and_state(db_url: str) -> None:
    async def go(engine: AsyncEngine) -> list[object]:
        site_id, first, second = await site_with_endpoints(engine)
        out: list[object] = [first]
        async with store_engine.read(engine) as conn:
            out.append([e.id for e in await store.select_subscribed(conn, site_id, WebhookType.LIKE_CREATED)])
            out.append(
                [e.id for e in await store.select_subscribed(conn, site_id, WebhookType.REPORT_CREATED)]
            )
            out.append(
                [e.id for e in await store.select_subscribed(conn, site_id + 1, WebhookType.LIKE_CREATED)]
            )
        async with store_engine.write(engine) as conn:
            out.append(await store.update_state(conn, first.id, EndpointState.DISABLED, reason="down"))
            out.append(await store.update_state(conn, first.id, EndpointState.DISABLED, reason="again"))
        async with store_engine.read(engine) as conn:
            out.append([e.id for e in await store.select_subscribed(conn, site_id, WebhookType.LIKE_CREATED)])
            found = await store.select_endpoint(conn, first.id)
            assert found is not None
            out.append((found.state, found.disabled_reason))
            out.append([e.id for e in await store.select_endpoints(conn, site_ids=[site_id])])
            out.append(await store.select_endpoints(conn, site_ids=[site_id + 1]))
        out.append(second.id)
        return out

    result = run(db_url, go)
    first = result[0]
    assert isinstance(first, Endpoint)
    assert first.url == "https://hooks.example/a"
    assert first.events == (WebhookType.COMMENT_CREATED, WebhookType.LIKE_CREATED)
    assert (first.description, first.secret, first.state, first.created) == (
        "chat",
        SECRET,
        EndpointState.ACTIVE,
        10,
    )
    assert (first.previous_secret, first.previous_until, first.disabled_reason) == (None, None, None)
    second = result[-1]
    assert result[1:-1] == [
        [first.id, second],
        [second],
        [],
        True,
        False,  # already disabled: a second give-up sends no second notice
        [second],
        (EndpointState.DISABLED, "down"),
        [first.id, second],
        [],
    ]


def test_rotation_keeps_the_previous_secret_until_a_time(db_url: str) -> None:
    async def go(engine: AsyncEngine) -> list[object]:
        _, first, _ = await site_with_endpoints(engine)
        async with store_engine.write(engine) as conn:
            await store.update_secret(
                conn, first.id, secret="whsec_bmV3", previous=SECRET, previous_until=500
            )
        async with store_engine.read(engine) as conn:
            found = await store.select_endpoint(conn, first.id)
        assert found is not None
        return [
            found.secret,
            found.previous_secret,
            found.previous_until,
            found.secrets_at(499),
            found.secrets_at(500),
        ]

    assert run(db_url, go) == ["whsec_bmV3", SECRET, 500, ("whsec_bmV3", SECRET), ("whsec_bmV3",)]


def test_attempts_are_logged_newest_first_and_go_with_their_endpoint(db_url: str) -> None:
    async def go(engine: AsyncEngine) -> list[object]:
        _, first, second = await site_with_endpoints(engine)
        async with store_engine.write(engine) as conn:
            for n, (status, error) in enumerate([(500, "answered 500"), (None, "timeout"), (204, None)]):
                await store.insert_attempt(
                    conn,
                    first.id,
                    event_uid="ev1",
                    event_type="comment.created",
                    attempted=100 + n,
                    status_code=status,
                    duration_ms=7,
                    error=error,
                )
        out: list[object] = []
        async with store_engine.read(engine) as conn:
            out.append(await store.select_attempts(conn, first.id, limit=2))
            out.append(await store.select_attempts(conn, second.id, limit=10))
        async with store_engine.write(engine) as conn:
            out.append(await store.delete_endpoint(conn, first.id))
            out.append(await store.delete_endpoint(conn, first.id))
            # logging for a removed endpoint is a no-op, not an integrity error
            await store.insert_attempt(
                conn,
                first.id,
                event_uid="ev1",
                event_type="comment.created",
                attempted=1,
                status_code=200,
                duration_ms=1,
                error=None,
            )
        async with store_engine.read(engine) as conn:
            out.append(await store.select_attempts(conn, first.id, limit=10))
        return out

    newest, nothing, removed, again, after = run(db_url, go)
    assert isinstance(newest, list) and [type(a) for a in newest] == [Attempt, Attempt]
    assert [(a.attempted, a.status_code, a.error, a.ok) for a in newest] == [
        (102, 204, None, True),
        (101, None, "timeout", False),
    ]
    assert (nothing, removed, again, after) == ([], True, False, [])


def test_deliveries_added_at_delivery_time_are_added_once_and_can_be_requeued(db_url: str) -> None:
    event = Event(uid="ev1", kind=EventKind.COMMENT_POSTED, created=1, site_id=1, thread_id=4, subject="c1")

    async def go(engine: AsyncEngine) -> list[object]:
        out: list[object] = []
        async with store_engine.write(engine) as conn:
            await event_store.insert_event(conn, event, ["webhooks"], next_at=0)
            out.append(
                await event_store.add_deliveries(
                    conn, "ev1", ["webhook:1", "webhook:2"], queue="t:4", next_at=5
                )
            )
            out.append(
                await event_store.add_deliveries(
                    conn, "ev1", ["webhook:2", "webhook:3"], queue="t:4", next_at=5
                )
            )
            out.append(await event_store.add_deliveries(conn, "nope", ["webhook:1"], queue="t:4", next_at=5))
        async with store_engine.write(engine) as conn:
            claimed = await event_store.claim_deliveries(conn, "w", now=5, lease_until=50, limit=10)
            out.append([(d.handler, d.event.uid) for d in claimed])
            await event_store.mark_done(conn, [d.id for d in claimed], "w", now=6)
            out.append(await event_store.requeue(conn, "ev1", "webhook:2", now=7))
            out.append(await event_store.requeue(conn, "ev1", "webhook:9", now=7))
            out.append(await event_store.requeue(conn, "nope", "webhook:2", now=7))
        async with store_engine.read(engine) as conn:
            rows = await conn.execute(event_deliveries.select().order_by(event_deliveries.c.handler))
            out.append([(r.handler, r.queue, r.state, r.attempts, r.next_at) for r in rows])
            out.append(await event_store.select_event(conn, "ev1"))
        return out

    assert run(db_url, go) == [
        ["webhook:1", "webhook:2"],
        ["webhook:3"],
        [],
        [("webhooks", "ev1"), ("webhook:1", "ev1"), ("webhook:2", "ev1"), ("webhook:3", "ev1")],
        True,
        False,
        False,
        [
            ("webhook:1", "t:4", "done", 0, 5),
            ("webhook:2", "t:4", "pending", 0, 7),
            ("webhook:3", "t:4", "done", 0, 5),
            ("webhooks", "t:4", "done", 0, 0),
        ],
        event,
    ]
