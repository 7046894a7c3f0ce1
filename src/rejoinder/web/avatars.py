"""GET /api/avatars/{key}: an author's or identity's avatar, served by rejoinder itself (the identicon, a
Gravatar image a site opted in to, or a signed-in reader's picture from their provider); readers' browsers
never contact a third party for it."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from litestar import Request, Response, get
from litestar.params import FromPath

from rejoinder.domain.identity import identicon_svg
from rejoinder.errors import NotFound
from rejoinder.services.avatars import Avatar
from rejoinder.web.wire import IMAGE_RESPONSES, ctx_of

_KEY = re.compile(r"^[0-9a-f]{8,64}(\.svg)?$")
# An avatar can change (a reader signs in with a new picture, a Gravatar appears), always at the same URL:
# browsers and CDNs keep it an hour, then revalidate with the ETag (a 304 without a body when unchanged).
CACHE_CONTROL = "public, max-age=3600"


@get("/api/avatars/{name:str}", summary="An author's avatar", tags=["avatars"], responses=IMAGE_RESPONSES)
async def get_avatar(request: Request[Any, Any, Any], name: FromPath[str]) -> Response[bytes]:
    """The identity's picture from its sign-in provider, or the author's Gravatar image if their site
    opted in, once the server has downloaded it; else the identicon."""
    if not _KEY.match(name):
        raise NotFound("There is no avatar at this address", code="avatar-not-found")
    key = name.removesuffix(".svg")
    avatars = ctx_of(request).avatars
    if avatars is not None:
        avatar = await avatars.image(key)
    else:
        avatar = Avatar(content=identicon_svg(key).encode(), media_type="image/svg+xml")
    etag = f'"{hashlib.sha256(avatar.content).hexdigest()[:24]}"'
    headers = {
        # While a picture for this key is being downloaded, the identicon must not be kept.
        "Cache-Control": CACHE_CONTROL if avatar.settled else "no-cache",
        "ETag": etag,
        "Access-Control-Allow-Origin": "*",
        # Opened as a document (not as an <img>), an avatar runs nothing and belongs to no origin.
        "Content-Security-Policy": "sandbox; default-src 'none'",
        "X-Content-Type-Options": "nosniff",
    }
    if _matches(request.headers.get("if-none-match", ""), etag):
        return Response(content=b"", status_code=304, media_type=avatar.media_type, headers=headers)
    return Response(content=avatar.content, media_type=avatar.media_type, headers=headers)


def _matches(header: str, etag: str) -> bool:
    """RFC 9110 §13.1.2: weak comparison; "*" matches any current representation."""
    tags = [t.strip().removeprefix("W/") for t in header.split(",")]
    return "*" in tags or etag in tags
