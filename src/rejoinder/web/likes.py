"""PUT/DELETE /api/comments/{id}/like and /api/threads/like: idempotent likes by visitor."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, Router, delete, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from rejoinder.domain.identity import Identity
from rejoinder.domain.sites import SiteGuard
from rejoinder.ratelimit import Action, Scope
from rejoinder.services import likes as service
from rejoinder.services import moderation
from rejoinder.services.accounts import SignedIn, on_site, optional_reader
from rejoinder.services.threads import ThreadRef
from rejoinder.web.params import THREAD_AND_WHO, WHO, ReaderHeaders, ThreadQuery
from rejoinder.web.wire import check_origin, client_ip, comment_guard, ctx_of


class ArticleLiker(msgspec.Struct, frozen=True):
    ref: ThreadRef
    reader: Identity | None


class CommentLiker(msgspec.Struct, frozen=True):
    reader: Identity | None
    site_guard: SiteGuard | None


async def _admitted(request: Request[Any, Any, Any], authorization: str | None) -> SignedIn | None:
    """The signed-in reader, if any, once the per-network and per-identity like limits let a like, unlike
    or reaction through (429 past them)."""
    ctx = ctx_of(request)
    signed = await optional_reader(ctx, authorization)
    keys = {Scope.IP: client_ip(request), Scope.IDENTITY: signed.identity.id if signed else None}
    await moderation.admit(ctx, Action.LIKE, keys)
    return signed


async def article_liker(
    request: Request[Any, Any, Any], thread: ThreadQuery, authorization: str | None
) -> ArticleLiker:
    """Who likes or reacts to an article, after the origin check and the like limits (reactions share them)."""
    ref = await thread.resolve(ctx_of(request))
    check_origin(request, ref)
    signed = await _admitted(request, authorization)
    return ArticleLiker(ref=ref, reader=on_site(signed, ref.site))


async def comment_liker(request: Request[Any, Any, Any], authorization: str | None) -> CommentLiker:
    """Who likes or reacts to a comment, after the like limits; the guard checks origin and session site."""
    signed = await _admitted(request, authorization)
    return CommentLiker(
        reader=signed.identity if signed else None,
        site_guard=comment_guard(request, signed),
    )


def liking_routes(
    tag: str, *, article: tuple[str, list[Any]], comment: tuple[str, list[Any]]
) -> list[Router]:
    """The routes of a way to like (likes, reactions): a router for the article's resource, which names its
    thread by the query string, and one for a comment's, each holding its PUT and DELETE; all take the
    reader's headers."""
    return [
        Router(article[0], route_handlers=article[1], tags=[tag], dependencies=THREAD_AND_WHO),
        Router(comment[0], route_handlers=comment[1], tags=[tag], dependencies=WHO),
    ]


class LikeOut(msgspec.Struct):
    liked: bool
    likes: int


class ThreadLikeIn(msgspec.Struct):
    name: str | None = None
    title: str | None = None


async def _like_thread(
    request: Request[Any, Any, Any], thread: ThreadQuery, who: ReaderHeaders, body: ThreadLikeIn | None
) -> LikeOut:
    """Like (`body` given) or unlike (`body` None) the article; both paths check origin and limits alike."""
    liker = await article_liker(request, thread, who.authorization)
    result = await service.like_thread(
        ctx_of(request),
        liker.ref,
        visitor=who.visitor,
        like=body is not None,
        name=body.name if body else None,
        title=body.title if body else None,
        reader=liker.reader,
    )
    return LikeOut(liked=result.liked, likes=result.likes)


async def _like_comment(
    request: Request[Any, Any, Any], comment_id: str, who: ReaderHeaders, *, like: bool
) -> LikeOut:
    liker = await comment_liker(request, who.authorization)
    result = await service.like_comment(
        ctx_of(request),
        comment_id,
        visitor=who.visitor,
        like=like,
        reader=liker.reader,
        site_guard=liker.site_guard,
    )
    return LikeOut(liked=result.liked, likes=result.likes)


@put(summary="Like an article")
async def like_thread(
    request: Request[Any, Any, Any],
    *,
    who: NamedDependency[ReaderHeaders],
    thread: NamedDependency[ThreadQuery],
    data: JSONBody[ThreadLikeIn | None] = None,
) -> LikeOut:
    """Like the article (idempotent). An optional `name` shows this liker in the "people like this" row."""
    return await _like_thread(request, thread, who, data or ThreadLikeIn())


@delete(summary="Unlike an article", status_code=200)
async def unlike_thread(
    request: Request[Any, Any, Any],
    *,
    who: NamedDependency[ReaderHeaders],
    thread: NamedDependency[ThreadQuery],
) -> LikeOut:
    return await _like_thread(request, thread, who, None)


@put(summary="Like a comment")
async def like_comment(
    request: Request[Any, Any, Any], comment_id: FromPath[str], who: NamedDependency[ReaderHeaders]
) -> LikeOut:
    return await _like_comment(request, comment_id, who, like=True)


@delete(summary="Unlike a comment", status_code=200)
async def unlike_comment(
    request: Request[Any, Any, Any], comment_id: FromPath[str], who: NamedDependency[ReaderHeaders]
) -> LikeOut:
    return await _like_comment(request, comment_id, who, like=False)


ROUTES: list[Any] = liking_routes(
    "likes",
    article=("/api/threads/like", [like_thread, unlike_thread]),
    comment=("/api/comments/{comment_id:str}/like", [like_comment, unlike_comment]),
)
