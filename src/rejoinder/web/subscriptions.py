"""Email subscriptions over HTTP: POST /api/subscriptions (the widget's "Email me replies" and "Email me new
comments" boxes), and the pages the links in emails open, /subscriptions/{confirm,unsubscribe,manage}/TOKEN.

The token in the path is the only credential (a signed link, domain/subscriptions.py): no sign-in. A GET only
shows a page, since mail scanners follow every link; each change is a button that POSTs. The unsubscribe
POST is RFC 8058's one-click: a mail client sends `List-Unsubscribe=One-Click` from its own servers, with
no Origin and no cookie, so that route is exempt from the Origin check (`cross_site`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Literal, TypeVar

import msgspec
from litestar import Request, Response, Router, get, post
from litestar.params import FromPath, JSONBody

from rejoinder.domain.subscriptions import DeliveryMode, SubscriptionKind, SubscriptionState
from rejoinder.errors import RejoinderError
from rejoinder.i18n import Translator, choose, translator
from rejoinder.services import subscriptions as service
from rejoinder.services.accounts import on_site, optional_reader
from rejoinder.services.context import Context
from rejoinder.services.threads import resolve_ref
from rejoinder.web.params import AuthHeader
from rejoinder.web.signin_pages import page
from rejoinder.web.wire import check_origin, client_ip, ctx_of

FORM_LIMIT = 64  # characters of any one form value on these pages

T = TypeVar("T")


class SubscribeIn(msgspec.Struct, forbid_unknown_fields=True):
    kinds: list[str]  # "replies" (needs `comment`), "thread", or both
    url: str | None = None
    key: str | None = None
    site: str | None = None
    comment: str | None = None  # whose replies to follow
    email: str | None = None  # a guest's address (signed-in readers: their verified one when left out)
    mode: str | None = None  # "immediate" (default; batched per minute) or "digest" (daily)
    lang: str | None = None  # the language of the emails


class SubscribedOut(msgspec.Struct):
    state: Literal["active", "confirm"]  # confirm: an email was sent to the address; nothing is sent before
    kinds: list[str]
    mode: str


@post(
    "/api/subscriptions",
    summary="Subscribe to replies or a thread by email",
    tags=["subscriptions"],
    status_code=202,
)
async def subscribe(
    request: Request[Any, Any, Any],
    data: JSONBody[SubscribeIn],
    authorization: AuthHeader = None,
) -> SubscribedOut:
    """Follow replies to a comment (`kinds: ["replies"]` with `comment`) and/or the thread's new comments
    (`"thread"`) by email. A signed-in reader's address verified by their provider is followed at once
    (`state: "active"`); any other address first gets an email (`state: "confirm"`): a confirmation link
    while it is unconfirmed on the site, else a notice with an unsubscribe link. The answer is the same
    whether the address was known or not. Limited per network and per address (429)."""
    ctx = ctx_of(request)
    signed = await optional_reader(ctx, authorization)
    ref = await resolve_ref(ctx, url=data.url, key=data.key, site=data.site)
    check_origin(request, ref)
    reader = on_site(signed, ref.site)
    done = await service.subscribe(
        ctx,
        ref,
        kinds=data.kinds,
        comment_id=data.comment,
        email=data.email,
        mode=data.mode,
        lang=data.lang,
        reader=reader,
        ip=client_ip(request),
    )
    return SubscribedOut(state=done.state, kinds=[k.value for k in done.kinds], mode=done.mode.value)


# --- the pages ------------------------------------------------------------------------------------------


def _lang(request: Request[Any, Any, Any]) -> str:
    query = request.query_params.get("lang")
    return choose(
        query if isinstance(query, str) else None,
        accept_language=request.headers.get("accept-language"),
        default=ctx_of(request).settings.server.language,
    )


def _show(request: Request[Any, Any, Any], view: str, status: int = 200, **values: Any) -> Response[bytes]:
    lang = values.pop("lang", None) or _lang(request)
    return page("page.html", status, lang=lang, folder="subscriptions", view=view, **values)


def _error(request: Request[Any, Any, Any], exc: RejoinderError) -> Response[bytes]:
    tr = translator(_lang(request))
    return _show(
        request, "error", exc.status, lang=tr.lang, detail=tr.error(exc.code, exc.detail), code=exc.code
    )


def _here(request: Request[Any, Any, Any]) -> str:
    """The form's action: this page's own path and query (the token and the language)."""
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def _manage_url(request: Request[Any, Any, Any], token: str, lang: str) -> str:
    return service.link(ctx_of(request), "manage", token, lang)


def _lines(tr: Translator, managed: service.Managed) -> list[str]:
    return [service.describe(tr, f, managed.site) for f in managed.followed]


class _TokenRefused(Exception):
    """The service refused a link's token (invalid, expired): the page says why, as `_error` draws it. A
    wrapper rather than RejoinderError itself, so that what the guard raises before the handler (web/guard.py)
    stays problem+json."""

    def __init__(self, error: RejoinderError) -> None:
        super().__init__(error.detail)
        self.error = error


def _refused(request: Request[Any, Any, Any], exc: _TokenRefused) -> Response[bytes]:
    return _error(request, exc.error)


_TOKEN_ERRORS: dict[Any, Any] = {_TokenRefused: _refused}


async def _by_token(
    request: Request[Any, Any, Any], token: str, step: Callable[[Context, str], Awaitable[T]]
) -> T:
    """`step` (the service call) with the link's token, clipped to 200 characters; raises _TokenRefused."""
    try:
        return await step(ctx_of(request), token[:200])
    except RejoinderError as exc:
        raise _TokenRefused(exc) from exc


@get("/confirm/{token:str}")
async def confirm_page(request: Request[Any, Any, Any], token: FromPath[str]) -> Response[bytes]:
    """What the confirmation link is for, and the button that confirms (a GET changes nothing)."""
    managed = await _by_token(request, token, service.check_confirm)
    tr = translator(_lang(request))
    return _show(
        request, "confirm", lang=tr.lang, site=managed.site, lines=_lines(tr, managed), action=_here(request)
    )


@post("/confirm/{token:str}", status_code=200)
async def confirm(request: Request[Any, Any, Any], token: FromPath[str]) -> Response[bytes]:
    ctx = ctx_of(request)
    managed = await _by_token(request, token, service.confirm)
    tr = translator(_lang(request))
    manage = _manage_url(request, service.manage_link_token(ctx, managed.address.id), tr.lang)
    return _show(
        request, "confirmed", lang=tr.lang, site=managed.site, lines=_lines(tr, managed), manage=manage
    )


@get("/unsubscribe/{token:str}")
async def unsubscribe_page(request: Request[Any, Any, Any], token: FromPath[str]) -> Response[bytes]:
    """What the link would end, and the button (mail scanners follow GETs: this one changes nothing)."""
    found = await _by_token(request, token, service.check_unsubscribe)
    tr = translator(_lang(request))
    lines = [service.describe(tr, found.only, found.managed.site)] if found.only is not None else []
    return _show(
        request,
        "unsubscribe",
        lang=tr.lang,
        site=found.managed.site,
        lines=lines,
        action=_here(request),
        manage=_manage_url(request, found.manage_token, tr.lang),
    )


@post(
    "/unsubscribe/{token:str}",
    status_code=200,
    opt={"cross_site": "RFC 8058 one-click unsubscribe: a mail client POSTs; the signed token authorises"},
)
async def unsubscribe(request: Request[Any, Any, Any], token: FromPath[str]) -> Response[bytes]:
    """One click: end what the link names, without signing in (RFC 8058). Repeating it is fine."""
    await _by_token(request, token, service.unsubscribe)
    return _show(request, "unsubscribed", manage="")


class _Row(msgspec.Struct, frozen=True):
    id: int
    label: str
    mode: str
    pending: bool


def _rows(tr: Translator, managed: service.Managed) -> list[_Row]:
    return [
        _Row(
            id=f.subscription.id,
            label=service.describe(tr, f, managed.site),
            mode=f.subscription.mode.value,
            pending=f.subscription.state is SubscriptionState.PENDING,
        )
        for f in managed.followed
    ]


def _manage_page(
    request: Request[Any, Any, Any], managed: service.Managed, *, saved: bool
) -> Response[bytes]:
    """In the `lang` of the link, else in the address's language."""
    tr = translator(_lang(request) if request.query_params.get("lang") else managed.address.language)
    rows = _rows(tr, managed)
    return _show(
        request, "manage", lang=tr.lang, site=managed.site, rows=rows, action=_here(request), saved=saved
    )


@get("/manage/{token:str}")
async def manage_page(request: Request[Any, Any, Any], token: FromPath[str]) -> Response[bytes]:
    """Every subscription of the address, with its mode, and buttons to change or end them."""
    managed = await _by_token(request, token, service.open_manage)
    return _manage_page(request, managed, saved=False)


@post("/manage/{token:str}", status_code=200)
async def manage(request: Request[Any, Any, Any], token: FromPath[str]) -> Response[bytes]:
    """The manage page's form: `mode-<id>` (immediate | digest), `remove` (ids), `all` (end everything).
    Values that are not one of those are ignored."""
    form = await request.form()
    modes: dict[int, DeliveryMode] = {}
    remove: list[int] = []
    for name, value in form.multi_items():
        if not isinstance(value, str) or len(value) > FORM_LIMIT:
            continue
        if name.startswith("mode-") and name[5:].isdigit() and value in {m.value for m in DeliveryMode}:
            modes[int(name[5:])] = DeliveryMode(value)
        elif name == "remove" and value.isdigit() and len(value) < 19:
            remove.append(int(value))
    remove_all = form.get("all") == "1"
    managed = await _by_token(
        request,
        token,
        lambda ctx, clipped: service.change(ctx, clipped, modes=modes, remove=remove, remove_all=remove_all),
    )
    return _manage_page(request, managed, saved=True)


# The pages the links in emails open: a refused token is answered with a page, not problem+json.
pages = Router(
    path="/subscriptions",
    route_handlers=[confirm_page, confirm, unsubscribe_page, unsubscribe, manage_page, manage],
    exception_handlers=_TOKEN_ERRORS,
    include_in_schema=False,
)

ROUTES: list[Any] = [subscribe, pages]

__all__ = ["ROUTES", "SubscriptionKind"]
