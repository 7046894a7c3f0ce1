"""Reading a thread: which thread a request means, and the public view of it (same for every reader)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import msgspec

from rejoinder.domain.comments import Comment, CommentStub
from rejoinder.domain.likes import RECENT_LIKERS, Liker
from rejoinder.domain.sites import Site
from rejoinder.domain.threads import Page, Sort, display_order, page_of, paginate, prune_deleted
from rejoinder.domain.urls import check_decoded, check_text_field, normalize_url
from rejoinder.errors import Invalid
from rejoinder.events.kinds import ThreadOf
from rejoinder.services.context import Context
from rejoinder.store import comments as comment_store
from rejoinder.store import engine as store_engine
from rejoinder.store import likes as like_store
from rejoinder.store import threads as thread_store
from rejoinder.store.threads import ThreadRow


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
    it has seen and loads only the rest)."""

    ref: ThreadRef
    thread: ThreadRow | None
    stubs: list[CommentStub]
    likers: list[Liker]
    page: Page
    load: Callable[[list[str]], Awaitable[list[Comment]]]
    comments: list[Comment] | None = None


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


def check_key(key: str) -> str:
    check_text_field(key, "key")
    check_decoded(key, "key")
    key = key.strip()
    if not key or len(key) > 200:
        raise Invalid.field("key", "key-invalid", "A thread key is 1–200 characters")
    return key


async def resolve_ref(
    ctx: Context, *, url: str | None, key: str | None, site: str | None = None
) -> ThreadRef:
    """Validate url/key and find the site. Raises Invalid/Forbidden/NotFound with field details."""
    if not url and not key:
        raise Invalid.field("url", "url-required", "Give the article's `url` (or a thread `key`)")
    uri = normalize_url(url, max_length=ctx.settings.comments.max_url_length) if url else None
    clean_key = check_key(key) if key is not None else None
    found = await ctx.sites.resolve(site=site, url=uri)
    return ThreadRef(site=found, uri=uri, key=clean_key)


async def read_thread(
    ctx: Context, ref: ThreadRef, *, sort: Sort, page: int, limit: int, with_text: bool = False
) -> ThreadView:
    """One page of the thread. `with_text` reads every public comment with its text in the same query (a
    first read: one query instead of stubs plus the page's rows by id); without it, only the stubs."""

    async def load(ids: list[str]) -> list[Comment]:
        if not ids:
            return []
        async with store_engine.read(ctx.engine) as conn:
            return await comment_store.select_comments_by_ids(conn, ids)

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
        full = await comment_store.select_public_comments(conn, thread.id) if with_text else None
        stubs = [] if with_text else await comment_store.select_public_stubs(conn, thread.id)
        likers = await like_store.select_recent_named_likers(conn, thread.id, RECENT_LIKERS)
    likers_out = [Liker(name=n, avatar_key=k) for n, k in likers]
    if full is not None:
        shown, page_info = paginate(display_order(prune_deleted(full), sort), page, limit)
        return ThreadView(
            ref=ref, thread=thread, stubs=[], likers=likers_out, page=page_info, load=load, comments=shown
        )
    flat, page_info = paginate(display_order(prune_deleted(stubs), sort), page, limit)
    return ThreadView(ref=ref, thread=thread, stubs=flat, likers=likers_out, page=page_info, load=load)


async def load_comments(view: ThreadView) -> list[Comment]:
    """The full comments of a view's page, in display order (for server-rendered pages)."""
    if view.comments is not None:
        return view.comments
    by_id = {c.id: c for c in await view.load([s.id for s in view.stubs])}
    return [by_id[s.id] for s in view.stubs if s.id in by_id]


async def locate_comment(ctx: Context, comment_id: str, *, sort: Sort, limit: int) -> tuple[ThreadRow, int]:
    """The thread of a public comment and the page that shows it (for permalinks)."""
    from rejoinder.errors import NotFound

    check_text_field(comment_id, "id")  # PostgreSQL refuses a NUL in a query parameter (a 500, not a 404)
    async with store_engine.read(ctx.engine) as conn:
        found = await comment_store.select_comment(conn, comment_id)
        if found is None:
            raise NotFound("There is no comment with this id", code="comment-not-found")
        thread = await thread_store.select_thread_by_id(conn, found[0].thread_id)
        stubs = await comment_store.select_public_stubs(conn, found[0].thread_id)
    groups = display_order(prune_deleted(stubs), sort)
    number = page_of(groups, comment_id, limit)
    if number is None or thread is None:
        raise NotFound("This comment is not public", code="comment-not-found")
    return thread, number
