"""The author's appeal: once per comment, a short note, only by the comment's author (its edit token or the
signed-in identity that wrote it) and only while it is held or rejected. One transaction that stores the
appeal and writes the moderation log; moderators see it in /admin."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable

import msgspec

from rejoinder.domain.comments import PUBLIC_STATUSES, CommentStatus, comment_not_found, hide_other_sites
from rejoinder.domain.identity import Identity
from rejoinder.domain.sites import Site
from rejoinder.errors import Forbidden
from rejoinder.moderation import appeals as rules
from rejoinder.moderation.actions import ModAction
from rejoinder.services.context import Context
from rejoinder.services.moderation.decisions import load_comment, log_on_comment
from rejoinder.store import comments as comment_store
from rejoinder.store import engine as store_engine
from rejoinder.store import moderation as store


class Appealed(msgspec.Struct, frozen=True):
    id: str
    status: CommentStatus
    appealed: int  # when the appeal was stored (µs)


NOT_AUTHOR = (
    "Only the comment's author can appeal: send its edit token in Rejoinder-Edit-Token, "
    "or sign in as the account that wrote it"
)


def _is_author(
    edit_token: str | None, token_hash: str | None, reader: Identity | None, identity: str | None
) -> bool:
    if reader is not None and identity is not None and reader.id == identity:
        return True
    if edit_token and token_hash:
        # The same digest services/comments.py keeps of the edit token handed out at posting.
        given = hashlib.sha256(edit_token.encode("utf-8")).hexdigest()
        return hmac.compare_digest(given, token_hash)
    return False


async def appeal_comment(
    ctx: Context,
    comment_id: str,
    note: str | None,
    *,
    edit_token: str | None,
    reader: Identity | None,
    check_site: Callable[[Site], None] | None = None,
    reader_guard: Callable[[Site], None] | None = None,
) -> Appealed:
    """Store the author's one appeal against a hold or rejection, and log it.

    Args:
        edit_token: the token the comment was posted with (guests; it outlives the edit window here).
        reader: the signed-in identity, which may appeal its own comments from any device.
        check_site: refuses a request the comment's site must not accept (the web layer's Origin check);
            a page of another site gets the same 404 as an unknown id.
        reader_guard: refuses a signed-in author whose session does not sign in on the comment's site
            (checked once the reader is known to be the author, so that it reveals nothing).

    Raises:
        NotFound: comment-not-found for an unknown, deleted or other site's comment, and for one that is
            not public when the asker is not its author.
        Forbidden: `not-comment-author` (a public comment).
        Unauthorized: `session-other-site` (from reader_guard).
        Conflict: `appeal-already-sent`, `comment-not-appealable`.
        Invalid: `appeal-note-required`, `appeal-too-long`.
    """
    words = rules.check_note(note)
    now = ctx.clock()
    async with store_engine.write(ctx.engine) as conn:
        comment = await load_comment(conn, comment_id)
        if comment.status is CommentStatus.DELETED:
            raise comment_not_found()
        site = await ctx.sites.by_id(comment.site_id)
        guard = hide_other_sites(check_site)
        if guard is not None:
            guard(site)
        found = await comment_store.select_comment(conn, comment.id)
        token_hash = found[1] if found else None
        if not _is_author(edit_token, token_hash, reader, comment.identity_id):
            if comment.status not in PUBLIC_STATUSES:
                raise comment_not_found()  # only its author may learn that a held comment exists
            raise Forbidden(NOT_AUTHOR, code="not-comment-author")
        by_token = _is_author(edit_token, token_hash, None, None)
        if reader_guard is not None and not by_token:
            reader_guard(site)
        rules.check_appealable(comment.status, comment.appealed)
        if not await store.update_appeal(conn, comment.id, words, now=now):
            rules.check_appealable(comment.status, now)  # another request stored one first
        by = reader.id if reader is not None and reader.id == comment.identity_id else "author"
        await log_on_comment(
            conn,
            comment,
            by,
            ModAction.APPEAL,
            now,
            reason_code=comment.status_reason,
            note=words,
            data={"status": comment.status.value},
        )
    return Appealed(id=comment.id, status=comment.status, appealed=now)
