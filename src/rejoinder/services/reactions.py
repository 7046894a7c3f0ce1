"""Reactions to an article and to comments (one of each kind per reader, undoable), and muting another
commenter (a signed-in reader's own list, applied by the widget: the shared thread never changes)."""

from __future__ import annotations

import msgspec
from sqlalchemy.ext.asyncio import AsyncConnection

from rejoinder.domain.comments import comment_not_found, hide_other_sites
from rejoinder.domain.identity import Identity, identity_avatar_key
from rejoinder.domain.reactions import ReactionResult, check_mute, check_reaction
from rejoinder.domain.sites import SiteGuard
from rejoinder.domain.urls import check_text_field
from rejoinder.errors import BadRequest, NotFound
from rejoinder.events.kinds import Event, EventKind
from rejoinder.services.context import Context
from rejoinder.services.likes import liker_avatar, liker_of, public_comment, shown_name
from rejoinder.services.threads import ThreadRef, event_thread, thread_for_write
from rejoinder.store import engine as store_engine
from rejoinder.store import reactions as reaction_store
from rejoinder.store import threads as thread_store
from rejoinder.store.reactions import ARTICLE
from rejoinder.store.threads import ThreadRow


async def react_to_thread(
    ctx: Context,
    ref: ThreadRef,
    kind: str,
    *,
    visitor: str | None,
    on: bool,
    name: str | None = None,
    title: str | None = None,
    reader: Identity | None = None,
) -> ReactionResult:
    """Add (`on`) or take back a reaction to the article. A guest's `name`, or a signed-in reader who shows
    in likes (show_in_likes), is listed in "N people reacted"; nobody else is."""
    check_reaction(kind, ref.site.options.reactions)
    reactor = liker_of(ctx, visitor, reader)
    shown = shown_name(ctx, name, reader)
    now = ctx.clock()
    async with store_engine.write(ctx.engine) as conn:
        thread = await thread_for_write(conn, ref, title=title, now=now, create=on)
        if thread is None:
            return ReactionResult(reacted=False, count=0)
        avatar = liker_avatar(ctx, ref.site.id, shown, visitor, reader) if on and shown else None
        change = _Change(
            kind, reactor, on=on, name=shown, avatar_key=avatar, identity_id=reader.id if reader else None
        )
        count, event = await _apply(ctx, conn, thread, None, change, now)
    ctx.outbox.committed(event)
    return ReactionResult(reacted=on, count=count)


async def react_to_comment(
    ctx: Context,
    comment_id: str,
    kind: str,
    *,
    visitor: str | None,
    on: bool,
    reader: Identity | None = None,
    site_guard: SiteGuard | None = None,
) -> ReactionResult:
    """Add or take back a reaction to a public comment; `site_guard` runs with the comment's site first."""
    check_text_field(comment_id, "id")
    check_text_field(kind, "kind")
    reactor = liker_of(ctx, visitor, reader)
    now = ctx.clock()
    async with store_engine.write(ctx.engine) as conn:
        comment = await public_comment(conn, comment_id)
        thread = await thread_store.select_thread_by_id(conn, comment.thread_id)
        if thread is None:
            raise comment_not_found()
        try:
            site = await ctx.sites.by_id(thread.site_id)
        except NotFound:
            raise comment_not_found() from None
        guard = hide_other_sites(site_guard)
        if guard is not None:
            guard(site)
        check_reaction(kind, site.options.reactions)
        change = _Change(
            kind, reactor, on=on, name=None, avatar_key=None, identity_id=reader.id if reader else None
        )
        count, event = await _apply(ctx, conn, thread, comment.id, change, now)
    ctx.outbox.committed(event)
    return ReactionResult(reacted=on, count=count)


class _Change(msgspec.Struct, frozen=True):
    """One reader's reaction added (`on`) or taken back; name and avatar show in "N people reacted"."""

    kind: str
    reactor: str
    on: bool
    name: str | None
    avatar_key: str | None
    identity_id: str | None


async def _apply(
    ctx: Context, conn: AsyncConnection, thread: ThreadRow, comment_id: str | None, change: _Change, now: int
) -> tuple[int, Event | None]:
    """Store a reaction to the article (`comment_id` None) or a comment: its new count, and the event
    when anything changed."""
    target = ARTICLE if comment_id is None else comment_id
    if change.on:
        changed = await reaction_store.insert_reaction(
            conn,
            thread.id,
            target,
            change.kind,
            change.reactor,
            name=change.name,
            avatar_key=change.avatar_key,
            now=now,
            identity_id=change.identity_id,
        )
    else:
        changed = await reaction_store.delete_reaction(conn, thread.id, target, change.kind, change.reactor)
    count = await reaction_store.count_reaction(conn, thread.id, target, change.kind)
    if not changed:
        return count, None
    event = await ctx.outbox.add(
        conn,
        EventKind.REACTION_ADDED if change.on else EventKind.REACTION_REMOVED,
        thread=event_thread(thread),
        subject=comment_id,
        data={
            "target": "article" if comment_id is None else "comment",
            "reaction": change.kind,
            "count": count,
        },
    )
    return count, event


class Mute(msgspec.Struct, frozen=True):
    key: str  # the muted commenter's author key (the last part of their avatar URL)
    name: str
    created: int


async def mute_author_of(ctx: Context, reader: Identity, comment_id: str) -> Mute:
    """Mute the author of a public comment for this reader (idempotent)."""
    check_text_field(comment_id, "comment")
    now = ctx.clock()
    async with store_engine.write(ctx.engine) as conn:
        author = (await public_comment(conn, comment_id)).author
        check_mute(author.key, identity_avatar_key(ctx.id_key, reader.id))
        await reaction_store.insert_mute(conn, reader.id, author.key, name=author.name[:200], now=now)
    return Mute(key=author.key, name=author.name, created=now)


async def unmute(ctx: Context, reader: Identity, key: str) -> None:
    """Unmute a commenter by author key; NotFound (mute-not-found) when they were not muted."""
    check_text_field(key, "key")
    if len(key) > 40:
        raise BadRequest.invalid_value("key", "An author key is at most 40 characters")
    async with store_engine.write(ctx.engine) as conn:
        if not await reaction_store.delete_mute(conn, reader.id, key):
            raise NotFound("You have not muted this commenter", code="mute-not-found")


async def mutes_of(ctx: Context, reader: Identity) -> list[Mute]:
    async with store_engine.read(ctx.engine) as conn:
        rows = await reaction_store.select_mutes(conn, reader.id)
    return [Mute(key=k, name=n, created=c) for k, n, c in rows]
