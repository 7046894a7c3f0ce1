"""GET /api/viewer: what is particular to this reader of a thread. Never cached by shared caches."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, Response, get
from litestar.di import NamedDependency

from rejoinder.services import viewer as service
from rejoinder.services.accounts import on_site, optional_reader
from rejoinder.services.context import Context
from rejoinder.services.viewer import OwnComment
from rejoinder.web.cors import answer_only_to
from rejoinder.web.params import THREAD_AND_WHO, ReaderHeaders, ThreadQuery
from rejoinder.web.wire import CommentOut, check_origin, comment_out, ctx_of, rfc3339


class OwnCommentOut(CommentOut, kw_only=True):
    """One of the reader's own comments that others cannot see, with what its author is told."""

    reason: str | None  # why it waits for a moderator or was rejected, in plain words
    reason_code: str | None  # the same as a code (`reasons` of the locale files) to translate by
    appealed: str | None  # when its author appealed (POST /api/comments/{id}/appeal), else null
    can_appeal: bool  # false once appealed: one appeal per comment


class ViewerOut(msgspec.Struct):
    liked_thread: bool
    liked: list[str]
    own: list[OwnCommentOut]  # held for moderation
    refused: list[OwnCommentOut]  # rejected or marked as spam by a moderator
    reacted: dict[str, list[str]]  # comment id ("" for the article) -> the reactions this reader chose
    muted: list[str]  # author keys of the commenters a signed-in reader muted (GET /api/mutes)


def own_out(ctx: Context, o: OwnComment) -> OwnCommentOut:
    return OwnCommentOut(
        **msgspec.structs.asdict(comment_out(ctx, o.comment)),
        reason=o.reason,
        reason_code=o.reason_code,
        appealed=rfc3339(o.appealed) if o.appealed is not None else None,
        can_appeal=o.appealed is None,
    )


@get("/api/viewer", summary="This reader's state", tags=["threads"], dependencies=THREAD_AND_WHO)
async def get_viewer(
    request: Request[Any, Any, Any],
    *,
    who: NamedDependency[ReaderHeaders],
    thread: NamedDependency[ThreadQuery],
) -> Response[ViewerOut]:
    """Whether this visitor liked the article, which comments they liked, and their own comments that
    are not public: held for moderation (`own`) or rejected (`refused`), each with the reason in plain
    words and whether it was appealed. Private: only pages on the thread's own site's origins may read it
    (a page of another site gets `403 origin-not-allowed` and no CORS permission)."""
    ctx = ctx_of(request)
    ref = await thread.resolve(ctx)
    answer_only_to(request.scope, ref.site.origins)  # type: ignore[arg-type]
    check_origin(request, ref)
    signed = await optional_reader(ctx, who.authorization)
    state = await service.viewer_state(ctx, ref, visitor=who.visitor, reader=on_site(signed, ref.site))
    out = ViewerOut(
        liked_thread=state.liked_thread,
        liked=state.liked,
        own=[own_out(ctx, o) for o in state.own],
        refused=[own_out(ctx, o) for o in state.refused],
        reacted=state.reacted,
        muted=state.muted,
    )
    return Response(
        out,
        headers={
            "Cache-Control": "private, no-store",
            "Vary": "Rejoinder-Visitor, Authorization",
        },  # CORS adds Origin
    )
