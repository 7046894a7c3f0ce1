"""The checks every state-changing request (POST, PUT, PATCH, DELETE) passes before its handler runs, for
every route in the table, so that a new route cannot forget them (tests/web/test_guard.py walks the table):

- `Origin: null` (a sandboxed frame, a file, a redirect across sites) is refused everywhere: no page can
  prove where it comes from that way. Only routes marked `opt={"cross_site": …}` (a provider's form_post
  callback, protected by its state and binding cookie instead) are exempt.
- Under /api a browser page must be on an origin some site allows, or rejoinder's own; the handler then
  checks the site the request is about (web/wire.check_origin).
- Under /api a body is JSON: any other Content-Type, and none at all where a body is expected, is a 415.
  So no cross-site form or `text/plain` request (which browsers send without a CORS preflight) gets in.
  Routes marked `opt={"image_upload": True}` (POST /api/images) take an `image/*` body instead (also
  preflighted); the handler checks which image type.
- A JSON body may nest at most MAX_JSON_DEPTH levels (400 `json-too-deep`), checked on the bytes before
  Litestar decodes them.

Errors are raised, so each route's own exception handlers answer them (problem+json, or HTML pages).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from litestar.handlers import HTTPRouteHandler
from litestar.middleware import MiddlewareProtocol
from litestar.types import ASGIApp, Receive, Scope, Send

from rejoinder.domain import urls
from rejoinder.domain.nesting import check_json_depth
from rejoinder.errors import OriginNotAllowed, UnsupportedMediaType
from rejoinder.services.context import Context
from rejoinder.web.proxy import FORWARDED_ORIGIN

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
JSON = "application/json"


class _Rule:
    """What the guard needs to know about one route handler, worked out once."""

    __slots__ = ("api", "body", "cross_site", "images")

    def __init__(self, handler: HTTPRouteHandler, path: str) -> None:
        self.cross_site = bool(handler.opt.get("cross_site"))
        self.images = bool(handler.opt.get("image_upload"))
        self.api = path.startswith("/api/")
        data = handler.parsed_fn_signature.parameters.get("data")
        # "required" | "optional" (the body may be left out) | "" (the route reads no JSON body)
        self.body = (
            "" if data is None else ("optional" if data.is_optional or data.has_default else "required")
        )


def _header(scope: dict[str, Any], name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


def own_origins(ctx: Context, scope: Mapping[str, Any]) -> frozenset[str]:
    """rejoinder's own origin: server.public_url when it is set; else the listening address, plus the
    origin a trusted proxy reported for this request (web/proxy.py). Never from the Host header of a
    client that is not a trusted proxy, since a client chooses it (docs/security.md, defect 8)."""
    s = ctx.settings.server
    configured = urls.own_origins(s.public_url, s.host, s.port)
    reported = scope.get(FORWARDED_ORIGIN)
    if s.public_url or not isinstance(reported, str):
        return configured
    return configured | {reported}


def refuse_opaque_origin(origin: str | None) -> None:
    """`Origin: null` is never allowed (see the module docstring)."""
    if origin == "null":
        raise OriginNotAllowed(
            "Requests from an opaque origin (Origin: null: a sandboxed frame, a local file, a redirect "
            "across sites) may not change anything; send them from the page of an allowed origin"
        )


class RequestGuard(MiddlewareProtocol):
    """Litestar middleware (registered once in app.py) applying the checks above."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.rules: dict[int, _Rule] = {}

    async def __call__(self, asgi_scope: Scope, receive: Receive, send: Send) -> None:
        scope: dict[str, Any] = asgi_scope  # type: ignore[assignment]
        if scope["type"] != "http" or scope["method"] not in WRITES:
            await self.app(asgi_scope, receive, send)
            return
        handler = scope["route_handler"]
        rule = self.rules.get(id(handler))
        if rule is None:
            rule = self.rules[id(handler)] = _Rule(handler, scope["path"])
        origin = _header(scope, b"origin")
        if origin is not None and not rule.cross_site:
            refuse_opaque_origin(origin)
            if rule.api:
                await self._check_api_origin(scope, origin)
        if rule.api:
            self._check_media_type(scope, rule)
        if rule.body:
            receive = _depth_checked(receive)
        await self.app(asgi_scope, receive, send)

    @staticmethod
    async def _check_api_origin(scope: dict[str, Any], origin: str) -> None:
        ctx: Context | None = scope["litestar_app"].state.get("ctx")
        if ctx is None or origin in own_origins(ctx, scope):
            return
        if not await ctx.sites.is_allowed_origin(origin):
            raise OriginNotAllowed(
                f"Pages on {origin} may not write here: no site on this server allows that origin"
            )

    @staticmethod
    def _check_media_type(scope: dict[str, Any], rule: _Rule) -> None:
        raw = _header(scope, b"content-type")
        media = raw.split(";", 1)[0].strip().lower() if raw is not None else ""
        if media == JSON or (rule.images and media.startswith("image/")):
            return
        if not media:
            length = _header(scope, b"content-length")
            empty = (length is None or length.strip() == "0") and _header(scope, b"transfer-encoding") is None
            if empty and rule.body != "required":
                return  # nothing sent where nothing (or an optional body) is expected
        sent = f"Content-Type {raw!r}" if raw is not None else "no Content-Type"
        raise UnsupportedMediaType(
            f"Send the request body as application/json (this request had {sent})",
            code="unsupported-media-type",
        )


def _depth_checked(receive: Receive) -> Any:
    """`receive` that checks the nesting depth of the whole body once its last chunk has arrived (Litestar
    reads the whole body before decoding it, so nothing is decoded before the check)."""
    chunks: list[bytes] = []

    async def receive_checked() -> dict[str, Any]:
        message: dict[str, Any] = await receive()  # type: ignore[assignment]
        if message["type"] == "http.request":
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                body = b"".join(chunks)
                chunks.clear()
                check_json_depth(body)
        return message

    return receive_checked
