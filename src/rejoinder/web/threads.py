"""GET /api/threads: the public thread, the same bytes for every reader, served from the response cache."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request, Response, get
from litestar.params import FromPath, FromQuery, QueryParameter

from rejoinder.domain.threads import Sort
from rejoinder.services import threads as service
from rejoinder.web.cache import ResponseCache, respond
from rejoinder.web.wire import CommentOut, avatar_url, comment_out, ctx_of


class LikerOut(msgspec.Struct):
    name: str
    avatar: str


class ThreadLikesOut(msgspec.Struct):
    count: int
    recent: list[LikerOut]


class PageOut(msgspec.Struct):
    number: int
    size: int
    pages: int
    roots: int


class ThreadOut(msgspec.Struct):
    url: str | None
    key: str | None
    title: str | None
    count: int
    likes: ThreadLikesOut


class ThreadResponse(msgspec.Struct):
    thread: ThreadOut
    comments: list[CommentOut]
    page: PageOut
    sort: str


def encode_view(request: Request[Any, Any, Any], view: service.ThreadView, sort: Sort) -> bytes:
    ctx = ctx_of(request)
    t = view.thread
    out = ThreadResponse(
        thread=ThreadOut(
            url=t.uri if t else view.ref.uri,
            key=t.key if t else view.ref.key,
            title=t.title if t else None,
            count=t.comment_count if t else 0,
            likes=ThreadLikesOut(
                count=t.like_count if t else 0,
                recent=[LikerOut(name=lk.name, avatar=avatar_url(ctx, lk.avatar_key)) for lk in view.likers],
            ),
        ),
        comments=[comment_out(ctx, c) for c in view.comments],
        page=PageOut(
            number=view.page.number, size=view.page.size, pages=view.page.pages, roots=view.page.roots
        ),
        sort=sort.value,
    )
    return msgspec.json.encode(out)


def cached_response(
    request: Request[Any, Any, Any], keys: list[str], gens: tuple[int, ...], body: bytes
) -> Response[bytes]:
    ctx = ctx_of(request)
    cache: ResponseCache = request.app.state["cache"]
    max_age = ctx.settings.cache.max_age
    entry = cache.build(
        keys, gens, body, f"public, max-age=0, s-maxage={max_age}, stale-while-revalidate={max_age}"
    )
    cache.put(request.scope["path"].encode() + b"?" + request.scope["query_string"], entry)
    status, headers, payload = respond(
        entry,
        request.headers.get("accept-encoding", "").encode(),
        request.headers.get("if-none-match", "").encode(),
    )
    return Response(
        content=payload,
        status_code=status,
        headers={k.decode(): v.decode() for k, v in headers if k not in (b"content-length",)},
        media_type="application/json",
    )


@get("/api/threads", summary="Read a thread", tags=["threads"])
async def get_thread(
    request: Request[Any, Any, Any],
    url: FromQuery[str | None] = None,
    key: FromQuery[str | None] = None,
    site: FromQuery[str | None] = None,
    sort: FromQuery[Sort] = Sort.OLDEST,
    page: Annotated[int, QueryParameter(ge=1, le=100000)] = 1,
    limit: Annotated[int | None, QueryParameter(ge=1, le=1000)] = None,
) -> Response[bytes]:
    """The thread (counts, article likes, recent likers) and one page of its public comments, as a flat
    list in display order with parent ids. Unknown threads are empty, not 404. Same bytes for everyone."""
    ctx = ctx_of(request)
    ref = await service.resolve_ref(ctx, url=url, key=key, site=site)
    keys = service.cache_keys(ref.site.id, ref.uri, ref.key)
    gens = ctx.invalidator.generations(keys)  # before the query: a write after it makes the entry stale
    view = await service.read_thread(
        ctx, ref, sort=sort, page=page, limit=limit or ctx.settings.comments.page_size
    )
    return cached_response(request, keys, gens, encode_view(request, view, sort))


class LocateOut(msgspec.Struct):
    id: str
    url: str | None
    key: str | None
    page: int


@get("/api/comments/{comment_id:str}/page", summary="Find a comment's page", tags=["threads"])
async def locate_comment(
    request: Request[Any, Any, Any],
    comment_id: FromPath[str],
    sort: FromQuery[Sort] = Sort.OLDEST,
    limit: Annotated[int | None, QueryParameter(ge=1, le=1000)] = None,
) -> LocateOut:
    """Which page of its thread shows a comment, for permalinks (`#comment-ID`) into long threads."""
    ctx = ctx_of(request)
    thread, number = await service.locate_comment(
        ctx, comment_id, sort=sort, limit=limit or ctx.settings.comments.page_size
    )
    return LocateOut(id=comment_id, url=thread.uri, key=thread.key, page=number)
