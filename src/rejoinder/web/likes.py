"""PUT/DELETE /api/comments/{id}/like and /api/threads/like: idempotent likes by visitor."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, delete, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from rejoinder.domain.sites import guards
from rejoinder.ratelimit import Action, Scope
from rejoinder.services import likes as service
from rejoinder.services import moderation
from rejoinder.services.accounts import SignedIn, on_site, optional_reader
from rejoinder.web.params import THREAD, AuthHeader, ThreadQuery, VisitorHeader
from rejoinder.web.wire import check_origin, client_ip, ctx_of, origin_guard


async def _limit(request: Request[Any, Any, Any], signed: SignedIn | None) -> None:
    """Likes and unlikes count against the per-network and per-identity like limits (429 past them)."""
    keys = {Scope.IP: client_ip(request), Scope.IDENTITY: signed.identity.id if signed else None}
    await moderation.admit(ctx_of(request), Action.LIKE, keys)


class LikeOut(msgspec.Struct):
    liked: bool
    likes: int


class ThreadLikeIn(msgspec.Struct):
    name: str | None = None
    title: str | None = None


async def _like_thread(
    request: Request[Any, Any, Any],
    thread: ThreadQuery,
    visitor: str | None,
    authorization: str | None,
    body: ThreadLikeIn | None,
) -> LikeOut:
    """Like (`body` given) or unlike (`body` None) the article; both paths check origin and limits alike."""
    ctx = ctx_of(request)
    ref = await thread.resolve(ctx)
    check_origin(request, ref)
    signed = await optional_reader(ctx, authorization)
    await _limit(request, signed)
    result = await service.like_thread(
        ctx,
        ref,
        visitor=visitor,
        like=body is not None,
        name=body.name if body else None,
        title=body.title if body else None,
        reader=on_site(signed, ref.site),
    )
    return LikeOut(liked=result.liked, likes=result.likes)


async def _like_comment(
    request: Request[Any, Any, Any],
    comment_id: str,
    visitor: str | None,
    authorization: str | None,
    *,
    like: bool,
) -> LikeOut:
    ctx = ctx_of(request)
    signed = await optional_reader(ctx, authorization)
    await _limit(request, signed)
    result = await service.like_comment(
        ctx,
        comment_id,
        visitor=visitor,
        like=like,
        reader=signed.identity if signed else None,
        site_guard=guards(origin_guard(request), signed.check_site if signed else None),
    )
    return LikeOut(liked=result.liked, likes=result.likes)


@put("/api/threads/like", summary="Like an article", tags=["likes"], dependencies=THREAD)
async def like_thread(
    request: Request[Any, Any, Any],
    *,
    visitor: VisitorHeader = None,
    authorization: AuthHeader = None,
    thread: NamedDependency[ThreadQuery],
    data: JSONBody[ThreadLikeIn | None] = None,
) -> LikeOut:
    """Like the article (idempotent). An optional `name` shows this liker in the "people like this" row."""
    return await _like_thread(request, thread, visitor, authorization, data or ThreadLikeIn())


@delete(
    "/api/threads/like", summary="Unlike an article", tags=["likes"], status_code=200, dependencies=THREAD
)
async def unlike_thread(
    request: Request[Any, Any, Any],
    *,
    visitor: VisitorHeader = None,
    authorization: AuthHeader = None,
    thread: NamedDependency[ThreadQuery],
) -> LikeOut:
    return await _like_thread(request, thread, visitor, authorization, None)


@put("/api/comments/{comment_id:str}/like", summary="Like a comment", tags=["likes"])
async def like_comment(
    request: Request[Any, Any, Any],
    comment_id: FromPath[str],
    visitor: VisitorHeader = None,
    authorization: AuthHeader = None,
) -> LikeOut:
    return await _like_comment(request, comment_id, visitor, authorization, like=True)


@delete(
    "/api/comments/{comment_id:str}/like",
    summary="Unlike a comment",
    tags=["likes"],
    status_code=200,
)
async def unlike_comment(
    request: Request[Any, Any, Any],
    comment_id: FromPath[str],
    visitor: VisitorHeader = None,
    authorization: AuthHeader = None,
) -> LikeOut:
    return await _like_comment(request, comment_id, visitor, authorization, like=False)
