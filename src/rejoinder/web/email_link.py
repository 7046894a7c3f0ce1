"""Sign-in by emailed link over HTTP: the page asking for the address (/auth/{provider}/start of an email
provider), sending (the form's POST /auth/{provider}/send, and POST /api/auth/email/send for custom
clients), and the page the emailed link opens (/auth/{provider}/verify: GET shows, the button POSTs).

Everything works without JavaScript. Every form carries a token bound to its page and to this browser's
binding cookie (login CSRF). The result goes back to the article as a redirect-mode fragment, since the
link is usually opened in a new tab with no opener to post to.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

import msgspec
from litestar import Request, Response, get, post
from litestar.params import FromPath, JSONBody, QueryParameter

from rejoinder.auth.providers import Provider
from rejoinder.auth.providers.email_link import KIND, EmailLinkProvider
from rejoinder.auth.sessions import check_ticket, token_hash
from rejoinder.domain.urls import origin_of
from rejoinder.errors import (
    Invalid,
    ModeInvalid,
    ProviderNotFound,
    RateLimited,
    RejoinderError,
    SiteRequired,
)
from rejoinder.i18n import translator
from rejoinder.services import accounts
from rejoinder.services import email_links as service
from rejoinder.web.signin_pages import (
    OwnPages,
    StartQuery,
    auth_language,
    back_to_article,
    error_page,
    page,
    read_binding,
    registry_of,
    set_binding,
)
from rejoinder.web.wire import client_ip, ctx_of, rfc3339

log = logging.getLogger("rejoinder.auth")
FORM_LIMIT = 2048  # characters of any one form field


class EmailSendIn(msgspec.Struct, forbid_unknown_fields=True):
    site: str | None = None
    email: str | None = None
    return_url: str | None = msgspec.field(name="return", default=None)
    name: str | None = None  # display name if the address is new here
    provider: str | None = None  # which email provider; default: the site's first
    lang: str | None = None  # language of the email and the link's page (docs/embedding.md#languages)


class EmailSentOut(msgspec.Struct):
    email: str  # the address as rejoinder will use it (trimmed, lower-cased, IDNA domain)
    expires: str  # until when the link works


def _binding(request: Request[Any, Any, Any]) -> str:
    return read_binding(request) or ctx_of(request).token(32)


# --- asking for a link ----------------------------------------------------------------------------------


async def address_page(
    request: Request[Any, Any, Any], provider: Provider, asked: StartQuery
) -> Response[Any]:
    """/auth/{provider}/start of an email provider: a form for the address. The site, page origin and
    return URL are checked now, so that a wrong embedding fails before the reader types anything."""
    ctx = ctx_of(request)
    try:
        found = await ctx.sites.by_name(asked.site or "")
        if not asked.site:
            raise SiteRequired.at("site", "`site` is required")
        if found is None or registry_of(request).offered(provider.name, found.name) is None:
            raise ProviderNotFound(f"Site {asked.site!r} offers no sign-in provider {provider.name!r}")
        if asked.mode not in (None, "", "popup", "redirect"):
            raise ModeInvalid.at("mode", "`mode` is popup or redirect")
        accounts.check_return_url(found, asked.return_url)
        if asked.origin:
            accounts.check_allowed_origin(found, asked.origin)
        if asked.link:
            check_ticket(asked.link, "link")
    except RejoinderError as exc:
        return error_page(request, exc, label=provider.label, lang=asked.lang)
    binding = _binding(request)
    hidden = {
        "site": asked.site,
        "origin": asked.origin or "",
        "mode": asked.mode or "popup",
        "return": asked.return_url or "",
        "lang": asked.lang,
    }
    if asked.link:
        hidden["link"] = asked.link
    response = _address_form(request, provider, hidden, binding)
    set_binding(request, response, binding)
    return response


def _address_form(
    request: Request[Any, Any, Any],
    provider: Provider,
    hidden: dict[str, str],
    binding: str,
    *,
    status: int = 200,
    email: str = "",
    name: str = "",
    error: RejoinderError | None = None,
    headers: dict[str, str] | None = None,
) -> Response[bytes]:
    ctx = ctx_of(request)
    tr = translator(auth_language(request, hidden.get("lang")))
    response = page(
        "email.html",
        status,
        lang=tr.lang,
        label=provider.label,
        action=f"/auth/{provider.name}/send",
        hidden=hidden,
        csrf=service.form_token(ctx, "send", binding),
        email=email,
        typed_name=name,
        adding=bool(hidden.get("link")),
        error=tr.error(error.code, error.detail) if error else None,
        error_field=(error.errors[0].field if error and error.errors else "email"),
        code=error.code if error else None,
    )
    response.headers.update(headers or {})
    return response


@post("/auth/{provider:str}/send", include_in_schema=False, status_code=200)
async def send_form(request: Request[Any, Any, Any], provider: FromPath[str]) -> Response[Any]:
    """The address form's POST: mail the link, then "Check your inbox". A bad address or a rate limit
    shows the form again with the message (and the address typed)."""
    ctx = ctx_of(request)
    form = await request.form()
    fields = {k: v[:FORM_LIMIT] for k, v in form.items() if isinstance(v, str)}
    hidden = {
        k: fields.get(k, "") for k in ("site", "origin", "mode", "return", "link", "lang") if fields.get(k)
    }
    lang = auth_language(request, fields.get("lang"))
    label = provider
    try:
        registry = registry_of(request)
        found = registry.get(provider)
        if not isinstance(found, EmailLinkProvider):
            raise ProviderNotFound(f"There is no email sign-in named {provider!r}")
        label = found.label
        binding = read_binding(request)
        service.check_form_token(ctx, fields.get("csrf"), "send", binding or "")
    except RejoinderError as exc:
        return error_page(request, exc, label=label, lang=lang)
    assert binding is not None and found is not None
    try:
        sent = await service.send_link(
            ctx,
            registry,
            provider_name=provider,
            site_name=fields.get("site"),
            email=fields.get("email"),
            return_url=fields.get("return"),
            origin=fields.get("origin"),
            name=fields.get("name"),
            link=fields.get("link"),
            ip=client_ip(request),
            browser=binding,
            lang=lang,
        )
    except (Invalid, RateLimited) as exc:
        field_error = isinstance(exc, Invalid) and any(e.field in ("email", "name") for e in exc.errors)
        if not field_error and not isinstance(exc, RateLimited):
            return error_page(request, exc, label=label, lang=lang)
        retry = getattr(exc, "retry_after", None)
        return _address_form(
            request,
            found,
            hidden,
            binding,
            status=exc.status,
            email=fields.get("email", "")[:300],
            name=fields.get("name", "")[:200],
            error=exc,
            headers={"Retry-After": str(retry)} if retry else None,
        )
    except RejoinderError as exc:
        return error_page(request, exc, label=label, lang=lang)
    return page(
        "email_sent.html",
        lang=lang,
        label=found.label,
        email=sent.email,
        time=translator(lang).plural("server.units.minutes", ctx.settings.auth.email_link_minutes),
        popup=fields.get("mode", "popup") != "redirect",
        back=sent.return_url,
    )


@post(
    "/api/auth/email/send",
    summary="Email a sign-in link",
    tags=["sign-in"],
    status_code=202,
)
async def send_api(request: Request[Any, Any, Any], data: JSONBody[EmailSendIn]) -> Response[EmailSentOut]:
    """Mail a single-use sign-in link to `email` for `site`; the link's page hands the session back to
    `return` (a page on the site's allowed origins) as `#rejoinder-session=…`. The answer is the same
    whether the address is known or not. Rate-limited per address and per client network."""
    ctx = ctx_of(request)
    origin = request.headers.get("origin")
    sent = await service.send_link(
        ctx,
        registry_of(request),
        provider_name=data.provider,
        site_name=data.site,
        email=data.email,
        return_url=data.return_url,
        origin=origin if origin and origin != "null" else None,
        name=data.name,
        ip=client_ip(request),
        lang=auth_language(request, data.lang),
    )
    return Response(
        EmailSentOut(email=sent.email, expires=rfc3339(sent.deadline)),
        status_code=202,
        headers={"Cache-Control": "no-store"},
    )


# --- the emailed link -----------------------------------------------------------------------------------


@get("/auth/{provider:str}/verify", include_in_schema=False)
async def verify_page(
    request: Request[Any, Any, Any],
    provider: FromPath[str],
    token: Annotated[str | None, QueryParameter(name="token")] = None,
) -> Response[Any]:
    """What the emailed link opens: who signs in where, and a button. Uses nothing up (mail scanners and
    link previews follow GET links)."""
    ctx = ctx_of(request)
    binding = _binding(request)
    label = provider
    try:
        found = registry_of(request).get(provider)
        label = found.label if found is not None else provider
        shown = await service.show_link(ctx, provider, token, read_binding(request))
    except RejoinderError as exc:
        return error_page(request, exc, label=label)
    assert token is not None
    response = page(
        "email_verify.html",
        lang=auth_language(request, shown.link.lang),
        form_action=f"'self' {origin_of(shown.link.return_url)}",  # the 303 after the button
        label=label,
        email=shown.link.email,
        host=shown.host,
        adding_to=shown.adding_to,
        other_browser=shown.other_browser,
        action=f"/auth/{provider}/verify?lang={auth_language(request, shown.link.lang)}",
        token=token,
        csrf=service.form_token(ctx, "verify", token_hash(token), binding),
    )
    set_binding(request, response, binding)
    return response


@post("/auth/{provider:str}/verify", include_in_schema=False, status_code=303)
async def verify(request: Request[Any, Any, Any], provider: FromPath[str]) -> Response[Any]:
    """The button: use the link once, sign in, and 303 back to the article with the session (or a link
    offer, or an error) in the fragment."""
    ctx = ctx_of(request)
    form = await request.form()
    token = form.get("token")
    token = token[:200] if isinstance(token, str) else None
    csrf = form.get("csrf")
    label = provider
    try:
        registry = registry_of(request)
        found = registry.get(provider)
        label = found.label if found is not None else provider
        binding = read_binding(request)
        service.check_form_token(
            ctx,
            csrf if isinstance(csrf, str) else None,
            "verify",
            token_hash(token or ""),
            binding or "",
        )
        pending, back = await service.take_link(ctx, registry, provider, token, binding)
    except RejoinderError as exc:
        return error_page(request, exc, label=label)
    try:
        outcome = await service.finish_link(ctx, pending)
    except RejoinderError as exc:  # the link is used: the article page says what went wrong
        return back_to_article(back, {"rejoinder-error": exc.code})
    if outcome.kind == "link-offer":
        assert outcome.offer is not None
        return back_to_article(back, {"rejoinder-link-offer": outcome.offer.offer})
    assert outcome.token is not None
    return back_to_article(back, {"rejoinder-session": outcome.token})


ROUTES: list[Any] = [send_form, send_api, verify_page, verify]
PAGES = OwnPages(kind=KIND.name, start=address_page, routes=tuple(ROUTES))
