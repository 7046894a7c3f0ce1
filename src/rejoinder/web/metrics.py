"""`GET /metrics`: Prometheus text format, for a bearer token (`server.metrics_token`; without one the route
answers 404 as if it did not exist), and what labels counted requests with their route template.

The access log (web/access.py, outermost) times each request and counts it once its response has gone;
Litestar tells which route answered through `RouteTemplate` (around Litestar, where the scope carries the
route handler): the label is the template (`/api/comments/{comment_id}/replies`), never the raw path, so the
number of series stays bounded. A request no route answers is counted as `unmatched`; a response-cache hit
(web/fastpath.py, before any routing) under its cached path's template.
"""

from __future__ import annotations

import hmac
from typing import Any

from litestar import Request, Response, get

from rejoinder import metrics
from rejoinder.errors import NotFound, Unauthorized
from rejoinder.store import engine as store_engine
from rejoinder.store import events as event_store
from rejoinder.web.fastpath import CACHED_PATHS
from rejoinder.web.wire import ctx_of

ROUTE = "rejoinder.route"  # scope key: a list RouteTemplate (innermost) fills with the route template
REPLIES_TEMPLATE = "/api/comments/{comment_id}/replies"  # web/threads.py, as Litestar names its template


def unrouted(path: str) -> str:
    if path in CACHED_PATHS:  # a response-cache hit: answered before routing
        return path
    if path.startswith("/api/comments/") and path.endswith("/replies"):
        return REPLIES_TEMPLATE
    return metrics.UNMATCHED


class RouteTemplate:
    """Around Litestar: after it answered, the template of the route that did (Litestar puts its handler in
    the scope it was given)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        try:
            await self.app(scope, receive, send)
        finally:
            route = scope.get(ROUTE)
            handler = scope.get("route_handler")
            if route is not None and handler is not None:
                template = scope.get("path_template")
                route.append(template if isinstance(template, str) else min(handler.paths))


@get("/metrics", include_in_schema=False)
async def metrics_endpoint(request: Request[Any, Any, Any]) -> Response[bytes]:
    """Prometheus metrics; `Authorization: Bearer <server.metrics_token>`. 404 when no token is set."""
    ctx = ctx_of(request)
    token = ctx.settings.server.metrics_token
    if not token:
        raise NotFound("There is no such page", code="not-found")
    given = request.headers.get("authorization", "")
    if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        raise Unauthorized(
            "The metrics need the bearer token set in server.metrics_token", code="unauthorized"
        )
    async with store_engine.read(ctx.engine) as conn:
        outbox = await event_store.count_by_state(conn)
    body = metrics.exposition({"rejoinder_outbox_events": {k: float(v) for k, v in outbox.items()}})
    return Response(body, media_type=metrics.CONTENT_TYPE, headers={"Cache-Control": "no-store"})
