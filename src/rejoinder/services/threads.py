"""Reading a thread: which thread a request means, and the public view of it (same for every reader)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import msgspec

from rejoinder.domain.comments import Comment, CommentStub, comment_not_found
from rejoinder.domain.likes import RECENT_LIKERS, Liker
from rejoinder.domain.reactions import RECENT_REACTORS
from rejoinder.domain.sites import Site
from rejoinder.domain.threads import (
    MAX_PAGE_COMMENTS,
    Page,
    Sort,
    display_order,
    find_in,
    paginate,
    prune_deleted,
    reply_batch,
)
from rejoinder.domain.urls import check_decoded, check_text_field, normalize_url, query_filter
from rejoinder.errors import Invalid, NotFound, UrlRequired
from rejoinder.events.kinds import ThreadOf
from rejoinder.services.context import Context
from rejoinder.store import comments as comment_store
from rejoinder.store import engine as store_engine
from rejoinder.store import likes as like_store
from rejoinder.store import reactions as reaction_store
from rejoinder.store import threads as thread_store
from rejoinder.store.reactions import ARTICLE
from rejoinder.store.threads import ThreadRow

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncConnection


class ThreadRef(msgspec.Struct, frozen=True):
    """Which thread a request means: by explicit key when given, else by canonical URL."""

    site: Site
    uri: str | None
    key: str | None

    @property
    def lookup(self) -> str:
        return f"{self.site.id}|k:{self.key}" if self.key is not None else f"{self.site.id}|u:{self.uri}"


@dataclass(frozen=True)
class ThreadView:
    """One page of a thread, in display order: either `comments` (read with their text, when asked with
    `with_text`) or `stubs`, whose full comments `load` fetches by id (the web layer keeps encoded comments
    it has seen and loads only the rest). `more` says, for each top-level comment on the page, how many of
    its replies the page leaves out (docs/api.md, "Bounds")."""

    ref: ThreadRef
    thread: ThreadRow | None
    stubs: list[CommentStub]
    likers: list[Liker]
    page: Page
    load: Callable[[list[str]], Awaitable[list[Comment]]]
    comments: list[Comment] | None = None
    more: dict[str, int] = field(default_factory=dict)
    # The site's reactions: counts by comment id ('' for the article) and kind, the readers who reacted to
    # the article, and the most recent of them who agreed to be named (empty when the site offers none).
    reactions: dict[str, dict[str, int]] = field(default_factory=dict)
    reactors: int = 0
    named_reactors: list[Liker] = field(default_factory=list)


def cache_keys(site_id: int, uri: str | None, key: str | None) -> list[str]:
    """Every lookup under which a thread's responses may be cached."""
    keys = []
    if key is not None:
        keys.append(f"{site_id}|k:{key}")
    if uri is not None:
        keys.append(f"{site_id}|u:{uri}")
    return keys


def event_thread(thread: ThreadRow) -> ThreadOf:
    """A thread as events name it (the cache keys of its reads come from site, uri and key)."""
    return ThreadOf(id=thread.id, site_id=thread.site_id, uri=thread.uri, key=thread.key)


async def event_thread_by_id(conn: Any, thread_id: int) -> ThreadOf | None:
    thread = await thread_store.select_thread_by_id(conn, thread_id)
    return event_thread(thread) if thread is not None else None


async def thread_for_write(
    conn: AsyncConnection, ref: ThreadRef, *, title: str | None, now: int, create: bool = True
) -> ThreadRow | None:
    """The thread a write means, inserted when it is new and `create` (a new thread needs the article's
    URL); None when it is new and not `create` (taking back a like of an article nobody liked)."""
    thread = await thread_store.select_thread(conn, ref.site.id, uri=ref.uri, key=ref.key)
    if thread is not None or not create:
        return thread
    if ref.uri is None:
        raise UrlRequired.at("url", "A new discussion needs the article's `url`")
    return await thread_store.insert_thread(conn, ref.site.id, uri=ref.uri, key=ref.key, title=title, now=now)


def check_key(key: str) -> str:
    check_text_field(key, "key")
    check_decoded(key, "key")
    key = key.strip()
    if not key or len(key) > 200:
        raise Invalid.field("key", "key-invalid", "A thread key is 1–200 characters")
    return key


def article_url(ctx: Context, raw: str) -> str:
    """An article URL as threads store it (domain/urls.normalize_url with comments.drop_query_params)."""
    limits = ctx.settings.comments
    return normalize_url(
        raw, max_length=limits.max_url_length, drop=query_filter(tuple(limits.drop_query_params))
    )


async def resolve_ref(
    ctx: Context, *, url: str | None, key: str | None, site: str | None = None
) -> ThreadRef:
    """Validate url/key and find the site. Raises Invalid/Forbidden/NotFound with field details."""
    if not url and not key:
        raise UrlRequired.at("url", "Give the article's `url` (or a thread `key`)")
    uri = article_url(ctx, url) if url else None
    clean_key = check_key(key) if key is not None else None
    found = await ctx.sites.resolve(site=site, url=uri)
    return ThreadRef(site=found, uri=uri, key=clean_key)


def _loader(ctx: Context) -> Callable[[list[str]], Awaitable[list[Comment]]]:
    async def load(ids: list[str]) -> list[Comment]:
        if not ids:
            return []
        async with store_engine.read(ctx.engine) as conn:
            return await comment_store.select_comments_by_ids(conn, ids)

    return load


WITH_TEXT_MAX = MAX_PAGE_COMMENTS * 3 // 2  # comments in a thread that a first read fetches with their text


async def read_thread(
    ctx: Context, ref: ThreadRef, *, sort: Sort, page: int, limit: int, with_text: bool = False
) -> ThreadView:
    """One page of the thread: `limit` conversations, each with at most `comments.replies_per_page` of its
    replies and at most MAX_PAGE_COMMENTS comments in all. `with_text` reads every public comment with its
    text in the same query (a first read: one query instead of stubs plus the page's rows by id); without
    it, only the stubs."""
    load = _loader(ctx)
    replies = ctx.settings.comments.replies_per_page

    async with store_engine.read(ctx.engine) as conn:
        thread = await thread_store.select_thread(conn, ref.site.id, uri=ref.uri, key=ref.key)
        if thread is None:
            empty: list[Comment] | None = [] if with_text else None
            return ThreadView(
                ref=ref,
                thread=None,
                stubs=[],
                likers=[],
                page=Page(1, limit, 1, 0),
                load=load,
                comments=empty,
            )
        # Every comment with its text only when the page can hold most of them: for a thread of 10,000
        # that read (and its Comment objects) cost ~90 ms for a page of 50 conversations.
        with_text = with_text and thread.comment_count <= WITH_TEXT_MAX
        full = await comment_store.select_public_comments(conn, thread.id) if with_text else None
        stubs = [] if with_text else await comment_store.select_public_stubs(conn, thread.id)
        likers = await like_store.select_recent_named_likers(conn, thread.id, RECENT_LIKERS)
        reactions: dict[str, dict[str, int]] = {}
        reactors, named = 0, []
        if ref.site.options.reactions:
            reactions = offered_counts(
                await reaction_store.select_reaction_counts(conn, thread.id), ref.site.options.reactions
            )
            if ARTICLE in reactions:
                reactors = await reaction_store.count_article_reactors(conn, thread.id)
                named = await reaction_store.select_recent_named_reactors(conn, thread.id, RECENT_REACTORS)
    likers_out = [Liker(name=n, avatar_key=k) for n, k in likers]
    totals = reaction_totals(reactions) if sort is Sort.REACTED else None
    named_out = [Liker(name=n, avatar_key=k) for n, k in named]
    if full is not None:
        shown, page_info, more = paginate(
            display_order(prune_deleted(full), sort, totals), page, limit, replies=replies
        )
        ids = {c.id for c in shown}
        stubs = []
    else:
        flat, page_info, more = paginate(
            display_order(prune_deleted(stubs), sort, totals), page, limit, replies=replies
        )
        ids, stubs = {c.id for c in flat}, flat
    ids.add(ARTICLE)
    return ThreadView(
        ref=ref,
        thread=thread,
        stubs=stubs,
        likers=likers_out,
        page=page_info,
        load=load,
        comments=shown if full is not None else None,
        more=more,
        reactions={k: v for k, v in reactions.items() if k in ids},
        reactors=reactors,
        named_reactors=named_out,
    )


def offered_counts(counts: dict[str, dict[str, int]], offered: tuple[str, ...]) -> dict[str, dict[str, int]]:
    """The counts of the kinds a site offers now (a kind it stopped offering is not shown), in its order."""
    out: dict[str, dict[str, int]] = {}
    for target, kinds in counts.items():
        kept = {k: kinds[k] for k in offered if k in kinds}
        if kept:
            out[target] = kept
    return out


def reaction_totals(counts: dict[str, dict[str, int]]) -> dict[str, int]:
    return {target: sum(kinds.values()) for target, kinds in counts.items()}


async def comment_reactions(ctx: Context, thread: ThreadRow, ids: set[str]) -> dict[str, dict[str, int]]:
    """The reaction counts of these comments of a thread (a batch of more replies)."""
    site = await ctx.sites.by_id(thread.site_id)
    if not site.options.reactions or not ids:
        return {}
    async with store_engine.read(ctx.engine) as conn:
        counts = await reaction_store.select_reaction_counts(conn, thread.id)
    return {k: v for k, v in offered_counts(counts, site.options.reactions).items() if k in ids}


async def load_comments(view: ThreadView) -> list[Comment]:
    """The full comments of a view's page, in display order (for server-rendered pages)."""
    if view.comments is not None:
        return view.comments
    by_id = {c.id: c for c in await view.load([s.id for s in view.stubs])}
    return [by_id[s.id] for s in view.stubs if s.id in by_id]


@dataclass(frozen=True)
class Location:
    """Where a public comment is shown (for permalinks): its thread, the page of its conversation, the
    conversation's top-level comment, and for a reply its position among that conversation's replies
    (display order, from 0) and whether the page itself shows it or a batch of more replies does."""

    thread: ThreadRow
    page: int
    root: str
    reply_offset: int | None
    on_page: bool
    shown_replies: int  # how many of the conversation's replies its page shows


def _not_found() -> NotFound:
    # One answer for unknown, non-public and vanished comments (the reader may not know which it is).
    return comment_not_found()


async def _find_thread(conn: AsyncConnection, ctx: Context, comment_id: str) -> ThreadRow:
    check_text_field(comment_id, "id")  # PostgreSQL refuses a NUL in a query parameter (a 500, not a 404)
    found = await comment_store.select_comment(conn, comment_id)
    if found is None:
        raise _not_found()
    thread = await thread_store.select_thread_by_id(conn, found[0].thread_id)
    if thread is None:
        raise _not_found()
    try:
        await ctx.sites.by_id(thread.site_id)
    except NotFound:
        raise _not_found() from None
    return thread


async def locate_comment(ctx: Context, comment_id: str, *, sort: Sort, limit: int) -> Location:
    """The thread of a public comment, the page that shows its conversation, and where in the
    conversation it is (for permalinks to replies beyond what a page shows)."""
    async with store_engine.read(ctx.engine) as conn:
        thread = await _find_thread(conn, ctx, comment_id)
        stubs = await comment_store.select_public_stubs(conn, thread.id)
        totals = None
        if sort is Sort.REACTED:
            totals = reaction_totals(await reaction_store.select_reaction_counts(conn, thread.id))
    groups = display_order(prune_deleted(stubs), sort, totals)
    found = find_in(groups, comment_id)
    if found is None:
        raise _not_found()
    index, position = found
    number = index // limit + 1
    _, _, more = paginate(groups, number, limit, replies=ctx.settings.comments.replies_per_page)
    group = groups[index]
    shown = len(group) - 1 - more[group[0].id]
    return Location(
        thread=thread,
        page=number,
        root=group[0].id,
        reply_offset=position - 1 if position else None,
        on_page=position <= shown,
        shown_replies=shown,
    )


@dataclass(frozen=True)
class RepliesView:
    """A batch of one conversation's replies in display order (stubs; `load` fetches full comments) and how
    many replies come after it. `root` is the conversation's top-level comment."""

    thread: ThreadRow
    root: CommentStub
    stubs: list[CommentStub]
    more: int
    offset: int
    load: Callable[[list[str]], Awaitable[list[Comment]]]


async def find_comment_thread(ctx: Context, comment_id: str) -> ThreadRow:
    """The thread of a comment, or NotFound (comment-not-found) for an unknown id or a removed site."""
    async with store_engine.read(ctx.engine) as conn:
        return await _find_thread(conn, ctx, comment_id)


async def read_replies(
    ctx: Context, thread: ThreadRow, comment_id: str, *, offset: int, limit: int
) -> RepliesView:
    """Replies `offset` to `offset + limit` of the conversation that the public top-level comment
    `comment_id` starts (NotFound when it is not one)."""
    async with store_engine.read(ctx.engine) as conn:
        stubs = await comment_store.select_public_stubs(conn, thread.id)
    for group in display_order(prune_deleted(stubs), Sort.OLDEST):
        if group[0].id == comment_id:
            batch, more = reply_batch(group, offset, limit)
            return RepliesView(
                thread=thread, root=group[0], stubs=batch, more=more, offset=offset, load=_loader(ctx)
            )
    raise _not_found()
