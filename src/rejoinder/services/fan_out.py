"""The one write of a fan-out handler (webhooks, ActivityPub delivery): an event's deliveries, one per
target, queued in the event's own queue and due now. Which targets an event has is each handler's own."""

from __future__ import annotations

from collections.abc import Sequence

from rejoinder.events.kinds import Event
from rejoinder.services.context import Context
from rejoinder.store import engine as store_engine
from rejoinder.store import events as event_store


async def add_deliveries_now(ctx: Context, event: Event, names: Sequence[str]) -> None:
    """Give `event` one delivery per handler name in `names` (those it has already are kept); no write
    at all when there are none, as for most events of most sites."""
    if not names:
        return
    async with store_engine.write(ctx.engine) as conn:
        await event_store.add_deliveries(conn, event.uid, names, queue=event.queue, next_at=ctx.clock())
