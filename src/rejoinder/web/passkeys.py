"""Passkeys over HTTP: the page /auth/{provider}/start shows for a passkey provider (sign in, or with
`link=` add a passkey), the form it posts the browser's answer to (POST /auth/{provider}/finish), and the
script that runs the WebAuthn ceremony (/static/passkey.js, served by web/static.py: a file, so the page needs no inline code).

The result goes back like every provider's (web/signin_pages.py `hand_back`): postMessage to the opener, or a
303 to the article with the fragment in redirect mode.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, post
from litestar.params import FromPath

from rejoinder.auth.providers import Provider
from rejoinder.auth.providers.passkeys import KIND, MAX_RESPONSE, RelyingParty
from rejoinder.domain.urls import origin_of
from rejoinder.errors import BadRequest, RejoinderError
from rejoinder.services import passkeys as service
from rejoinder.services.accounts import Flow, Outcome
from rejoinder.web import static
from rejoinder.web.signin_pages import (
    OwnPages,
    StartQuery,
    base_url,
    error_page,
    page,
    read_binding,
    registry_of,
    set_binding,
    settle_flow,
)
from rejoinder.web.wire import ctx_of

FIELD_LIMIT = {"state": 128, "credential": MAX_RESPONSE}


def relying_party(request: Request[Any, Any, Any]) -> RelyingParty:
    """rejoinder is the relying party: RP ID = host of server.public_url, origin = its origin."""
    return RelyingParty.of(base_url(request))


def _form_action(return_url: str | None) -> str:
    # The form posts here, and in redirect mode the answer is a 303 to the article: Chromium applies
    # form-action to that redirect too, so the article's origin must be allowed as well.
    return "'self'" + (f" {origin_of(return_url)}" if return_url else "")


async def ceremony_page(
    request: Request[Any, Any, Any], provider: Provider, asked: StartQuery
) -> Response[Any]:
    """/auth/{provider}/start of a passkey provider: check the request, keep a challenge, show the page."""
    ctx = ctx_of(request)
    binding = read_binding(request) or ctx.token(32)
    try:
        ceremony = await service.begin(
            ctx,
            registry_of(request),
            provider.name,
            asked,
            binding=binding,
            rp=relying_party(request),
            lang=asked.lang,
        )
    except RejoinderError as exc:
        return error_page(request, exc, label=provider.label, lang=asked.lang)
    back = ceremony.return_url
    response = page(
        "passkey.html",
        lang=asked.lang,
        form_action=_form_action(back),
        label=ceremony.label,
        register=ceremony.register,
        identity_name=ceremony.identity_name or "",
        action=f"/auth/{provider.name}/finish",
        state=ceremony.state,
        options=ceremony.options,
        back=back or "",
        script=static.href("/static/passkey.js"),
    )
    set_binding(request, response, binding)
    return response


@post("/auth/{provider:str}/finish", include_in_schema=False, status_code=200)
async def finish(request: Request[Any, Any, Any], provider: FromPath[str]) -> Response[Any]:
    """The passkey page posts the browser's answer here (`state`, `credential` as JSON): the ceremony is
    used up, the answer checked, and the session handed back."""
    ctx = ctx_of(request)
    form = await request.form()
    fields: dict[str, str] = {}
    for key, limit in FIELD_LIMIT.items():
        value = form.get(key)
        if isinstance(value, str) and len(value) <= limit:
            fields[key] = value
    registry = registry_of(request)

    async def complete(flow: Flow) -> Outcome:
        if "credential" not in fields:
            raise BadRequest(
                "The passkey answer is missing or too large; start again", code="passkey-malformed"
            )
        return await service.complete(ctx, registry, flow, fields["credential"], rp=relying_party(request))

    return await settle_flow(
        request, provider, service.take(ctx, provider, fields.get("state"), read_binding(request)), complete
    )


ROUTES: list[Any] = [finish]
PAGES = OwnPages(kind=KIND.name, start=ceremony_page, routes=tuple(ROUTES))
