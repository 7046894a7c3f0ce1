"""/admin/notices: notices of illegal content (DSA Art. 16): the queue, one notice with its comment and the
decision form (remove, restrict, no action; ground and reasons), and the transparency report's data as CSV
or JSON lines. HTTP only: the rules are in services/moderation/legal.py."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Stream

from rejoinder.i18n import translator
from rejoinder.moderation.notices import NoticeDecision
from rejoinder.services.moderation import legal as service
from rejoinder.services.moderation.statements import statement_lines
from rejoinder.web.admin import auth
from rejoinder.web.admin.render import page
from rejoinder.web.admin.routes import after, frame
from rejoinder.web.wire import ctx_of

DECISIONS = [
    (NoticeDecision.REMOVE.value, "Remove the comment (rejected as illegal)"),
    (NoticeDecision.RESTRICT.value, "Restrict it (held: hidden from the public, kept for review)"),
    (NoticeDecision.NONE.value, "No action: the comment stays"),
]


@get("/notices", include_in_schema=False)
async def notices_view(request: Request[Any, Any, Any], all: FromQuery[str | None] = None) -> Response[str]:
    staff = await auth.require_staff(request)
    ctx = ctx_of(request)
    found = await service.list_notices(ctx, staff.actor, open_only=all != "1")
    values = await frame(request, staff, "notices")
    return page("notices.html", **values, notices=found, show_all=all == "1")


@get("/notices/{notice_id:int}", include_in_schema=False)
async def notice_view(request: Request[Any, Any, Any], notice_id: FromPath[int]) -> Response[str]:
    staff = await auth.require_staff(request)
    ctx = ctx_of(request)
    detail = await service.notice_detail(ctx, staff.actor, notice_id)
    tr = translator("en")
    said = [statement_lines(tr, s, appeal_url=None) for s in detail.statements]
    values = await frame(request, staff, "notices")
    return page("notice.html", **values, detail=detail, decisions=DECISIONS, said=said)


@post("/notices/{notice_id:int}", include_in_schema=False, status_code=303)
async def notice_decide(request: Request[Any, Any, Any], notice_id: FromPath[int]) -> Response[str]:
    """decision = remove | restrict | none, with `ground` (optional) and `reasons` (required)."""
    staff, form = await auth.staff_post(request)
    await service.decide_notice(
        ctx_of(request),
        staff.actor,
        notice_id,
        form.get("decision", limit=20) or None,
        ground=form.optional("ground", limit=1000),
        reasons=form.optional("reasons", limit=10000),
    )
    return after(f"/admin/notices/{notice_id}", "notice-decided")


@get("/notices/export", include_in_schema=False)
async def notices_export(
    request: Request[Any, Any, Any], kind: FromQuery[str] = "notices", format: FromQuery[str] = "csv"
) -> Stream:
    """Every notice (or statement of reasons) of the moderator's sites, as a file to save."""
    staff = await auth.require_staff(request)
    what, how = service.check_export(kind, format)
    rows = service.export(ctx_of(request), staff.actor, what, how)
    media = "text/csv" if how == "csv" else "application/x-ndjson"
    name = f"rejoinder-{what}.{'csv' if how == 'csv' else 'jsonl'}"
    return Stream(
        rows,
        media_type=media,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


HANDLERS: list[Any] = [notices_view, notices_export, notice_view, notice_decide]
