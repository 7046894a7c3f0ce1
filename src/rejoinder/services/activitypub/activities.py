"""What an accepted activity does, run by the outbox after the inbox answered 202 (the `activitypub-inbox`
route): a `Create` of a Note in reply to an article (or a reply under it) becomes a comment through the
moderation pipeline, posted as the remote actor's identity (its name, profile link and avatar, fetched
by rejoinder: readers never load remote media); `Update` and `Delete` change or remove it; `Like` counts;
`Follow` of a site actor is accepted (a signed Accept goes back); `Undo` takes a Follow or Like back.
Each step is idempotent: a redelivered event changes nothing twice."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urldefrag

import msgspec
from sqlalchemy.ext.asyncio import AsyncConnection

from rejoinder.domain.comments import Comment
from rejoinder.domain.identity import Credential, CredentialKind, Identity, clean_display_name
from rejoinder.domain.urls import origin_of
from rejoinder.errors import RejoinderError
from rejoinder.events.kinds import Event, EventKind
from rejoinder.events.outbox import Route
from rejoinder.federation.activitypub import documents as docs
from rejoinder.services import comments as comment_service
from rejoinder.services import likes as like_service
from rejoinder.services.activitypub.actors import (
    base_url,
    client_for,
    local_target,
    signer_for,
    site_named,
    urls_for,
)
from rejoinder.services.activitypub.inbox import domain_of
from rejoinder.services.avatars import fetch_identity_picture
from rejoinder.services.context import Context
from rejoinder.services.threads import ThreadRef, article_url, resolve_ref
from rejoinder.store import activitypub as store
from rejoinder.store import comments as comment_store
from rejoinder.store import engine as store_engine
from rejoinder.store import identities as identity_store
from rejoinder.store import threads as thread_store

log = logging.getLogger("rejoinder.activitypub")
NAME = "activitypub-inbox"


class AlreadyStored(Exception):
    """The Note being stored is stored already (another delivery of it): its comment is rolled back."""


class Target(msgspec.Struct, frozen=True):
    """Where a reply or like lands: the thread, and the comment under it (None: the article)."""

    ref: ThreadRef
    comment_id: str | None


async def _target(ctx: Context, url: str | None) -> Target | None:
    """Our article or comment that `url` names, or a remote Note that became one of our comments."""
    if not url:
        return None
    local = local_target(ctx, url)
    async with store_engine.read(ctx.engine) as conn:
        if local is not None and local[0] == "article":
            site_name, article = local[1].split("\n", 1)
            site = await site_named(ctx, site_name)
            return Target(await resolve_ref(ctx, url=article, key=None, site=site.name), None)
        comment_id: str | None = None
        if local is not None and local[0] == "comment":
            comment_id = local[1]
        elif local is None:
            remote = await store.select_object(conn, uri=url)
            comment_id = remote.comment_id if remote else None
        if comment_id is None:
            return None
        found = await comment_store.select_comment(conn, comment_id)
        if found is None:
            return None
        thread = await thread_store.select_thread_by_id(conn, found[0].thread_id)
    if thread is None:
        return None
    site = await ctx.sites.by_id(thread.site_id)
    return Target(ThreadRef(site=site, uri=thread.uri, key=thread.key), comment_id)


async def _same_article(ctx: Context, actor: store.RemoteActor, note: dict[str, Any]) -> Target | None:
    """A Note that answers its own server's object for an article this server serves too (another
    rejoinder federating with this one, whose site actor this site follows): it joins this server's thread
    of that article. The article is the Note's `url` without its fragment (rejoinder's Notes carry
    `ARTICLE#comment-ID`); only a reply to an object on the author's own server counts."""
    in_reply_to = docs.id_of(note.get("inReplyTo"))
    page = docs.first_url(note.get("url"), allow_http=ctx.settings.activitypub.allow_private)
    if not in_reply_to or not page or domain_of(in_reply_to) != actor.domain:
        return None
    try:
        article = article_url(ctx, urldefrag(page)[0])
        site = await ctx.sites.by_origin(origin_of(article))
        if site is None:
            return None
        return Target(await resolve_ref(ctx, url=article, key=None, site=site.name), None)
    except RejoinderError:
        return None


async def identity_of(ctx: Context, actor: store.RemoteActor) -> Identity:
    """The identity a remote actor's comments and likes are made as (made on first need): it can be banned
    like any other, and /admin shows where it comes from (its credential: @user@host)."""
    async with store_engine.write(ctx.engine) as conn:
        if actor.identity_id is not None:
            found = await identity_store.select_identity(conn, actor.identity_id)
            if found is not None:
                return found
        now = ctx.clock()
        limits = ctx.settings.comments
        profile = actor.profile_url or actor.uri
        identity = Identity(
            id=ctx.token(12),
            display_name=clean_display_name(actor.name, max_length=limits.max_name_length),
            email=None,
            profile_url=profile if profile and len(profile) <= limits.max_url_length else None,
            show_in_likes=False,
            created=now,
        )
        await identity_store.insert_identity(conn, identity)
        await identity_store.insert_credential(
            conn,
            Credential(
                identity_id=identity.id,
                kind=CredentialKind.ACTIVITYPUB,
                provider=actor.domain,
                subject=actor.uri,
                label=actor.handle,
                email=None,
                email_verified=False,
                created=now,
            ),
        )
        await store.set_actor_identity(conn, actor.id, identity.id)
    return identity


class Process:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    async def __call__(self, event: Event) -> None:
        activity = event.data.get("activity")
        actor_uri = event.data.get("actor")
        if not isinstance(activity, dict) or not isinstance(actor_uri, str):
            return
        ctx = self.ctx
        async with store_engine.read(ctx.engine) as conn:
            actor = await store.select_actor(conn, uri=actor_uri)
            if actor is None or await store.is_blocked(conn, actor.domain):
                return
        kind = activity.get("type")
        obj = activity.get("object")
        try:
            if kind == "Create" and isinstance(obj, dict) and obj.get("type") in ("Note", "Article"):
                await self.create(actor, obj)
            elif kind == "Update" and isinstance(obj, dict):
                await self.update(actor, obj)
            elif kind == "Delete":
                await self.delete(actor, docs.id_of(obj))
            elif kind == "Like":
                await self.like(actor, docs.id_of(obj), like=True)
            elif kind == "Follow":
                await self.follow(actor, activity, docs.id_of(obj))
            elif kind == "Undo" and isinstance(obj, dict):
                if obj.get("type") == "Follow":
                    await self.unfollow(actor, docs.id_of(obj.get("object")))
                elif obj.get("type") == "Like":
                    await self.like(actor, docs.id_of(obj.get("object")), like=False)
        except (
            RejoinderError
        ) as exc:  # refused on its merits (too long, a ban, a closed thread…): not retried
            log.info("[rejoinder] activitypub: %s from %s not taken: %s", kind, actor.domain, exc.code)

    async def create(self, actor: store.RemoteActor, note: dict[str, Any]) -> None:
        ctx = self.ctx
        uri = docs.http_url(note.get("id"), allow_http=ctx.settings.activitypub.allow_private)
        if uri is None or docs.id_of(note.get("attributedTo")) != actor.uri:
            return
        if domain_of(uri) != actor.domain:
            return  # a Note is created on its author's own server
        async with store_engine.read(ctx.engine) as conn:
            if await store.select_object(conn, uri=uri) is not None:
                return  # a redelivery
        target = await _target(ctx, docs.id_of(note.get("inReplyTo"))) or await _same_article(
            ctx, actor, note
        )
        if target is None:
            return  # not a reply to anything of ours
        content = note.get("content")
        text = docs.note_text(content if isinstance(content, str) else "")
        identity = await identity_of(ctx, actor)
        page = docs.first_url(note.get("url"), allow_http=ctx.settings.activitypub.allow_private)

        async def link(conn: AsyncConnection, comment: Comment) -> None:
            # The comment and the Note it is are stored in one transaction: a crash in between cannot leave
            # a comment that a redelivery would make again; of two deliveries at once, one stores it.
            remote = store.RemoteObject(uri, comment.id, actor.id, comment.thread_id, page)
            if not await store.insert_object(conn, remote, now=ctx.clock()):
                raise AlreadyStored()

        try:
            await comment_service.post_comment(
                ctx,
                target.ref,
                comment_service.NewComment(
                    text=text,
                    parent=target.comment_id,
                    name=None,
                    email=None,
                    website=None,
                    title=None,
                    confirm=True,
                ),
                visitor=None,
                ip=None,
                reader=identity,
                link=link,
            )
        except (AlreadyStored, RejoinderError):
            # Another delivery of the same Note may have stored it after this one looked: its link then
            # fails (AlreadyStored, or a Conflict on the unique key), or, when it committed before this one
            # was judged, the "repeats" check refuses this copy as the same author's same text.
            async with store_engine.read(ctx.engine) as conn:
                if await store.select_object(conn, uri=uri) is not None:
                    return
            raise
        if actor.icon_url:
            await fetch_identity_picture(ctx, identity.id, target.ref.site.id, actor.icon_url, changed=True)

    async def _own(self, actor: store.RemoteActor, uri: str | None) -> store.RemoteObject | None:
        if not uri:
            return None
        async with store_engine.read(self.ctx.engine) as conn:
            found = await store.select_object(conn, uri=uri)
        return found if found is not None and found.actor_id == actor.id else None

    async def update(self, actor: store.RemoteActor, note: dict[str, Any]) -> None:
        found = await self._own(actor, docs.id_of(note.get("id")))
        if found is None:
            return
        content = note.get("content")
        text = docs.note_text(content if isinstance(content, str) else "")
        await comment_service.replace_text(self.ctx, found.comment_id, text)

    async def delete(self, actor: store.RemoteActor, uri: str | None) -> None:
        found = await self._own(actor, uri)
        if found is not None:
            await comment_service.remove_comment(self.ctx, found.comment_id, by="remote")

    async def like(self, actor: store.RemoteActor, uri: str | None, *, like: bool) -> None:
        target = await _target(self.ctx, uri)
        if target is None:
            return
        identity = await identity_of(self.ctx, actor)
        if target.comment_id is None:
            await like_service.like_thread(self.ctx, target.ref, visitor=None, like=like, reader=identity)
        else:
            await like_service.like_comment(
                self.ctx, target.comment_id, visitor=None, like=like, reader=identity
            )

    async def follow(self, actor: store.RemoteActor, activity: dict[str, Any], obj: str | None) -> None:
        ctx = self.ctx
        local = local_target(ctx, obj or "")
        follow_id = docs.id_of(activity.get("id"))
        if local is None or local[0] != "actor" or not follow_id:
            return
        site = await site_named(ctx, local[1])
        async with store_engine.write(ctx.engine) as conn:
            await store.insert_follower(conn, site.id, actor.id, follow_id, ctx.clock())
        urls = urls_for(ctx, site)
        accept = docs.wrap(
            urls,
            "Accept",
            {"id": follow_id, "type": "Follow", "actor": actor.uri, "object": urls.actor},
            id_=f"{urls.actor}#accepts/{ctx.token(12)}",
            to=[actor.uri],
        )
        await client_for(ctx).post(
            actor.inbox, accept, signer=await signer_for(ctx, site)
        )  # retried on failure

    async def unfollow(self, actor: store.RemoteActor, obj: str | None) -> None:
        local = local_target(self.ctx, obj or "")
        if local is None or local[0] != "actor":
            return
        site = await site_named(self.ctx, local[1])
        async with store_engine.write(self.ctx.engine) as conn:
            await store.delete_follower(conn, site.id, actor.id)


def inbox_route(ctx: Context) -> Route | None:
    if not ctx.settings.activitypub.enabled or not ctx.settings.server.public_url:
        return None
    base_url(ctx)
    return Route(name=NAME, kinds=frozenset({EventKind.ACTIVITY_RECEIVED}), handler=Process(ctx))
