"""What is particular to one reader of a thread: their likes and their own non-public comments."""

from __future__ import annotations

import msgspec

from rejoinder.domain.comments import Comment, CommentStatus
from rejoinder.domain.identity import Identity, identity_liker, visitor_hash
from rejoinder.domain.likes import check_visitor
from rejoinder.services.context import Context
from rejoinder.services.moderation import reason_text
from rejoinder.services.threads import ThreadRef
from rejoinder.store import comments as comment_store
from rejoinder.store import engine as store_engine
from rejoinder.store import likes as like_store
from rejoinder.store import reactions as reaction_store
from rejoinder.store import threads as thread_store
from rejoinder.store.likes import ARTICLE


class OwnComment(msgspec.Struct, frozen=True):
    """One of the reader's comments that others cannot see, with what its author is told about it."""

    comment: Comment
    reason: str | None  # why it waits or was rejected, in plain words
    appealed: int | None  # when its author appealed (one appeal per comment)
    reason_code: str | None = None  # the same as a code, for a client that translates it


class ViewerState(msgspec.Struct, frozen=True):
    liked_thread: bool
    liked: list[str]
    own: list[OwnComment]  # held for moderation
    refused: list[OwnComment] = []  # rejected or marked as spam by a moderator
    reacted: dict[str, list[str]] = {}  # comment id ('' for the article) -> the kinds this reader chose
    muted: list[str] = []  # author keys a signed-in reader muted (the widget collapses their comments)


REFUSED = (CommentStatus.REJECTED, CommentStatus.SPAM)


async def viewer_state(
    ctx: Context, ref: ThreadRef, *, visitor: str | None, reader: Identity | None = None
) -> ViewerState:
    """A signed-in reader's likes are the identity's (on every device); held comments are the visitor's."""
    if not visitor and reader is None:
        return ViewerState(liked_thread=False, liked=[], own=[])
    muted: list[str] = []
    if reader is not None:
        async with store_engine.read(ctx.engine) as conn:
            muted = [key for key, _, _ in await reaction_store.select_mutes(conn, reader.id)]
    visitor_liker = visitor_hash(ctx.id_key, check_visitor(visitor)) if visitor else None
    liker = identity_liker(ctx.id_key, reader.id) if reader else visitor_liker
    assert liker is not None
    async with store_engine.read(ctx.engine) as conn:
        thread = await thread_store.select_thread(conn, ref.site.id, uri=ref.uri, key=ref.key)
        if thread is None:
            return ViewerState(liked_thread=False, liked=[], own=[], muted=muted)
        liked = await like_store.select_liked(conn, thread.id, liker)
        reacted: dict[str, list[str]] = {}
        for target, kind in await reaction_store.select_reacted(conn, thread.id, liker):
            reacted.setdefault(target, []).append(kind)
        hidden = await comment_store.select_own_hidden_comments(
            conn,
            thread.id,
            visitor_hash=visitor_liker,
            identity_id=reader.id if reader else None,
            statuses=(CommentStatus.PENDING, *REFUSED),
        )
    own = [OwnComment(c, reason_text(reason), appealed, reason) for c, reason, appealed in hidden]
    return ViewerState(
        liked_thread=ARTICLE in liked,
        liked=sorted(i for i in liked if i != ARTICLE),
        own=[o for o in own if o.comment.status is CommentStatus.PENDING],
        refused=[o for o in own if o.comment.status in REFUSED],
        reacted=reacted,
        muted=muted,
    )
