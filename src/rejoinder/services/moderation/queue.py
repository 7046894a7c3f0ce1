"""What moderators read: queues, their counts, one comment's detail with its author's standing, and the
log."""

from __future__ import annotations

from typing import Any

from rejoinder.domain.sites import Site
from rejoinder.errors import NotAModerator
from rejoinder.moderation import queue as queues
from rejoinder.moderation.actions import Actor
from rejoinder.moderation.rules import (
    Role,
)
from rejoinder.services.context import Context
from rejoinder.services.moderation.decisions import load_comment
from rejoinder.services.moderation.judging import email_hash_of
from rejoinder.store import bans as ban_store
from rejoinder.store import engine as store_engine
from rejoinder.store import moderation as store
from rejoinder.store import moderation_log as log_store
from rejoinder.store import reports as report_store
from rejoinder.store import roles as role_store


def _visible_sites(actor: Actor, sites: list[Site], site_id: int | None) -> tuple[int, ...]:
    ids = tuple(s.id for s in sites if actor.can_moderate(s.id) and (site_id is None or s.id == site_id))
    if not ids:
        raise NotAModerator("Only this site's moderators can see its queues")
    return ids


async def list_queue(
    ctx: Context,
    actor: Actor,
    queue: queues.Queue,
    *,
    site_id: int | None = None,
    thread_id: int | None = None,
    author_key: str | None = None,
    identity_id: str | None = None,
    limit: int = 50,
    before: str | None = None,
    appealed: bool = False,
) -> list[queues.ModeratedComment]:
    """One page of a queue across the sites the actor moderates (or one of them); `appealed`: only
    comments whose author's appeal no moderator has answered yet."""
    query = queues.QueueQuery(
        queue=queue,
        site_ids=_visible_sites(actor, await ctx.sites.all(), site_id),
        thread_id=thread_id,
        author_key=author_key,
        identity_id=identity_id,
        limit=queues.check_limit(limit),
        before=before,
        appealed=appealed,
    )
    async with store_engine.read(ctx.engine) as conn:
        return await store.select_queue(conn, query)


async def queue_counts(ctx: Context, actor: Actor, site_id: int | None = None) -> dict[str, int]:
    ids = _visible_sites(actor, await ctx.sites.all(), site_id)
    async with store_engine.read(ctx.engine) as conn:
        return await store.count_queues(conn, ids)


async def comment_detail(ctx: Context, actor: Actor, comment_id: str) -> queues.Detail:
    """A comment with its revisions (each check's reasons, the classifier's explanation), its reports and
    its author's standing on the site."""
    now = ctx.clock()
    async with store_engine.read(ctx.engine) as conn:
        comment = await load_comment(conn, comment_id)
        actor.require_moderator(comment.site_id)
        revisions = await store.select_revisions(conn, comment.id)
        reports = await report_store.select_reports(conn, comment.id)
        counts = await store.count_by_status(
            conn, comment.site_id, author_key=comment.author_key, identity_id=comment.identity_id
        )
        bans = await ban_store.select_active_bans(conn, comment.site_id, now)
        roles = (
            await role_store.select_roles(conn, comment.identity_id, comment.site_id)
            if comment.identity_id
            else frozenset()
        )
    from rejoinder.moderation.rules import match_ban

    banned = match_ban(
        bans,
        identity_id=comment.identity_id,
        email_digest=email_hash_of(ctx, comment.author_email),
        ip=None,
    )
    standing = queues.Standing(counts=counts, banned=banned is not None, trusted=Role.TRUSTED in roles)
    return queues.Detail(comment=comment, revisions=revisions, reports=reports, standing=standing)


async def moderation_log(
    ctx: Context, actor: Actor, *, site_id: int | None = None, limit: int = 100, before_id: int | None = None
) -> list[dict[str, Any]]:
    ids = _visible_sites(actor, await ctx.sites.all(), site_id)
    async with store_engine.read(ctx.engine) as conn:
        return await log_store.select_log(
            conn, ids, limit=queues.check_limit(min(limit, queues.MAX_PAGE)), before_id=before_id
        )
