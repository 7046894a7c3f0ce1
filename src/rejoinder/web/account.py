"""Sign-in over HTTP: the popup pages on rejoinder's own origin (/auth/{provider}/start and /callback)
and the JSON API of a signed-in reader (/api/me, /api/logout, link offers, the providers of a site).

The widget's session is a bearer token (Authorization header), never a cookie. The one cookie here is the
browser binding of a pending flow, first-party on rejoinder's origin, read only by /auth/*/callback.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import msgspec
from litestar import Request, Response, delete, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from rejoinder.errors import RejoinderError, SiteNotFound
from rejoinder.ratelimit import Action, Scope
from rejoinder.services import accounts as service
from rejoinder.services import moderation
from rejoinder.services.context import Context
from rejoinder.services.credentials import credential_id, remove_credential
from rejoinder.web import email_link, passkeys
from rejoinder.web.params import AuthHeader
from rejoinder.web.signin_pages import (
    IdentityOut,
    OwnPages,
    ProviderOut,
    SessionOut,
    StartPage,
    StartQuery,
    auth_language,
    callback_params,
    callback_route,
    error_page,
    identity_out,
    page,
    read_binding,
    redirect_uri,
    registry_of,
    session_out,
    set_binding,
    settle_flow,
)
from rejoinder.web.wire import client_ip, ctx_of, rfc3339

# The kinds whose sign-in runs on rejoinder's own pages, one line each: their start page and the routes of
# their other pages (the OwnPages of web/email_link.py, web/passkeys.py). Every other kind goes from the
# popup straight to its provider.
OWN_PAGES: tuple[OwnPages, ...] = (email_link.PAGES, passkeys.PAGES)
START_PAGES: dict[str, StartPage] = {pages.kind: pages.start for pages in OWN_PAGES}


# --- wire types -----------------------------------------------------------------------------------------


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


class LinkTicketOut(msgspec.Struct):
    ticket: str
    expires: str


class ProviderInfoOut(msgspec.Struct):
    name: str
    label: str
    icon: str
    kind: str  # oauth | mastodon | email | passkey | sso (docs/sign-in.md)
    asks_server: bool
    start: str  # popup: the path of the popup page (+ ?site=&origin=&mode=…); page: the publisher's URL
    opens: str  # popup | page: how the widget starts signing in
    can_link: bool  # offered when adding a sign-in method to a signed-in reader
    link_text: str  # the widget string of its "add" button ("" = "Add <label>")


class ProvidersOut(msgspec.Struct):
    site: str
    providers: list[ProviderInfoOut]


# --- popup pages ----------------------------------------------------------------------------------------


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
        asked = StartQuery(
            site=site, origin=origin, mode=mode, return_url=return_url, link=link, lang=language
        )
        own_page = START_PAGES.get(found.kind) if found is not None else None
        if found is not None and own_page is not None:  # a kind whose start is a page of its own
            return await own_page(request, found, asked)
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
            asked,
            server=server,
            binding=binding,
            redirect_uri=redirect_uri(request, provider),
            lang=language,
        )
    except RejoinderError as exc:
        return error_page(request, exc, label=label, lang=language)
    response = page("connecting.html", lang=language, label=label, url=url)
    set_binding(request, response, binding)
    return response


@callback_route("state and the binding cookie")
async def callback(request: Request[Any, Any, Any], provider: FromPath[str]) -> Response[Any]:
    """Where the provider sends the browser back (GET, or POST for form_post providers such as Apple)."""
    ctx = ctx_of(request)
    params = callback_params(request, (await request.form()).items() if request.method == "POST" else ())
    registry = registry_of(request)
    return await settle_flow(
        request,
        provider,
        service.take_flow(ctx, provider, params.get("state"), read_binding(request)),
        lambda flow: service.finish_flow(
            ctx, registry, flow, params, redirect_uri=redirect_uri(request, provider)
        ),
    )


# --- JSON API -------------------------------------------------------------------------------------------


@get("/api/auth/providers", summary="Sign-in providers of a site", tags=["sign-in"])
async def list_providers(request: Request[Any, Any, Any], site: FromQuery[str]) -> ProvidersOut:
    """The providers a site offers, for the widget's "or sign in with …" buttons."""
    ctx = ctx_of(request)
    found = await ctx.sites.by_name(site)
    if found is None:
        raise SiteNotFound.named(site)
    listed = service.providers_for(registry_of(request), found)
    return ProvidersOut(
        site=found.name,
        providers=[
            ProviderInfoOut(
                name=i.name,
                label=i.label,
                icon=i.icon,
                kind=i.kind,
                asks_server=i.asks_server,
                start=i.start,
                opens=i.opens,
                can_link=i.can_link,
                link_text=i.link_text,
            )
            for i in listed
            if i.start  # "": a publisher-SSO provider without `login_url` signs in by token alone
        ],
    )


async def _me(request: Request[Any, Any, Any], reader: service.SignedIn) -> Response[MeOut]:
    ctx = ctx_of(request)
    creds = await service.credentials_of(ctx, reader.identity.id)
    out = MeOut(
        identity=identity_out(request, reader.identity),
        provider=ProviderOut(name=reader.session.provider, label=reader.session.label),
        email=reader.identity.email,
        credentials=[
            CredentialOut(
                id=credential_id(ctx.id_key, c),
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


async def _change_me(
    request: Request[Any, Any, Any],
    authorization: str | None,
    change: Callable[[Context, service.SignedIn], Awaitable[object]],
) -> Response[MeOut]:
    """Authenticate the reader, make the change, and answer what GET /api/me shows now."""
    ctx = ctx_of(request)
    reader = await service.authenticate(ctx, authorization)
    await change(ctx, reader)
    return await _me(request, reader)


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
    return await _change_me(
        request, authorization, lambda ctx, reader: remove_credential(ctx, reader, credential)
    )


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
    return await _change_me(
        request, authorization, lambda ctx, reader: service.accept_link_offer(ctx, reader, offer)
    )


@post(
    "/api/link-offers/{offer:str}/decline",
    summary="Keep an offered sign-in separate",
    tags=["sign-in"],
    status_code=200,
)
async def decline_offer(request: Request[Any, Any, Any], offer: FromPath[str]) -> SessionOut:
    """Create a separate identity for the offered sign-in and return a session for it."""
    outcome = await service.decline_link_offer(ctx_of(request), offer)
    return session_out(request, outcome)


ROUTES: list[Any] = [
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
    *(route for pages in OWN_PAGES for route in pages.routes),
]
