"""Images in comments: taking an upload (checked, re-encoded by domain/images.py, stored through media/),
attaching uploads to a new comment, serving one only while its comment is public, and deleting the bytes
of images whose comment was deleted or erased (an outbox handler, `cleanup_route`, and the purge)."""

from __future__ import annotations

import hashlib
import logging
import secrets
import string

import msgspec

from rejoinder.domain import images as rules
from rejoinder.domain.comments import ImageRef
from rejoinder.domain.identity import Identity
from rejoinder.domain.sites import Site
from rejoinder.errors import Forbidden, Invalid, NotFound, Unavailable
from rejoinder.events.kinds import Event, EventKind
from rejoinder.events.outbox import Route
from rejoinder.media.base import NAME, ImageStore
from rejoinder.ratelimit import Action as Limited
from rejoinder.ratelimit import Scope
from rejoinder.services import moderation
from rejoinder.services.context import Context
from rejoinder.store import engine as store_engine
from rejoinder.store import images as store

log = logging.getLogger("rejoinder.images")
US = 1_000_000
_SUFFIX = string.ascii_lowercase + string.digits


class Uploaded(msgspec.Struct, frozen=True):
    id: str  # what the comment's `images` names it by (secret to the uploader until attached)
    name: str
    media_type: str
    width: int
    height: int
    size: int


class Served(msgspec.Struct, frozen=True):
    content: bytes
    media_type: str


class AttachIn(msgspec.Struct, frozen=True):
    id: str
    alt: str | None = None


def storage_of(ctx: Context) -> ImageStore:
    if ctx.images is None:
        raise Unavailable("Images are not available on this server")
    return ctx.images


def limits_for(ctx: Context, site: Site) -> rules.ImageLimits:
    """The site's limits, within the server's ([images] max_upload_bytes and max_pixels)."""
    own, server = site.options.images, ctx.settings.images
    return rules.ImageLimits(
        max_bytes=min(own.max_bytes, server.max_upload_bytes),
        max_side=own.max_side,
        max_pixels=min(own.max_pixels, server.max_pixels),
        max_frames=own.max_frames,
    )


def check_enabled(site: Site) -> None:
    if not site.options.images.enabled:
        raise Forbidden("This site does not take images in comments", code="images-disabled")


def _name(content: bytes, extension: str) -> str:
    """Content hash (the bytes never change under a name: served as immutable) and a random part (two
    uploads of one picture stay two images, each deleted with its own comment)."""
    suffix = "".join(secrets.choice(_SUFFIX) for _ in range(8))
    name = f"{hashlib.sha256(content).hexdigest()[:32]}-{suffix}.{extension}"
    assert NAME.match(name)
    return name


async def upload(
    ctx: Context,
    site: Site,
    data: bytes,
    declared: str | None,
    *,
    ip: str | None,
    reader: Identity | None,
) -> Uploaded:
    """Take one image for a comment still to be written: refused (nothing stored) when the site takes no
    images, the rate limit is reached, or the file is refused by domain/images.reencode; otherwise
    re-encoded, stored, and recorded as waiting to be attached for [images] upload_ttl_seconds."""
    check_enabled(site)
    limits = limits_for(ctx, site)
    rules.check_upload(data, declared, limits)  # the cheap refusals, before the rate limit counts
    await moderation.admit(ctx, Limited.IMAGE, {Scope.IP: ip, Scope.IDENTITY: reader.id if reader else None})
    made = await ctx.cpu.run(rules.reencode, data, declared, limits)
    name = _name(made.data, made.extension)
    image_id = ctx.token(12)
    storage = storage_of(ctx)
    await storage.put(name, made.data, made.media_type)
    try:
        async with store_engine.write(ctx.engine) as conn:
            await store.insert_upload(
                conn,
                image_id=image_id,
                name=name,
                site_id=site.id,
                media_type=made.media_type,
                width=made.width,
                height=made.height,
                frames=made.frames,
                size=len(made.data),
                now=ctx.clock(),
            )
    except BaseException:
        await storage.delete(name)  # nothing stored when the row could not be
        raise
    return Uploaded(
        id=image_id,
        name=name,
        media_type=made.media_type,
        width=made.width,
        height=made.height,
        size=len(made.data),
    )


def check_attachments(site: Site, wanted: list[AttachIn]) -> list[tuple[str, str]]:
    """The (id, alt) pairs a new comment asks for, checked before any database work."""
    if not wanted:
        return []
    check_enabled(site)
    rules.check_count(len(wanted), site.options.images.max_count)
    ids = [w.id for w in wanted]
    if len(set(ids)) != len(ids):
        raise Invalid.field("images", "image-unknown", "An image is attached twice")
    return [(w.id, rules.clean_alt(w.alt)) for w in wanted]


async def attachments(conn: object, site: Site, wanted: list[tuple[str, str]]) -> list[tuple[str, ImageRef]]:
    """The uploads to attach, as the comment will show them, in the writer's order (inside the comment's
    write transaction). An id that is unknown, already attached, expired or of another site is refused."""
    from sqlalchemy.ext.asyncio import AsyncConnection

    assert isinstance(conn, AsyncConnection)
    if not wanted:
        return []
    found = await store.select_uploads(conn, [i for i, _ in wanted])
    out = []
    for image_id, alt in wanted:
        image = found.get(image_id)
        if image is None or image.site_id != site.id:
            raise Invalid.field(
                "images", "image-unknown", "An attached image is unknown or expired; upload it again"
            )
        out.append((image_id, ImageRef(name=image.name, width=image.width, height=image.height, alt=alt)))
    return out


async def served(ctx: Context, name: str) -> Served:
    """An image's bytes, if it may be shown to anyone: attached to a comment that is public now."""
    if not NAME.match(name):
        raise _not_found()
    async with store_engine.read(ctx.engine) as conn:
        image = await store.select_public(conn, name)
    if image is None:
        raise _not_found()
    content = await storage_of(ctx).get(name)
    if content is None:
        log.warning("[rejoinder] image %s is recorded but missing from the %s storage", name, ctx.images)
        raise _not_found()
    return Served(content=content, media_type=image.media_type)


def _not_found() -> NotFound:
    return NotFound("There is no image at this address", code="image-not-found")


async def sweep(ctx: Context, *, stale: bool = False) -> int:
    """Delete the bytes of discarded images, then their rows (each batch: storage first, so a failure leaves
    the row to try again). With `stale`, first discard uploads never attached within [images]
    upload_ttl_seconds and images whose comment is gone. Returns how many were deleted."""
    if ctx.images is None:
        return 0
    if stale:
        before = ctx.clock() - ctx.settings.images.upload_ttl_seconds * US
        async with store_engine.write(ctx.engine) as conn:
            await store.discard_stale(conn, before)
    deleted = 0
    while True:
        async with store_engine.read(ctx.engine) as conn:
            names = await store.select_discarded(conn)
        if not names:
            return deleted
        for name in names:
            await ctx.images.delete(name)
        async with store_engine.write(ctx.engine) as conn:
            await store.delete_rows(conn, names)
        deleted += len(names)


class Cleanup:
    """After a comment is deleted (by its author, a moderator or an erasure), its images stop being
    served in the same transaction (discarded) and their bytes are deleted here. Idempotent: a second
    delivery finds nothing left to delete."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    async def __call__(self, event: Event) -> None:
        if event.kind is EventKind.COMMENT_DELETED and event.subject:
            async with store_engine.write(self.ctx.engine) as conn:
                await store.discard_of_comments(conn, [event.subject])
        await sweep(self.ctx)


def cleanup_route(ctx: Context) -> Route | None:
    if ctx.images is None:
        return None
    kinds = {EventKind.COMMENT_DELETED, EventKind.THREAD_CHANGED}
    return Route(name="image-cleanup", kinds=frozenset(kinds), handler=Cleanup(ctx))
