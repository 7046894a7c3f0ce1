"""POST /api/comments/{id}/appeal: the author's one appeal against a hold or a rejection."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, Response, post
from litestar.params import FromPath, JSONBody

from rejoinder.domain.sites import Site
from rejoinder.services import moderation
from rejoinder.services.accounts import optional_reader
from rejoinder.services.threads import ThreadRef
from rejoinder.web.params import AuthHeader, EditTokenHeader
from rejoinder.web.wire import check_origin, ctx_of, rfc3339


class AppealIn(msgspec.Struct):
    note: str | None = None


class AppealOut(msgspec.Struct):
    id: str
    status: str  # the comment's status, unchanged by the appeal: pending, rejected or spam
    appealed: str  # when the appeal was received


@post(
    "/api/comments/{comment_id:str}/appeal",
    summary="Appeal a held or rejected comment",
    tags=["comments"],
    status_code=202,
)
async def appeal_comment(
    request: Request[Any, Any, Any],
    comment_id: FromPath[str],
    data: JSONBody[AppealIn],
    edit_token: EditTokenHeader = None,
    authorization: AuthHeader = None,
) -> Response[AppealOut]:
    """Once per comment, its author (the `Rejoinder-Edit-Token` it was posted with, or the signed-in
    identity that wrote it) asks the moderators to look again, with a short note. Answers 202: a moderator
    decides later; the comment keeps its status meanwhile."""
    ctx = ctx_of(request)
    signed = await optional_reader(ctx, authorization)

    def check_site(site: Site) -> None:
        check_origin(request, ThreadRef(site=site, uri=None, key=None))

    done = await moderation.appeal_comment(
        ctx,
        comment_id,
        data.note,
        edit_token=edit_token,
        reader=signed.identity if signed else None,
        check_site=check_site,
        reader_guard=signed.check_site if signed else None,
    )
    out = AppealOut(id=done.id, status=done.status.value, appealed=rfc3339(done.appealed))
    return Response(out, status_code=202, headers={"Cache-Control": "no-store"})
