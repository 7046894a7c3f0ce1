"""A guest's data request, as pages on rejoinder's own origin: the address form (/data-request), the page
the emailed link opens (/data-request/open), and its two buttons: download (a JSON attachment) and erase.
The rules are services/guest_data.py's; the link's token is the proof, so the forms carry it."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromQuery

from rejoinder.errors import BadRequest, DataLinkInvalid, Invalid, RateLimited, RejoinderError
from rejoinder.i18n import translator
from rejoinder.services import guest_data as service
from rejoinder.services.personal_data import KeepComments
from rejoinder.web.personal_data import attachment
from rejoinder.web.signin_pages import auth_language, page
from rejoinder.web.wire import client_ip, ctx_of

FORM_LIMIT = 2048  # characters of any one form field


async def _fields(request: Request[Any, Any, Any]) -> dict[str, str]:
    form = await request.form()
    return {k: v[:FORM_LIMIT] for k, v in form.items() if isinstance(v, str)}


def _error(lang: str, exc: RejoinderError, **values: Any) -> Response[bytes]:
    tr = translator(lang)
    return page(
        "data_request.html",
        exc.status,
        lang=lang,
        error=tr.error(exc.code, exc.detail),
        code=exc.code,
        **values,
    )


@get("/data-request", include_in_schema=False)
async def request_page(request: Request[Any, Any, Any]) -> Response[bytes]:
    """The form: a guest gives the address they wrote their comments with."""
    return page("data_request.html", lang=auth_language(request), email="", sent=False, error=None)


@post("/data-request", include_in_schema=False, status_code=200)
async def request_form(request: Request[Any, Any, Any]) -> Response[bytes]:
    """Mail the link when the address is known; the page answers the same when it is not."""
    fields = await _fields(request)
    lang = auth_language(request, fields.get("lang"))
    typed = fields.get("email", "")
    try:
        asked = await service.request_link(ctx_of(request), typed, ip=client_ip(request), lang=lang)
    except (Invalid, RateLimited) as exc:
        return _error(lang, exc, email=typed, sent=False)
    tr = translator(lang)
    return page(
        "data_request.html",
        lang=lang,
        email=asked.email,
        sent=True,
        time=tr.plural("server.units.minutes", asked.minutes),
        error=None,
    )


def _invalid_link(lang: str) -> Response[bytes]:
    return _error(lang, DataLinkInvalid(), email="", sent=False)


@get("/data-request/open", include_in_schema=False)
async def open_page(request: Request[Any, Any, Any], token: FromQuery[str | None] = None) -> Response[bytes]:
    """What the emailed link opens: changes nothing (mail scanners follow links); its buttons POST."""
    try:
        link = await service.open_link(ctx_of(request), token)
    except DataLinkInvalid:
        return _invalid_link(auth_language(request))
    return page(
        "data_open.html", lang=auth_language(request, link.lang), email=link.email, token=token, done=False
    )


@post("/data-request/download", include_in_schema=False, status_code=200)
async def download(request: Request[Any, Any, Any]) -> Response[Any]:
    fields = await _fields(request)
    try:
        document = await service.collect(ctx_of(request), fields.get("token"))
    except DataLinkInvalid:
        return _invalid_link(auth_language(request, fields.get("lang")))
    return attachment(document, "rejoinder-data.json")


@post("/data-request/erase", include_in_schema=False, status_code=200)
async def erase(request: Request[Any, Any, Any]) -> Response[bytes]:
    fields = await _fields(request)
    lang = auth_language(request, fields.get("lang"))
    try:
        mode = KeepComments(fields.get("comments", ""))
    except ValueError:
        return _error(
            lang,
            BadRequest.invalid_value("comments", "Choose remove or anonymise"),
            email="",
            sent=False,
        )
    try:
        await service.erase(ctx_of(request), fields.get("token"), mode)
    except DataLinkInvalid:
        return _invalid_link(lang)
    return page("data_open.html", lang=lang, email="", token="", done=True)


ROUTES: list[Any] = [request_page, request_form, open_page, download, erase]
