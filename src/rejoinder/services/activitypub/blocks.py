"""Blocked fediverse instances: every inbox refuses their activities (403 instance-blocked), and nothing
is delivered to them. A block covers the domain and its subdomains."""

from __future__ import annotations

import idna

from rejoinder.errors import Invalid
from rejoinder.services.context import Context
from rejoinder.store import activitypub as store
from rejoinder.store import engine as store_engine


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
    async with store_engine.write(ctx.engine) as conn:
        added = await store.insert_blocked_domain(
            conn, name, reason=(reason or None) and reason[:500], by=by, now=ctx.clock()
        )
    return name, added


async def unblock(ctx: Context, domain: str) -> bool:
    async with store_engine.write(ctx.engine) as conn:
        return await store.delete_blocked_domain(conn, check_domain(domain))


async def blocked(ctx: Context) -> list[tuple[str, str | None]]:
    async with store_engine.read(ctx.engine) as conn:
        return await store.select_blocked_domains(conn)
