"""What every use case needs, passed in (never global): store engine, settings, secret, clock, randomness,
the cache invalidator, the site registry and the outbox of domain events."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncEngine

from rejoinder.bus.base import Invalidator
from rejoinder.config import Settings
from rejoinder.events.outbox import Outbox
from rejoinder.services.cpu import INLINE, CpuPool, Inline
from rejoinder.services.sites import SiteRegistry

if TYPE_CHECKING:
    from rejoinder.services.avatars import Avatars
    from rejoinder.services.moderation import Moderation


def now_us() -> int:
    return time.time_ns() // 1000


@dataclass
class Context:
    engine: AsyncEngine
    settings: Settings
    secret: bytes
    invalidator: Invalidator
    sites: SiteRegistry
    avatars: Avatars | None = None
    moderation: Moderation | None = None  # pipeline, rate limits, proxies; services.moderation.moderation_of
    cpu: CpuPool | Inline = INLINE  # where CPU-heavy steps of writes run (services/cpu.py)
    clock: Callable[[], int] = now_us
    token: Callable[[int], str] = field(default=secrets.token_urlsafe)
    outbox: Outbox = field(default_factory=Outbox.unwired)  # runtime.make_context wires it
