"""Building a Context with its outbox wired to the registered handlers, and the dispatcher that delivers
its events: one way for the server, the CLI, the demo and the benchmarks (never a Context by hand)."""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncEngine

from rejoinder import handlers
from rejoinder.bus.base import Invalidator
from rejoinder.config import Settings
from rejoinder.events.dispatcher import Dispatcher, RetryPolicy
from rejoinder.events.outbox import Outbox
from rejoinder.services.avatars import Avatars
from rejoinder.services.context import Context, now_us
from rejoinder.services.cpu import INLINE, CpuPool, Inline
from rejoinder.services.moderation import Moderation
from rejoinder.services.sites import SiteRegistry

US = 1_000_000


def make_context(
    engine: AsyncEngine,
    settings: Settings,
    secret: bytes,
    invalidator: Invalidator,
    sites: SiteRegistry,
    *,
    avatars: Avatars | None = None,
    moderation: Moderation | None = None,
    clock: Callable[[], int] = now_us,
    token: Callable[[int], str] = secrets.token_urlsafe,
    cpu: CpuPool | Inline = INLINE,
) -> Context:
    ctx = Context(
        engine=engine,
        settings=settings,
        secret=secret,
        invalidator=invalidator,
        sites=sites,
        avatars=avatars,
        moderation=moderation,
        clock=clock,
        token=token,
        cpu=cpu,
    )
    ctx.outbox = Outbox(
        routes=handlers.routes_for(ctx),
        clock=lambda: ctx.clock(),  # follows a clock the caller sets on the Context later
        token=lambda n: ctx.token(n),
        grace_us=int(settings.events.grace_seconds * US),
    )
    return ctx


def make_dispatcher(ctx: Context, owner: str | None = None) -> Dispatcher:
    """This worker's dispatcher of the context's outbox (start it on the serving loop)."""
    ev = ctx.settings.events
    return Dispatcher(
        engine=ctx.engine,
        outbox=ctx.outbox,
        clock=lambda: ctx.clock(),
        owner=owner or f"{socket.gethostname()[:24]}:{os.getpid()}",
        poll_us=int(ev.poll_seconds * US),
        lease_us=ev.lease_seconds * US,
        keep_us=ev.keep_days * 86400 * US,
        retry=RetryPolicy(
            max_attempts=ev.max_attempts,
            base_us=int(ev.retry_base_seconds * US),
            max_us=int(ev.retry_max_seconds * US),
        ),
    )
