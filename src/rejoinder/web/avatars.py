"""GET /api/avatars/{key}.svg: the identicon for an opaque author key (no third party is contacted)."""

from __future__ import annotations

import re

from litestar import Response, get
from litestar.params import FromPath

from rejoinder.domain.identity import identicon_svg
from rejoinder.errors import NotFound

_KEY = re.compile(r"^[0-9a-f]{8,64}\.svg$")


@get("/api/avatars/{name:str}", summary="An author's avatar", tags=["avatars"])
async def get_avatar(name: FromPath[str]) -> Response[bytes]:
    if not _KEY.match(name):
        raise NotFound("There is no avatar at this address", code="avatar-not-found")
    return Response(
        content=identicon_svg(name.removesuffix(".svg")).encode(),
        media_type="image/svg+xml",
        headers={
            "Cache-Control": "public, max-age=604800, immutable",
            "Access-Control-Allow-Origin": "*",
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
        },
    )
