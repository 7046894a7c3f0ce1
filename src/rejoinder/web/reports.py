"""POST /api/comments/{id}/report: a reader reports a comment (spam, abuse, off-topic, illegal, other)."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, Response, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from rejoinder.services import moderation as service
from rejoinder.services.accounts import optional_reader
from rejoinder.web.params import WHO, ReaderHeaders
from rejoinder.web.wire import client_ip, comment_guard, ctx_of


class ReportIn(msgspec.Struct):
    reason: str
    note: str | None = None


class ReportOut(msgspec.Struct):
    reported: bool  # false: this reader had already reported the comment (nothing changed)


@post(
    "/api/comments/{comment_id:str}/report",
    summary="Report a comment",
    tags=["moderation"],
    status_code=201,
    dependencies=WHO,
)
async def report_comment(
    request: Request[Any, Any, Any],
    comment_id: FromPath[str],
    data: JSONBody[ReportIn],
    who: NamedDependency[ReaderHeaders],
) -> Response[ReportOut]:
    """Report a public comment with a `reason` (spam, abuse, off-topic, illegal, other) and an optional
    `note`. One report per reader counts (the signed-in identity, else the `Rejoinder-Visitor` id, else
    the network); enough open reports hold the comment for a moderator. A browser page must be on one of
    the comment's site's origins (`403 origin-not-allowed`), like every write. Answers 201 for a new report,
    200 when this reader had already reported it."""
    ctx = ctx_of(request)
    signed = await optional_reader(ctx, who.authorization)
    result = await service.report_comment(
        ctx,
        comment_id,
        data.reason,
        data.note,
        visitor=who.visitor,
        identity_id=signed.identity.id if signed else None,
        ip=client_ip(request),
        site_guard=comment_guard(request, signed),
    )
    return Response(
        ReportOut(reported=result.reported),
        status_code=201 if result.reported else 200,
        headers={"Cache-Control": "no-store"},
    )
