"""Sign-in over HTTP: the popup pages on rejoinder's own origin (/auth/{provider}/start and /callback)
and the JSON API of a signed-in reader (/api/me, /api/logout, link offers, the providers of a site).

The widget's session is a bearer token (Authorization header), never a cookie. The one cookie here is the
browser binding of a pending flow, first-party on rejoinder's origin, read only by /auth/*/callback.
"""

from __future__ import annotations

import hashlib
import logging
import re
from functools import cache
from importlib import resources
from typing import Annotated, Any
from urllib.parse import quote

import jinja2
import msgspec
from litestar import Request, Response, delete, get, patch, post, route
from litestar.enums import HttpMethod
from litestar.params import FromPath, FromQuery, HeaderParameter, JSONBody, QueryParameter

from rejoinder.auth.providers import Registry, build_registry
from rejoinder.auth.sso import SsoProvider
from rejoinder.domain.identity import Identity, identity_avatar_key
from rejoinder.errors import ConfigError, RateLimited, RejoinderError, SiteNotFound, Unavailable
from rejoinder.i18n import choose, translator
from rejoinder.ratelimit import Action, Scope
from rejoinder.services import accounts as service
from rejoinder.services import moderation
from rejoinder.services.credentials import credential_id, remove_credential
from rejoinder.web.problems import rejoinder_error_handler
from rejoinder.web.wire import avatar_url, client_ip, ctx_of, rfc3339

log = logging.getLogger("rejoinder.auth")
HTML = "text/html"  # Litestar adds "; charset=utf-8" to every text/ type
AuthHeader = Annotated[str | None, HeaderParameter(name="Authorization")]
_BINDING = re.compile(r"^[A-Za-z0-9_-]{32,64}$")
BINDING_MAX_AGE = 3600


# --- wire types -----------------------------------------------------------------------------------------


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


class CredentialOut(msgspec.Struct):
    id: str  # opaque; DELETE /api/me/credentials/{id} removes it
    kind: str
    provider: str
    label: str
    created: str
    last_used: str | None


class MeOut(msgspec.Struct):
    identity: IdentityOut
    provider: ProviderOut
    email: str | None  # the verified address, shown only to its owner
    credentials: list[CredentialOut]
    session_expires: str


class MeIn(msgspec.Struct, forbid_unknown_fields=True):
    display_name: str | None = None
    show_in_likes: bool | None = None


class SessionOut(msgspec.Struct):
    token: str
    identity: IdentityOut
    provider: ProviderOut


class LinkTicketOut(msgspec.Struct):
    ticket: str
    expires: str


class ProviderInfoOut(msgspec.Struct):
    name: str
    label: str
    icon: str
    kind: str  # oauth | mastodon | email | passkey | sso: how the widget opens it (docs/sign-in.md)
    asks_server: bool
    start: str  # path of the popup page, to which the widget adds ?site=&origin=&mode=


class ProvidersOut(msgspec.Struct):
    site: str
    providers: list[ProviderInfoOut]


# --- helpers --------------------------------------------------------------------------------------------


@cache
def templates() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("rejoinder", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )


def registry_of(request: Request[Any, Any, Any]) -> Registry:
    """The provider registry, built on first use from the settings (secrets read once, then kept)."""
    state = request.app.state
    found: Registry | None = state.get("auth_registry")
    if found is None:
        ctx = ctx_of(request)
        try:
            found = build_registry(ctx.settings.auth, service.DbAppStore(ctx.engine))
        except ConfigError as exc:
            log.error("[rejoinder] sign-in is misconfigured: %s", exc)  # names the setting, never a value
            raise Unavailable(
                "Sign-in is not configured correctly on this server", code="sign-in-misconfigured"
            ) from None
        state["auth_registry"] = found
    return found


def identity_out(request: Request[Any, Any, Any], identity: Identity) -> IdentityOut:
    ctx = ctx_of(request)
    return IdentityOut(
        id=identity.id,
        display_name=identity.display_name,
        avatar=avatar_url(ctx, identity_avatar_key(ctx.secret, identity.id)),
        profile_url=identity.profile_url,
        show_in_likes=identity.show_in_likes,
        created=rfc3339(identity.created),
    )


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


HANDBACK = "handback.js"  # the popup's last step: posts the result to the article (static/handback.js)


@cache
def static_script(name: str) -> tuple[bytes, str]:
    """A script of the sign-in pages and a short hash of it (the `?v=` of its URL, and its ETag)."""
    body = resources.files("rejoinder").joinpath("static", name).read_bytes()
    return body, hashlib.sha256(body).hexdigest()[:12]


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
    name: str, status: int = 200, *, lang: str, form_action: str = "'self'", **values: Any
) -> Response[bytes]:
    """A sign-in page in `lang`: no caching, no framing, no referrer to other origins, no inline script
    (scripts are files on this origin). `form_action` lists where its forms may go, redirects after a submit
    included (Chromium applies form-action to them)."""
    handback = f"/static/{HANDBACK}?v={static_script(HANDBACK)[1]}"
    tr = translator(lang)
    body = templates().get_template(f"auth/{name}").render(handback=handback, tr=tr, **values)
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


# --- popup pages ----------------------------------------------------------------------------------------


@get(f"/static/{HANDBACK}", include_in_schema=False)
async def handback_script(v: FromQuery[str | None] = None) -> Response[bytes]:
    """The script of the popup's last page (a file, so that the page's CSP allows no inline script)."""
    body, digest = static_script(HANDBACK)
    return Response(
        content=body,
        media_type="text/javascript",
        headers={
            "Cache-Control": "public, max-age=31536000, immutable" if v == digest else "public, max-age=300",
            "ETag": f'"{digest}"',
            "X-Content-Type-Options": "nosniff",
        },
    )


@get("/auth/{provider:str}/start", include_in_schema=False)
async def start(
    request: Request[Any, Any, Any],
    provider: FromPath[str],
    site: FromQuery[str | None] = None,
    origin: FromQuery[str | None] = None,
    mode: FromQuery[str | None] = None,
    return_url: Annotated[str | None, QueryParameter(name="return")] = None,
    server: FromQuery[str | None] = None,
    link: FromQuery[str | None] = None,
    lang: FromQuery[str | None] = None,
) -> Response[Any]:
    """The popup's first page: checks the site and page origin, keeps the flow, then goes to the provider.
    `lang` is the widget's language: the pages of this sign-in (and its email) are shown in it."""
    ctx = ctx_of(request)
    label = provider
    language = auth_language(request, lang)
    try:
        registry = registry_of(request)
        found = registry.get(provider)
        label = found.label if found else provider
        # Before any work: each start may write a flow ticket, email or register at a Mastodon server.
        await moderation.admit(ctx, Action.SIGN_IN, {Scope.IP: client_ip(request)})
        if found is not None and found.kind == "email":  # no round trip: the page asks for the address
            from rejoinder.web import email_link

            return await email_link.address_page(
                request,
                found,
                site=site,
                origin=origin,
                mode=mode,
                return_url=return_url,
                link=link,
                lang=language,
            )
        if found is not None and found.kind == "passkey":  # the ceremony runs on rejoinder's own page
            from rejoinder.web import passkeys

            return await passkeys.ceremony_page(
                request,
                found,
                site=site,
                origin=origin,
                mode=mode,
                return_url=return_url,
                link=link,
                lang=language,
            )
        if found is not None and found.asks_server and not server:
            site_obj = await ctx.sites.by_name(site or "")
            if site_obj is None:
                raise SiteNotFound.named(site)
            service.check_allowed_origin(site_obj, origin)
            return page(
                "server.html",
                lang=language,
                label=label,
                action=f"/auth/{provider}/start",
                hidden={
                    "site": site,
                    "origin": origin,
                    "mode": mode or "popup",
                    "return": return_url or "",
                    "link": link or "",
                    "lang": language,
                },
            )
        binding = read_binding(request) or ctx.token(32)
        url = await service.begin_flow(
            ctx,
            registry,
            provider,
            site_name=site,
            origin=origin,
            mode=mode,
            return_url=return_url,
            server=server,
            link=link,
            binding=binding,
            redirect_uri=redirect_uri(request, provider),
            lang=language,
        )
    except RejoinderError as exc:
        return error_page(request, exc, label=label, lang=language)
    response = page("connecting.html", lang=language, label=label, url=url)
    set_binding(request, response, binding)
    return response


@route(
    "/auth/{provider:str}/callback",
    http_method=[HttpMethod.GET, HttpMethod.POST],
    include_in_schema=False,
    opt={"cross_site": "form_post from the provider: checked by state and the binding cookie"},
)
async def callback(request: Request[Any, Any, Any], provider: FromPath[str]) -> Response[Any]:
    """Where the provider sends the browser back (GET, or POST for form_post providers such as Apple)."""
    ctx = ctx_of(request)
    params: dict[str, str] = {k: v for k, v in request.query_params.items() if isinstance(v, str)}
    if request.method == "POST":
        form = await request.form()
        params.update({k: v for k, v in form.items() if isinstance(v, str)})
    try:
        registry = registry_of(request)
        flow = await service.take_flow(ctx, provider, params.get("state"), read_binding(request))
    except RejoinderError as exc:
        return error_page(request, exc)  # the flow, and so its page origin, is unknown: tell no one
    found = registry.get(provider)
    label = found.label if found else provider
    try:
        outcome = await service.finish_flow(
            ctx, registry, flow, params, redirect_uri=redirect_uri(request, provider)
        )
    except RejoinderError as exc:
        return hand_back_error(request, flow, exc, label)
    return hand_back(request, flow, outcome, label)


def hand_back(
    request: Request[Any, Any, Any], flow: service.Flow, outcome: service.Outcome, label: str
) -> Response[Any]:
    """Give a finished sign-in to the article: in redirect mode a 303 back to it with the result in the
    fragment, else the page that posts it to the opener (the flow's page origin, never "*")."""
    if outcome.kind == "link-offer":
        assert outcome.offer is not None
        offer = outcome.offer
        if flow.mode == "redirect" and flow.return_url:
            return _back(flow.return_url, {"rejoinder-link-offer": offer.offer})
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
        return _back(flow.return_url, {"rejoinder-session": outcome.token})
    message = {
        "type": "rejoinder:session",
        "token": outcome.token,
        "identity": msgspec.to_builtins(identity_out(request, outcome.identity)),
        "provider": {"name": outcome.provider, "label": outcome.label},
    }
    return page("done.html", lang=flow.lang, label=label, target=flow.origin, message=message, offer=False)


def hand_back_error(
    request: Request[Any, Any, Any], flow: service.Flow, exc: RejoinderError, label: str
) -> Response[Any]:
    """A failed sign-in whose flow is known: back to the article with `#rejoinder-error=CODE`, or the
    error page telling the opener."""
    if flow.mode == "redirect" and flow.return_url:
        return _back(flow.return_url, {"rejoinder-error": exc.code})
    return error_page(request, exc, origin=flow.origin, label=label, lang=flow.lang)


def _back(return_url: str, fragment: dict[str, str]) -> Response[bytes]:
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


# --- JSON API -------------------------------------------------------------------------------------------


@get("/api/auth/providers", summary="Sign-in providers of a site", tags=["sign-in"])
async def list_providers(request: Request[Any, Any, Any], site: FromQuery[str]) -> ProvidersOut:
    """The providers a site offers, for the widget's "or sign in with …" buttons."""
    ctx = ctx_of(request)
    found = await ctx.sites.by_name(site)
    if found is None:
        raise SiteNotFound.named(site)
    registry = registry_of(request)
    listed = [(i, _start_of(registry, i.name)) for i in service.providers_for(registry, found)]
    return ProvidersOut(
        site=found.name,
        providers=[
            ProviderInfoOut(
                name=i.name,
                label=i.label,
                icon=i.icon,
                kind=i.kind,
                asks_server=i.asks_server,
                start=start,
            )
            for i, start in listed
            if start
        ],
    )


def _start_of(registry: Registry, name: str) -> str:
    """Where the widget starts signing in: the popup page, or for publisher SSO the publisher's own login
    page (an sso provider without `login_url` signs readers in by token alone and is not listed)."""
    provider = registry.get(name)
    if isinstance(provider, SsoProvider):
        return provider.login_url
    return f"/auth/{name}/start"


async def _me(request: Request[Any, Any, Any], reader: service.SignedIn) -> Response[MeOut]:
    ctx = ctx_of(request)
    creds = await service.credentials_of(ctx, reader.identity.id)
    out = MeOut(
        identity=identity_out(request, reader.identity),
        provider=ProviderOut(name=reader.session.provider, label=reader.session.label),
        email=reader.identity.email,
        credentials=[
            CredentialOut(
                id=credential_id(ctx.secret, c),
                kind=c.kind.value,
                provider=c.provider,
                label=c.label,
                created=rfc3339(c.created),
                last_used=rfc3339(c.last_used) if c.last_used is not None else None,
            )
            for c in creds
        ],
        session_expires=rfc3339(reader.session.expires),
    )
    return Response(out, headers={"Cache-Control": "private, no-store"})


@get("/api/me", summary="The signed-in reader", tags=["sign-in"])
async def get_me(
    request: Request[Any, Any, Any], authorization: AuthHeader = None, site: FromQuery[str | None] = None
) -> Response[MeOut]:
    """Who the bearer token signs in: identity, the provider of this session, credentials. 401 otherwise.
    With `site`, also 401 `session-other-site` when the session does not sign in on that site (a session
    from another site's publisher SSO)."""
    ctx = ctx_of(request)
    reader = await service.authenticate(ctx, authorization)
    if site is not None:
        found = await ctx.sites.by_name(site)
        if found is None:
            raise SiteNotFound.named(site)
        reader.check_site(found)
    return await _me(request, reader)


@patch("/api/me", summary="Change one's name or likes visibility", tags=["sign-in"])
async def patch_me(
    request: Request[Any, Any, Any], data: JSONBody[MeIn], authorization: AuthHeader = None
) -> Response[MeOut]:
    """Set `display_name` (shown on one's comments, old ones too) and `show_in_likes` (default false)."""
    ctx = ctx_of(request)
    reader = await service.authenticate(ctx, authorization)
    updated = await service.update_me(
        ctx, reader, display_name=data.display_name, show_in_likes=data.show_in_likes
    )
    return await _me(request, msgspec.structs.replace(reader, identity=updated))


@post("/api/logout", summary="Log out (revoke the session)", tags=["sign-in"], status_code=204)
async def logout(request: Request[Any, Any, Any], authorization: AuthHeader = None) -> Response[None]:
    await service.sign_out(ctx_of(request), authorization)
    return Response(content=None, status_code=204)


@delete(
    "/api/me/credentials/{credential:str}",
    summary="Remove a sign-in method",
    tags=["sign-in"],
    status_code=200,
)
async def delete_credential(
    request: Request[Any, Any, Any], credential: FromPath[str], authorization: AuthHeader = None
) -> Response[MeOut]:
    """Remove one of the reader's credentials (by the `id` GET /api/me lists); the last one stays."""
    ctx = ctx_of(request)
    reader = await service.authenticate(ctx, authorization)
    await remove_credential(ctx, reader, credential)
    return await _me(request, reader)


@post(
    "/api/me/link-ticket",
    summary="Add a sign-in method: a ticket for the popup",
    tags=["sign-in"],
    status_code=201,
)
async def link_ticket(request: Request[Any, Any, Any], authorization: AuthHeader = None) -> LinkTicketOut:
    """A one-time ticket (10 minutes) to pass as `link=` to /auth/{provider}/start: the account signed in
    there is added to this identity instead of signing in separately."""
    ctx = ctx_of(request)
    reader = await service.authenticate(ctx, authorization)
    ticket, expires = await service.issue_link_ticket(ctx, reader)
    return LinkTicketOut(ticket=ticket, expires=rfc3339(expires))


@post(
    "/api/link-offers/{offer:str}/accept",
    summary="Link an offered sign-in",
    tags=["sign-in"],
    status_code=200,
)
async def accept_offer(
    request: Request[Any, Any, Any], offer: FromPath[str], authorization: AuthHeader = None
) -> Response[MeOut]:
    """Signed in as the identity the offer names, add the offered sign-in to it."""
    ctx = ctx_of(request)
    reader = await service.authenticate(ctx, authorization)
    await service.accept_link_offer(ctx, reader, offer)
    return await _me(request, reader)


@post(
    "/api/link-offers/{offer:str}/decline",
    summary="Keep an offered sign-in separate",
    tags=["sign-in"],
    status_code=200,
)
async def decline_offer(request: Request[Any, Any, Any], offer: FromPath[str]) -> SessionOut:
    """Create a separate identity for the offered sign-in and return a session for it."""
    outcome = await service.decline_link_offer(ctx_of(request), offer)
    assert outcome.token is not None and outcome.identity is not None
    return SessionOut(
        token=outcome.token,
        identity=identity_out(request, outcome.identity),
        provider=ProviderOut(name=outcome.provider, label=outcome.label),
    )


ROUTES: list[Any] = [
    handback_script,
    start,
    callback,
    list_providers,
    get_me,
    patch_me,
    logout,
    link_ticket,
    delete_credential,
    accept_offer,
    decline_offer,
]
