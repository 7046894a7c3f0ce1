"""GET /api/threads/live: a thread's changes as Server-Sent Events (services/live.py holds the streams)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated, Any

import msgspec
from litestar import Request, get
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromQuery, HeaderParameter
from litestar.response import Stream

from rejoinder.errors import BadRequest, LiveDisabled
from rejoinder.services import threads as thread_service
from rejoinder.services.context import Context
from rejoinder.services.live import Change, ChangeKind, LiveHub
from rejoinder.services.live import Stream as LiveStream
from rejoinder.web.wire import client_ip, comment_out, ctx_of

EVENT_STREAM = "text/event-stream"
RETRY_MS = 3000  # how soon a browser reconnects after the stream ends


class RemovedOut(msgspec.Struct):
    id: str


class LikesOut(msgspec.Struct):
    comment: str | None  # null: the article's likes
    likes: int


class ReactionsOut(msgspec.Struct):
    comment: str | None  # null: the article's reactions
    reactions: dict[
        str, int
    ]  # {kind: count}, the kinds with any (all of a comment's, not only the one changed)
    reactors: int | None  # the article: how many readers reacted (null for a comment)


class ThreadStateOut(msgspec.Struct):
    closed: bool


def encode(ctx: Context, change: Change) -> bytes:
    """One SSE message; made once per change and shared by every stream of the thread."""
    if change.wire is not None:
        return change.wire
    if change.kind is ChangeKind.COMMENT and change.comment is not None:
        data = msgspec.json.encode(comment_out(ctx, change.comment))
    elif change.kind is ChangeKind.REMOVED:
        data = msgspec.json.encode(RemovedOut(id=change.comment_id or ""))
    elif change.kind is ChangeKind.LIKES:
        data = msgspec.json.encode(LikesOut(comment=change.comment_id, likes=change.likes))
    elif change.kind is ChangeKind.REACTIONS:
        data = msgspec.json.encode(
            ReactionsOut(comment=change.comment_id, reactions=change.reactions, reactors=change.reactors)
        )
    elif change.kind is ChangeKind.THREAD:
        data = msgspec.json.encode(ThreadStateOut(closed=change.closed))
    else:  # RESET: no id, so that the next connection does not try to resume from here
        change.wire = b"event: reset\ndata: {}\n\n"
        return change.wire
    change.wire = b"id: %d\nevent: %s\ndata: %s\n\n" % (change.id, change.kind.value.encode(), data)
    return change.wire


async def _messages(
    ctx: Context, hub: LiveHub, stream: LiveStream, backlog: list[Change]
) -> AsyncIterator[bytes]:
    settings = ctx.settings.live
    loop = asyncio.get_running_loop()
    ends = loop.time() + settings.max_seconds
    stream.started = True
    try:
        yield b"retry: %d\n: live\n\n" % RETRY_MS
        for missed in backlog:
            yield encode(ctx, missed)
        while True:
            left = ends - loop.time()
            if left <= 0:
                return  # the browser reconnects with Last-Event-ID: connections do not live forever
            try:
                change: Change | None = await asyncio.wait_for(
                    stream.queue.get(), min(settings.heartbeat_seconds, left)
                )
            except TimeoutError:
                yield b": ping\n\n"  # keeps proxies and NAT from closing an idle connection
                continue
            if change is None:
                return
            yield encode(ctx, change)
    finally:
        hub.close(stream)


def _last_event_id(raw: str | None) -> int | None:
    if raw is None or raw == "":
        return None
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        raise BadRequest.invalid_value("Last-Event-ID", "must be the id of an event this stream sent")
    return int(raw)


@get(
    "/api/threads/live",
    summary="Follow a thread live (Server-Sent Events)",
    tags=["threads"],
    media_type=EVENT_STREAM,
    responses={
        200: ResponseSpec(
            data_container=str,
            media_type=EVENT_STREAM,
            description=(
                "A stream of `comment`, `removed`, `likes`, `reactions`, `thread` and `reset` events (docs/api.md)"
            ),
            generate_examples=False,
        )
    },
)
async def follow_thread(
    request: Request[Any, Any, Any],
    url: FromQuery[str | None] = None,
    key: FromQuery[str | None] = None,
    site: FromQuery[str | None] = None,
    last_event_id: Annotated[str | None, HeaderParameter(name="Last-Event-ID", required=False)] = None,
) -> Stream:
    """The thread's changes as they happen, named like the thread read (`url` or `key`): new and edited
    public comments, comments that stop being public, like and reaction counts, and the thread closing or opening. A
    reconnecting client sends `Last-Event-ID` and gets what it missed. Public data, the same for everyone."""
    ctx = ctx_of(request)
    hub: LiveHub | None = request.app.state.get("live")
    if hub is None:
        raise LiveDisabled("Live updates are off on this server (live.enabled); read the thread instead")
    resume = _last_event_id(last_event_id)
    ref = await thread_service.resolve_ref(ctx, url=url, key=key, site=site)
    stream, backlog = await hub.open(ref, client_ip(request), resume)
    return Stream(
        _messages(ctx, hub, stream, backlog),
        media_type=EVENT_STREAM,
        headers={
            "Cache-Control": "no-cache, no-transform",
            "X-Accel-Buffering": "no",  # nginx: pass each message on at once
            "Access-Control-Allow-Origin": "*",
        },
    )


ROUTES = [follow_thread]
