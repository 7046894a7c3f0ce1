"""GET /api/threads: the public thread, the same bytes for every reader, served from the response cache."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request, Response, get
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, FromQuery, QueryParameter

from rejoinder.domain.comments import Comment, CommentStatus, CommentStub
from rejoinder.domain.sites import Site
from rejoinder.domain.threads import Sort
from rejoinder.services import threads as service
from rejoinder.services.sites import SITES_KEY
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


class SiteOut(msgspec.Struct):
    """The site's settings a client needs to draw the thread and the form (docs/api.md)."""

    name: str
    display_depth: int  # replies deeper than this are drawn at this depth
    allow_guests: bool  # false: only signed-in readers may comment
    require_email: bool  # guests must give an email address
    commenting: bool  # false: the site takes no new comments


def site_out(site: Site) -> SiteOut:
    o = site.options
    return SiteOut(
        name=site.name,
        display_depth=o.display_depth,
        allow_guests=o.allow_guests,
        require_email=o.require_email,
        commenting=o.moderation.commenting,
    )


class ThreadResponse(msgspec.Struct):
    thread: ThreadOut
    comments: list[CommentOut]
    page: PageOut
    sort: str
    site: SiteOut


class FragmentMemo:
    """Encoded comment objects by id, reused while the comment's status, edit time and likes are unchanged;
    a thread re-read after one new comment then encodes (and loads the text of) only that comment."""

    def __init__(self, max_entries: int = 50000) -> None:
        self.max_entries = max_entries
        self._items: dict[str, tuple[tuple[CommentStatus, int | None, int, str, str], bytes]] = {}

    def get_many(self, stubs: list[CommentStub]) -> list[bytes | None]:
        items = self._items.get
        out: list[bytes | None] = []
        for s in stubs:
            item = items(s.id)
            hit = item is not None and item[0] == (s.status, s.edited, s.likes, s.author_name, s.author_key)
            out.append(item[1] if hit and item is not None else None)
        return out

    def put(self, comment: Comment, fragment: bytes) -> None:
        if len(self._items) >= self.max_entries:
            for key in list(self._items)[: self.max_entries // 10 or 1]:
                del self._items[key]
        version = (comment.status, comment.edited, comment.likes, comment.author.name, comment.author.key)
        self._items[comment.id] = (version, fragment)


async def encode_view(request: Request[Any, Any, Any], view: service.ThreadView, sort: Sort) -> bytes:
    """The response body: the thread object, then the comments assembled from encoded fragments."""
    ctx = ctx_of(request)
    memo: FragmentMemo = request.app.state["fragments"]
    t = view.thread
    thread = ThreadOut(
        url=t.uri if t else view.ref.uri,
        key=t.key if t else view.ref.key,
        title=t.title if t else None,
        count=t.comment_count if t else 0,
        likes=ThreadLikesOut(
            count=t.like_count if t else 0,
            recent=[LikerOut(name=lk.name, avatar=avatar_url(ctx, lk.avatar_key)) for lk in view.likers],
        ),
    )
    fragments = memo.get_many(view.stubs)
    missing = [stub.id for stub, frag in zip(view.stubs, fragments, strict=True) if frag is None]
    if missing:
        encode = msgspec.json.encode
        loaded = {}
        for comment in await view.load(missing):
            fragment = encode(comment_out(ctx, comment))
            memo.put(comment, fragment)
            loaded[comment.id] = fragment
        fragments = [
            f if f is not None else loaded.get(s.id) for s, f in zip(view.stubs, fragments, strict=True)
        ]
    page = PageOut(number=view.page.number, size=view.page.size, pages=view.page.pages, roots=view.page.roots)
    return b"".join(
        (
            b'{"thread":',
            msgspec.json.encode(thread),
            b',"comments":[',
            b",".join(f for f in fragments if f is not None),
            b'],"page":',
            msgspec.json.encode(page),
            b',"sort":',
            msgspec.json.encode(sort.value),
            b',"site":',
            msgspec.json.encode(site_out(view.ref.site)),
            b"}",
        )
    )


def cached_response(
    request: Request[Any, Any, Any],
    keys: list[str],
    gens: tuple[int, ...],
    body: bytes,
    *,
    store: bool = True,
) -> Response[bytes]:
    """The response for a public read; kept in the cache unless `store` is False (an answer that no write
    would invalidate)."""
    ctx = ctx_of(request)
    cache: ResponseCache = request.app.state["cache"]
    max_age = ctx.settings.cache.max_age
    entry = cache.build(keys, gens, body, f"public, max-age=0, s-maxage={max_age}, must-revalidate")
    if store:
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


@get(
    "/api/threads",
    summary="Read a thread",
    tags=["threads"],
    responses={
        200: ResponseSpec(data_container=ThreadResponse, description="The thread and one page of comments")
    },
)
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
    # The body carries the site's settings: it stays valid while SITES_KEY is at the generation the registry
    # read `ref.site` at (taken right after resolving, with no await between).
    site_gen = ctx.sites.generation
    keys = service.cache_keys(ref.site.id, ref.uri, ref.key)
    gens = ctx.invalidator.generations(keys)  # before the query: a write after it makes the entry stale
    view = await service.read_thread(
        ctx, ref, sort=sort, page=page, limit=limit or ctx.settings.comments.page_size
    )
    body = await encode_view(request, view, sort)
    return cached_response(request, [*keys, SITES_KEY], (*gens, site_gen), body)


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
