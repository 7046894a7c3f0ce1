"""What every sign-in page shares: the wire shapes of a session (IdentityOut, ProviderOut, SessionOut), the
provider registry of the app, the flow's binding cookie, the page and error-page renderers, and handing a
finished sign-in back to the article. It holds no routes: web/account.py, web/email_link.py, web/passkeys.py
and web/sso.py use it, and it imports none of them.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Iterable
from functools import cache
from typing import Any
from urllib.parse import quote

import jinja2
import msgspec
from litestar import HttpMethod, Request, Response, route

from rejoinder.auth.providers import Provider, Registry
from rejoinder.domain.identity import Identity, identity_avatar_key
from rejoinder.errors import RateLimited, RejoinderError
from rejoinder.i18n import choose, translator
from rejoinder.services import accounts as service
from rejoinder.web import static
from rejoinder.web.problems import rejoinder_error_handler
from rejoinder.web.wire import avatar_url, ctx_of, rfc3339

log = logging.getLogger("rejoinder.auth")
HTML = "text/html"  # Litestar adds "; charset=utf-8" to every text/ type
_BINDING = re.compile(r"^[A-Za-z0-9_-]{32,64}$")
BINDING_MAX_AGE = 3600


# --- wire types -----------------------------------------------------------------------------------------


class StartQuery(service.StartRequest, frozen=True):
    """What /auth/NAME/start was asked: the service's start request (the widget's site, page origin, mode,
    article, link ticket) and the language of the sign-in's pages."""

    lang: str


# /auth/NAME/start of a kind that shows its own page instead of going to the provider.
StartPage = Callable[[Request[Any, Any, Any], Provider, StartQuery], Awaitable[Response[Any]]]


class OwnPages(msgspec.Struct, frozen=True):
    """A sign-in kind that runs on rejoinder's own pages (the email address form, the passkey ceremony): the
    kind's name (Kind.name), the page /auth/NAME/start shows for it, and the routes of its other pages.
    web/account.OWN_PAGES registers each in one line."""

    kind: str
    start: StartPage
    routes: tuple[Any, ...]


class IdentityOut(msgspec.Struct):
    id: str
    display_name: str
    avatar: str
    profile_url: str | None
    show_in_likes: bool
    created: str


class ProviderOut(msgspec.Struct):
    name: str
    label: str  # shown after "via"


class SessionOut(msgspec.Struct):
    token: str
    identity: IdentityOut
    provider: ProviderOut


# --- helpers --------------------------------------------------------------------------------------------


@cache
def templates() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("rejoinder", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )


def registry_of(request: Request[Any, Any, Any]) -> Registry:
    """The provider registry the runtime built at start-up (runtime.build_providers, which refuses a
    misconfigured provider before the server starts); app.py's lifespan puts it in app.state."""
    found: Registry | None = request.app.state.get("auth_registry")
    if found is None:
        raise RuntimeError("the sign-in providers are built by the runtime: serve the app with its lifespan")
    return found


def identity_out(request: Request[Any, Any, Any], identity: Identity) -> IdentityOut:
    ctx = ctx_of(request)
    return IdentityOut(
        id=identity.id,
        display_name=identity.display_name,
        avatar=avatar_url(ctx, identity_avatar_key(ctx.id_key, identity.id)),
        profile_url=identity.profile_url,
        show_in_likes=identity.show_in_likes,
        created=rfc3339(identity.created),
    )


def session_out(request: Request[Any, Any, Any], outcome: service.Outcome) -> SessionOut:
    """The session a finished sign-in (an outcome of kind "session") answers with."""
    assert outcome.token is not None and outcome.identity is not None
    return SessionOut(
        token=outcome.token,
        identity=identity_out(request, outcome.identity),
        provider=ProviderOut(name=outcome.provider, label=outcome.label),
    )


def callback_route(checked_by: str) -> route:
    """The route of a provider's callback under a router (/auth/NAME/callback): GET, or POST for the
    providers that send the answer as a cross-site form (form_post, e.g. Apple); `checked_by` says what
    makes that cross-site POST safe (web/guard.py lets it through only with that reason)."""
    return route(
        "/auth/{provider:str}/callback",
        http_method=[HttpMethod.GET, HttpMethod.POST],
        include_in_schema=False,
        opt={"cross_site": f"form_post from the provider: checked by {checked_by}"},
    )


def callback_params(
    request: Request[Any, Any, Any], posted: Iterable[tuple[str, object]] = ()
) -> dict[str, str]:
    """What a provider sent back to a callback (/auth/NAME/callback, /admin/auth/NAME/callback): the query
    string, and over it the fields a form_post provider (Apple) POSTs; text values only."""
    params = {k: v for k, v in request.query_params.items() if isinstance(v, str)}
    params.update((k, v) for k, v in posted if isinstance(v, str))
    return params


def base_url(request: Request[Any, Any, Any]) -> str:
    """Where sign-in providers send the browser back to: server.public_url. Without it (only possible on a
    loopback address: `rejoinder serve` refuses a public one), the request's own address, as a developer
    reaches it; such a URL only goes into a per-request redirect that the provider checks against its
    registration, never into a page, fragment or email (web/wire.public_base)."""
    public = ctx_of(request).settings.server.public_url.rstrip("/")
    return public or f"{request.url.scheme}://{request.url.netloc}"


def redirect_uri(request: Request[Any, Any, Any], provider: str) -> str:
    """The callback URL a publisher registers at the provider (`rejoinder provider list` prints it)."""
    return f"{base_url(request)}/auth/{provider}/callback"


def _secure(request: Request[Any, Any, Any]) -> bool:
    return base_url(request).startswith("https://")


def binding_cookie_name(request: Request[Any, Any, Any]) -> str:
    # __Host- cookies are only accepted over https, for this host, with Path=/ (RFC 6265bis §4.1.3.2).
    return "__Host-rejoinder-flow" if _secure(request) else "rejoinder-flow"


def read_binding(request: Request[Any, Any, Any]) -> str | None:
    value = request.cookies.get(binding_cookie_name(request))
    return value if value and _BINDING.match(value) else None


def set_binding(request: Request[Any, Any, Any], response: Response[Any], value: str) -> None:
    secure = _secure(request)
    # SameSite=None (https only) so that Apple's form_post callback, a cross-site POST, still carries it;
    # the value is useless to anyone else, since it only matches flows this browser started.
    response.set_cookie(
        key=binding_cookie_name(request),
        value=value,
        path="/",
        max_age=BINDING_MAX_AGE,
        httponly=True,
        secure=secure,
        samesite="none" if secure else "lax",
    )


def _wants_html(request: Request[Any, Any, Any]) -> bool:
    return "text/html" in request.headers.get("accept", "")


def auth_language(request: Request[Any, Any, Any], *chosen: str | None) -> str:
    """The language of a sign-in page: the one the widget passed (`lang` of /auth/NAME/start, kept in
    the flow and in the forms), else the browser's Accept-Language, else `server.language`."""
    query = request.query_params.get("lang")
    return choose(
        *chosen,
        query if isinstance(query, str) else None,
        accept_language=request.headers.get("accept-language"),
        default=ctx_of(request).settings.server.language,
    )


def page(
    name: str,
    status: int = 200,
    *,
    lang: str,
    form_action: str = "'self'",
    folder: str = "auth",
    **values: Any,
) -> Response[bytes]:
    """A sign-in page in `lang`: no caching, no framing, no referrer to other origins, no inline script
    (scripts are files on this origin). `form_action` lists where its forms may go, redirects after a submit
    included (Chromium applies form-action to them)."""
    handback = static.href("/static/handback.js")  # the popup's last step: posts the result to the article
    tr = translator(lang)
    body = templates().get_template(f"{folder}/{name}").render(handback=handback, tr=tr, **values)
    return Response(
        content=body.encode("utf-8"),
        status_code=status,
        media_type=HTML,
        headers={
            "Cache-Control": "no-store",
            # The callback URL carries the code: no Referer leaves for another origin. Not no-referrer:
            # with it Chromium sends `Origin: null` on the page's own form posts, which web/guard.py refuses.
            "Referrer-Policy": "same-origin",
            "X-Frame-Options": "DENY",
            "Content-Security-Policy": (
                "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; "
                f"form-action {form_action}; frame-ancestors 'none'; base-uri 'none'"
            ),
        },
    )


def error_page(
    request: Request[Any, Any, Any],
    exc: RejoinderError,
    *,
    origin: str | None = None,
    label: str = "",
    lang: str | None = None,
) -> Response[Any]:
    """A sign-in failure: an HTML page for the popup (telling the opener when its origin is known and
    allowed), or problem+json for API clients. Never includes secrets: only the error's own text."""
    if not _wants_html(request):
        return rejoinder_error_handler(request, exc)
    message = {"type": "rejoinder:error", "code": exc.code, "message": exc.detail}
    retry_after = exc.retry_after if isinstance(exc, RateLimited) else None
    tr = translator(auth_language(request, lang))
    response = page(
        "error.html",
        exc.status,
        lang=tr.lang,
        detail=tr.error(exc.code, exc.detail),
        code=exc.code,
        label=label,
        target=origin,
        message=message if origin else None,
        wait=tr.seconds(retry_after) if retry_after else "",
    )
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)  # as on the problem+json answer
    return response


def hand_back(
    request: Request[Any, Any, Any], flow: service.Flow, outcome: service.Outcome, label: str
) -> Response[Any]:
    """Give a finished sign-in to the article: in redirect mode a 303 back to it with the result in the
    fragment, else the page that posts it to the opener (the flow's page origin, never "*")."""
    if outcome.kind == "link-offer":
        assert outcome.offer is not None
        offer = outcome.offer
        if flow.mode == "redirect" and flow.return_url:
            return back_to_article(flow.return_url, {"rejoinder-link-offer": offer.offer})
        message: dict[str, Any] = {
            "type": "rejoinder:link-offer",
            "offer": offer.offer,
            "provider": {"name": flow.provider, "label": offer.provider_label},
            "existing": {"display_name": offer.existing_name, "via": offer.existing_via},
            "expires": rfc3339(offer.expires),
        }
        return page("done.html", lang=flow.lang, label=label, target=flow.origin, message=message, offer=True)
    assert outcome.token is not None and outcome.identity is not None
    if flow.mode == "redirect" and flow.return_url:
        return back_to_article(flow.return_url, {"rejoinder-session": outcome.token})
    message = {"type": "rejoinder:session", **msgspec.to_builtins(session_out(request, outcome))}
    return page("done.html", lang=flow.lang, label=label, target=flow.origin, message=message, offer=False)


def hand_back_error(
    request: Request[Any, Any, Any], flow: service.Flow, exc: RejoinderError, label: str
) -> Response[Any]:
    """A failed sign-in whose flow is known: back to the article with `#rejoinder-error=CODE`, or the
    error page telling the opener."""
    if flow.mode == "redirect" and flow.return_url:
        return back_to_article(flow.return_url, {"rejoinder-error": exc.code})
    return error_page(request, exc, origin=flow.origin, label=label, lang=flow.lang)


def back_to_article(return_url: str, fragment: dict[str, str]) -> Response[bytes]:
    """Redirect mode: back to the (already allowed) article, the result in the fragment, which browsers
    never send to a server and which the widget removes from the address bar at once."""
    target = (
        return_url.split("#", 1)[0] + "#" + "&".join(f"{k}={quote(v, safe='')}" for k, v in fragment.items())
    )
    return Response(
        content=b"",
        status_code=303,
        headers={"Location": target, "Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
    )


async def settle_flow(
    request: Request[Any, Any, Any],
    provider: str,
    taking: Awaitable[service.Flow],
    finishing: Callable[[service.Flow], Awaitable[service.Outcome]],
) -> Response[Any]:
    """Use up a reader's pending flow (`taking`) and finish it: the session, or the error, goes back to the
    page that started it. A flow that cannot be taken shows its error here only: its page is unknown."""
    try:
        flow = await taking
    except RejoinderError as exc:
        return error_page(request, exc)
    found = registry_of(request).get(provider)
    label = found.label if found else provider
    try:
        outcome = await finishing(flow)
    except RejoinderError as exc:
        return hand_back_error(request, flow, exc, label)
    return hand_back(request, flow, outcome, label)
