"""Live updates of threads: which streams watch which thread, and what changed since they last heard.

Each worker runs one LiveHub. A stream (one reader's EventSource) watches one thread. When the invalidator
announces a bump (a write in this worker, or on another host through Redis), and at least every
`live.check_ms` (other workers on this host write the shared generation file, which announces nothing), the hub
compares the cache-invalidation generations of the threads it watches with what it saw last: memory
reads, and the same signal that keeps the response cache fresh, so a write in any worker or on any host
(shared generation file, or Redis) reaches it with no channel of its own. For a thread that changed, it reads
the thread's new events from the outbox's table (events are written in the change's transaction), builds
each change once and hands it to every stream of that thread. A reconnecting client (Last-Event-ID) is
caught up from the same table within `live.resume_seconds`; beyond that it is told to refetch. A stream
whose queue is full (a client that does not read) is closed, never waited for: it reconnects and resumes.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import ipaddress
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from rejoinder import metrics
from rejoinder.config import LiveSettings
from rejoinder.domain.comments import PUBLIC_STATUSES, Comment
from rejoinder.errors import LiveDisabled, TooManyStreams
from rejoinder.events.kinds import THREAD_KINDS, EventKind
from rejoinder.invalidation.base import Invalidator, slot_of
from rejoinder.services.threads import ThreadRef, cache_keys
from rejoinder.store import comments as comment_store
from rejoinder.store import engine as store_engine
from rejoinder.store import events as event_store
from rejoinder.store import reactions as reaction_store
from rejoinder.store import threads as thread_store
from rejoinder.store.events import Numbered

log = logging.getLogger("rejoinder.live")
US = 1_000_000
# Events are numbered when written and may commit out of that order (PostgreSQL, concurrent writers): each
# read looks this far behind the newest event it handled, and skips the ids it has handled already.
OVERLAP_US = 5 * US
BATCH = 500
UNSTARTED_US = 30 * US  # a stream whose response has not begun after this long is abandoned

# What readers see change: every kind that changes a thread's public reads, except THREAD_CHANGED (a renamed
# author, hidden likers), which a reader picks up at the next read.
LIVE_KINDS = tuple(sorted(THREAD_KINDS - {EventKind.THREAD_CHANGED}))
_COMMENT_KINDS = frozenset(
    {
        EventKind.COMMENT_POSTED,
        EventKind.COMMENT_EDITED,
        EventKind.COMMENT_STATUS_CHANGED,
        EventKind.COMMENT_PINNED,
        EventKind.COMMENT_FEATURED,
    }
)

_PUBLIC_VALUES = frozenset(s.value for s in PUBLIC_STATUSES)


class ChangeKind(enum.StrEnum):
    """The `event:` names of a live stream (docs/api.md, "GET /api/threads/live")."""

    COMMENT = "comment"  # a public comment, new or changed: show or update it
    REMOVED = "removed"  # a comment is no longer public (deleted, held, refused): hide it
    LIKES = "likes"  # a comment's (or the article's) like count
    REACTIONS = "reactions"  # a comment's (or the article's) reaction counts
    THREAD = "thread"  # the thread was closed or opened
    RESET = "reset"  # the client missed too much to be caught up: fetch the thread again


@dataclass(eq=False)
class Change:
    """One thing a stream tells its reader; built once per worker, encoded once (`wire`, by the web layer)."""

    id: int  # the event's row id: the SSE `id`, sent back as Last-Event-ID
    kind: ChangeKind
    comment: Comment | None = None  # COMMENT
    comment_id: str | None = None  # REMOVED, LIKES, REACTIONS (None for the article's)
    likes: int = 0  # LIKES
    reactions: dict[str, int] = field(default_factory=dict)  # REACTIONS: {kind: count}, the kinds with any
    reactors: int | None = None  # REACTIONS on the article: how many readers reacted (None for a comment)
    closed: bool = False  # THREAD
    wire: bytes | None = None


@dataclass(eq=False)
class Stream:
    """One reader's connection. The web layer reads `queue` until it gets None (closed by the hub)."""

    lookup: str
    network: str
    queue: asyncio.Queue[Change | None]
    opened: int  # the hub's clock when opened
    closed: bool = False
    started: bool = False  # the response began: from then on the web layer closes it when it ends


@dataclass(eq=False)
class _Watch:
    ref: ThreadRef
    slots: tuple[int, ...]
    seen: tuple[int, ...]
    cursor: int  # created time of the newest event handled
    thread_id: int | None = None
    handled: dict[int, int] = field(default_factory=dict)  # event id -> created, within OVERLAP_US
    streams: set[Stream] = field(default_factory=set)


def network_of(address: str | None) -> str:
    """What the per-address cap counts: the IPv4 address, the IPv6 /56 (one household or office)."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return "?"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/56", strict=False))
    return str(ip)


class LiveHub:
    def __init__(
        self, engine: AsyncEngine, invalidator: Invalidator, settings: LiveSettings, clock: Callable[[], int]
    ) -> None:
        self.engine = engine
        self.invalidator = invalidator
        self.settings = settings
        self.clock = clock
        self._watches: dict[str, _Watch] = {}
        self._per_network: dict[str, int] = {}
        self._count = 0
        self._task: asyncio.Task[None] | None = None
        self._draining = False
        self._lock = asyncio.Lock()  # one advance at a time per worker
        self._wake = asyncio.Event()  # set by the invalidator on a bump (Invalidator.subscribe)

    @property
    def streams(self) -> int:
        return self._count

    # --- streams ---------------------------------------------------------------------------------------

    async def open(
        self, ref: ThreadRef, address: str | None, last_event_id: int | None
    ) -> tuple[Stream, list[Change]]:
        """A new stream on `ref`'s thread and what it missed since `last_event_id` (a RESET when that is
        too long ago or unknown). Raises TooManyStreams when this worker or this address holds too many."""
        if self._task is None or self._draining:
            raise LiveDisabled("Live updates are not running on this server (it may be restarting)")
        network = network_of(address)
        if self._count >= self.settings.max_streams:
            raise TooManyStreams(
                "This server holds as many live connections as it may; the page keeps working without "
                "live updates. Try again later.",
                retry_after=30,
            )
        if self._per_network.get(network, 0) >= self.settings.max_streams_per_ip:
            raise TooManyStreams(
                f"Your network has {self.settings.max_streams_per_ip} live connections open already; close "
                "some tabs of this site, or read on without live updates.",
                retry_after=30,
            )
        watch = self._watches.get(ref.lookup)
        if watch is None:
            keys = cache_keys(ref.site.id, ref.uri, ref.key)
            slots = tuple(slot_of(k) for k in keys)
            watch = _Watch(
                ref=ref, slots=slots, seen=self.invalidator.slot_generations(slots), cursor=self.clock()
            )
            self._watches[ref.lookup] = watch
        stream = Stream(
            lookup=ref.lookup, network=network, queue=asyncio.Queue(self.settings.queue), opened=self.clock()
        )
        watch.streams.add(stream)
        self._count += 1
        metrics.LIVE_STREAMS.inc()
        self._per_network[network] = self._per_network.get(network, 0) + 1
        try:
            backlog = await self._catch_up(watch, last_event_id) if last_event_id is not None else []
        except BaseException:
            self.close(stream)
            raise
        return stream, backlog

    def close(self, stream: Stream) -> None:
        """Forget a stream (its connection ended, or the hub closed it). Safe to call twice."""
        watch = self._watches.get(stream.lookup)
        if watch is None or stream not in watch.streams:
            return
        watch.streams.discard(stream)
        self._count -= 1
        metrics.LIVE_STREAMS.dec()
        left = self._per_network.get(stream.network, 1) - 1
        if left > 0:
            self._per_network[stream.network] = left
        else:
            self._per_network.pop(stream.network, None)
        if not watch.streams:
            del self._watches[stream.lookup]
        if not stream.closed:
            stream.closed = True
            with contextlib.suppress(asyncio.QueueFull):
                stream.queue.put_nowait(None)

    def _drop(self, stream: Stream) -> None:
        """A client too slow to read: end its stream now (it reconnects and resumes from Last-Event-ID)."""
        stream.closed = True
        while not stream.queue.empty():
            stream.queue.get_nowait()
        stream.queue.put_nowait(None)
        self.close(stream)

    # --- running ---------------------------------------------------------------------------------------

    def start(self) -> None:
        if self.settings.immediate:
            self.invalidator.subscribe(self._wake.set)
        self._task = asyncio.get_running_loop().create_task(self._run(), name="rejoinder-live")

    def drain(self) -> int:
        """End every open stream now and open no more: the server is stopping. Its HTTP server waits for open
        responses before it stops, and a stream would otherwise hold it up until the stop timeout; the
        browsers reconnect (with Last-Event-ID) to whichever process answers next. Returns how many ended."""
        self._draining = True
        streams = [s for w in list(self._watches.values()) for s in list(w.streams)]
        for stream in streams:
            self.close(stream)
        return len(streams)

    async def stop(self) -> None:
        """End every stream and the watching task."""
        self.drain()
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        """Check when the invalidator announces a bump (this worker's writes; other hosts' through Redis:
        at once) and at least every `live.check_ms` (other workers' writes to the shared generation file,
        which announces nothing)."""
        pause = self.settings.check_ms / 1000
        rounds = 0
        while True:
            try:
                async with asyncio.timeout(pause):
                    await self._wake.wait()
            except TimeoutError:
                pass
            self._wake.clear()
            rounds += 1
            try:
                await self.check()
            except Exception:  # a database hiccup must not end live updates: the next round retries
                log.exception("[rejoinder] live updates: reading new events failed")
            if rounds % 100 == 0:
                self.sweep()

    def sweep(self) -> int:
        """Close streams whose response never began (the client left before it started): nothing else
        would. Returns how many were closed."""
        too_old = self.clock() - UNSTARTED_US
        stale = [s for w in self._watches.values() for s in w.streams if not s.started and s.opened < too_old]
        for stream in stale:
            self.close(stream)
        return len(stale)

    async def check(self) -> int:
        """Hand the changes of every watched thread that changed since the last check to its streams;
        returns how many changes were handed out. The watching task calls this every `live.check_ms`."""
        async with self._lock:
            sent = 0
            for watch in list(self._watches.values()):
                now = self.invalidator.slot_generations(watch.slots)
                if now == watch.seen:
                    continue
                watch.seen = now
                changes = await self._advance(watch)
                for stream in list(watch.streams):
                    for change in changes:
                        try:
                            stream.queue.put_nowait(change)
                        except asyncio.QueueFull:
                            self._drop(stream)
                            break
                sent += len(changes)
            return sent

    async def _advance(self, watch: _Watch) -> list[Change]:
        async with store_engine.read(self.engine) as conn:
            if watch.thread_id is None:
                thread = await thread_store.select_thread(
                    conn, watch.ref.site.id, uri=watch.ref.uri, key=watch.ref.key
                )
                if thread is None:
                    return []
                watch.thread_id = thread.id
            found = await event_store.select_thread_events(
                conn, watch.thread_id, since=watch.cursor - OVERLAP_US, kinds=LIVE_KINDS, limit=BATCH
            )
            fresh = [n for n in found if n.id not in watch.handled]
            for n in fresh:
                watch.handled[n.id] = n.event.created
                watch.cursor = max(watch.cursor, n.event.created)
            horizon = watch.cursor - OVERLAP_US
            watch.handled = {i: c for i, c in watch.handled.items() if c >= horizon}
            return await _changes(conn, watch.thread_id, fresh)

    async def _catch_up(self, watch: _Watch, last_event_id: int) -> list[Change]:
        """What a reconnecting client missed after `last_event_id`, oldest first; [RESET] when it cannot be
        told (an event of another thread, forgotten, or older than live.resume_seconds)."""
        reset = [Change(id=last_event_id, kind=ChangeKind.RESET)]
        async with store_engine.read(self.engine) as conn:
            thread = await thread_store.select_thread(
                conn, watch.ref.site.id, uri=watch.ref.uri, key=watch.ref.key
            )
            if thread is None:
                return reset
            since = await event_store.select_event_time(conn, last_event_id, thread.id)
            if since is None or since < self.clock() - self.settings.resume_seconds * US:
                return reset
            found = await event_store.select_thread_events(
                conn, thread.id, since=since - OVERLAP_US, kinds=LIVE_KINDS, limit=BATCH + 1
            )
            missed = [n for n in found if n.id > last_event_id]
            if len(found) > BATCH:  # more than one batch behind: cheaper to refetch the thread
                return reset
            return await _changes(conn, thread.id, missed)


async def _changes(conn: AsyncConnection, thread_id: int, found: list[Numbered]) -> list[Change]:
    """The changes these events make to what readers see, with the current state of what they name (a
    comment edited twice since shows its newest text twice: harmless, and never an old text)."""
    if not found:
        return []
    ids = sorted({n.event.subject for n in found if n.event.subject})
    comments = {c.id: c for c in await comment_store.select_comments_by_ids(conn, ids)}
    thread = None
    if any(n.event.data.get("target") == "article" for n in found):
        thread = await thread_store.select_thread_by_id(conn, thread_id)
    out: list[Change] = []
    for n in found:
        kind, subject = n.event.kind, n.event.subject
        comment = comments.get(subject) if subject else None
        if kind in (EventKind.LIKE_ADDED, EventKind.LIKE_REMOVED):
            if n.event.data.get("target") == "article":
                if thread is not None:
                    out.append(Change(id=n.id, kind=ChangeKind.LIKES, likes=thread.like_count))
            elif comment is not None and comment.status in PUBLIC_STATUSES:
                out.append(Change(id=n.id, kind=ChangeKind.LIKES, comment_id=comment.id, likes=comment.likes))
        elif kind in (EventKind.REACTION_ADDED, EventKind.REACTION_REMOVED):
            if n.event.data.get("target") == "article":
                out.append(await _reactions(conn, thread_id, n.id, None))
            elif comment is not None and comment.status in PUBLIC_STATUSES:
                out.append(await _reactions(conn, thread_id, n.id, comment.id))
        elif kind in (EventKind.THREAD_CLOSED, EventKind.THREAD_OPENED):
            out.append(Change(id=n.id, kind=ChangeKind.THREAD, closed=kind is EventKind.THREAD_CLOSED))
        elif comment is None:
            continue
        elif comment.status in PUBLIC_STATUSES and kind in _COMMENT_KINDS:
            out.append(Change(id=n.id, kind=ChangeKind.COMMENT, comment=comment))
        elif kind is EventKind.COMMENT_DELETED or (
            # No longer public (a held comment that stays held sends nothing: it never was shown).
            kind is EventKind.COMMENT_STATUS_CHANGED and n.event.data.get("previous") in _PUBLIC_VALUES
        ):
            out.append(Change(id=n.id, kind=ChangeKind.REMOVED, comment_id=comment.id))
    return out


async def _reactions(conn: AsyncConnection, thread_id: int, event_id: int, comment_id: str | None) -> Change:
    """The current reaction counts of a comment (or of the article, with how many readers reacted): the
    state now, as for likes, so that changes arriving out of order still end on the right counts."""
    target = reaction_store.ARTICLE if comment_id is None else comment_id
    counts = await reaction_store.select_target_reaction_counts(conn, thread_id, target)
    reactors = (
        None if comment_id is not None else await reaction_store.count_article_reactors(conn, thread_id)
    )
    return Change(
        id=event_id, kind=ChangeKind.REACTIONS, comment_id=comment_id, reactions=counts, reactors=reactors
    )
