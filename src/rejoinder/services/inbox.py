"""A signed-in reader's inbox: how many replies to them are new (GET /api/me/inbox, per reader, never
from the shared thread cache), and the inbox page a signed link opens: replies to their comments, the
moderation decisions on their comments with the statements of reasons (DSA Art. 17) and the appeal, and
their own comments across every site."""

from __future__ import annotations

import msgspec

from rejoinder.domain.identity import Identity
from rejoinder.domain.inbox import InboxReply, OwnComment, open_inbox_link, sign_inbox_link
from rejoinder.errors import IdentityNotFound
from rejoinder.moderation.appeals import APPEALABLE
from rejoinder.moderation.notices import Statement
from rejoinder.services.context import Context
from rejoinder.services.moderation.appeals import Appealed, appeal_comment
from rejoinder.store import engine as store_engine
from rejoinder.store import identities as identity_store
from rejoinder.store import inbox as store
from rejoinder.store import notices as notice_store


class Summary(msgspec.Struct, frozen=True):
    new_replies: int  # public replies by others since the reader last opened the inbox
    token: str  # opens the inbox page for an hour


class Decision(msgspec.Struct, frozen=True):
    statement: Statement
    comment: OwnComment | None  # None: deleted since
    can_appeal: bool


class Inbox(msgspec.Struct, frozen=True):
    identity: Identity
    token: str
    replies: list[InboxReply]
    new_since: int  # replies after this were new when the page was opened
    decisions: list[Decision]
    own: list[OwnComment]


async def summary(ctx: Context, identity: Identity) -> Summary:
    async with store_engine.read(ctx.engine) as conn:
        seen = await store.select_seen(conn, identity.id)
        count = await store.count_replies_since(conn, identity.id, seen)
    return Summary(new_replies=count, token=sign_inbox_link(ctx.secret, identity.id, now=ctx.clock()))


async def open_inbox(ctx: Context, token: str) -> Inbox:
    """The inbox of the link's identity; opening it marks its replies as seen.

    Raises:
        InboxLinkInvalid; Gone inbox-link-expired; IdentityNotFound (the account was deleted)."""
    identity_id = open_inbox_link(ctx.verify_keys, token, now=ctx.clock())
    async with store_engine.write(ctx.engine) as conn:
        identity = await identity_store.select_identity(conn, identity_id)
        if identity is None:
            raise IdentityNotFound("This account no longer exists")
        seen = await store.select_seen(conn, identity_id)
        replies = await store.select_replies_to(conn, identity_id)
        own = await store.select_own_comments(conn, identity_id)
        statements = await notice_store.select_statements_of(conn, identity_id)
        await store.update_seen(conn, identity_id, ctx.clock())
    by_id = {c.id: c for c in own}
    decisions = []
    for s in statements:
        comment = by_id.get(s.comment_id)
        can = comment is not None and comment.status in APPEALABLE and comment.appealed is None
        decisions.append(Decision(statement=s, comment=comment, can_appeal=can))
    return Inbox(
        identity=identity, token=token, replies=replies, new_since=seen, decisions=decisions, own=own
    )


async def appeal(ctx: Context, token: str, comment_id: str, note: str | None) -> Appealed:
    """The author appeals a decision from the inbox (the same one appeal as from the widget)."""
    identity_id = open_inbox_link(ctx.verify_keys, token, now=ctx.clock())
    async with store_engine.read(ctx.engine) as conn:
        identity = await identity_store.select_identity(conn, identity_id)
    if identity is None:
        raise IdentityNotFound("This account no longer exists")
    return await appeal_comment(ctx, comment_id, note, edit_token=None, reader=identity)
