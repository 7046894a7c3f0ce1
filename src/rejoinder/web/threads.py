"""GET /api/threads, GET /api/comments/{id}/replies and /page: the public thread and more replies of a
conversation, the same bytes for every reader, served from the response cache."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, cast

import msgspec
from litestar import Request, Response, get
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, FromQuery, QueryParameter

from rejoinder.domain.comments import Comment, CommentStub
from rejoinder.domain.reactions import CATALOG
from rejoinder.domain.sites import Site
from rejoinder.domain.threads import MAX_PAGE_COMMENTS, Sort
from rejoinder.errors import BadRequest
from rejoinder.services import subscriptions as subscription_service
from rejoinder.services import threads as service
from rejoinder.services.sites import SITES_KEY
from rejoinder.store.reactions import ARTICLE
from rejoinder.web.cache import Entry, ResponseCache, respond
from rejoinder.web.fragments import FragmentMemo as FragmentMemo  # re-exported: app.py builds it from here
from rejoinder.web.fragments import encode_comments
from rejoinder.web.gzipjoin import JoinedGzip, compress
from rejoinder.web.params import THREAD, ThreadQuery
from rejoinder.web.wire import CommentOut, TopLevelCommentOut, avatar_url, ctx_of


class LikerOut(msgspec.Struct):
    name: str
    avatar: str


class ThreadLikesOut(msgspec.Struct):
    count: int
    recent: list[LikerOut]


class ThreadReactionsOut(msgspec.Struct):
    """The article's reactions: how many of each kind the site offers, how many readers reacted, and the
    most recent of them who agreed to be named (as for likes)."""

    kinds: dict[str, int]
    count: int
    recent: list[LikerOut]


class ReactionOut(msgspec.Struct):
    kind: str  # its accessible name is `reactionNames[kind]` of the locale files
    emoji: str


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
    reactions: ThreadReactionsOut


class SiteOut(msgspec.Struct):
    """The site's settings a client needs to draw the thread and the form (docs/api.md)."""

    name: str
    display_depth: int  # replies deeper than this are drawn at this depth
    allow_guests: bool  # false: only signed-in readers may comment
    require_email: bool  # guests must give an email address
    commenting: bool  # false: the site takes no new comments
    subscriptions: SubscriptionsOut
    reactions: list[ReactionOut]  # offered on the article and every comment, in this order; [] for none
    like_button: bool  # false: the reactions replace the Like button
    images: SiteImagesOut


class SiteImagesOut(msgspec.Struct):
    """Whether readers may attach images to comments here (the widget shows the button), and how many
    and how large (docs/embedding.md#images)."""

    enabled: bool
    max_count: int
    max_bytes: int


class SubscriptionsOut(msgspec.Struct):
    """The "Email me …" boxes under the form: offered at all (the server sends email), and ticked at first."""

    available: bool
    replies: bool
    thread: bool


def site_out(site: Site, *, subscriptions: bool) -> SiteOut:
    o = site.options
    return SiteOut(
        name=site.name,
        display_depth=o.display_depth,
        allow_guests=o.allow_guests,
        require_email=o.require_email,
        commenting=o.moderation.commenting,
        subscriptions=SubscriptionsOut(
            available=subscriptions, replies=o.subscribe_replies, thread=o.subscribe_thread
        ),
        reactions=[ReactionOut(kind=k, emoji=CATALOG[k]) for k in o.reactions if k in CATALOG],
        like_button=o.like_button or not o.reactions,
        images=SiteImagesOut(
            enabled=o.images.enabled, max_count=o.images.max_count, max_bytes=o.images.max_bytes
        ),
    )


class ThreadResponse(msgspec.Struct):
    thread: ThreadOut
    comments: list[TopLevelCommentOut]  # replies are CommentOut: the same without `more_replies`
    reactions: dict[str, dict[str, int]]  # by comment id (those on this page with any): {kind: count}
    page: PageOut
    sort: str
    site: SiteOut


async def encode_view(
    request: Request[Any, Any, Any], view: service.ThreadView, sort: Sort
) -> tuple[bytes, JoinedGzip]:
    """The response body: the thread object, then the comments assembled from encoded fragments; and the
    pieces its gzip copy is joined from (web/gzipjoin.py)."""
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
        reactions=ThreadReactionsOut(
            kinds=view.reactions.get(ARTICLE, {}),
            count=view.reactors,
            recent=[LikerOut(name=r.name, avatar=avatar_url(ctx, r.avatar_key)) for r in view.named_reactors],
        ),
    )
    avatar_base = avatar_url(ctx, "")
    if view.comments is not None:  # read with their text: encode them all (and keep them for rebuilds)
        fragments: list[bytes] = encode_comments(view.comments, avatar_base, view.more)
        memo.put_many(view.comments, fragments, view.more)
        memo.saw(view.ref.lookup)
        ids = [c.id for c in view.comments]
    else:
        found = await encode_stubs(memo, view.stubs, view.load, avatar_base, view.more)
        if all(found):
            fragments, ids = found, [s.id for s in view.stubs]
        else:
            kept = [(s.id, f) for s, f in zip(view.stubs, found, strict=True) if f]
            ids, fragments = [i for i, _ in kept], [f for _, f in kept]
    page = PageOut(number=view.page.number, size=view.page.size, pages=view.page.pages, roots=view.page.roots)
    # One join with the commas interleaved: joining the comments first and then the body copied ~900 KB
    # twice for a 1,000-comment thread (0.46 ms against 0.05 ms).
    listed = [b","] * (2 * len(fragments) - 1) if fragments else []
    listed[::2] = fragments
    head = b'{"thread":%s,"comments":[' % msgspec.json.encode(thread)
    tail = b"".join(
        (
            b'],"reactions":',
            msgspec.json.encode({k: v for k, v in view.reactions.items() if k != ARTICLE}),
            b',"page":',
            msgspec.json.encode(page),
            b',"sort":',
            msgspec.json.encode(sort.value),
            b',"site":',
            msgspec.json.encode(site_out(view.ref.site, subscriptions=subscription_service.available(ctx))),
            b"}",
        )
    )
    return b"".join((head, *listed, tail)), JoinedGzip(head, ids, fragments, tail, memo.chunks)


async def encode_stubs(
    memo: FragmentMemo,
    stubs: list[CommentStub],
    load: Callable[[list[str]], Awaitable[list[Comment]]],
    avatar_base: str,
    more: dict[str, int],
) -> list[bytes]:
    """The encoded objects of these comments, in order: kept ones from the memo, the others loaded and
    encoded (and kept); `more` gives `more_replies` of top-level comments. A comment that vanished since its
    stub was read is b""."""
    known = memo.get_many(stubs, more)
    missing = [stub.id for stub, frag in zip(stubs, known, strict=True) if frag is None]
    if not missing:
        return cast("list[bytes]", known)
    comments = await load(missing)
    encoded = encode_comments(comments, avatar_base, more)
    memo.put_many(comments, encoded, more)
    loaded = {c.id: f for c, f in zip(comments, encoded, strict=True)}
    return [f if f is not None else loaded.get(s.id, b"") for s, f in zip(stubs, known, strict=True)]


def _entry(request: Request[Any, Any, Any], keys: list[str], gens: tuple[int, ...], body: bytes) -> Entry:
    cache: ResponseCache = request.app.state["cache"]
    max_age = ctx_of(request).settings.cache.max_age
    return cache.build(keys, gens, body, f"public, max-age=0, s-maxage={max_age}, must-revalidate")


def _store(request: Request[Any, Any, Any], entry: Entry) -> None:
    cache: ResponseCache = request.app.state["cache"]
    cache.put(request.scope["path"].encode() + b"?" + request.scope["query_string"], entry)


def _response(request: Request[Any, Any, Any], entry: Entry) -> Response[bytes]:
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


def cached_response(
    request: Request[Any, Any, Any],
    keys: list[str],
    gens: tuple[int, ...],
    body: bytes,
    *,
    store: bool = True,
) -> Response[bytes]:
    """The response for a small public read (counts); kept in the cache unless `store` is False (an answer
    that no write would invalidate). Compressed here, when the client accepts gzip."""
    entry = _entry(request, keys, gens, body)
    if entry.needs_gzip(request.headers.get("accept-encoding", "").encode()):
        entry.gzip_body = compress(entry.body)
    if store:
        _store(request, entry)
    return _response(request, entry)


async def thread_response(
    request: Request[Any, Any, Any],
    keys: list[str],
    gens: tuple[int, ...],
    body: bytes,
    joined: JoinedGzip | None = None,
) -> Response[bytes]:
    """The response for a thread read, kept in the cache. A big body is compressed in a worker thread once
    cached (this request waits for it only if it accepts gzip); with the cache off, only for a client that
    accepts gzip, inline. With `joined`, the gzip copy is joined from the body's pieces, and only those not
    kept from an earlier build are compressed (web/gzipjoin.py)."""
    cache: ResponseCache = request.app.state["cache"]
    entry = _entry(request, keys, gens, body)
    entry.joined = joined
    _store(request, entry)
    if entry.needs_gzip(request.headers.get("accept-encoding", "").encode()):
        await entry.ensure_gzip(cached=cache.enabled)
    return _response(request, entry)


def _cached_json(container: type[Any], description: str) -> dict[int, ResponseSpec]:
    """The OpenAPI answer of a read sent from the response cache as JSON bytes (`Response[bytes]`):
    `container` is the type those bytes hold, which the handler's return type cannot say."""
    return {200: ResponseSpec(data_container=container, description=description)}


@get(
    "/api/threads",
    summary="Read a thread",
    tags=["threads"],
    responses=_cached_json(ThreadResponse, "The thread and one page of comments"),
    dependencies=THREAD,
)
async def get_thread(
    request: Request[Any, Any, Any],
    *,
    thread: NamedDependency[ThreadQuery],
    sort: FromQuery[Sort] = Sort.OLDEST,
    page: Annotated[int, QueryParameter(ge=1, le=100000)] = 1,
    limit: Annotated[int | None, QueryParameter(ge=1, le=MAX_PAGE_COMMENTS)] = None,
) -> Response[bytes]:
    """The thread (counts, article likes, recent likers) and one page of its public comments, as a flat
    list in display order with parent ids: `limit` conversations, each with at most
    `comments.replies_per_page` replies (`more_replies` on its top-level comment says how many are left
    out), at most 1,000 comments in all. Unknown threads are empty, not 404. Same bytes for everyone."""
    ctx = ctx_of(request)
    ref = await thread.resolve(ctx)
    # The body carries the site's settings: it stays valid while SITES_KEY is at the generation the registry
    # read `ref.site` at (taken right after resolving, with no await between).
    site_gen = ctx.sites.generation
    keys = service.cache_keys(ref.site.id, ref.uri, ref.key)
    gens = ctx.invalidator.generations(keys)  # before the query: a write after it makes the entry stale
    memo: FragmentMemo = request.app.state["fragments"]
    view = await service.read_thread(
        ctx,
        ref,
        sort=sort,
        page=page,
        limit=limit or ctx.settings.comments.page_size,
        with_text=not memo.knows(ref.lookup),
    )
    body, joined = await encode_view(request, view, sort)
    return await thread_response(request, [*keys, SITES_KEY], (*gens, site_gen), body, joined)


class LocateOut(msgspec.Struct):
    id: str
    url: str | None
    key: str | None
    page: int  # the page (of `limit` conversations, in `sort`) that holds the comment's conversation
    root: str  # the id of the conversation's top-level comment (the comment's own id for a top-level one)
    reply_offset: int | None  # a reply's position among its conversation's replies, from 0; null if top-level


@get("/api/comments/{comment_id:str}/page", summary="Find a comment's page", tags=["threads"])
async def locate_comment(
    request: Request[Any, Any, Any],
    comment_id: FromPath[str],
    sort: FromQuery[Sort] = Sort.OLDEST,
    limit: Annotated[int | None, QueryParameter(ge=1, le=MAX_PAGE_COMMENTS)] = None,
) -> LocateOut:
    """Which page of its thread shows a comment's conversation, for permalinks (`#comment-ID`) into long
    threads; for a reply, also where it is in its conversation, so that a reply beyond what the page shows
    can be fetched with GET /api/comments/{root}/replies?offset=... (docs/api.md)."""
    ctx = ctx_of(request)
    found = await service.locate_comment(
        ctx, comment_id, sort=sort, limit=limit or ctx.settings.comments.page_size
    )
    return LocateOut(
        id=comment_id,
        url=found.thread.uri,
        key=found.thread.key,
        page=found.page,
        root=found.root,
        reply_offset=found.reply_offset,
    )


class RepliesOut(msgspec.Struct):
    comments: list[CommentOut]  # replies in display order, with parent ids (no `more_replies`)
    more: int  # replies of the conversation after these
    reactions: dict[str, dict[str, int]]  # as in GET /api/threads, for these replies


@get(
    "/api/comments/{comment_id:str}/replies",
    summary="Read more replies of a conversation",
    tags=["threads"],
    responses=_cached_json(RepliesOut, "One batch of a conversation's replies"),
)
async def get_replies(
    request: Request[Any, Any, Any],
    comment_id: FromPath[str],
    offset: Annotated[int, QueryParameter(ge=0, le=1_000_000)] = 0,
    limit: Annotated[int | None, QueryParameter(ge=1, le=1000)] = None,
) -> Response[bytes]:
    """The replies of the conversation a top-level comment starts, from `offset` (how many of them the
    client has, in display order), at most `limit` (default and maximum `comments.replies_per_page`), and
    how many come after them. Cached and invalidated like the thread read; same bytes for everyone."""
    ctx = ctx_of(request)
    per_page = ctx.settings.comments.replies_per_page
    if limit is not None and limit > per_page:
        raise BadRequest.invalid_value("limit", f"Expected `int` <= {per_page}")
    site_gen = ctx.sites.generation  # before the lookup: a site removed after it makes the entry stale
    thread = await service.find_comment_thread(ctx, comment_id)
    keys = service.cache_keys(thread.site_id, thread.uri, thread.key)
    gens = ctx.invalidator.generations(keys)  # before the query, as for the thread read
    view = await service.read_replies(ctx, thread, comment_id, offset=offset, limit=limit or per_page)
    memo: FragmentMemo = request.app.state["fragments"]
    fragments = await encode_stubs(memo, view.stubs, view.load, avatar_url(ctx, ""), {})
    reactions = await service.comment_reactions(ctx, thread, {s.id for s in view.stubs})
    body = b'{"comments":[%s],"more":%d,"reactions":%s}' % (
        b",".join(f for f in fragments if f),
        view.more,
        msgspec.json.encode(reactions),
    )
    return await thread_response(request, [*keys, SITES_KEY], (*gens, site_gen), body)
