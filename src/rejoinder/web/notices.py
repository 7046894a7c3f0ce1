"""Notices of illegal content (DSA Art. 16), distinct from ordinary reports: POST
/api/comments/{id}/legal-notice for the widget and scripts, and GET/POST /legal-notice, the form page the
widget opens and that works without JavaScript. HTTP only: the rules are in moderation/notices.py."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery, JSONBody

from rejoinder.errors import RejoinderError
from rejoinder.moderation.notices import EXPLANATION_LIMIT, NoticeCategory
from rejoinder.services.accounts import optional_reader
from rejoinder.services.moderation import notices as service
from rejoinder.web.pages import PAGE_ERRORS, html_response, page_language, read_form, static_href
from rejoinder.web.params import AuthHeader
from rejoinder.web.wire import client_ip, comment_guard, ctx_of, public_base, rfc3339


class NoticeIn(msgspec.Struct):
    category: str
    explanation: str
    location: str
    good_faith: bool
    name: str | None = None
    email: str | None = None
    lang: str | None = None  # the language of the emails to the notifier


class NoticeOut(msgspec.Struct):
    id: int
    comment_id: str
    created: str
    acknowledged: bool  # an acknowledgement is on its way to the notifier's address


@post(
    "/api/comments/{comment_id:str}/legal-notice",
    summary="Notify illegal content (DSA Art. 16)",
    tags=["moderation"],
    status_code=201,
)
async def file_legal_notice(
    request: Request[Any, Any, Any],
    comment_id: FromPath[str],
    data: JSONBody[NoticeIn],
    authorization: AuthHeader = None,
) -> Response[NoticeOut]:
    """A notice that a public comment is illegal, as Art. 16(2) of the Digital Services Act asks: the
    `category`, an `explanation` of why, the comment's exact `location` (its URL), the notifier's `name`
    and `email` (both may be left out when the category is `csam`) and `good_faith: true`. Moderators
    decide in /admin/notices; the notifier is mailed an acknowledgement and later the decision with its
    reasons. Rate limited as reports are."""
    ctx = ctx_of(request)
    signed = await optional_reader(ctx, authorization)
    filed = await service.file_notice(
        ctx,
        comment_id,
        category=data.category,
        explanation=data.explanation,
        location=data.location,
        name=data.name,
        email=data.email,
        good_faith=data.good_faith,
        lang=data.lang,
        ip=client_ip(request),
        identity_id=signed.identity.id if signed else None,
        site_guard=comment_guard(request, signed),
    )
    out = NoticeOut(
        id=filed.id,
        comment_id=filed.comment_id,
        created=rfc3339(filed.created),
        acknowledged=filed.acknowledged,
    )
    return Response(out, status_code=201, headers={"Cache-Control": "no-store"})


FIELDS = ("category", "explanation", "location", "name", "email", "good_faith")


def _form_page(
    request: Request[Any, Any, Any],
    target: service.NoticeTarget,
    lang: str | None,
    *,
    values: dict[str, str],
    errors: dict[str, str],
    status: int = 200,
) -> Response[str]:
    ctx = ctx_of(request)
    tr = page_language(request, lang)
    return html_response(
        ctx,
        "noscript/notice.html",
        status=status,
        tr=tr,
        css_href=static_href("noscript.css", public_base(ctx)),
        target=target,
        categories=[c.value for c in NoticeCategory],
        values=values,
        errors=errors,
        explanation_limit=EXPLANATION_LIMIT,
        done=None,
    )


@get("/legal-notice", include_in_schema=False, exception_handlers=PAGE_ERRORS)
async def notice_page(
    request: Request[Any, Any, Any], comment: FromQuery[str], lang: FromQuery[str | None] = None
) -> Response[str]:
    """The notice form for one public comment, its location filled in."""
    ctx = ctx_of(request)
    target = await service.notice_target(ctx, comment, base=public_base(ctx))
    values = {**dict.fromkeys(FIELDS, ""), "location": target.location}
    return _form_page(request, target, lang, values=values, errors={})


@post("/legal-notice", include_in_schema=False, exception_handlers=PAGE_ERRORS, status_code=200)
async def notice_form(request: Request[Any, Any, Any]) -> Response[str]:
    """The form sent without JavaScript: the thank-you page, or the form again with each problem by its
    field (422). No cookie or session is involved, so there is nothing a forged request could borrow."""
    ctx = ctx_of(request)
    form = await read_form(request)
    lang = form.get("lang") or None
    target = await service.notice_target(ctx, form.get("comment", ""), base=public_base(ctx))
    values = {name: form.get(name, "") for name in FIELDS}
    try:
        filed = await service.file_notice(
            ctx,
            target.comment_id,
            category=values["category"] or None,
            explanation=values["explanation"],
            location=values["location"],
            name=values["name"],
            email=values["email"],
            good_faith=values["good_faith"] == "yes",
            lang=lang,
            ip=client_ip(request),
        )
    except RejoinderError as exc:
        if exc.status != 422:
            raise
        tr = page_language(request, lang)
        errors = {e.field: tr.error(e.code, e.message) for e in exc.errors} or {
            "": tr.error(exc.code, exc.detail)
        }
        return _form_page(request, target, lang, values=values, errors=errors, status=422)
    tr = page_language(request, lang)
    return html_response(
        ctx,
        "noscript/notice.html",
        tr=tr,
        css_href=static_href("noscript.css", public_base(ctx)),
        target=target,
        categories=[],
        values={},
        errors={},
        explanation_limit=EXPLANATION_LIMIT,
        done=filed,
    )


ROUTES: list[Any] = [file_legal_notice, notice_page, notice_form]
