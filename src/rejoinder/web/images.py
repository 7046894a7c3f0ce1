"""POST /api/images: a reader uploads one image to attach to the comment they are writing (the body is the
file itself, sent as image/jpeg, image/png, image/webp or image/gif); GET /api/images/{name}: an attached
image of a public comment, from rejoinder's own URL, cached for a year (the name holds the content's hash)."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath

from rejoinder.errors import Forbidden
from rejoinder.services import images as service
from rejoinder.services.accounts import on_site, optional_reader
from rejoinder.web.params import THREAD, AuthHeader, ThreadQuery
from rejoinder.web.wire import IMAGE_RESPONSES, check_origin, client_ip, ctx_of, image_url, read_body

# An image's bytes never change under its name (content hash + random part): browsers and CDNs keep it.
CACHE_CONTROL = "public, max-age=31536000, immutable"


class ImageOut(msgspec.Struct):
    id: str  # what POST /api/comments lists in `images` to attach it
    url: str  # where it will be served once its comment is public
    type: str
    width: int
    height: int
    size: int


@post(
    "/api/images",
    summary="Upload an image for a comment",
    tags=["images"],
    status_code=201,
    dependencies=THREAD,
    request_max_body_size=None,  # read by read_body with the site's own limit
    opt={"image_upload": True},
)
async def upload_image(
    request: Request[Any, Any, Any],
    *,
    authorization: AuthHeader = None,
    thread: NamedDependency[ThreadQuery],
) -> ImageOut:
    """The body is the image file, with its Content-Type (image/jpeg, image/png, image/webp or image/gif),
    for the thread named by `url` (or `key` and `site`). The server decodes it and writes it anew (no
    metadata, orientation applied); the answer's `id` goes in the comment's `images` within
    [images] upload_ttl_seconds. The image is not shown to anyone until its comment is public."""
    ctx = ctx_of(request)
    ref = await thread.resolve(ctx)
    check_origin(request, ref)
    service.check_enabled(ref.site)
    signed = await optional_reader(ctx, authorization)
    reader = on_site(signed, ref.site)
    if reader is None and not ref.site.options.allow_guests:
        raise Forbidden(
            "This site does not accept guest comments; sign in to comment", code="guests-disabled"
        )
    limit = service.limits_for(ctx, ref.site).max_bytes
    data = await read_body(request, limit, f"An image may have at most {limit} bytes", code="image-too-large")
    made = await service.upload(
        ctx,
        ref.site,
        data,
        request.headers.get("content-type"),
        ip=client_ip(request),
        reader=reader,
    )
    return ImageOut(
        id=made.id,
        url=image_url(ctx, made.name),
        type=made.media_type,
        width=made.width,
        height=made.height,
        size=made.size,
    )


@get(
    "/api/images/{name:str}",
    summary="An image attached to a comment",
    tags=["images"],
    responses=IMAGE_RESPONSES,
)
async def get_image(request: Request[Any, Any, Any], name: FromPath[str]) -> Response[bytes]:
    """The image, while its comment is public (404 for a held, rejected, spam or deleted comment's)."""
    found = await service.served(ctx_of(request), name)
    etag = f'"{name.split(".")[0]}"'
    headers = {
        "Cache-Control": CACHE_CONTROL,
        "ETag": etag,
        "Access-Control-Allow-Origin": "*",
        # Opened as a document rather than shown by an <img>, the file runs nothing and has no origin.
        "Content-Security-Policy": "sandbox; default-src 'none'",
        "X-Content-Type-Options": "nosniff",
        "Cross-Origin-Resource-Policy": "cross-origin",
    }
    if etag in request.headers.get("if-none-match", ""):
        return Response(content=b"", status_code=304, media_type=found.media_type, headers=headers)
    return Response(content=found.content, media_type=found.media_type, headers=headers)


ROUTES = [upload_image, get_image]
