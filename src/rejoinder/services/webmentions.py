"""Webmention as use cases: taking a request (POST /webmention: checked, rate-limited per source domain,
answered 202 at once) and the outbox handlers that verify it in the background and that send Webmentions
for the links of published comments (handlers.py registers them; docs/federation.md).

Verifying (`webmention-verify`): the source is fetched through the SSRF guard; a source that links to the
target is read as microformats2; a reply becomes a comment under the article that goes through the site's
moderation pipeline like any other (its text is the source's plain text, rendered and sanitised like every
comment), a like or a repost counts as a like of the article, a mention is kept. A request for the same
source and target again re-verifies: the comment follows the new text; a source that answers 410 or no
longer links removes what it made.

Sending (`webmention-links`, then one `webmention-send:<id>` delivery per link): when a comment of a site
with `send_webmentions` becomes public (or is edited), each page it links to is fetched, its endpoint
discovered (HTTP Link header, else the first <link>/<a rel=webmention>), and the Webmention posted; failures
are retried on [webmention]'s backoff. When such a comment is deleted or hidden, each target that took its
Webmention is sent it again, for the receiver to find the comment gone and remove it.

A Webmention whose target names a comment (`ARTICLE#comment-ID`) is threaded under that comment.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import urlencode

from msgspec.structs import replace
from sqlalchemy.ext.asyncio import AsyncConnection

from rejoinder.domain.comments import PUBLIC_STATUSES, Author, Comment, check_parent
from rejoinder.domain.identity import author_key
from rejoinder.domain.sites import Site
from rejoinder.domain.urls import origin_of
from rejoinder.domain.webmentions import (
    Entry,
    SendState,
    WebmentionKind,
    WebmentionState,
    check_request,
    comment_text,
    discover_endpoint,
    domain_blocked,
    host_of,
    links_to,
    outbound_links,
    read_entry,
)
from rejoinder.errors import Forbidden, Invalid, RejoinderError, WebmentionFailed, WebmentionInvalid
from rejoinder.events.kinds import Event, EventKind
from rejoinder.events.outbox import RetryPolicy, Route, TargetedHandler
from rejoinder.moderation.rules import STAFF, Submission
from rejoinder.outbound import is_public
from rejoinder.ratelimit import Action, Scope
from rejoinder.services import moderation
from rejoinder.services.admin_mail import public_base
from rejoinder.services.comments import (
    Edit,
    delete_in,
    limits_for,
    live_comment,
    render,
    store_edit,
    store_new,
)
from rejoinder.services.context import Context
from rejoinder.services.moderation.statements import Held
from rejoinder.services.threads import article_url, event_thread
from rejoinder.services.webmention_http import PageRefused, WebmentionHttp
from rejoinder.store import comments as comment_store
from rejoinder.store import engine as store_engine
from rejoinder.store import events as event_store
from rejoinder.store import likes as like_store
from rejoinder.store import threads as thread_store
from rejoinder.store import webmentions as store
from rejoinder.store.likes import ARTICLE
from rejoinder.store.threads import ThreadRow
from rejoinder.store.webmentions import Received, Sending

log = logging.getLogger("rejoinder.webmention")
T = TypeVar("T")
US = 1_000_000
VERIFY = "webmention-verify"  # deliveries `webmention-verify:<id>` verify a received Webmention
LINKS = "webmention-links"  # turns a public comment's links into one delivery each
SENDER = "webmention-send"  # deliveries `webmention-send:<id>` send one Webmention
_PUBLIC = frozenset(s.value for s in PUBLIC_STATUSES)
COMMENT_KINDS = frozenset(
    {
        EventKind.COMMENT_POSTED,
        EventKind.COMMENT_EDITED,
        EventKind.COMMENT_STATUS_CHANGED,
        EventKind.COMMENT_DELETED,
    }
)


def http_of(ctx: Context) -> WebmentionHttp:
    s = ctx.settings.webmention
    return WebmentionHttp(
        timeout=s.timeout_seconds,
        max_bytes=s.max_bytes,
        max_redirects=s.max_redirects,
        allow_private=s.allow_private,
    )


def policy_of(ctx: Context) -> RetryPolicy:
    s = ctx.settings.webmention
    return RetryPolicy(
        max_attempts=s.max_attempts,
        base_us=int(s.retry_base_seconds * US),
        max_us=int(s.retry_max_seconds * US),
    )


# --- receiving ---------------------------------------------------------------------------------------------


def _not_public_literal(host: str) -> bool:
    """A source host that is plainly not on the public internet (an IP literal or localhost): refused at
    once. A name is checked by the guard when the source is fetched."""
    if host in ("localhost",) or host.endswith(".localhost"):
        return True
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return not is_public(host.strip("[]"))


async def receive(ctx: Context, source: str | None, target: str | None) -> int:
    """Take a Webmention request: checked now, verified later (the `webmention-verify` handler). Returns
    the id of its row.

    Raises:
        WebmentionInvalid (400): source/target missing or not http(s), the same URL, a target on no site,
            a source on a non-public address. Forbidden: webmentions-disabled, source-blocked.
        RateLimited: too many from the source's domain.
    """
    s = ctx.settings.webmention
    if not s.receive:
        raise Forbidden("This server does not accept Webmentions", code="webmentions-disabled")
    src, tgt = check_request(source, target)
    parent = comment_of_fragment(tgt)
    try:
        uri = article_url(ctx, tgt)
    except Invalid:
        raise WebmentionInvalid.field("target", "target-invalid", "target is not a usable URL") from None
    site = await ctx.sites.by_origin(origin_of(uri))
    if site is None:
        raise WebmentionInvalid.field("target", "target-unknown", "The target is on no site of this server")
    host = host_of(src)
    if not s.allow_private and _not_public_literal(host):
        raise WebmentionInvalid.field(
            "source", "source-not-public", "The source is not on the public internet"
        )
    if domain_blocked(host, [*s.blocked_domains, *site.options.moderation.blocked_domains]):
        raise Forbidden("Webmentions from this domain are not accepted here", code="source-blocked")
    await moderation.admit(ctx, Action.WEBMENTION, {Scope.DOMAIN: host})
    now = ctx.clock()
    async with store_engine.write(ctx.engine) as conn:
        mention_id = await store.upsert_received(conn, site.id, src, uri, now=now)
        event = await ctx.outbox.add(
            conn,
            EventKind.WEBMENTION_RECEIVED,
            site_id=site.id,
            subject=str(mention_id),
            data={"source": src, "target": uri, "parent": parent},
        )
        # Its own queue: a slow or failing source holds back no other Webmention of the site.
        await event_store.add_deliveries(
            conn, event.uid, [f"{VERIFY}:{mention_id}"], queue=f"wm:{mention_id}", next_at=now
        )
    ctx.outbox.committed(event)
    if ctx.outbox.waker is not None:
        ctx.outbox.waker.wake([event.uid], inline=[])
    return mention_id


def comment_of_fragment(target: str) -> str | None:
    """The comment a target names by its anchor (`ARTICLE#comment-ID`, as the widget and the no-JS page
    link each comment): a reply to it is threaded under it."""
    _, _, fragment = target.partition("#")
    if fragment.startswith("comment-") and 0 < len(fragment) - 8 <= 24:
        found = fragment[8:]
        if found.replace("-", "").replace("_", "").isalnum() and found.isascii():
            return found
    return None


# --- verifying (the `webmention-verify` outbox handler) -----------------------------------------------------


class _Fetching:
    """An outbox handler that fetches pages, through the SSRF guard and the limits of [webmention]."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.http = http_of(ctx)

    async def _load(
        self, target: str, select: Callable[[AsyncConnection, int], Awaitable[T | None]]
    ) -> T | None:
        """The row a delivery `<route>:<id>` names; None when it is gone (or the target is no id)."""
        if not target.isdigit():
            return None
        async with store_engine.read(self.ctx.engine) as conn:
            return await select(conn, int(target))


class Verify(_Fetching):
    """Fetch the source and apply what it says; raises WebmentionFailed to be retried (a timeout, a 5xx).
    Idempotent: it applies the source as it is now, whatever an earlier run did."""

    async def __call__(self, event: Event, target: str) -> None:
        mention = await self._load(target, store.select_received)
        if mention is None:
            return
        try:
            page = await self.http.fetch(mention.source)
        except PageRefused as exc:
            await self._drop(mention, WebmentionState.REFUSED, f"{exc.code}: {exc.detail}")
            return
        if page.status == 410:
            await self._drop(mention, WebmentionState.REMOVED, "the source answered 410 Gone")
            return
        if page.status >= 500 or page.status == 429:
            raise WebmentionFailed(f"the source answered {page.status}")
        if page.status != 200:
            await self._drop(mention, WebmentionState.REFUSED, f"the source answered {page.status}")
            return
        if not links_to(page.body, page.url, mention.target, html=page.is_html):
            await self._drop(mention, WebmentionState.REMOVED, "the source does not link to the target")
            return
        entry = (
            await self.ctx.cpu.run(read_entry, page.body, page.url, mention.target, mention.source)
            if page.is_html
            else None
        )
        parent = event.data.get("parent")
        await self._apply(
            mention, entry or Entry(kind=WebmentionKind.MENTION), parent if isinstance(parent, str) else None
        )

    async def _drop(self, mention: Received, state: WebmentionState, error: str) -> None:
        """Refused or removed: whatever it made (a comment, a like) goes."""
        if mention.state is WebmentionState.PENDING and mention.comment_id is None and mention.liker is None:
            state = WebmentionState.REFUSED
        events: list[Event | None] = []
        async with store_engine.write(self.ctx.engine) as conn:
            events.append(await self._remove_comment(conn, mention))
            events.append(await self._remove_like(conn, mention))
            await store.update_received(
                conn, replace(mention, liker=None), state, error=error, verified=self.ctx.clock()
            )
        self.ctx.outbox.committed(*events)
        log.info("[rejoinder] webmention %d %s: %s", mention.id, state.value, error)

    async def _apply(self, mention: Received, entry: Entry, parent: str | None = None) -> None:
        site = await self.ctx.sites.by_id(mention.site_id)
        name = (entry.author_name or host_of(mention.source) or "someone")[
            : self.ctx.settings.comments.max_name_length
        ]
        author_url = entry.author_url or mention.source
        # What the source says the mention is, as it is stored once verified:
        found = replace(mention, kind=entry.kind, author_name=name, author_url=author_url)
        if entry.kind is WebmentionKind.REPLY:
            try:
                await self._reply(found, site, entry, name, author_url, parent)
            except RejoinderError as exc:  # refused by moderation (a banned domain, a blocked word…)
                await self._drop(mention, WebmentionState.REFUSED, f"{exc.code}: {exc.detail}")
            return
        events: list[Event | None] = []
        now = self.ctx.clock()
        async with store_engine.write(self.ctx.engine) as conn:
            events.append(await self._remove_comment(conn, mention))
            liker = None
            if entry.kind in (WebmentionKind.LIKE, WebmentionKind.REPOST):
                liker = liker_of(mention.source)
                events.append(await self._add_like(conn, mention, liker, name, now))
            else:
                events.append(await self._remove_like(conn, mention))
            verified = replace(found, comment_id=None, liker=liker)
            await store.update_received(conn, verified, WebmentionState.VERIFIED, error=None, verified=now)
        self.ctx.outbox.committed(*events)

    async def _reply(
        self, mention: Received, site: Site, entry: Entry, name: str, author_url: str, parent: str | None
    ) -> None:
        """Make or update the comment a reply is: under the article, or under the comment its target named
        (`#comment-ID`) when that comment is in the thread and can take replies."""
        ctx = self.ctx
        text = comment_text(entry, mention.source, max_length=ctx.settings.comments.max_text_length)
        html, text_hash = await ctx.cpu.run(render, text)
        now = ctx.clock()
        key = author_key(ctx.id_key, site.id, email=None, name=f"{name} {host_of(author_url)}", visitor=None)
        existing: Comment | None = None
        revision = 0
        async with store_engine.read(ctx.engine) as conn:
            thread = await self._thread(conn, mention)
            if mention.comment_id is not None:
                existing = await live_comment(conn, mention.comment_id)
                if existing is not None:
                    revision = (await moderation.moderated(conn, existing.id)).revision
            if existing is not None and existing.text == text:
                return  # the same text again: nothing changes
            sub = Submission(
                site_id=site.id,
                text=text,
                html=html,
                author_name=name,
                author_key=key,
                now=now,
                website=author_url,
                thread_url=mention.target,
                thread_title=thread.title if thread else None,
                edit_of=existing.id if existing else None,
            )
            facts = await moderation.load_facts(
                ctx,
                conn,
                sub,
                site,
                thread_id=thread.id if thread else None,
                uri=mention.target,
                text_hash=text_hash,
            )
        outcome = await moderation.judge(ctx, site, sub, facts)  # raises when refused
        source = {"webmention": mention.source}
        events: list[Event | None] = []
        async with store_engine.write(ctx.engine) as conn:
            thread = await self._thread(conn, mention, create_at=now)
            assert thread is not None
            events.append(await self._remove_like(conn, mention))
            if existing is None:
                under, depth = await self._parent(conn, parent, thread.id, site)
                comment = Comment(
                    id=ctx.token(9),
                    thread_id=thread.id,
                    parent=under,
                    text=text,
                    html=html,
                    author=Author(name=name, email=None, website=author_url[:2048], key=key),
                    status=moderation.status_after(outcome, None),
                    created=now,
                    edited=None,
                    likes=0,
                    depth=depth,
                )
                await comment_store.insert_comment(
                    conn, comment, visitor_hash=None, edit_token_hash=None, ip=None
                )
                # A remote author has no inbox or confirmed address here, but the transparency record of a
                # hold needs its statement of reasons.
                held_by = Held(id=comment.id, site_id=site.id, identity_id=None)
                events += await store_new(
                    ctx, conn, thread, comment, outcome, held_by, text_hash=text_hash, event_data=source
                )
                comment_id = comment.id
            else:
                edit = Edit(thread, site, sub, facts, text_hash, revision)
                staff = bool(facts.roles & STAFF)
                _, edited = await store_edit(
                    ctx, conn, existing, edit, outcome, staff=staff, event_data=source
                )
                events += edited
                comment_id = existing.id
            verified = replace(mention, comment_id=comment_id, liker=None)
            await store.update_received(conn, verified, WebmentionState.VERIFIED, error=None, verified=now)
        ctx.outbox.committed(*events)

    async def _parent(
        self, conn: AsyncConnection, parent: str | None, thread_id: int, site: Site
    ) -> tuple[str | None, int]:
        """(parent id, depth) of a new reply: under `parent` when it can take it, else top-level."""
        if parent is None:
            return None, 0
        found = await comment_store.select_comment(conn, parent)
        try:
            depth = check_parent(found[0] if found else None, thread_id, limits_for(self.ctx, site))
        except RejoinderError:  # another thread's, hidden, deleted or too deep: under the article
            return None, 0
        return (parent, depth) if found else (None, 0)

    async def _remove_comment(self, conn: AsyncConnection, mention: Received) -> Event | None:
        if mention.comment_id is None:
            return None
        comment = await live_comment(conn, mention.comment_id)
        if comment is None:
            return None
        return await delete_in(self.ctx, conn, comment, by="webmention")

    async def _thread(
        self, conn: AsyncConnection, mention: Received, *, create_at: int | None = None
    ) -> ThreadRow | None:
        """The mention's target thread; created (at `create_at`) when it is new and that is given."""
        thread = await thread_store.select_thread(conn, mention.site_id, uri=mention.target, key=None)
        if thread is None and create_at is not None:
            thread = await thread_store.insert_thread(
                conn, mention.site_id, uri=mention.target, key=None, title=None, now=create_at
            )
        return thread

    async def _add_like(
        self, conn: AsyncConnection, mention: Received, liker: str, name: str, now: int
    ) -> Event | None:
        thread = await self._thread(conn, mention, create_at=self.ctx.clock())
        assert thread is not None
        if not await like_store.insert_like(
            conn, thread.id, ARTICLE, liker, name=name, avatar_key=None, now=now
        ):
            return None
        await thread_store.add_to_thread_counts(conn, thread.id, likes=1)
        return await self.ctx.outbox.add(
            conn,
            EventKind.LIKE_ADDED,
            thread=event_thread(thread),
            data={"target": "article", "likes": thread.like_count + 1},
        )

    async def _remove_like(self, conn: AsyncConnection, mention: Received) -> Event | None:
        if mention.liker is None:
            return None
        thread = await self._thread(conn, mention)
        if thread is None or not await like_store.delete_like(conn, thread.id, ARTICLE, mention.liker):
            return None
        await thread_store.add_to_thread_counts(conn, thread.id, likes=-1)
        return await self.ctx.outbox.add(
            conn,
            EventKind.LIKE_REMOVED,
            thread=event_thread(thread),
            data={"target": "article", "likes": max(0, thread.like_count - 1)},
        )


def liker_of(source: str) -> str:
    """The likes.liker of a like or repost Webmention: one per source page."""
    return "wm:" + hashlib.sha256(source.encode("utf-8", "surrogatepass")).hexdigest()[:40]


async def _refuse_pending(ctx: Context, conn: AsyncConnection, mention_id: int, error: str) -> None:
    """A mention still waiting to be verified is refused for good (`error` says why)."""
    mention = await store.select_received(conn, mention_id)
    if mention is not None and mention.state is WebmentionState.PENDING:
        await store.update_received(conn, mention, WebmentionState.REFUSED, error=error, verified=ctx.clock())


Fail = Callable[[Context, AsyncConnection, int, str], Awaitable[None]]


@dataclass(frozen=True, eq=False)
class GaveUp:
    """After the last failed attempt of a delivery `<route>:<id>`, `fail(ctx, conn, id, error)` ends the
    row `id` for good, its error saying why: a mention is refused, a Webmention send failed."""

    ctx: Context
    fail: Fail

    async def __call__(self, event: Event, target: str, error: str) -> None:
        if not target.isdigit():
            return
        async with store_engine.write(self.ctx.engine) as conn:
            await self.fail(self.ctx, conn, int(target), f"gave up: {error}")


# --- sending (the `webmention-links` and `webmention-send` outbox handlers) ----------------------------------


def comment_page(ctx: Context, *, uri: str | None, key: str | None, site_name: str, comment_id: str) -> str:
    """A comment's permalink on this server: the no-JS thread page with the comment's anchor. The page
    marks each comment with it (its h-entry's u-url), the Webmention source we send is it."""
    query = {"url": uri} if uri else {"key": key or "", "site": site_name}
    return f"{public_base(ctx)}/thread?{urlencode(query)}#comment-{comment_id}"


def source_of(ctx: Context, thread: ThreadRow, site: Site, comment_id: str) -> str:
    """The comment's public page on this server (the no-JS thread page, which shows it with its links)."""
    return comment_page(ctx, uri=thread.uri, key=thread.key, site_name=site.name, comment_id=comment_id)


def _withdrawn(event: Event) -> bool:
    """A comment that was public was deleted or hidden."""
    gone = event.kind is EventKind.COMMENT_DELETED or event.data.get("status") not in _PUBLIC
    return gone and event.data.get("previous") in _PUBLIC


class Links:
    """A comment that is public now (posted, edited, approved) on a site that sends Webmentions: a row and
    a delivery per page it links to. Idempotent: the rows are keyed by comment and target."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    async def needed(self, conn: AsyncConnection | None, event: Event) -> bool:
        """Whether the event can lead to a Webmention (the route's `needed`, and checked again on delivery):
        a public comment, not made from a Webmention, on a site that sends them, or a public comment
        deleted or hidden (its targets are sent the Webmention again). Most sites do not send them, and
        their comments then cost this route nothing."""
        if event.site_id is None or event.subject is None or event.data.get("webmention"):
            return False  # a comment made from a Webmention is not sent on
        if _withdrawn(event):
            return True  # its targets are told again, whatever the site's setting is now
        if event.data.get("status") not in _PUBLIC:
            return False
        site = await self.ctx.sites.by_id(event.site_id)
        return site.options.send_webmentions

    async def __call__(self, event: Event) -> None:
        if not await self.needed(None, event):
            return
        assert event.site_id is not None and event.subject is not None
        if _withdrawn(event):
            await self._withdraw(event)
            return
        site = await self.ctx.sites.by_id(event.site_id)
        async with store_engine.read(self.ctx.engine) as conn:
            found = await comment_store.select_comment(conn, event.subject)
            thread = await thread_store.select_thread_by_id(conn, found[0].thread_id) if found else None
        if found is None or thread is None or found[0].status not in PUBLIC_STATUSES:
            return
        targets = outbound_links(found[0].html, own=site.origins)
        if not targets:
            return
        source = source_of(self.ctx, thread, site, found[0].id)
        async with store_engine.write(self.ctx.engine) as conn:
            ids = await store.insert_sends(conn, found[0].id, source, targets[:20], now=self.ctx.clock())
            await self._queue_sends(conn, event, ids)

    async def _withdraw(self, event: Event) -> None:
        """A public comment was deleted or hidden: each target that took its Webmention is sent it again,
        so that the receiver verifies the source anew, finds the comment gone and removes it (W3C
        Webmention 3.2.4: a source that no longer links is a deletion)."""
        assert event.subject is not None
        async with store_engine.write(self.ctx.engine) as conn:
            sent = [s for s in await store.select_sends_of(conn, event.subject) if s.state is SendState.SENT]
            for each in sent:
                await _save_send(conn, each, SendState.PENDING, error=None, now=self.ctx.clock())
            if sent:
                await self._queue_sends(conn, event, [each.id for each in sent])

    async def _queue_sends(self, conn: AsyncConnection, event: Event, send_ids: list[int]) -> None:
        """One delivery `webmention-send:<id>` per send, due now, in a queue of the comment's own."""
        names = [f"{SENDER}:{i}" for i in send_ids]
        await event_store.add_deliveries(
            conn, event.uid, names, queue=f"wms:{event.subject}", next_at=self.ctx.clock()
        )


class Send(_Fetching):
    """One delivery `webmention-send:<id>`: discover the target's endpoint and post the Webmention.
    A 4xx or a page that can never be taken ends it (failed); a timeout or a 5xx raises to be retried."""

    async def __call__(self, event: Event, target: str) -> None:
        sending = await self._load(target, store.select_send)
        if sending is None or sending.state is not SendState.PENDING:
            return
        endpoint: str | None = None
        try:
            page = await self.http.fetch(sending.target)
            if page.status >= 500:
                raise WebmentionFailed(f"the target answered {page.status}")
            endpoint = discover_endpoint(page.url, page.link, page.body if page.is_html else None)
            if endpoint is None:
                await self._finish(sending, SendState.NO_ENDPOINT, None, page.status, None)
                return
            status = await self.http.send(endpoint, source=sending.source, target=sending.target)
        except PageRefused as exc:
            await self._finish(sending, SendState.FAILED, endpoint, None, f"{exc.code}: {exc.detail}")
            return
        if 200 <= status < 300:
            await self._finish(sending, SendState.SENT, endpoint, status, None)
        elif status >= 500 or status == 429:
            await self._finish(sending, SendState.PENDING, endpoint, status, f"answered {status}")
            raise WebmentionFailed(f"the endpoint answered {status}")
        else:
            await self._finish(sending, SendState.FAILED, endpoint, status, f"answered {status}")

    async def _finish(
        self, sending: Sending, state: SendState, endpoint: str | None, status: int | None, error: str | None
    ) -> None:
        answered = replace(sending, endpoint=endpoint, status_code=status)
        async with store_engine.write(self.ctx.engine) as conn:
            await _save_send(conn, answered, state, error=error, now=self.ctx.clock())


async def _save_send(
    conn: AsyncConnection, send: Sending, state: SendState, *, error: str | None, now: int
) -> None:
    """Store how sending a Webmention stands (`state`, `error`, when) with the endpoint and answer it had."""
    await store.update_send(
        conn, send.id, state=state, endpoint=send.endpoint, status_code=send.status_code, error=error, now=now
    )


async def _fail_pending(ctx: Context, conn: AsyncConnection, send_id: int, error: str) -> None:
    """A Webmention still waiting to be sent has failed for good (`error` says why)."""
    found = await store.select_send(conn, send_id)
    if found is not None and found.state is SendState.PENDING:
        await _save_send(conn, found, SendState.FAILED, error=error, now=ctx.clock())


def _targeted_route(ctx: Context, name: str, targeted: TargetedHandler, fail: Fail) -> Route:
    """Deliveries `name:<id>` only (no kinds of its own), retried on [webmention]'s policy; `fail` ends
    the row of one given up on."""
    return Route(
        name=name, kinds=frozenset(), targeted=targeted, retry=policy_of(ctx), given_up=GaveUp(ctx, fail)
    )


def verify_route(ctx: Context) -> Route:
    """Deliveries `webmention-verify:<id>`, which `receive` adds with the event (each in its own queue)."""
    return _targeted_route(ctx, VERIFY, Verify(ctx), _refuse_pending)


def links_route(ctx: Context) -> Route:
    links = Links(ctx)
    return Route(name=LINKS, kinds=COMMENT_KINDS, handler=links, needed=links.needed)


def sender_route(ctx: Context) -> Route:
    """Deliveries `webmention-send:<id>`, which `Links` adds (one per page a comment links to)."""
    return _targeted_route(ctx, SENDER, Send(ctx), _fail_pending)


# --- what /admin shows -------------------------------------------------------------------------------------


async def origins_of(ctx: Context, comment_ids: list[str]) -> dict[str, Received]:
    """The Webmention each of these comments came from, for /admin."""
    async with store_engine.read(ctx.engine) as conn:
        return await store.select_for_comments(conn, comment_ids)


async def received_on(ctx: Context, source: str, target: str) -> Received | None:
    async with store_engine.read(ctx.engine) as conn:
        return await store.select_received_pair(conn, source, target)


async def sends_of(ctx: Context, comment_id: str) -> list[store.Sending]:
    async with store_engine.read(ctx.engine) as conn:
        return await store.select_sends_of(conn, comment_id)
