"""Webhooks as use cases: a site's admins (the CLI, /admin) add, list, remove and re-key endpoints, read
the delivery log and redeliver; and the two outbox handlers that deliver (handlers.py registers them).

Delivery rides on the outbox (docs/adr/0002-outbox.md), not beside it: the `webhooks` route fans each
event out into one delivery per subscribed endpoint, named `webhook:<endpoint id>`, so that every
endpoint keeps its own order, retries on its own backoff (about a day) and a slow one holds back no other.
When an endpoint's delivery gives up, the endpoint is disabled and the site's staff are mailed.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Sequence

import msgspec
from sqlalchemy.ext.asyncio import AsyncConnection

from rejoinder.domain.webhooks import (
    Attempt,
    Endpoint,
    EndpointState,
    WebhookType,
    check_description,
    check_url,
    comment_view,
    iso,
    make_secret,
    parse_types,
)
from rejoinder.errors import WebhookDeliveryFailed, WebhookDeliveryNotFound, WebhookNotFound
from rejoinder.events.kinds import Event, EventKind
from rejoinder.events.outbox import RetryPolicy, Route
from rejoinder.moderation.actions import Actor
from rejoinder.notify.email import Mail, Mailer
from rejoinder.notify.webhooks import WebhookSender
from rejoinder.outbound import check_reachable
from rejoinder.services.admin_auth import admin_site_ids
from rejoinder.services.admin_mail import public_base, recipients_for
from rejoinder.services.context import Context
from rejoinder.services.fan_out import add_deliveries_now
from rejoinder.store import comments as comment_store
from rejoinder.store import engine as store_engine
from rejoinder.store import events as event_store
from rejoinder.store import webhooks as store

log = logging.getLogger("rejoinder.webhooks")
US = 1_000_000
FANOUT = "webhooks"  # the route that fans an event out to the subscribed endpoints
SENDER = "webhook"  # the route whose deliveries `webhook:<id>` POST to one endpoint

TYPE_OF_KIND: dict[EventKind, WebhookType] = {
    EventKind.COMMENT_POSTED: WebhookType.COMMENT_CREATED,
    EventKind.COMMENT_EDITED: WebhookType.COMMENT_UPDATED,
    EventKind.COMMENT_DELETED: WebhookType.COMMENT_DELETED,
    EventKind.COMMENT_STATUS_CHANGED: WebhookType.COMMENT_STATUS_CHANGED,
    EventKind.LIKE_ADDED: WebhookType.LIKE_CREATED,
    EventKind.LIKE_REMOVED: WebhookType.LIKE_DELETED,
    EventKind.REPORT_FILED: WebhookType.REPORT_CREATED,
}
COMMENT_TYPES = frozenset(t for t in WebhookType if t.value.startswith("comment."))


def delivery_name(endpoint_id: int) -> str:
    return f"{SENDER}:{endpoint_id}"


# --- managing endpoints ---------------------------------------------------------------------------------


def _new_secret(ctx: Context) -> str:
    token = ctx.token(32)  # url-safe base64 of 32 random bytes (the Context's randomness, seeded in tests)
    return make_secret(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))


async def add_endpoint(
    ctx: Context, site_id: int, url: str, *, events: Sequence[str] = (), description: str = ""
) -> Endpoint:
    """Subscribe `url` to `events` (none: all) of a site; returns the endpoint with its new secret.

    Raises:
        Invalid: webhook-url-invalid, webhook-event-unknown, webhook-description-too-long, server-unknown.
        Forbidden: server-not-public (the URL's host is loopback, private, link-local…).
    """
    allow = ctx.settings.webhooks.allow_private
    url = check_url(url, allow_private=allow)
    types = parse_types(tuple(events))
    text = check_description(description)
    await check_reachable(url, allow_private=allow, field="url")
    await ctx.sites.by_id(site_id)
    async with store_engine.write(ctx.engine) as conn:
        return await store.insert_endpoint(
            conn, site_id, url=url, events=types, description=text, secret=_new_secret(ctx), now=ctx.clock()
        )


async def list_endpoints(ctx: Context, *, site_ids: Sequence[int] | None) -> list[Endpoint]:
    async with store_engine.read(ctx.engine) as conn:
        return await store.select_endpoints(conn, site_ids=site_ids)


async def endpoint(ctx: Context, endpoint_id: int, *, site_ids: Sequence[int] | None) -> Endpoint:
    """One endpoint, if it belongs to one of `site_ids` (None: any site). Raises WebhookNotFound."""
    async with store_engine.read(ctx.engine) as conn:
        found = await store.select_endpoint(conn, endpoint_id)
    if found is None or (site_ids is not None and found.site_id not in site_ids):
        raise WebhookNotFound(f"There is no webhook endpoint {endpoint_id}")
    return found


async def remove_endpoint(ctx: Context, endpoint_id: int, *, site_ids: Sequence[int] | None) -> None:
    await endpoint(ctx, endpoint_id, site_ids=site_ids)
    async with store_engine.write(ctx.engine) as conn:
        await store.delete_endpoint(conn, endpoint_id)


async def rotate_secret(ctx: Context, endpoint_id: int, *, site_ids: Sequence[int] | None) -> Endpoint:
    """A new secret; the old one keeps signing beside it for webhooks.rotation_overlap_hours."""
    found = await endpoint(ctx, endpoint_id, site_ids=site_ids)
    overlap = int(ctx.settings.webhooks.rotation_overlap_hours * 3600 * US)
    until = ctx.clock() + overlap if overlap else None
    async with store_engine.write(ctx.engine) as conn:
        await store.update_secret(
            conn,
            endpoint_id,
            secret=_new_secret(ctx),
            previous=found.secret if until is not None else None,
            previous_until=until,
        )
    return await endpoint(ctx, endpoint_id, site_ids=site_ids)


async def set_enabled(
    ctx: Context, endpoint_id: int, enabled: bool, *, site_ids: Sequence[int] | None
) -> Endpoint:
    """Turn an endpoint on again (after it was disabled) or off. Events that happened while it was off are
    not sent later; redeliver the ones wanted."""
    await endpoint(ctx, endpoint_id, site_ids=site_ids)
    state = EndpointState.ACTIVE if enabled else EndpointState.DISABLED
    async with store_engine.write(ctx.engine) as conn:
        await store.update_state(
            conn, endpoint_id, state, reason=None if enabled else "turned off by an admin"
        )
    return await endpoint(ctx, endpoint_id, site_ids=site_ids)


async def attempts_of(
    ctx: Context, endpoint_id: int, *, site_ids: Sequence[int] | None, limit: int = 100
) -> list[Attempt]:
    """The endpoint's delivery log, newest first."""
    await endpoint(ctx, endpoint_id, site_ids=site_ids)
    async with store_engine.read(ctx.engine) as conn:
        return await store.select_attempts(conn, endpoint_id, limit=limit)


async def redeliver(
    ctx: Context, endpoint_id: int, event_uid: str, *, site_ids: Sequence[int] | None
) -> None:
    """Send an event to an endpoint again, now, with the same webhook-id (receivers deduplicate by it).

    Raises:
        WebhookNotFound; WebhookDeliveryNotFound: the event is unknown here (or was purged after events.keep_days),
        or is of another site or a type the endpoint does not take.
    """
    found = await endpoint(ctx, endpoint_id, site_ids=site_ids)
    name = delivery_name(endpoint_id)
    now = ctx.clock()
    async with store_engine.write(ctx.engine) as conn:
        if not await event_store.requeue(conn, event_uid, name, now=now):
            event = await event_store.select_event(conn, event_uid) if len(event_uid) <= 32 else None
            kind = TYPE_OF_KIND.get(event.kind) if event is not None else None
            if event is None or kind is None or event.site_id != found.site_id or kind not in found.events:
                raise WebhookDeliveryNotFound(
                    f"Endpoint {endpoint_id} has no event {event_uid!r} to deliver again"
                )
            await event_store.add_deliveries(conn, event_uid, [name], queue=event.queue, next_at=now)
    if ctx.outbox.waker is not None:
        ctx.outbox.waker.wake([event_uid], inline=[])


# --- delivering (outbox handlers) -------------------------------------------------------------------------


class FanOut:
    """The `webhooks` route: one delivery per active endpoint of the event's site that takes its type.
    Idempotent: a repeated fan-out adds nothing an earlier one added."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    async def __call__(self, event: Event) -> None:
        kind = TYPE_OF_KIND.get(event.kind)
        if kind is None or event.site_id is None:
            return
        async with store_engine.read(self.ctx.engine) as conn:  # most sites have none: no write then
            targets = await store.select_subscribed(conn, event.site_id, kind)
        await add_deliveries_now(self.ctx, event, [delivery_name(e.id) for e in targets])


async def body_of(ctx: Context, kind: WebhookType, event: Event) -> bytes:
    """The JSON body: `{type, timestamp, data}`; a comment is shown as it is when the event is sent."""
    thread = {"uri": event.data.get("uri"), "key": event.data.get("key")}
    data: dict[str, object]
    if kind in COMMENT_TYPES:
        found = None
        if event.subject is not None:
            async with store_engine.read(ctx.engine) as conn:
                found = await comment_store.select_comment(conn, event.subject)
        if found is not None:
            data = comment_view(found[0], thread)
        else:
            data = {"id": event.subject, "thread": thread, "status": "deleted"}
        if kind is WebhookType.COMMENT_STATUS_CHANGED:
            data["previous_status"] = event.data.get("previous")
    elif kind is WebhookType.REPORT_CREATED:
        data = {
            "comment_id": event.subject,
            "thread": thread,
            "reason": event.data.get("reason"),
            "held": bool(event.data.get("held")),
        }
    else:
        data = {
            "target": event.data.get("target"),
            "comment_id": event.subject,
            "thread": thread,
            "likes": event.data.get("likes"),
        }
    return msgspec.json.encode({"type": kind.value, "timestamp": iso(event.created), "data": data})


class Deliver:
    """The `webhook` route's deliveries `webhook:<id>`: one signed POST, logged; a failure raises so that
    the dispatcher retries on this route's policy. Nothing is sent to a removed or disabled endpoint."""

    def __init__(self, ctx: Context, sender: WebhookSender) -> None:
        self.ctx = ctx
        self.sender = sender

    async def __call__(self, event: Event, target: str) -> None:
        kind = TYPE_OF_KIND.get(event.kind)
        if kind is None or not target.isdigit():
            return
        async with store_engine.read(self.ctx.engine) as conn:
            found = await store.select_endpoint(conn, int(target))
        if found is None or found.state is not EndpointState.ACTIVE:
            return
        body = await body_of(self.ctx, kind, event)
        now = self.ctx.clock()
        sent = await self.sender.send(
            found.url, msg_id=event.uid, timestamp=now // US, body=body, secrets=found.secrets_at(now)
        )
        async with store_engine.write(self.ctx.engine) as conn:
            await store.insert_attempt(
                conn,
                found.id,
                event_uid=event.uid,
                event_type=kind.value,
                attempted=now,
                status_code=sent.status_code,
                duration_ms=sent.duration_ms,
                error=sent.error,
            )
        if sent.error is not None:
            raise WebhookDeliveryFailed(f"{found.url}: {sent.error}")


class GiveUp:
    """After a day of failures: disable the endpoint and tell the site's staff (once per endpoint)."""

    def __init__(self, ctx: Context, mailer: Mailer | None) -> None:
        self.ctx = ctx
        self.mailer = mailer

    async def __call__(self, event: Event, target: str, error: str) -> None:
        if not target.isdigit():
            return
        async with store_engine.write(self.ctx.engine) as conn:
            found = await store.select_endpoint(conn, int(target))
            if found is None:
                return
            changed = await store.update_state(
                conn, found.id, EndpointState.DISABLED, reason=f"gave up on event {event.uid}: {error}"
            )
            recipients = await recipients_for(self.ctx, conn, found.site_id) if changed else []
        if not changed:
            return
        log.warning("[rejoinder] webhook endpoint %d disabled after repeated failures", found.id)
        if self.mailer is None:
            return
        site = await self.ctx.sites.by_id(found.site_id)
        for recipient in recipients:
            await self.mailer.send(notice(self.ctx, found, site.name, recipient.email, error, event.uid))


def notice(ctx: Context, found: Endpoint, site: str, to: str, error: str, event_uid: str) -> Mail:
    base = public_base(ctx)
    text = (
        f"rejoinder stopped sending webhooks of the site {site} to\n\n    {found.url}\n\n"
        f"after a day of failed attempts. The last one: {error}\n\n"
        f"Fix the receiver, then turn the endpoint on again in {base}/admin/webhooks "
        f"(or `rejoinder webhook enable {found.id}`) and redeliver the events it missed.\n"
    )
    return Mail(
        to=to,
        subject=f"[{site}] Webhook endpoint disabled: {found.url}"[:200],
        text=text,
        message_key=f"webhook-disabled.{found.id}.{event_uid}.{to.lower()}",
    )


async def subscribed(conn: AsyncConnection, event: Event) -> bool:
    """The `webhooks` route's `needed`: only an event some active endpoint of its site takes gets a
    fan-out delivery (asked in the writing transaction; most sites have no endpoint, and their events then
    cost the route nothing)."""
    kind = TYPE_OF_KIND.get(event.kind)
    if kind is None or event.site_id is None:
        return False
    return bool(await store.select_subscribed(conn, event.site_id, kind))


def fan_out_route(ctx: Context) -> Route:
    return Route(name=FANOUT, kinds=frozenset(TYPE_OF_KIND), handler=FanOut(ctx), needed=subscribed)


def sender_route(ctx: Context) -> Route:
    """Deliveries `webhook:<id>` only (no kinds of its own), retried on [webhooks]' policy."""
    s = ctx.settings.webhooks
    sender = WebhookSender(timeout=s.timeout_seconds, allow_private=s.allow_private)
    policy = RetryPolicy(
        max_attempts=s.max_attempts,
        base_us=int(s.retry_base_seconds * US),
        max_us=int(s.retry_max_seconds * US),
    )
    return Route(
        name=SENDER,
        kinds=frozenset(),
        targeted=Deliver(ctx, sender),
        retry=policy,
        given_up=GiveUp(ctx, ctx.mailer),
    )


async def admin_scope(ctx: Context, actor: Actor) -> list[int] | None:
    """The sites whose webhooks `actor` manages in /admin: None for an admin of every site, else the
    sites it is an admin of. Raises NotAnAdmin when there is none (moderators do not manage webhooks)."""
    return await admin_site_ids(ctx, actor, "Only a site's admins manage its webhooks")
