"""CORS: public reads answer any origin without credentials; everything else only a site's allowed origins.

Sites live in the database and change at run time, so this is ours rather than a static CORSConfig.
`Origin: null` is never an allowed origin. A preflight lets a page send the reader's credentials
(`Authorization`, `Rejoinder-Visitor`, `Rejoinder-Edit-Token`) only from an origin some site allows, public
paths included. A private read about one site's thread (GET /api/viewer) calls `answer_only_to` so that
the answer is readable only by that site's pages. Public reads answer `*` whatever the Origin, so they
depend on nothing the Origin says (and need no `Vary: Origin`); everything else varies by Origin.
"""

from __future__ import annotations

from typing import Any

from rejoinder.services.sites import SiteRegistry

PUBLIC_PREFIXES = ("/api/threads", "/api/counts", "/api/avatars/", "/api/openapi.json", "/count.js", "/embed")
ALLOW_HEADERS = b"Content-Type, Rejoinder-Visitor, Rejoinder-Edit-Token, Authorization, If-None-Match"
PUBLIC_HEADERS = b"If-None-Match"  # what a page on any origin may send to a public read
SITE_ORIGINS = "rejoinder.site_origins"  # scope key: the only origins a private answer may be read by
ALLOW_METHODS = b"GET, POST, PUT, PATCH, DELETE, OPTIONS"
EXPOSE = b"ETag, Location"
# Set here only, once: a handler's own copies (the response cache's `*`, `ETag`) are replaced, not repeated.
OWN_HEADERS = frozenset({b"access-control-allow-origin", b"access-control-expose-headers"})


def _is_public(path: str, method: str) -> bool:
    if path == "/api/threads" or path.startswith(("/api/counts", "/api/avatars/", "/api/openapi")):
        return method in ("GET", "HEAD", "OPTIONS")
    if path.startswith("/api/comments/") and path.endswith("/replies"):  # more replies: a thread read
        return method in ("GET", "HEAD", "OPTIONS")
    return False


class Cors:
    def __init__(self, app: Any, sites: SiteRegistry) -> None:
        self.app = app
        self.sites = sites

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return
        origin = b""
        for name, value in scope["headers"]:
            if name == b"origin":
                origin = value
                break
        method = scope["method"]
        public = _is_public(scope["path"], method)
        allowed = b""
        site_origin = False  # the origin is one some site allows
        if origin and origin != b"null" and (not public or method == "OPTIONS"):
            try:
                site_origin = await self.sites.is_allowed_origin(origin.decode("latin-1"))
            except Exception:  # an unreachable database must not turn into a CORS failure here
                site_origin = False
        if public:
            allowed = b"*"
        elif site_origin:
            allowed = origin
        if method == "OPTIONS" and origin:
            headers = [(b"vary", b"Origin"), (b"content-length", b"0")]
            if allowed:
                headers += [
                    (b"access-control-allow-origin", allowed),
                    (b"access-control-allow-methods", b"GET, HEAD, OPTIONS" if public else ALLOW_METHODS),
                    (b"access-control-allow-headers", ALLOW_HEADERS if site_origin else PUBLIC_HEADERS),
                    (b"access-control-max-age", b"600"),
                ]
            await send({"type": "http.response.start", "status": 204 if allowed else 403, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return

        async def send_with_cors(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in OWN_HEADERS]
                only = scope.get(SITE_ORIGINS)
                if allowed and (only is None or allowed.decode("latin-1") in only):
                    headers.append((b"access-control-allow-origin", allowed))
                    headers.append((b"access-control-expose-headers", EXPOSE))
                if not public:
                    headers.append((b"vary", b"Origin"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_cors)


def answer_only_to(scope: dict[str, Any], origins: tuple[str, ...]) -> None:
    """Make this request's answer readable by pages on `origins` only (a private read of one site)."""
    scope[SITE_ORIGINS] = frozenset(origins)
