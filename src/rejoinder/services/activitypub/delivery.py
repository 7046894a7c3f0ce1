"""Local comments to the fediverse: a comment that becomes public (posted public, or approved) is
delivered as a `Create` of a Note from its site's actor to the remote participants of its thread (and the
site actor's followers with activitypub.deliver_to_followers), each inbox a delivery of its own
(`activitypub-send:<actor id>`, one per inbox: actors that share a server's shared inbox get one
delivery there), signed, retried with backoff through the outbox. Each inbox that took the
Create is recorded (ap_deliveries): when the comment is edited, an `Update` of the Note goes to the same
inboxes; when it is deleted or hidden again (rejected, marked spam), a `Delete` of it (a Tombstone)."""

from __future__ import annotations

import logging

from rejoinder.domain.comments import PUBLIC_STATUSES, CommentStatus
from rejoinder.events.kinds import Event, EventKind
from rejoinder.events.outbox import RetryPolicy, Route
from rejoinder.federation.activitypub import documents as docs
from rejoinder.services.activitypub.actors import (
    client_for,
    comment_document,
    signer_for,
    urls_for,
)
from rejoinder.services.context import Context
from rejoinder.services.fan_out import add_deliveries_now
from rejoinder.store import activitypub as store
from rejoinder.store import comments as comment_store
from rejoinder.store import engine as store_engine
from rejoinder.store import threads as thread_store

log = logging.getLogger("rejoinder.activitypub")
FANOUT = "activitypub-deliver"
SENDER = "activitypub-send"
US = 1_000_000


CREATE, UPDATE, DELETE = "Create", "Update", "Delete"


def _action(event: Event) -> str | None:
    """What a comment event means to the fediverse: it became public (Create), a public comment's text
    changed (Update), a public comment is gone or hidden (Delete); None when it means nothing there."""
    public = {s.value for s in PUBLIC_STATUSES}
    status, previous = event.data.get("status"), event.data.get("previous")
    if event.kind is EventKind.COMMENT_DELETED:
        return DELETE if previous in public else None
    if event.kind is EventKind.COMMENT_POSTED:
        return CREATE if status in public else None
    if status in public:
        if previous not in public:
            return CREATE
        return UPDATE if event.kind is EventKind.COMMENT_EDITED else None
    return DELETE if previous in public else None


def by_inbox(actors: list[store.RemoteActor]) -> dict[str, list[store.RemoteActor]]:
    """Recipients grouped by the inbox a delivery goes to: followers on one server share its shared inbox,
    which takes one delivery for all of them (the activity names each)."""
    found: dict[str, list[store.RemoteActor]] = {}
    for actor in actors:
        found.setdefault(actor.delivery_inbox, []).append(actor)
    return found


async def _recipients(ctx: Context, conn: object, thread_id: int, site_id: int) -> list[store.RemoteActor]:
    from sqlalchemy.ext.asyncio import AsyncConnection

    assert isinstance(conn, AsyncConnection)
    found = await store.select_thread_participants(conn, thread_id)
    if ctx.settings.activitypub.deliver_to_followers:
        found += await store.select_followers(conn, site_id)
    by_inbox: dict[str, store.RemoteActor] = {}
    for actor in found:
        if not await store.is_blocked(conn, actor.domain):
            by_inbox.setdefault(actor.uri, actor)
    return list(by_inbox.values())


class FanOut:
    """One delivery per remote recipient of a comment that became public; idempotent."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    async def __call__(self, event: Event) -> None:
        if event.subject is None or event.thread_id is None or event.site_id is None:
            return
        action = _action(event)
        if action is None:
            return
        async with store_engine.read(self.ctx.engine) as conn:
            if await store.select_object(conn, comment_id=event.subject) is not None:
                return  # it came from the fediverse: its own server delivers it
            if action == CREATE:
                recipients = await _recipients(self.ctx, conn, event.thread_id, event.site_id)
            else:  # an edit or a deletion goes where the Create went (not to blocked instances)
                recipients = [
                    actor
                    for actor in await store.select_delivered(conn, event.subject)
                    if not await store.is_blocked(conn, actor.domain)
                ]
        await add_deliveries_now(
            self.ctx, event, [f"{SENDER}:{group[0].id}" for group in by_inbox(recipients).values()]
        )


class Send:
    """Deliver the comment of `event` to one remote actor's inbox, signed by the site actor: its Create
    (recorded once the inbox took it), Update or Delete, as the event says."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    async def __call__(self, event: Event, target: str) -> None:
        action = _action(event)
        if event.subject is None or not target.isdigit() or action is None:
            return
        ctx = self.ctx
        async with store_engine.read(ctx.engine) as conn:
            actor = await store.select_actor(conn, actor_id=int(target))
            found = await comment_store.select_comment(conn, event.subject)
            thread = await thread_store.select_thread_by_id(conn, found[0].thread_id) if found else None
            if actor is None or found is None or thread is None or await store.is_blocked(conn, actor.domain):
                return
            recipients = await _recipients(ctx, conn, thread.id, thread.site_id)
            delivered = await store.select_delivered(conn, event.subject) if action != CREATE else []
        # `actor` stands for every recipient that shares its inbox (a server's shared inbox)
        inbox = actor.delivery_inbox
        group = by_inbox(recipients if action == CREATE else delivered).get(inbox) or [actor]
        site = await ctx.sites.by_id(thread.site_id)
        urls = urls_for(ctx, site)
        signer = await signer_for(ctx, site)
        if action == DELETE:
            tombstone = {"id": urls.comment(event.subject), "type": "Tombstone"}
            activity = docs.wrap(
                urls,
                DELETE,
                tombstone,
                id_=f"{tombstone['id']}#delete",
                to=[docs.PUBLIC],
                cc=[a.uri for a in group],
            )
            await client_for(ctx).post(inbox, activity, signer=signer)
            return
        if found[0].status not in PUBLIC_STATUSES or found[0].status is CommentStatus.DELETED:
            return  # hidden again before it could be delivered (its Delete follows, if it was)
        mentions = [a.uri for a in recipients]
        note = await comment_document(ctx, event.subject, mentions=mentions)
        # Each Update has an id of its own (the event's): a server takes one activity id once.
        id_ = f"{note['id']}#create" if action == CREATE else f"{note['id']}#update-{event.uid}"
        activity = docs.wrap(urls, action, note, id_=id_, to=note["to"], cc=note["cc"])
        await client_for(ctx).post(inbox, activity, signer=signer)
        if action == CREATE:
            async with store_engine.write(ctx.engine) as conn:
                for each in group:
                    await store.insert_delivered(conn, event.subject, each.id, now=ctx.clock())


def fan_out_route(ctx: Context) -> Route | None:
    if not ctx.settings.activitypub.enabled or not ctx.settings.server.public_url:
        return None
    kinds = frozenset(
        {
            EventKind.COMMENT_POSTED,
            EventKind.COMMENT_STATUS_CHANGED,
            EventKind.COMMENT_EDITED,
            EventKind.COMMENT_DELETED,
        }
    )
    return Route(name=FANOUT, kinds=kinds, handler=FanOut(ctx))


def sender_route(ctx: Context) -> Route | None:
    if not ctx.settings.activitypub.enabled or not ctx.settings.server.public_url:
        return None
    policy = RetryPolicy(
        max_attempts=ctx.settings.activitypub.max_attempts, base_us=30 * US, max_us=6 * 3600 * US
    )
    return Route(name=SENDER, kinds=frozenset(), targeted=Send(ctx), retry=policy)
