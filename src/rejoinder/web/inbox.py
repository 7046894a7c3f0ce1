"""A signed-in reader's inbox: GET /api/me/inbox (the widget's "N replies to you" and the link that opens
the page) and the inbox page itself, GET /inbox/{token} with its appeal form. HTTP only: the rules are in
services/inbox.py."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import msgspec
from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery
from markupsafe import Markup

from rejoinder.errors import RejoinderError
from rejoinder.i18n import Translator
from rejoinder.services import inbox as service
from rejoinder.services.accounts import authenticate
from rejoinder.services.moderation.notices import location_of
from rejoinder.services.moderation.statements import reason_words, statement_lines
from rejoinder.web.pages import PAGE_ERRORS, html_response, page_language, read_form, static_href
from rejoinder.web.params import AuthHeader
from rejoinder.web.wire import ctx_of, public_base


class InboxOut(msgspec.Struct):
    new_replies: int  # public replies by others since the reader last opened the inbox
    path: str  # the inbox page on rejoinder's origin, for an hour: /inbox/<token>


@get("/api/me/inbox", summary="The signed-in reader's inbox", tags=["account"])
async def my_inbox(request: Request[Any, Any, Any], authorization: AuthHeader = None) -> Response[InboxOut]:
    """How many replies to the signed-in reader are new, and the path of their inbox page (a signed link
    that works for an hour). Per reader and never cached: the shared thread reads do not change."""
    ctx = ctx_of(request)
    signed = await authenticate(ctx, authorization)
    found = await service.summary(ctx, signed.identity)
    out = InboxOut(new_replies=found.new_replies, path=f"/inbox/{found.token}")
    return Response(out, headers={"Cache-Control": "no-store", "Vary": "Authorization"})


async def _page(
    request: Request[Any, Any, Any],
    inbox: service.Inbox,
    tr: Translator,
    *,
    appealed: str | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response[str]:
    ctx = ctx_of(request)
    base = public_base(ctx)
    sites = {s.id: s.name for s in await ctx.sites.all()}
    decisions = [
        {
            "id": d.statement.comment_id,
            "lines": statement_lines(tr, d.statement, appeal_url=None),
            "when": tr.datetime(d.statement.created),
            "can_appeal": d.can_appeal and d.statement.comment_id != appealed,
            "appealed": d.comment is not None
            and (d.comment.appealed is not None or d.comment.id == appealed),
            "html": Markup(d.comment.html) if d.comment else None,  # noqa: S704 - sanitised when written
        }
        for d in inbox.decisions
    ]
    response = html_response(
        ctx,
        "noscript/inbox.html",
        status=status,
        tr=tr,
        css_href=static_href("noscript.css", base),
        inbox=inbox,
        sites=sites,
        replies=[
            {
                "r": r,
                "new": r.created > inbox.new_since,
                "html": Markup(r.html),  # noqa: S704 - sanitised when written (domain/text.py)
                "href": location_of(r.thread_uri, r.id, base),
                "when": tr.datetime(r.created),
            }
            for r in inbox.replies
        ],
        decisions=decisions,
        own=[
            {
                "c": c,
                "html": Markup(c.html),  # noqa: S704 - sanitised when written
                "href": location_of(c.thread_uri, c.id, base),
                "when": tr.datetime(c.created),
                "reason": reason_words(tr, c.status_reason),
            }
            for c in inbox.own
        ],
        appealed=appealed,
        errors=errors or {},
        action=f"{base}/inbox/{inbox.token}/appeal",
    )
    response.headers["Referrer-Policy"] = "no-referrer"  # the link is a credential: never sent on
    return response


@get("/inbox/{token:str}", include_in_schema=False, exception_handlers=PAGE_ERRORS)
async def inbox_page(
    request: Request[Any, Any, Any],
    token: FromPath[str],
    lang: FromQuery[str | None] = None,
    appealed: FromQuery[str | None] = None,
) -> Response[str]:
    """The inbox page: replies to the reader, decisions on their comments with the reasons and the appeal
    button, and their comments across every site. Opening it marks the replies as seen."""
    inbox = await service.open_inbox(ctx_of(request), token)
    return await _page(request, inbox, page_language(request, lang), appealed=appealed)


@post("/inbox/{token:str}/appeal", include_in_schema=False, exception_handlers=PAGE_ERRORS, status_code=303)
async def inbox_appeal(request: Request[Any, Any, Any], token: FromPath[str]) -> Response[str]:
    """The appeal form of one decision: back to the inbox (303), or the page with the problem (422)."""
    ctx = ctx_of(request)
    form = await read_form(request)
    lang = form.get("lang") or None
    comment_id = form.get("comment", "")
    try:
        await service.appeal(ctx, token, comment_id, form.get("note"))
    except RejoinderError as exc:
        if exc.status not in (409, 422):
            raise
        tr = page_language(request, lang)
        inbox = await service.open_inbox(ctx, token)
        return await _page(
            request, inbox, tr, errors={comment_id: tr.error(exc.code, exc.detail)}, status=exc.status
        )
    query = urlencode({"lang": lang or "", "appealed": comment_id})
    return Response(
        content="",
        status_code=303,
        headers={"Location": f"{public_base(ctx)}/inbox/{token}?{query}", "Cache-Control": "no-store"},
    )


ROUTES: list[Any] = [my_inbox, inbox_page, inbox_appeal]
