"""What is particular to one reader of a thread: their likes and their own non-public comments."""

from __future__ import annotations

import msgspec

from rejoinder.domain.comments import Comment
from rejoinder.domain.identity import Identity, identity_liker, visitor_hash
from rejoinder.domain.likes import check_visitor
from rejoinder.services.context import Context
from rejoinder.services.threads import ThreadRef
from rejoinder.store import comments as comment_store
from rejoinder.store import engine as store_engine
from rejoinder.store import likes as like_store
from rejoinder.store import threads as thread_store
from rejoinder.store.likes import ARTICLE


class ViewerState(msgspec.Struct, frozen=True):
    liked_thread: bool
    liked: list[str]
    own: list[Comment]


async def viewer_state(
    ctx: Context, ref: ThreadRef, *, visitor: str | None, reader: Identity | None = None
) -> ViewerState:
    """A signed-in reader's likes are the identity's (on every device); held comments are the visitor's."""
    if not visitor and reader is None:
        return ViewerState(liked_thread=False, liked=[], own=[])
    visitor_liker = visitor_hash(ctx.secret, check_visitor(visitor)) if visitor else None
    liker = identity_liker(ctx.secret, reader.id) if reader else visitor_liker
    assert liker is not None
    async with store_engine.read(ctx.engine) as conn:
        thread = await thread_store.select_thread(conn, ref.site.id, uri=ref.uri, key=ref.key)
        if thread is None:
            return ViewerState(liked_thread=False, liked=[], own=[])
        liked = await like_store.select_liked(conn, thread.id, liker)
        own = (
            await comment_store.select_own_hidden_comments(conn, thread.id, visitor_liker)
            if visitor_liker
            else []
        )
    return ViewerState(liked_thread=ARTICLE in liked, liked=sorted(i for i in liked if i != ARTICLE), own=own)
