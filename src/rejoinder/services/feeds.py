"""Atom feeds: the newest public comments of one thread, or of every thread of a site."""

from __future__ import annotations

from dataclasses import dataclass

from rejoinder.domain.comments import Comment
from rejoinder.domain.sites import Site
from rejoinder.services.context import Context
from rejoinder.services.threads import ThreadRef
from rejoinder.store import comments as comment_store
from rejoinder.store import engine as store_engine
from rejoinder.store import threads as thread_store
from rejoinder.store.threads import ThreadRow

# How many comments a feed lists, newest first: what feed readers expect (WordPress shows 10, Disqus 25).
FEED_ENTRIES = 50


@dataclass(frozen=True)
class FeedItem:
    comment: Comment
    thread: ThreadRow


@dataclass(frozen=True)
class Feed:
    """What a feed shows: the site, the thread (None for a site's feed; also None for a thread nobody
    commented on yet, whose `ref` then says which it is) and the newest public comments with their threads."""

    site: Site
    ref: ThreadRef | None
    thread: ThreadRow | None
    items: list[FeedItem]


async def thread_feed(ctx: Context, ref: ThreadRef) -> Feed:
    async with store_engine.read(ctx.engine) as conn:
        thread = await thread_store.select_thread(conn, ref.site.id, uri=ref.uri, key=ref.key)
        if thread is None:
            return Feed(site=ref.site, ref=ref, thread=None, items=[])
        found = await comment_store.select_recent_public_in_thread(conn, thread.id, FEED_ENTRIES)
    return Feed(site=ref.site, ref=ref, thread=thread, items=[FeedItem(c, thread) for c in found])


async def site_feed(ctx: Context, name: str | None) -> Feed:
    """The site's feed; `name` may be left out when the server has one site. Raises SiteNotFound/SiteRequired."""
    site = await ctx.sites.resolve(site=name, url=None)
    async with store_engine.read(ctx.engine) as conn:
        found = await comment_store.select_recent_public_on_site(conn, site.id, FEED_ENTRIES)
        threads = await thread_store.select_threads_by_ids(conn, [c.thread_id for c in found])
    items = [FeedItem(c, threads[c.thread_id]) for c in found if c.thread_id in threads]
    return Feed(site=site, ref=None, thread=None, items=items)
