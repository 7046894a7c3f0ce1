"""Each site is an actor: its key pair (made once, stored), its documents, WebFinger and NodeInfo; each
article thread and local comment is an object with an id URL that resolves to JSON."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from rejoinder import __version__
from rejoinder.domain.comments import PUBLIC_STATUSES
from rejoinder.domain.sites import Site
from rejoinder.errors import BadRequest, CommentNotFound, NotFound, SiteNotFound
from rejoinder.federation.activitypub import documents as docs
from rejoinder.federation.activitypub.client import Client, Signer
from rejoinder.federation.activitypub.signatures import new_key_pair
from rejoinder.services.context import Context
from rejoinder.services.threads import resolve_ref
from rejoinder.store import activitypub as store
from rejoinder.store import comments as comment_store
from rejoinder.store import engine as store_engine
from rejoinder.store import threads as thread_store


class FederationOff(NotFound):
    default_code = "activitypub-off"
    default_detail = (
        "This server does not take part in the fediverse (activitypub.enabled, server.public_url)"
    )


def base_url(ctx: Context) -> str:
    """The public base URL actors live under; FederationOff when ActivityPub is off or it is not set."""
    base = ctx.settings.server.public_url.rstrip("/")
    if not ctx.settings.activitypub.enabled or not base:
        raise FederationOff()
    return base


def urls_for(ctx: Context, site: Site) -> docs.Urls:
    return docs.Urls(base=base_url(ctx), site=site.name)


def client_for(ctx: Context) -> Client:
    s = ctx.settings.activitypub
    return Client(
        timeout=s.timeout_seconds,
        allow_private=s.allow_private,
        clock=ctx.clock,
        user_agent=f"rejoinder/{__version__} (+{ctx.settings.server.public_url})",
    )


def when(us: int) -> str:
    return datetime.fromtimestamp(us / 1_000_000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


async def site_named(ctx: Context, name: str) -> Site:
    base_url(ctx)
    site = await ctx.sites.by_name(name)
    if site is None:
        raise SiteNotFound.named(name)
    return site


async def site_key(ctx: Context, site: Site) -> store.SiteKey:
    """The site actor's key pair, made and stored the first time it is needed."""
    async with store_engine.read(ctx.engine) as conn:
        found = await store.select_site_key(conn, site.id)
    if found is not None:
        return found
    public, private = await ctx.cpu.run(new_key_pair)
    async with store_engine.write(ctx.engine) as conn:
        await store.insert_site_key(conn, store.SiteKey(site.id, public, private), now=ctx.clock())
        found = await store.select_site_key(conn, site.id)
    assert found is not None
    return found


async def signer_for(ctx: Context, site: Site) -> Signer:
    key = await site_key(ctx, site)
    return Signer(key_id=urls_for(ctx, site).key_id, private_pem=key.private_pem)


async def webfinger(ctx: Context, resource: str | None) -> dict[str, Any]:
    """`acct:SITE@HOST` (HOST: server.public_url's) or the actor's URL → the JRD that names the actor."""
    base = base_url(ctx)
    if not resource or len(resource) > 2048:
        raise BadRequest.invalid_value("resource", "Give resource=acct:SITE@HOST")
    name: str | None = None
    if resource.startswith("acct:"):
        user, _, host = resource[5:].lstrip("@").rpartition("@")
        if host.lower() == docs.host_of(base).lower():
            name = user
    elif resource.startswith(base + "/ap/sites/"):
        name = resource[len(base) + 10 :]
    site = await ctx.sites.by_name(name) if name else None
    if site is None:
        raise NotFound("No actor on this server has that name", code="actor-not-found")
    return docs.webfinger(urls_for(ctx, site))


async def actor_document(ctx: Context, name: str) -> dict[str, Any]:
    site = await site_named(ctx, name)
    key = await site_key(ctx, site)
    home = next(iter(sorted(site.origins)), None)
    return docs.actor(
        urls_for(ctx, site),
        public_pem=key.public_pem,
        name=site.name,
        summary=f"Comments on {home or site.name}, by rejoinder. Reply to an article to comment.",
        url=home,
    )


async def followers_document(ctx: Context, name: str) -> dict[str, Any]:
    site = await site_named(ctx, name)
    async with store_engine.read(ctx.engine) as conn:
        total = await store.count_followers(conn, site.id)
    return docs.collection(urls_for(ctx, site).followers, total)


async def outbox_document(ctx: Context, name: str) -> dict[str, Any]:
    site = await site_named(ctx, name)
    return docs.collection(urls_for(ctx, site).outbox, 0)


async def nodeinfo(ctx: Context) -> dict[str, Any]:
    base_url(ctx)
    sites = await ctx.sites.all()
    return docs.nodeinfo(__version__, sites=len(sites), posts=0)


async def article_document(ctx: Context, name: str, url: str | None) -> dict[str, Any]:
    """The object an article thread is (it exists before its first comment: its id names the URL)."""
    site = await site_named(ctx, name)
    if not url:
        raise BadRequest.invalid_value("url", "Give the article's url")
    ref = await resolve_ref(ctx, url=url, key=None, site=site.name)
    assert ref.uri is not None
    async with store_engine.read(ctx.engine) as conn:
        thread = await thread_store.select_thread(conn, site.id, uri=ref.uri, key=None)
    return docs.article(
        urls_for(ctx, site),
        ref.uri,
        title=thread.title if thread else None,
        replies=thread.comment_count if thread else 0,
        published=None,
    )


async def object_of_comment(ctx: Context, conn: Any, comment_id: str) -> str | None:
    """The ActivityPub id of a comment: the remote Note it came from, else its own URL here."""
    found = await store.select_object(conn, comment_id=comment_id)
    if found is not None:
        return found.uri
    return f"{base_url(ctx)}/ap/comments/{comment_id}"


async def comment_document(
    ctx: Context, comment_id: str, *, mentions: list[str] | None = None
) -> dict[str, Any]:
    """A local public comment as a Note from its site's actor, in reply to its parent or the article."""
    base_url(ctx)
    async with store_engine.read(ctx.engine) as conn:
        found = await comment_store.select_comment(conn, comment_id)
        if found is None or found[0].status not in PUBLIC_STATUSES:
            raise CommentNotFound()
        comment = found[0]
        if await store.select_object(conn, comment_id=comment.id) is not None:
            raise CommentNotFound("This comment came from the fediverse; ask its own server")
        thread = await thread_store.select_thread_by_id(conn, comment.thread_id)
        assert thread is not None
        site = await ctx.sites.by_id(thread.site_id)
        urls = urls_for(ctx, site)
        if comment.parent is not None:
            parent = await object_of_comment(ctx, conn, comment.parent)
            assert parent is not None
        elif thread.uri is not None:
            parent = urls.article(thread.uri)
        else:
            parent = urls.actor
    return docs.note(
        urls,
        comment.id,
        html=comment.html,
        author=comment.author.name,
        in_reply_to=parent,
        page=thread.uri,
        published=when(comment.created),
        updated=when(comment.edited) if comment.edited else None,
        mentions=mentions or [],
    )


def local_target(ctx: Context, url: str) -> tuple[str, str] | None:
    """What one of our object URLs names: ("article", "SITE\\nURL"), ("comment", ID), ("actor", SITE)."""
    try:
        base = base_url(ctx)
    except FederationOff:
        return None
    if not url.startswith(base + "/ap/"):
        return None
    parts = urlsplit(url)
    path = parts.path[len(urlsplit(base).path) :]
    pieces = path.strip("/").split("/")
    if len(pieces) == 3 and pieces[:2] == ["ap", "comments"]:
        return ("comment", unquote(pieces[2]))
    if len(pieces) >= 3 and pieces[:2] == ["ap", "sites"]:
        site = unquote(pieces[2])
        if len(pieces) == 3:
            return ("actor", site)
        if len(pieces) == 4 and pieces[3] == "article":
            article = parse_qs(parts.query).get("url", [""])[0]
            return ("article", f"{site}\n{article}") if article else None
    return None
