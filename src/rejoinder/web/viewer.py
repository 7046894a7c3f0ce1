"""GET /api/viewer: what is particular to this reader of a thread. Never cached by shared caches."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request, Response, get
from litestar.params import FromQuery, HeaderParameter

from rejoinder.services import viewer as service
from rejoinder.services.accounts import optional_reader
from rejoinder.services.threads import resolve_ref
from rejoinder.web.wire import CommentOut, comment_out, ctx_of

VisitorHeader = Annotated[str | None, HeaderParameter(name="Rejoinder-Visitor")]
AuthHeader = Annotated[str | None, HeaderParameter(name="Authorization")]


class ViewerOut(msgspec.Struct):
    liked_thread: bool
    liked: list[str]
    own: list[CommentOut]


@get("/api/viewer", summary="This reader's state", tags=["threads"])
async def get_viewer(
    request: Request[Any, Any, Any],
    visitor: VisitorHeader = None,
    authorization: AuthHeader = None,
    url: FromQuery[str | None] = None,
    key: FromQuery[str | None] = None,
    site: FromQuery[str | None] = None,
) -> Response[ViewerOut]:
    """Whether this visitor liked the article, which comments they liked, and their own comments that
    are not public (held for moderation)."""
    ctx = ctx_of(request)
    ref = await resolve_ref(ctx, url=url, key=key, site=site)
    signed = await optional_reader(ctx, authorization)
    state = await service.viewer_state(ctx, ref, visitor=visitor, reader=signed.identity if signed else None)
    out = ViewerOut(
        liked_thread=state.liked_thread, liked=state.liked, own=[comment_out(ctx, c) for c in state.own]
    )
    return Response(
        out,
        headers={
            "Cache-Control": "private, no-store",
            "Vary": "Rejoinder-Visitor, Authorization",
        },  # CORS adds Origin
    )
