"""Likes of an article and of comments: idempotent, undoable, one per visitor."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection

from rejoinder.domain.comments import PUBLIC_STATUSES, Comment, comment_not_found, hide_other_sites
from rejoinder.domain.identity import Identity, author_key, identity_avatar_key, identity_liker, visitor_hash
from rejoinder.domain.likes import LikeResult, check_visitor
from rejoinder.domain.sites import SiteGuard
from rejoinder.domain.urls import check_text_field
from rejoinder.errors import Invalid
from rejoinder.events.kinds import EventKind
from rejoinder.services.context import Context
from rejoinder.services.threads import ThreadRef, event_thread, thread_for_write
from rejoinder.store import comments as comment_store
from rejoinder.store import engine as store_engine
from rejoinder.store import likes as like_store
from rejoinder.store import threads as thread_store
from rejoinder.store.likes import ARTICLE


def clean_name(ctx: Context, name: str | None) -> str | None:
    if name is None:
        return None
    check_text_field(name, "name")
    name = " ".join(name.split())
    if len(name) > ctx.settings.comments.max_name_length:
        raise Invalid.field("name", "name-too-long", "The name is too long")
    return name or None


def liker_of(ctx: Context, visitor: str | None, reader: Identity | None) -> str:
    """Who likes or reacts, as a keyed hash: a signed-in reader's follows the identity to every device."""
    if reader is None:
        return visitor_hash(ctx.id_key, check_visitor(visitor))
    return identity_liker(ctx.id_key, reader.id)


def shown_name(ctx: Context, name: str | None, reader: Identity | None) -> str | None:
    """The name "people like this" shows: a guest's own, a signed-in reader's only if they allow it."""
    if reader is None:
        return clean_name(ctx, name)
    return reader.display_name if reader.show_in_likes else None


def liker_avatar(
    ctx: Context, site_id: int, shown: str | None, visitor: str | None, reader: Identity | None
) -> str:
    if reader is None:
        return author_key(ctx.id_key, site_id, email=None, name=shown or "", visitor=check_visitor(visitor))
    return identity_avatar_key(ctx.id_key, reader.id)


async def public_comment(conn: AsyncConnection, comment_id: str) -> Comment:
    """A comment readers may like, react to or mute the author of; unknown, deleted and held ones answer
    alike (comment-not-found)."""
    found = await comment_store.select_comment(conn, comment_id)
    if found is None or found[0].status not in PUBLIC_STATUSES:
        raise comment_not_found()
    return found[0]


async def like_thread(
    ctx: Context,
    ref: ThreadRef,
    *,
    visitor: str | None,
    like: bool,
    name: str | None = None,
    title: str | None = None,
    reader: Identity | None = None,
) -> LikeResult:
    """Like or unlike an article as a visitor, or with `reader` as a signed-in identity, whose name and
    avatar appear in "people like this" only if the identity allows it (show_in_likes)."""
    liker = liker_of(ctx, visitor, reader)
    shown = shown_name(ctx, name, reader)
    now = ctx.clock()
    async with store_engine.write(ctx.engine) as conn:
        thread = await thread_for_write(conn, ref, title=title, now=now, create=like)
        if thread is None:
            return LikeResult(liked=False, likes=0)
        if like:
            avatar = liker_avatar(ctx, ref.site.id, shown, visitor, reader)
            changed = await like_store.insert_like(
                conn,
                thread.id,
                ARTICLE,
                liker,
                name=shown,
                avatar_key=avatar if shown or reader else None,
                now=now,
                identity_id=reader.id if reader else None,
            )
        else:
            changed = await like_store.delete_like(conn, thread.id, ARTICLE, liker)
        delta = (1 if like else -1) if changed else 0
        event = None
        if delta:
            await thread_store.add_to_thread_counts(conn, thread.id, likes=delta)
            event = await ctx.outbox.add(
                conn,
                EventKind.LIKE_ADDED if like else EventKind.LIKE_REMOVED,
                thread=event_thread(thread),
                data={"target": "article", "likes": thread.like_count + delta},
            )
    ctx.outbox.committed(event)
    return LikeResult(liked=like, likes=thread.like_count + delta)


async def like_comment(
    ctx: Context,
    comment_id: str,
    *,
    visitor: str | None,
    like: bool,
    reader: Identity | None = None,
    site_guard: SiteGuard | None = None,
) -> LikeResult:
    """Like or unlike a public comment; `site_guard` is called with the comment's site before anything
    changes (the web layer's Origin check)."""
    check_text_field(comment_id, "id")
    liker = liker_of(ctx, visitor, reader)
    now = ctx.clock()
    async with store_engine.write(ctx.engine) as conn:
        comment = await public_comment(conn, comment_id)
        thread = await thread_store.select_thread_by_id(conn, comment.thread_id)
        guard = hide_other_sites(site_guard)
        if guard is not None and thread is not None:
            guard(await ctx.sites.by_id(thread.site_id))
        if like:
            changed = await like_store.insert_like(
                conn,
                comment.thread_id,
                comment.id,
                liker,
                name=None,
                avatar_key=None,
                now=now,
                identity_id=reader.id if reader else None,
            )
        else:
            changed = await like_store.delete_like(conn, comment.thread_id, comment.id, liker)
        delta = (1 if like else -1) if changed else 0
        event = None
        if delta:
            await comment_store.add_to_comment_likes(conn, comment.id, delta)
            if thread is not None:
                event = await ctx.outbox.add(
                    conn,
                    EventKind.LIKE_ADDED if like else EventKind.LIKE_REMOVED,
                    thread=event_thread(thread),
                    subject=comment.id,
                    data={"target": "comment", "likes": comment.likes + delta},
                )
    ctx.outbox.committed(event)
    return LikeResult(liked=like, likes=comment.likes + delta)
