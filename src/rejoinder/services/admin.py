"""The moderator UI's use cases beside services/moderation/ (which has the decisions themselves): who
sees which site, what each page of /admin shows (dashboard, queues with check results and author
standing, threads, bans, roles), and the actions moderation.py does not have (staff replies, site
changes). Signing in is in admin_auth.py, email moderation in admin_mail.py."""

from __future__ import annotations

from typing import Any

import msgspec

from rejoinder.config import Settings
from rejoinder.domain.comments import CommentStatus
from rejoinder.domain.identity import Identity
from rejoinder.domain.sites import Site, SiteOptions
from rejoinder.errors import (
    Conflict,
    IdentityNotFound,
    Invalid,
    NotAnAdmin,
    NotFound,
    SiteNotFound,
    ThreadNotFound,
)
from rejoinder.events.kinds import EventKind, status_change
from rejoinder.moderation import queue as queues
from rejoinder.moderation.actions import Actor, ModAction
from rejoinder.moderation.rules import STAFF, Role, match_ban
from rejoinder.services import comments as comment_service
from rejoinder.services import moderation as moderation_service
from rejoinder.services import sites as site_service
from rejoinder.services.admin_auth import Staff
from rejoinder.services.context import Context
from rejoinder.services.threads import ThreadRef, event_thread
from rejoinder.store import activitypub as activitypub_store
from rejoinder.store import admin as store
from rejoinder.store import bans as ban_store
from rejoinder.store import engine as store_engine
from rejoinder.store import events as event_store
from rejoinder.store import identities as identity_store
from rejoinder.store import moderation as moderation_store
from rejoinder.store import moderation_log as log_store
from rejoinder.store import roles as role_store
from rejoinder.store import threads as thread_store
from rejoinder.store import webmentions as webmention_store

# --- sites the staff member sees -------------------------------------------------------------------------


async def visible_sites(ctx: Context, actor: Actor) -> list[Site]:
    return [s for s in await ctx.sites.all() if actor.can_moderate(s.id)]


async def site_scope(ctx: Context, actor: Actor, site_name: str | None) -> tuple[list[Site], Site | None]:
    """The sites an actor moderates, and the one a page is filtered to (403 for a site they do not)."""
    sites = await visible_sites(ctx, actor)
    if not site_name:
        return sites, None
    found = await ctx.sites.by_name(site_name)
    if found is None:
        raise SiteNotFound.named(site_name)
    actor.require_moderator(found.id)
    return sites, found


# --- the dashboard ---------------------------------------------------------------------------------------


class DayCount(msgspec.Struct, frozen=True):
    day: int  # days since the epoch
    public: int
    held: int
    removed: int

    @property
    def total(self) -> int:
        return self.public + self.held + self.removed


async def comments_per_day(ctx: Context, site_ids: list[int], days: int = 30) -> list[DayCount]:
    """Comments created per day over the last `days` days (today included), oldest first."""
    today = ctx.clock() // store.DAY_US
    first = today - days + 1
    out = {d: [0, 0, 0] for d in range(first, today + 1)}
    if site_ids:
        async with store_engine.read(ctx.engine) as conn:
            rows = await store.count_comments_per_day(conn, site_ids, since=first * store.DAY_US)
        for day, status, count in rows:
            if day in out:
                slot = {"published": 0, "approved": 0, "pending": 1}.get(status, 2)
                out[day][slot] += count
    return [DayCount(d, *v) for d, v in sorted(out.items())]


# --- queues ----------------------------------------------------------------------------------------------


class Standing(msgspec.Struct, frozen=True):
    counts: dict[str, int]
    trusted: bool
    banned: bool


class QueueEntry(msgspec.Struct, frozen=True):
    comment: queues.ModeratedComment
    check: queues.Revision | None  # the latest check results
    standing: Standing
    # A comment from the fediverse: (the author's @user@server, the remote Note's address); None otherwise
    origin: tuple[str, str] | None = None
    webmention: str | None = None  # the source page of a comment made from a Webmention (its origin)


class QueuePage(msgspec.Struct, frozen=True):
    entries: list[QueueEntry]
    next_cursor: str | None


async def queue_page(
    ctx: Context,
    actor: Actor,
    queue: queues.Queue,
    *,
    site: Site | None,
    thread_id: int | None,
    author_key: str | None,
    identity_id: str | None,
    before: str | None,
    limit: int = 30,
    appealed: bool = False,
) -> QueuePage:
    """One page of a queue with each comment's latest check results and its author's standing."""
    items = await moderation_service.list_queue(
        ctx,
        actor,
        queue,
        site_id=site.id if site else None,
        thread_id=thread_id,
        author_key=author_key,
        identity_id=identity_id,
        limit=limit + 1,
        before=before,
        appealed=appealed,
    )
    more = len(items) > limit
    items = items[:limit]
    return QueuePage(
        entries=await enrich(ctx, items),
        next_cursor=queues.cursor_of(items[-1]) if more and items else None,
    )


async def enrich(ctx: Context, items: list[queues.ModeratedComment]) -> list[QueueEntry]:
    if not items:
        return []
    site_ids = sorted({c.site_id for c in items})
    now = ctx.clock()
    async with store_engine.read(ctx.engine) as conn:
        checks = await store.select_latest_revisions(conn, [c.id for c in items])
        mentions = await webmention_store.select_for_comments(conn, [c.id for c in items])
        counted = await store.count_authors_by_status(
            conn,
            site_ids,
            identity_ids=[c.identity_id for c in items if c.identity_id],
            author_keys=[c.author_key for c in items if not c.identity_id],
        )
        bans = {s: await ban_store.select_active_bans(conn, s, now) for s in site_ids}
        origins = await activitypub_store.select_origins(conn, [c.id for c in items])
        roles: dict[str, list[tuple[int | None, Role]]] = {}
        for someone in {c.identity_id for c in items if c.identity_id}:
            roles[someone] = await role_store.select_all_roles(conn, someone)
    entries = []
    for c in items:
        counts: dict[str, int] = {}
        for site_id, identity, key, status, n in counted:
            if site_id != c.site_id:
                continue
            if (c.identity_id and identity == c.identity_id) or (not c.identity_id and key == c.author_key):
                counts[status] = counts.get(status, 0) + n
        trusted = any(
            r in (Role.TRUSTED, *STAFF) and (s is None or s == c.site_id)
            for s, r in roles.get(c.identity_id or "", [])
        )
        banned = match_ban(
            bans.get(c.site_id, ()),
            identity_id=c.identity_id,
            email_digest=moderation_service.email_hash_of(ctx, c.author_email),
            ip=None,
        )
        entries.append(
            QueueEntry(
                comment=c,
                check=checks.get(c.id),
                standing=Standing(counts=counts, trusted=trusted, banned=banned is not None),
                origin=origins.get(c.id),
                webmention=mentions[c.id].source if c.id in mentions else None,
            )
        )
    return entries


async def thread_of(ctx: Context, actor: Actor, thread_id: int) -> store.ThreadSummary:
    async with store_engine.read(ctx.engine) as conn:
        thread = await store.select_thread_summary(conn, thread_id)
    if thread is None:
        raise ThreadNotFound()
    actor.require_moderator(thread.site_id)
    return thread


async def list_threads(
    ctx: Context,
    actor: Actor,
    *,
    site: Site | None,
    closed: bool | None,
    search: str | None,
    before_id: int | None,
    limit: int = 50,
) -> list[store.ThreadSummary]:
    site_ids = [site.id] if site else [s.id for s in await visible_sites(ctx, actor)]
    if not site_ids:
        return []
    async with store_engine.read(ctx.engine) as conn:
        return await store.select_threads(
            conn, site_ids, closed=closed, search=search, limit=limit, before_id=before_id
        )


async def list_bans(
    ctx: Context, actor: Actor, *, site: Site | None, active_only: bool
) -> list[store.BanRow]:
    site_ids = [site.id] if site else [s.id for s in await visible_sites(ctx, actor)]
    async with store_engine.read(ctx.engine) as conn:
        return await store.select_bans(conn, site_ids, active_at=ctx.clock() if active_only else None)


async def list_roles(ctx: Context, actor: Actor) -> list[store.RoleRow]:
    global_admin = actor.is_admin_everywhere()
    site_ids = None if global_admin else [s.id for s in await visible_sites(ctx, actor)]
    async with store_engine.read(ctx.engine) as conn:
        return await store.select_role_rows(conn, site_ids)


async def find_identity(ctx: Context, who: str) -> Identity:
    """An identity by id or by its verified email address."""
    who = who.strip()
    if not who or len(who) > 254:
        raise Invalid.field("identity", "identity-required", "Give an identity id or a verified email")
    async with store_engine.read(ctx.engine) as conn:
        if "@" in who:
            found = await identity_store.select_identities_by_email(conn, who.lower())
            identity = found[0] if found else None
        else:
            identity = await identity_store.select_identity(conn, who)
    if identity is None:
        raise IdentityNotFound("No identity has this id or verified email; they must sign in once first")
    return identity


# --- actions moderation.py does not cover -----------------------------------------------------------------


async def reply_as_staff(
    ctx: Context,
    staff: Staff,
    comment_id: str,
    text: str,
    *,
    form_token: str | None,
) -> str:
    """Post a reply to a comment as staff: as the moderator's identity, or (configured account) as a
    guest named [admin] display_name. The reply is approved and carries the staff badge. Returns its id."""
    async with store_engine.read(ctx.engine) as conn:
        parent = await moderation_service.moderated(conn, comment_id)
        thread = await thread_store.select_thread_by_id(conn, parent.thread_id)
        reader = await identity_store.select_identity(conn, staff.identity_id) if staff.identity_id else None
    staff.actor.require_moderator(parent.site_id)
    assert thread is not None
    site = await ctx.sites.by_id(thread.site_id)
    ref = ThreadRef(site=site, uri=thread.uri, key=thread.key)
    admin = ctx.settings.admin
    posted = await comment_service.post_comment(
        ctx,
        ref,
        comment_service.NewComment(
            text=text,
            parent=parent.id,
            name=admin.display_name,
            email=admin.email or None,
            website=None,
            title=None,
            form_token=form_token,
        ),
        visitor=None,
        ip=None,
        reader=reader,
    )
    now = ctx.clock()
    reply = posted.comment
    async with store_engine.write(ctx.engine) as conn:
        await store.update_staff(conn, reply.id, staff=True)
        if reply.status is not CommentStatus.APPROVED:
            await moderation_store.update_status(
                conn, reply.id, CommentStatus.APPROVED, reason=None, now=now, by=staff.actor.id
            )
            if reply.status is CommentStatus.PENDING:
                await thread_store.add_to_thread_counts(conn, thread.id, comments=1)
        await log_store.insert_log(
            conn,
            site_id=site.id,
            now=now,
            actor=staff.actor.id,
            action="reply",
            target_kind="comment",
            target_id=reply.id,
            data={"parent": parent.id},
        )
        event = await ctx.outbox.add(
            conn,
            EventKind.COMMENT_STATUS_CHANGED,
            thread=event_thread(thread),
            subject=reply.id,
            data=status_change(
                CommentStatus.APPROVED, reply.status, "reply", reason=None, actor=staff.actor.id
            ),
        )
    ctx.outbox.committed(event)
    return reply.id


async def add_site(ctx: Context, staff: Staff, name: str, origins: list[str]) -> Site:
    if not staff.is_global_admin():
        raise NotAnAdmin("Only an admin of every site can add sites")
    site = await site_service.add_site(ctx.engine, name, origins, SiteOptions(), ctx.clock())
    await _log_site(ctx, staff, site, "site-add", {"origins": list(site.origins)})  # every registry reloads
    await ctx.sites.load()
    return site


async def update_site(
    ctx: Context,
    staff: Staff,
    site: Site,
    *,
    add_origins: list[str],
    remove_origins: list[str],
    options: SiteOptions | None,
) -> Site:
    staff.actor.require_admin(site.id)
    updated = await site_service.update_site(
        ctx.engine, site.name, add_origins=add_origins, remove_origins=remove_origins, options=options
    )
    data: dict[str, Any] = {}
    if add_origins or remove_origins:
        data["origins"] = {"before": list(site.origins), "after": list(updated.origins)}
    if options is not None and options != site.options:
        before, after = msgspec.to_builtins(site.options), msgspec.to_builtins(options)
        data["settings"] = {k: after[k] for k in after if before.get(k) != after[k]}
    # Every worker's registry reloads, and cached threads of every site (they carry its settings) rebuild.
    await _log_site(ctx, staff, updated, "site-update", data)
    await ctx.sites.load()
    return updated


async def _log_site(ctx: Context, staff: Staff, site: Site, action: str, data: dict[str, Any]) -> None:
    """Log a change of a site (when anything changed) and announce it: every worker's registry reloads."""
    async with store_engine.write(ctx.engine) as conn:
        if data:
            await log_store.insert_log(
                conn,
                site_id=site.id,
                now=ctx.clock(),
                actor=staff.actor.id,
                action=action,
                target_kind="site",
                target_id=site.name,
                data=data,
            )
        event = await ctx.outbox.add(
            conn, EventKind.SITE_CHANGED, site_id=site.id, data={"name": site.name, "action": action}
        )
    ctx.outbox.committed(event)


# --- event deliveries (the outbox's dead letters) ---------------------------------------------------------


class Deliveries(msgspec.Struct, frozen=True):
    counts: dict[str, int]  # by state, over every site (for admins of every site only; else empty)
    dead: list[event_store.DeadLetter]


def _admin_site_ids(staff: Staff, sites: list[Site]) -> list[int] | None:
    """The sites whose deliveries this admin may see (None: every site, events without a site too)."""
    if staff.is_global_admin():
        return None
    ids = [s.id for s in sites if staff.actor.is_admin(s.id)]
    if not ids:
        raise NotAnAdmin("Only admins can see event deliveries")
    return ids


async def event_deliveries(ctx: Context, staff: Staff, *, limit: int = 100) -> Deliveries:
    site_ids = _admin_site_ids(staff, await ctx.sites.all())
    async with store_engine.read(ctx.engine) as conn:
        counts = await event_store.count_by_state(conn) if site_ids is None else {}
        dead = await event_store.select_dead(conn, site_ids=site_ids, limit=limit)
    return Deliveries(counts=counts, dead=dead)


async def retry_delivery(ctx: Context, staff: Staff, delivery_id: int) -> None:
    """Put a dead letter back in line: the dispatchers deliver it again (its attempts start over)."""
    async with store_engine.write(ctx.engine) as conn:
        found = await event_store.select_delivery_site(conn, delivery_id)
        if found is None:
            raise NotFound("There is no event delivery with this id", code="delivery-not-found")
        state, site_id = found
        if site_id is None and not staff.is_global_admin():
            raise NotAnAdmin("Only an admin of every site can retry this delivery")
        if site_id is not None:
            staff.actor.require_admin(site_id)
        if state != event_store.DEAD:
            raise Conflict("This delivery is not a dead letter (any more)", code="delivery-not-dead")
        await event_store.revive(conn, delivery_id, now=ctx.clock())
        await log_store.insert_log(
            conn,
            site_id=site_id,
            now=ctx.clock(),
            actor=staff.actor.id,
            action="event-retry",
            target_kind="delivery",
            target_id=str(delivery_id),
        )


async def actor_names(ctx: Context, actors: list[str]) -> dict[str, str]:
    """Display names of the identities among log actors (others, like `cli` or `admin:NAME`, as they are)."""
    names: dict[str, str] = {}
    async with store_engine.read(ctx.engine) as conn:
        for actor in dict.fromkeys(actors):
            if ":" in actor or actor in ("cli", "system", "reports"):
                continue
            identity = await identity_store.select_identity(conn, actor)
            if identity is not None:
                names[actor] = identity.display_name
    return names


def providers_of(settings: Settings) -> list[tuple[str, str, str]]:
    """(name, preset, sites) of every configured sign-in provider, for the read-only list."""
    out = []
    for name, p in settings.auth.providers.items():
        out.append((name, p.preset or name, ", ".join(p.sites) or "every site"))
    return out


ACTIONS_ON_COMMENTS = {
    "approve": ModAction.APPROVE,
    "reject": ModAction.REJECT,
    "spam": ModAction.SPAM,
    "delete": ModAction.DELETE,
    "pin": ModAction.PIN,
    "unpin": ModAction.UNPIN,
    "feature": ModAction.FEATURE,
    "unfeature": ModAction.UNFEATURE,
}
