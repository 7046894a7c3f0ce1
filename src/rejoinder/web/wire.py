"""Wire types shared by several routers (the comment object) and the request helpers every handler uses."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import msgspec
from litestar import Request
from litestar.openapi.datastructures import ResponseSpec

from rejoinder.domain.comments import Comment, CommentStatus
from rejoinder.domain.sites import Site, SiteGuard, guards
from rejoinder.errors import OriginNotAllowed, PayloadTooLarge
from rejoinder.ratelimit import client_address
from rejoinder.services.accounts import SignedIn
from rejoinder.services.context import Context
from rejoinder.services.moderation import moderation_of
from rejoinder.services.threads import ThreadRef
from rejoinder.web.guard import own_origins, refuse_opaque_origin

# The OpenAPI answer of the routes that send an image's bytes (avatars, images attached to comments).
IMAGE_RESPONSES = {200: ResponseSpec(data_container=bytes, media_type="image/*", description="The image")}


class AuthorOut(msgspec.Struct):
    name: str
    website: str | None
    avatar: str


class ImageRefOut(msgspec.Struct):
    """An image attached to a comment: shown with its width, height and text alternative."""

    url: str
    width: int
    height: int
    alt: str


class CommentOut(msgspec.Struct):
    id: str
    parent: str | None
    text: str
    html: str
    author: AuthorOut
    created: str
    edited: str | None
    status: str
    likes: int
    deleted: bool
    depth: int
    staff: bool  # written by a moderator or admin of the site (the widget shows a badge)
    pinned: bool  # a moderator pinned it; pinned top-level comments come first (docs/api.md)
    featured: bool  # a moderator featured it (the widget shows a marker)
    # A moderator changed its text (the desk): "edited by a moderator", with their public note if any.
    moderator_edited: bool
    moderator_note: str | None
    # Attached images (docs/embedding.md#images); left out when there are none.
    images: list[ImageRefOut] | msgspec.UnsetType = msgspec.UNSET


class TopLevelCommentOut(CommentOut):
    """A top-level comment in GET /api/threads: the comment object plus `more_replies`, how many replies of
    its conversation the page leaves out (0 when none; docs/api.md, "Bounds"). Replies never carry it."""

    more_replies: int | msgspec.UnsetType = msgspec.UNSET


def rfc3339(us: int) -> str:
    return datetime.fromtimestamp(us / 1_000_000, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def public_base(ctx: Context) -> str:
    """`server.public_url` without its final slash, or "" when it is not set: links are then paths on
    rejoinder's own origin. Never taken from a request's Host header: a client chooses that header, and a
    page or fragment built from it may be cached and served to everyone (issue #10)."""
    return ctx.settings.server.public_url.rstrip("/")


def avatar_url(ctx: Context, key: str) -> str:
    return f"{public_base(ctx)}/api/avatars/{key}"


def image_url(ctx: Context, name: str) -> str:
    return f"{public_base(ctx)}/api/images/{name}"


def comment_out(ctx: Context, c: Comment) -> CommentOut:
    return build_comment(c, avatar_url(ctx, ""), rfc3339)


def build_comment(
    c: Comment,
    avatar_base: str,
    ts: Callable[[int], str],
    more_replies: int | msgspec.UnsetType = msgspec.UNSET,
) -> CommentOut:
    """A comment as clients see it: a deleted one keeps only its place in the thread. `avatar_base` is
    `{public_url}/api/avatars/`; `ts` formats timestamps (web/fragments.py passes its cached formatter);
    `more_replies`, for a top-level comment in a thread read, makes it a TopLevelCommentOut."""
    deleted = c.status is CommentStatus.DELETED
    a = c.author
    # Positional, in CommentOut's field order: ~2x faster than keywords, which counts at 1,000 comments a
    # read (tests/web/test_fragments.py checks each field lands where it belongs).
    fields = (
        c.id,
        c.parent,
        "" if deleted else c.text,
        "" if deleted else c.html,
        AuthorOut(name="", website=None, avatar="")
        if deleted
        else AuthorOut(name=a.name, website=a.website, avatar=avatar_base + a.key),
        ts(c.created),
        ts(c.edited) if c.edited else None,
        c.status.value,
        c.likes,
        deleted,
        c.depth,
        False if deleted else c.staff,
        False if deleted else c.pinned,
        False if deleted else c.featured,
        False if deleted else c.moderator_edited is not None,
        None if deleted else c.moderator_note,
        _images(c, avatar_base) if c.images and not deleted else msgspec.UNSET,
    )
    if more_replies is msgspec.UNSET:
        return CommentOut(*fields)
    return TopLevelCommentOut(*fields, more_replies)


def _images(c: Comment, avatar_base: str) -> list[ImageRefOut]:
    base = avatar_base.removesuffix("avatars/") + "images/"  # both under {public_url}/api/
    return [ImageRefOut(url=base + i.name, width=i.width, height=i.height, alt=i.alt) for i in c.images]


def ctx_of(request: Request[Any, Any, Any]) -> Context:
    ctx: Context = request.app.state["ctx"]
    return ctx


def client_ip(request: Request[Any, Any, Any]) -> str | None:
    """The client's address: the peer's, or from Forwarded / X-Forwarded-For when the peer is one of
    [moderation] trusted_proxies (ratelimit.client_address)."""
    peer = request.client.host if request.client else None
    return client_address(peer, request.headers, moderation_of(ctx_of(request)).proxies)


async def read_body(
    request: Request[Any, Any, Any], limit: int, too_large: str, code: str | None = None
) -> bytes:
    """The request body, refused (413, `too_large` as the detail) when its declared length passes `limit`
    bytes or as soon as what is read does: nothing more is read."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(too_large, code=code)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise PayloadTooLarge(too_large, code=code)
    return bytes(body)


def origin_guard(request: Request[Any, Any, Any]) -> SiteGuard | None:
    """The Origin check for a site that is known only later (a comment's, found by its id): a guard that
    refuses a browser request from a page the site does not allow, or None when nothing needs checking (no
    Origin header, as from servers and scripts; rejoinder's own pages, known from server.public_url and
    never from the request's Host). An opaque "null" origin is refused at once: it proves nothing about the
    page (web/guard.py refuses it before any handler too)."""
    origin = request.headers.get("origin")
    refuse_opaque_origin(origin)
    if not origin or origin in own_origins(ctx_of(request), request.scope):
        return None

    def guard(site: Site) -> None:
        if origin not in site.origins:
            raise OriginNotAllowed(
                f"Pages on {origin} may not post to site {site.name!r}; add the origin to the site"
            )

    return guard


def comment_guard(request: Request[Any, Any, Any], signed: SignedIn | None) -> SiteGuard | None:
    """The checks of a write to a comment found by its id, run once its site is known: the page's Origin
    (`origin_guard`), then the session's site (`SignedIn.check_site`) when a reader is signed in."""
    return guards(origin_guard(request), signed.check_site if signed else None)


def check_origin(request: Request[Any, Any, Any], ref: ThreadRef) -> None:
    """A browser request from a page the site does not allow is refused (the URL check alone can be forged)."""
    guard = origin_guard(request)
    if guard is not None:
        guard(ref.site)
