"""GET /api/avatars/{key}.svg: the identicon for an opaque author key (no third party is contacted)."""

from __future__ import annotations

import re
from typing import Any

from litestar import Request, Response, get
from litestar.params import FromPath

from rejoinder.domain.identity import identicon_svg
from rejoinder.errors import NotFound
from rejoinder.web.wire import ctx_of

_KEY = re.compile(r"^[0-9a-f]{8,64}(\.svg)?$")


@get("/api/avatars/{name:str}", summary="An author's avatar", tags=["avatars"])
async def get_avatar(request: Request[Any, Any, Any], name: FromPath[str]) -> Response[bytes]:
    """The author's Gravatar image if their site opted in and one was found, else their identicon."""
    if not _KEY.match(name):
        raise NotFound("There is no avatar at this address", code="avatar-not-found")
    key = name.removesuffix(".svg")
    avatars = ctx_of(request).avatars
    if avatars is not None:
        content, media_type = await avatars.image(key)
    else:
        content, media_type = identicon_svg(key).encode(), "image/svg+xml"
    return Response(
        content=content,
        media_type=media_type,
        headers={
            "Cache-Control": "public, max-age=86400",
            "Access-Control-Allow-Origin": "*",
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
        },
    )
