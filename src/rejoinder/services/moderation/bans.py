"""Bans and suspensions (by identity, email, network; per site or everywhere) and roles (admin,
moderator, trusted). Each is one transaction that also writes the log."""

from __future__ import annotations

import msgspec

from rejoinder.domain.comments import CommentStatus
from rejoinder.domain.identity import stored_networks
from rejoinder.domain.urls import check_text_field
from rejoinder.errors import IdentityNotFound, Invalid, NotFound
from rejoinder.events.kinds import Event, EventKind, status_change
from rejoinder.moderation import actions as rules
from rejoinder.moderation.actions import Actor, ModAction
from rejoinder.moderation.rules import (
    Role,
)
from rejoinder.services.context import Context
from rejoinder.services.moderation.decisions import LogTarget, log_action
from rejoinder.services.moderation.judging import email_hash_of
from rejoinder.services.moderation.runtime import moderation_of
from rejoinder.services.moderation.statements import issue_statement
from rejoinder.services.threads import event_thread_by_id
from rejoinder.store import bans as ban_store
from rejoinder.store import engine as store_engine
from rejoinder.store import moderation as store
from rejoinder.store import roles as role_store
from rejoinder.store import threads as thread_store


class BanResult(msgspec.Struct, frozen=True):
    id: int
    rejected: int  # comments rejected with it (reject_all)


async def ban(
    ctx: Context,
    actor: Actor,
    *,
    site_id: int | None,
    identity_id: str | None = None,
    email: str | None = None,
    ip_range: str | None = None,
    days: int | None = None,
    reason: str | None = None,
    reject_all: bool = False,
) -> BanResult:
    """Ban (or, with `days`, suspend) by identity, email and/or network, on one site or (site_id None,
    admins of every site only) everywhere. With `reject_all`, the author's comments are rejected too."""
    if site_id is None:
        actor.require_admin_everywhere("Only an admin of every site can ban everywhere")
    else:
        actor.require_moderator(site_id)
    network = rules.check_ip_range(ip_range) if ip_range else None
    covered = (stored_networks(network) if network and reject_all else None) or []
    if network and reject_all and not covered:
        raise Invalid.field(
            "ip",
            "ip-range-invalid",
            "A network this wide cannot reject existing comments (at most an IPv4 /8 or an IPv6 /40): "
            "ban it without rejecting, or give a narrower network",
        )
    if not (identity_id or email or network):
        raise Invalid.field(
            "target", "ban-target-required", "Say whom to ban: an identity, an email or a network"
        )
    if days is not None and not 1 <= days <= 36500:
        raise Invalid.field("days", "ban-days-invalid", "A suspension lasts 1 to 36500 days")
    words = rules.check_note(reason, 500)
    now = ctx.clock()
    until = now + days * 86_400_000_000 if days else None
    rejected = 0
    events: list[Event] = []
    async with store_engine.write(ctx.engine) as conn:
        ban_id = await ban_store.insert_ban(
            conn,
            site_id=site_id,
            identity_id=identity_id,
            email_hash=email_hash_of(ctx, email),
            ip_range=network,
            reason=words,
            reject_all=reject_all,
            until=until,
            now=now,
            by=actor.id,
        )
        if reject_all:
            found = await store.select_author_comment_ids(
                conn,
                site_id=site_id,
                identity_id=identity_id,
                email=email,
                ip_networks=covered,
            )
            for cid, thread_id, status in found:
                if status is CommentStatus.REJECTED:
                    continue
                await store.update_status(
                    conn, cid, CommentStatus.REJECTED, reason="other", now=now, by=actor.id
                )
                delta = rules.count_delta(status, CommentStatus.REJECTED)
                if delta:
                    await thread_store.add_to_thread_counts(conn, thread_id, comments=delta)
                events.append(
                    await ctx.outbox.add(
                        conn,
                        EventKind.COMMENT_STATUS_CHANGED,
                        thread=await event_thread_by_id(conn, thread_id),
                        subject=cid,
                        data=status_change(
                            CommentStatus.REJECTED, status, ModAction.BAN, reason="other", actor=actor.id
                        ),
                    )
                )
                rejected_comment = await store.select_moderated(conn, cid)
                statement = await issue_statement(
                    ctx,
                    conn,
                    rejected_comment,
                    ModAction.BAN,
                    reason_code="other",
                    facts=words,
                    now=now,
                )
                if statement is not None:
                    events.append(statement)
                rejected += 1
        data = {
            "identity": identity_id,
            "email": bool(email),
            "ip_range": network,
            "days": days,
            "reject_all": reject_all,
            "rejected": rejected,
        }
        await log_action(
            conn, site_id, actor.id, ModAction.BAN, LogTarget("ban", str(ban_id)), now, note=words, data=data
        )
    moderation_of(ctx).forget_bans()
    ctx.outbox.committed(*events)
    return BanResult(id=ban_id, rejected=rejected)


async def lift_ban(ctx: Context, actor: Actor, ban_id: int) -> None:
    now = ctx.clock()
    async with store_engine.write(ctx.engine) as conn:
        found = await ban_store.select_ban(conn, ban_id)
        if found is None:
            raise NotFound("There is no ban with this id", code="ban-not-found")
        if found.site_id is None:
            actor.require_admin_everywhere("Only an admin of every site can lift this ban")
        else:
            actor.require_moderator(found.site_id)
        await ban_store.lift_ban(conn, ban_id, now=now, by=actor.id)
        await log_action(conn, found.site_id, actor.id, ModAction.UNBAN, LogTarget("ban", str(ban_id)), now)
    moderation_of(ctx).forget_bans()


async def set_role(
    ctx: Context, actor: Actor, identity_id: str, role: Role, *, site_id: int | None, granted: bool
) -> bool:
    """Grant or revoke a role. Admins manage moderators and admins; moderators may trust commenters."""
    check_text_field(identity_id, "identity")
    needs_admin = role is not Role.TRUSTED
    if site_id is None:
        actor.require_admin_everywhere("Only an admin of every site can give roles on every site")
    elif needs_admin:
        actor.require_admin(site_id)
    else:
        actor.require_moderator(site_id)
    now = ctx.clock()
    async with store_engine.write(ctx.engine) as conn:
        from rejoinder.store import identities as identity_store

        if await identity_store.select_identity(conn, identity_id) is None:
            raise IdentityNotFound()
        if granted:
            changed = await role_store.insert_role(conn, identity_id, site_id, role, now=now, by=actor.id)
        else:
            changed = await role_store.delete_role(conn, identity_id, site_id, role)
            if changed and role is not Role.TRUSTED:
                # A staff role taken away ends the identity's /admin sessions at once: a sign-in made
                # with the old roles must not come back to life if the role is given again later.
                from rejoinder.services.admin_auth import end_identity_sessions

                await end_identity_sessions(conn, identity_id)
        if changed:
            action = ModAction.GRANT if granted else ModAction.REVOKE
            target = LogTarget("identity", identity_id)
            await log_action(conn, site_id, actor.id, action, target, now, reason_code=role.value)
    return changed
