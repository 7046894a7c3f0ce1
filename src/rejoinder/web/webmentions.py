"""POST /webmention: the Webmention endpoint of every site on this server (W3C Webmention 3.2). A form with
`source` and `target`; a well-formed request is answered 202 at once and verified in the background
(services/webmentions.py). Sent by other servers, so no Origin or JSON rules apply (web/guard.py)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

import msgspec
from litestar import Request, Response, post
from litestar.openapi.datastructures import ResponseSpec

from rejoinder.errors import UnsupportedMediaType, WebmentionInvalid
from rejoinder.services import webmentions as service
from rejoinder.web.wire import ctx_of, read_body

MAX_BODY = 8 * 1024  # two URLs of at most 2048 characters, percent-encoded, with room to spare
FORM = "application/x-www-form-urlencoded"


class WebmentionAccepted(msgspec.Struct):
    status: str  # "accepted": it will be verified in the background
    source: str
    target: str


async def _form(request: Request[Any, Any, Any]) -> dict[str, str]:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != FORM:
        raise UnsupportedMediaType(f"Send source and target as {FORM}", code="form-required")
    body = await read_body(request, MAX_BODY, f"A Webmention request is at most {MAX_BODY} bytes")
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=10, errors="strict")
    except (UnicodeDecodeError, ValueError):
        raise WebmentionInvalid(
            "The form could not be read: it is not valid UTF-8 or has too many fields"
        ) from None
    form: dict[str, str] = {}
    for name, value in pairs:
        form.setdefault(name, value)
    return form


@post(
    "/webmention",
    summary="Receive a Webmention",
    tags=["federation"],
    status_code=202,
    opt={"cross_site": "sent by other servers, from anywhere: nothing is trusted, the source is verified"},
    responses={
        202: ResponseSpec(
            data_container=WebmentionAccepted, description="Accepted; verified in the background"
        )
    },
)
async def receive_webmention(request: Request[Any, Any, Any]) -> Response[WebmentionAccepted]:
    """A form-encoded `source` (the page that mentions) and `target` (an article on one of this server's
    sites). 400 when either is missing or not http(s), when they are the same, or when the target is on
    no site; 202 otherwise, before the source is fetched."""
    form = await _form(request)
    source, target = form.get("source"), form.get("target")
    await service.receive(ctx_of(request), source, target)
    assert source is not None and target is not None  # receive refused them otherwise
    return Response(
        WebmentionAccepted(status="accepted", source=source.strip(), target=target.strip()),
        status_code=202,
        headers={"Cache-Control": "no-store"},
    )
