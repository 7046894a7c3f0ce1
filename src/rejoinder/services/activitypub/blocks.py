"""Blocked fediverse instances: every inbox refuses their activities (403 instance-blocked), and nothing
is delivered to them. A block covers the domain and its subdomains. Blocking and unblocking are logged in
the moderation log (instance-wide: no site), by whoever did it (an admin, or "cli")."""

from __future__ import annotations

import idna

from rejoinder.errors import Invalid
from rejoinder.services.context import Context
from rejoinder.store import activitypub as store
from rejoinder.store import engine as store_engine
from rejoinder.store import moderation_log as log_store

MAX_REASON = 500


def check_domain(raw: str) -> str:
    name = raw.strip().lower().rstrip(".")
    if not name or len(name) > 253 or "/" in name or ":" in name or " " in name:
        raise Invalid.field("domain", "domain-invalid", "Give a bare domain name, e.g. spam.example")
    try:
        return idna.encode(name, uts46=True).decode("ascii")
    except idna.IDNAError:
        if all(part.isdigit() for part in name.split(".")):
            return name  # an IPv4 address
        raise Invalid.field(
            "domain", "domain-invalid", "Give a bare domain name, e.g. spam.example"
        ) from None


async def block(ctx: Context, domain: str, *, reason: str | None, by: str) -> tuple[str, bool]:
    """Block an instance; (the domain as stored, whether it was new)."""
    name = check_domain(domain)
    why = (reason or "").strip()[:MAX_REASON] or None
    now = ctx.clock()
    async with store_engine.write(ctx.engine) as conn:
        added = await store.insert_blocked_domain(conn, name, reason=why, by=by, now=now)
        if added:
            await log_store.insert_log(
                conn,
                site_id=None,
                now=now,
                actor=by,
                action="instance-block",
                target_kind="instance",
                target_id=name,
                note=why,
            )
    return name, added


async def unblock(ctx: Context, domain: str, *, by: str = "cli") -> bool:
    name = check_domain(domain)
    async with store_engine.write(ctx.engine) as conn:
        removed = await store.delete_blocked_domain(conn, name)
        if removed:
            await log_store.insert_log(
                conn,
                site_id=None,
                now=ctx.clock(),
                actor=by,
                action="instance-unblock",
                target_kind="instance",
                target_id=name,
            )
    return removed


async def blocked(ctx: Context) -> list[tuple[str, str | None]]:
    async with store_engine.read(ctx.engine) as conn:
        return await store.select_blocked_domains(conn)


async def blocked_in_detail(ctx: Context) -> list[store.BlockedDomain]:
    """The blocked instances with who blocked each, when and why (for /admin)."""
    async with store_engine.read(ctx.engine) as conn:
        return await store.select_blocked_detail(conn)
