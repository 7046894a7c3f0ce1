"""PUT/DELETE /api/threads/reactions/{kind} and /api/comments/{id}/reactions/{kind}: reactions by visitor or
signed-in reader; GET/PUT/DELETE /api/mutes: the commenters a signed-in reader muted."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request, Response, delete, get, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, PathParameter

from rejoinder.services import reactions as service
from rejoinder.services.accounts import authenticate
from rejoinder.web.likes import article_liker, comment_liker, liking_routes
from rejoinder.web.params import AuthHeader, ReaderHeaders, ThreadQuery
from rejoinder.web.wire import ctx_of, rfc3339

Kind = Annotated[str, PathParameter(min_length=1, max_length=16, description="A reaction the site offers")]


class ReactionResultOut(msgspec.Struct):
    reacted: bool
    count: int  # of this kind on the article or comment now


class ThreadReactionIn(msgspec.Struct):
    name: str | None = None  # a guest's name for "N people reacted" (as for likes)
    title: str | None = None


async def _on_thread(
    request: Request[Any, Any, Any],
    thread: ThreadQuery,
    kind: str,
    who: ReaderHeaders,
    body: ThreadReactionIn | None,
) -> ReactionResultOut:
    liker = await article_liker(request, thread, who.authorization)
    result = await service.react_to_thread(
        ctx_of(request),
        liker.ref,
        kind,
        visitor=who.visitor,
        on=body is not None,
        name=body.name if body else None,
        title=body.title if body else None,
        reader=liker.reader,
    )
    return ReactionResultOut(reacted=result.reacted, count=result.count)


async def _on_comment(
    request: Request[Any, Any, Any], comment_id: str, kind: str, who: ReaderHeaders, *, on: bool
) -> ReactionResultOut:
    liker = await comment_liker(request, who.authorization)
    result = await service.react_to_comment(
        ctx_of(request),
        comment_id,
        kind,
        visitor=who.visitor,
        on=on,
        reader=liker.reader,
        site_guard=liker.site_guard,
    )
    return ReactionResultOut(reacted=result.reacted, count=result.count)


@put(summary="React to an article")
async def react_to_thread(
    request: Request[Any, Any, Any],
    kind: Kind,
    *,
    who: NamedDependency[ReaderHeaders],
    thread: NamedDependency[ThreadQuery],
    data: JSONBody[ThreadReactionIn | None] = None,
) -> ReactionResultOut:
    """Add a reaction of `kind` (one the site offers: `site.reactions` of GET /api/threads) to the article;
    idempotent. An optional guest `name`, or a signed-in reader's "show in likes", names the reader in
    "N people reacted"."""
    return await _on_thread(request, thread, kind, who, data or ThreadReactionIn())


@delete(summary="Take back a reaction to an article", status_code=200)
async def unreact_to_thread(
    request: Request[Any, Any, Any],
    kind: Kind,
    *,
    who: NamedDependency[ReaderHeaders],
    thread: NamedDependency[ThreadQuery],
) -> ReactionResultOut:
    return await _on_thread(request, thread, kind, who, None)


@put(summary="React to a comment")
async def react_to_comment(
    request: Request[Any, Any, Any],
    comment_id: FromPath[str],
    kind: Kind,
    who: NamedDependency[ReaderHeaders],
) -> ReactionResultOut:
    """Add a reaction of `kind` to a public comment (idempotent); `422 reaction-not-offered` for a kind
    its site does not offer."""
    return await _on_comment(request, comment_id, kind, who, on=True)


@delete(summary="Take back a reaction to a comment", status_code=200)
async def unreact_to_comment(
    request: Request[Any, Any, Any],
    comment_id: FromPath[str],
    kind: Kind,
    who: NamedDependency[ReaderHeaders],
) -> ReactionResultOut:
    return await _on_comment(request, comment_id, kind, who, on=False)


class MuteIn(msgspec.Struct):
    comment: str  # the id of a public comment whose author to mute


class MuteOut(msgspec.Struct):
    key: str  # the author key: the last part of the muted commenter's avatar URL in thread reads
    name: str  # their name when muted
    created: str


class MutesOut(msgspec.Struct):
    mutes: list[MuteOut]


_PRIVATE = {"Cache-Control": "private, no-store"}


def _mute_out(m: service.Mute) -> MuteOut:
    return MuteOut(key=m.key, name=m.name, created=rfc3339(m.created))


@get("/api/mutes", summary="The commenters one muted", tags=["reactions"])
async def list_mutes(request: Request[Any, Any, Any], authorization: AuthHeader = None) -> Response[MutesOut]:
    """The signed-in reader's muted commenters, newest first (401 without a session)."""
    ctx = ctx_of(request)
    reader = await authenticate(ctx, authorization)
    mutes = await service.mutes_of(ctx, reader.identity)
    return Response(MutesOut(mutes=[_mute_out(m) for m in mutes]), headers=_PRIVATE)


@put("/api/mutes", summary="Mute a commenter", tags=["reactions"])
async def mute(
    request: Request[Any, Any, Any], data: JSONBody[MuteIn], authorization: AuthHeader = None
) -> Response[MuteOut]:
    """Mute the author of a public comment, for the signed-in reader only: the widget collapses their
    comments for this reader; the shared thread read does not change (idempotent; `422 mute-self`)."""
    ctx = ctx_of(request)
    reader = await authenticate(ctx, authorization)
    muted = await service.mute_author_of(ctx, reader.identity, data.comment)
    return Response(_mute_out(muted), headers=_PRIVATE)


@delete("/api/mutes/{key:str}", summary="Unmute a commenter", tags=["reactions"], status_code=204)
async def unmute(
    request: Request[Any, Any, Any], key: FromPath[str], authorization: AuthHeader = None
) -> Response[None]:
    """Unmute a commenter by the `key` GET /api/mutes lists (`404 mute-not-found` when not muted)."""
    ctx = ctx_of(request)
    reader = await authenticate(ctx, authorization)
    await service.unmute(ctx, reader.identity, key)
    return Response(content=None, status_code=204)


ROUTES: list[Any] = [
    *liking_routes(
        "reactions",
        article=("/api/threads/reactions/{kind:str}", [react_to_thread, unreact_to_thread]),
        comment=(
            "/api/comments/{comment_id:str}/reactions/{kind:str}",
            [react_to_comment, unreact_to_comment],
        ),
    ),
    list_mutes,
    mute,
    unmute,
]
