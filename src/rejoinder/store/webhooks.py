"""SQL of webhooks: a site's endpoints (with their secrets and state) and the log of delivery attempts.
The deliveries themselves are outbox rows (store/events.py); signing and sending are in notify/webhooks.py."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypedDict, Unpack

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from rejoinder.domain.webhooks import Attempt, Endpoint, EndpointState, WebhookType
from rejoinder.store.rows import delete_capped, from_row
from rejoinder.store.schema import webhook_attempts as attempts
from rejoinder.store.schema import webhook_endpoints as endpoints


def _endpoint(row: Any) -> Endpoint:
    known = {t.value for t in WebhookType}
    return from_row(
        Endpoint,
        row,
        events=tuple(WebhookType(name) for name in row.events if name in known),
        state=EndpointState(row.state),
    )


async def insert_endpoint(
    conn: AsyncConnection,
    site_id: int,
    *,
    url: str,
    events: Sequence[WebhookType],
    description: str,
    secret: str,
    now: int,
) -> Endpoint:
    result = await conn.execute(
        sa.insert(endpoints)
        .values(
            site_id=site_id,
            url=url,
            events=[t.value for t in events],
            description=description,
            secret=secret,
            state=EndpointState.ACTIVE.value,
            created=now,
        )
        .returning(*endpoints.c)
    )
    return _endpoint(result.one())


async def select_endpoint(conn: AsyncConnection, endpoint_id: int) -> Endpoint | None:
    row = (await conn.execute(sa.select(endpoints).where(endpoints.c.id == endpoint_id))).first()
    return None if row is None else _endpoint(row)


async def select_endpoints(conn: AsyncConnection, *, site_ids: Sequence[int] | None) -> list[Endpoint]:
    """Endpoints in the order they were added (`site_ids` None: every site)."""
    query = sa.select(endpoints).order_by(endpoints.c.id)
    if site_ids is not None:
        query = query.where(endpoints.c.site_id.in_(site_ids))
    return [_endpoint(r) for r in await conn.execute(query)]


# Built once: asked on every event of a webhook type (services/webhooks.subscribed).
_SUBSCRIBED = (
    sa.select(endpoints)
    .where(endpoints.c.site_id == sa.bindparam("site_id"), endpoints.c.state == EndpointState.ACTIVE.value)
    .order_by(endpoints.c.id)
)


async def select_subscribed(conn: AsyncConnection, site_id: int, kind: WebhookType) -> list[Endpoint]:
    """The site's active endpoints that want `kind` (the type list is JSON: filtered here, not in SQL)."""
    rows = await conn.execute(_SUBSCRIBED, {"site_id": site_id})
    return [e for e in map(_endpoint, rows) if e.wants(kind)]


async def delete_endpoint(conn: AsyncConnection, endpoint_id: int) -> bool:
    result = await conn.execute(sa.delete(endpoints).where(endpoints.c.id == endpoint_id))
    return bool(result.rowcount)


async def update_secret(
    conn: AsyncConnection, endpoint_id: int, *, secret: str, previous: str | None, previous_until: int | None
) -> bool:
    result = await conn.execute(
        sa.update(endpoints)
        .where(endpoints.c.id == endpoint_id)
        .values(secret=secret, previous_secret=previous, previous_until=previous_until)
    )
    return bool(result.rowcount)


async def update_state(
    conn: AsyncConnection, endpoint_id: int, state: EndpointState, *, reason: str | None
) -> bool:
    """Set the endpoint's state; False when it had that state already (or is gone), so that a give-up
    notice is sent once however many deliveries give up."""
    result = await conn.execute(
        sa.update(endpoints)
        .where(endpoints.c.id == endpoint_id, endpoints.c.state != state.value)
        .values(state=state.value, disabled_reason=None if reason is None else reason[:500])
    )
    return bool(result.rowcount)


class NewAttempt(TypedDict):
    """One delivery attempt of an event to an endpoint: when, and what came of it."""

    event_uid: str
    event_type: str
    attempted: int
    status_code: int | None
    duration_ms: int


async def insert_attempt(
    conn: AsyncConnection, endpoint_id: int, *, error: str | None, **attempt: Unpack[NewAttempt]
) -> None:
    """Log one attempt (its `error` clipped to the column); nothing when the endpoint was removed meanwhile."""
    exists = sa.select(endpoints.c.id).where(endpoints.c.id == endpoint_id)
    if (await conn.execute(exists)).first() is None:
        return
    clipped = None if error is None else error[:500]
    await conn.execute(sa.insert(attempts).values(**attempt, endpoint_id=endpoint_id, error=clipped))


async def select_attempts(conn: AsyncConnection, endpoint_id: int, *, limit: int) -> list[Attempt]:
    """The endpoint's newest attempts first."""
    rows = await conn.execute(
        sa.select(attempts)
        .where(attempts.c.endpoint_id == endpoint_id)
        .order_by(attempts.c.id.desc())
        .limit(limit)
    )
    return [from_row(Attempt, r) for r in rows]


async def delete_attempts_before(conn: AsyncConnection, before: int, *, limit: int) -> int:
    """Delivery-log entries of attempts made before `before` (microseconds); at most `limit` of them."""
    return await delete_capped(conn, attempts.c.id, attempts.c.attempted < before, limit)
