"""POST /api/warnings/{id}/acknowledge: a commenter acknowledges a moderator's warning, and may post again."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, Response, post
from litestar.params import FromPath

from rejoinder.services import standing
from rejoinder.web.wire import ctx_of, origin_guard


class AcknowledgedOut(msgspec.Struct):
    id: str
    acknowledged: bool


@post(
    "/api/warnings/{warning_id:str}/acknowledge",
    summary="Acknowledge a moderator's warning",
    tags=["comments"],
    status_code=200,
)
async def acknowledge_warning(
    request: Request[Any, Any, Any], warning_id: FromPath[str]
) -> Response[AcknowledgedOut]:
    """The warning's id comes with the `commenter-warned` problem a post was refused with; once it is
    acknowledged, the commenter's next post goes through. 404 `warning-not-found` for an unknown id or one
    already acknowledged."""
    await standing.acknowledge_warning(ctx_of(request), warning_id, site_guard=origin_guard(request))
    out = AcknowledgedOut(id=warning_id, acknowledged=True)
    return Response(out, status_code=200, headers={"Cache-Control": "no-store"})
