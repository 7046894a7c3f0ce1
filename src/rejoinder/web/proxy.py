"""What a trusted reverse proxy says about the request, applied once in front of everything, whatever the
HTTP server (Granian applies no forwarding header; uvicorn only X-Forwarded-Proto/For, from its own list).

From a peer listed in `moderation.trusted_proxies` only: the scheme from `Forwarded: proto=` (RFC 7239) or
`X-Forwarded-Proto`, and the host from `Forwarded: host=` or `X-Forwarded-Host` (else the `Host` the proxy
passed on). The request then looks as the browser made it (`https://comments.example.org/…`): cookies are
`Secure`/`__Host-` and sign-in callbacks use https. When `server.public_url` is empty, the origin so
reported also counts as rejoinder's own for the Origin checks of forms (guard.own_origins); when it is set,
it alone does. Links in pages and fragments are never built from these headers (wire.public_base). From any
other peer the headers are ignored: a client cannot claim https or another host."""

from __future__ import annotations

import re
from typing import Any

from rejoinder.ratelimit import TrustedProxies, parse_ip

FORWARDED_ORIGIN = "rejoinder.forwarded_origin"  # scope key: the origin a trusted proxy reported
_HOST = re.compile(r"^(?:[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::[0-9]{1,5})?$")
_DEFAULT_PORTS = {"http": ":80", "https": ":443"}


def _header(headers: list[tuple[bytes, bytes]], name: bytes) -> str | None:
    found = [value for key, value in headers if key == name]
    return b",".join(found).decode("latin-1") if found else None


def _last(value: str | None) -> str | None:
    """The value the nearest proxy added: the last of a comma-separated list."""
    if not value:
        return None
    return value.rsplit(",", 1)[-1].strip().strip('"') or None


def _forwarded_pair(header: str | None, name: str) -> str | None:
    """`name=` of the last `Forwarded` element (the one our proxy appended)."""
    element = _last(header.replace('"', "") if header else None)
    if element is None:
        return None
    for pair in element.split(";"):
        key, _, value = pair.strip().partition("=")
        if key.lower() == name:
            return value.strip() or None
    return None


def reported_origin(headers: list[tuple[bytes, bytes]], scheme: str) -> tuple[str, str | None]:
    """(scheme, host) as the proxy's headers report them; host None when it reported none."""
    forwarded = _header(headers, b"forwarded")
    proto = (
        _forwarded_pair(forwarded, "proto") or _last(_header(headers, b"x-forwarded-proto")) or ""
    ).lower()
    host = (_forwarded_pair(forwarded, "host") or _last(_header(headers, b"x-forwarded-host")) or "").lower()
    return (proto if proto in ("http", "https") else scheme), (host if _HOST.match(host) else None)


class ProxyHeaders:
    """ASGI wrapper applying a trusted proxy's scheme and host to the scope (see the module docstring)."""

    def __init__(self, app: Any, trusted: TrustedProxies) -> None:
        self.app = app
        self.trusted = trusted

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] in ("http", "websocket") and self.trusted.networks:
            client = scope.get("client")
            if client and parse_ip(str(client[0])) in self.trusted:
                scope = self._apply(scope)
        await self.app(scope, receive, send)

    @staticmethod
    def _apply(scope: dict[str, Any]) -> dict[str, Any]:
        headers: list[tuple[bytes, bytes]] = list(scope["headers"])
        scheme, host = reported_origin(headers, str(scope.get("scheme", "http")))
        if host is not None:
            headers = [(k, v) for k, v in headers if k != b"host"] + [(b"host", host.encode("latin-1"))]
        else:
            host = (_header(headers, b"host") or "").lower()
        scope = {**scope, "scheme": scheme, "headers": headers}
        if _HOST.match(host):
            port = _DEFAULT_PORTS.get(scheme)
            shown = host.removesuffix(port) if port else host
            scope[FORWARDED_ORIGIN] = f"{scheme}://{shown}"
        return scope
