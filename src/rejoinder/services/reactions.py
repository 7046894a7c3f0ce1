"""Reactions to an article and to comments (one of each kind per reader, undoable), and muting another
commenter (a signed-in reader's own list, applied by the widget: the shared thread never changes)."""

from __future__ import annotations

import msgspec

from rejoinder.domain.comments import PUBLIC_STATUSES, comment_not_found, hide_other_sites
from rejoinder.domain.identity import Identity, author_key, identity_avatar_key, identity_liker, visitor_hash
from rejoinder.domain.likes import check_visitor
from rejoinder.domain.reactions import ReactionResult, check_mute, check_reaction
from rejoinder.domain.sites import SiteGuard
from rejoinder.domain.urls import check_text_field
from rejoinder.errors import BadRequest, NotFound, UrlRequired
from rejoinder.events.kinds import EventKind
from rejoinder.services.context import Context
from rejoinder.services.likes import clean_name
from rejoinder.services.threads import ThreadRef, event_thread
from rejoinder.store import comments as comment_store
from rejoinder.store import engine as store_engine
from rejoinder.store import reactions as reaction_store
from rejoinder.store import threads as thread_store
from rejoinder.store.reactions import ARTICLE


def _reactor(ctx: Context, visitor: str | None, reader: Identity | None) -> str:
    # The same keyed hashes as likes: a signed-in reader's reactions follow the identity to every device.
    if reader is None:
        return visitor_hash(ctx.id_key, check_visitor(visitor))
    return identity_liker(ctx.id_key, reader.id)


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
    reactor = _reactor(ctx, visitor, reader)
    shown = (
        clean_name(ctx, name) if reader is None else (reader.display_name if reader.show_in_likes else None)
    )
    now = ctx.clock()
    async with store_engine.write(ctx.engine) as conn:
        thread = await thread_store.select_thread(conn, ref.site.id, uri=ref.uri, key=ref.key)
        if thread is None:
            if not on:
                return ReactionResult(reacted=False, count=0)
            if ref.uri is None:
                raise UrlRequired.at("url", "A new discussion needs the article's `url`")
            thread = await thread_store.insert_thread(
                conn, ref.site.id, uri=ref.uri, key=ref.key, title=title, now=now
            )
        if on:
            if reader is None:
                avatar = author_key(
                    ctx.id_key, ref.site.id, email=None, name=shown or "", visitor=check_visitor(visitor)
                )
            else:
                avatar = identity_avatar_key(ctx.id_key, reader.id)
            changed = await reaction_store.insert_reaction(
                conn,
                thread.id,
                ARTICLE,
                kind,
                reactor,
                name=shown,
                avatar_key=avatar if shown else None,
                now=now,
                identity_id=reader.id if reader else None,
            )
        else:
            changed = await reaction_store.delete_reaction(conn, thread.id, ARTICLE, kind, reactor)
        count = await reaction_store.count_reaction(conn, thread.id, ARTICLE, kind)
        event = None
        if changed:
            event = await ctx.outbox.add(
                conn,
                EventKind.REACTION_ADDED if on else EventKind.REACTION_REMOVED,
                thread=event_thread(thread),
                data={"target": "article", "reaction": kind, "count": count},
            )
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
    reactor = _reactor(ctx, visitor, reader)
    now = ctx.clock()
    async with store_engine.write(ctx.engine) as conn:
        found = await comment_store.select_comment(conn, comment_id)
        if found is None or found[0].status not in PUBLIC_STATUSES:
            raise comment_not_found()  # unknown, deleted and held answer alike
        comment = found[0]
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
        if on:
            changed = await reaction_store.insert_reaction(
                conn,
                thread.id,
                comment.id,
                kind,
                reactor,
                name=None,
                avatar_key=None,
                now=now,
                identity_id=reader.id if reader else None,
            )
        else:
            changed = await reaction_store.delete_reaction(conn, thread.id, comment.id, kind, reactor)
        count = await reaction_store.count_reaction(conn, thread.id, comment.id, kind)
        event = None
        if changed:
            event = await ctx.outbox.add(
                conn,
                EventKind.REACTION_ADDED if on else EventKind.REACTION_REMOVED,
                thread=event_thread(thread),
                subject=comment.id,
                data={"target": "comment", "reaction": kind, "count": count},
            )
    ctx.outbox.committed(event)
    return ReactionResult(reacted=on, count=count)


class Mute(msgspec.Struct, frozen=True):
    key: str  # the muted commenter's author key (the last part of their avatar URL)
    name: str
    created: int


async def mute_author_of(ctx: Context, reader: Identity, comment_id: str) -> Mute:
    """Mute the author of a public comment for this reader (idempotent)."""
    check_text_field(comment_id, "comment")
    now = ctx.clock()
    async with store_engine.write(ctx.engine) as conn:
        found = await comment_store.select_comment(conn, comment_id)
        if found is None or found[0].status not in PUBLIC_STATUSES:
            raise comment_not_found()
        author = found[0].author
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
