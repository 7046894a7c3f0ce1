"""ActivityPub over HTTP: WebFinger, NodeInfo, the site actors and their collections, the objects that
articles and local comments are, and the inboxes (a site's and the shared one). Errors are problem+json
like everywhere else; an inbox answers 202 once the activity is checked and queued (services/activitypub)."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery

from rejoinder.federation.activitypub.documents import ACTIVITY_JSON, JRD_JSON
from rejoinder.services.activitypub import actors as service
from rejoinder.services.activitypub import inbox as inbox_service
from rejoinder.web.wire import ctx_of, read_body

NODEINFO_JSON = 'application/json; profile="http://nodeinfo.diaspora.software/ns/schema/2.1#"'
CACHE = {"Cache-Control": "public, max-age=300", "Vary": "Accept"}


def _json(doc: Any, media_type: str = ACTIVITY_JSON, *, cache: bool = True) -> Response[bytes]:
    return Response(
        msgspec.json.encode(doc),
        media_type=media_type,
        headers=CACHE if cache else {"Cache-Control": "no-store"},
    )


@get("/.well-known/webfinger", summary="WebFinger: find a site's actor", tags=["activitypub"])
async def webfinger(
    request: Request[Any, Any, Any], resource: FromQuery[str | None] = None
) -> Response[bytes]:
    """`resource=acct:SITE@HOST` (HOST as in server.public_url) → the JRD naming the site's actor."""
    doc = await service.webfinger(ctx_of(request), resource)
    return Response(
        msgspec.json.encode(doc),
        media_type=JRD_JSON,
        headers={**CACHE, "Access-Control-Allow-Origin": "*"},
    )


@get("/.well-known/nodeinfo", summary="NodeInfo discovery", tags=["activitypub"])
async def nodeinfo_links(request: Request[Any, Any, Any]) -> Response[bytes]:
    ctx = ctx_of(request)
    from rejoinder.federation.activitypub.documents import nodeinfo_links as links

    return _json(links(service.base_url(ctx)), "application/json")


@get("/nodeinfo/2.1", summary="NodeInfo 2.1", tags=["activitypub"])
async def nodeinfo(request: Request[Any, Any, Any]) -> Response[bytes]:
    return _json(await service.nodeinfo(ctx_of(request)), NODEINFO_JSON)


@get("/ap/sites/{name:str}", summary="A site's actor", tags=["activitypub"])
async def actor(request: Request[Any, Any, Any], name: FromPath[str]) -> Response[bytes]:
    return _json(await service.actor_document(ctx_of(request), name))


@get(
    "/ap/sites/{name:str}/followers", summary="A site actor's followers (their number)", tags=["activitypub"]
)
async def followers(request: Request[Any, Any, Any], name: FromPath[str]) -> Response[bytes]:
    return _json(await service.followers_document(ctx_of(request), name), cache=False)


@get("/ap/sites/{name:str}/outbox", summary="A site actor's outbox (empty)", tags=["activitypub"])
async def outbox(request: Request[Any, Any, Any], name: FromPath[str]) -> Response[bytes]:
    return _json(await service.outbox_document(ctx_of(request), name))


@get("/ap/sites/{name:str}/article", summary="The object an article thread is", tags=["activitypub"])
async def article(
    request: Request[Any, Any, Any], name: FromPath[str], url: FromQuery[str | None] = None
) -> Response[bytes]:
    """The Article the fediverse replies to; `url` is the article's address."""
    return _json(await service.article_document(ctx_of(request), name, url), cache=False)


@get("/ap/comments/{comment_id:str}", summary="A local comment as a Note", tags=["activitypub"])
async def comment(request: Request[Any, Any, Any], comment_id: FromPath[str]) -> Response[bytes]:
    return _json(await service.comment_document(ctx_of(request), comment_id), cache=False)


async def _receive(request: Request[Any, Any, Any], site: str | None) -> Response[bytes]:
    ctx = ctx_of(request)
    service.base_url(ctx)
    limit = ctx.settings.activitypub.max_body_bytes
    body = await read_body(request, limit, f"An activity may have at most {limit} bytes")
    target = request.scope.get("raw_path", request.url.path.encode()).decode("latin-1")
    query = request.scope.get("query_string", b"")
    if query:
        target += "?" + query.decode("latin-1")
    headers = {k.lower(): v for k, v in request.headers.items()}
    await inbox_service.receive(
        ctx, site_name=site, method=request.method, target=target, headers=headers, body=body
    )
    return Response(b"", status_code=202, headers={"Cache-Control": "no-store"})


# What the two inboxes share: another server's POST, exempt from the Origin rules (web/guard.py) and read
# by _receive up to activitypub.max_body_bytes; 202 once checked and queued.
_INBOX: dict[str, Any] = {
    "tags": ["activitypub"],
    "status_code": 202,
    "request_max_body_size": None,
    "opt": {"cross_site": "another server's POST, authenticated by its HTTP signature"},
}


@post("/ap/sites/{name:str}/inbox", summary="A site actor's inbox", **_INBOX)
async def site_inbox(request: Request[Any, Any, Any], name: FromPath[str]) -> Response[bytes]:
    """Takes a signed activity (HTTP Signatures) about this site: 202 once checked and queued; 401 when
    unsigned, badly signed, too old or signed by someone else than its actor."""
    return await _receive(request, name)


@post("/ap/inbox", summary="The shared inbox", **_INBOX)
async def shared_inbox(request: Request[Any, Any, Any]) -> Response[bytes]:
    """Like a site's inbox, for activities addressed to several of this server's actors."""
    return await _receive(request, None)


ROUTES = [
    webfinger,
    nodeinfo_links,
    nodeinfo,
    actor,
    followers,
    outbox,
    article,
    comment,
    site_inbox,
    shared_inbox,
]
