"""An ASGI wrapper that answers cached public reads before Litestar routes the request.

A hit costs a dict lookup and a generation check (and, for the first gzip request of a big body, waiting for
its compression to finish in a worker thread); everything else (misses included) goes to Litestar,
whose handlers fill the cache.
"""

from __future__ import annotations

from typing import Any

from rejoinder import metrics
from rejoinder.web.cache import ResponseCache, respond

ASGIApp = Any
CACHED_PATHS = frozenset({"/api/threads", "/api/counts"})


def is_cached_path(path: str) -> bool:
    """The reads kept in the response cache: threads, counts, and batches of more replies."""
    return path in CACHED_PATHS or (path.startswith("/api/comments/") and path.endswith("/replies"))


class FastPath:
    def __init__(self, app: ASGIApp, cache: ResponseCache) -> None:
        self.app = app
        self.cache = cache

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and is_cached_path(scope["path"]) and scope["method"] in ("GET", "HEAD"):
            entry = self.cache.get(scope["path"].encode() + b"?" + scope["query_string"])
            if entry is not None:
                metrics.CACHE_HIT.inc()
                accept = b""
                inm = b""
                for name, value in scope["headers"]:
                    if name == b"accept-encoding":
                        accept = value
                    elif name == b"if-none-match":
                        inm = value
                if entry.needs_gzip(accept):  # made in the background once cached; wait for it if still busy
                    await entry.ensure_gzip()
                status, headers, body = respond(entry, accept, inm)
                await send({"type": "http.response.start", "status": status, "headers": headers})
                await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})
                return
            metrics.CACHE_MISS.inc()
            if scope["method"] == "HEAD":  # a miss: answer as GET would (and fill the cache), without a body
                await self.app({**scope, "method": "GET"}, receive, _without_body(send))
                return
        await self.app(scope, receive, send)


def _without_body(send: Any) -> Any:
    async def send_headers_only(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.body":
            message = {**message, "body": b""}
        await send(message)

    return send_headers_only
