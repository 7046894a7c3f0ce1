"""What every use case needs, passed in (never global): store engine, settings, secret, clock, randomness,
the cache invalidator, the site registry, the outbox of domain events, the mailer. Long-lived parts that
services implement are typed by the small Protocols below, so this module imports no service."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncEngine

from rejoinder.config import Settings
from rejoinder.events.outbox import Outbox
from rejoinder.invalidation.base import Invalidator
from rejoinder.media.base import ImageStore
from rejoinder.notify.email import Mailer
from rejoinder.services.cpu import INLINE, CpuPool, Inline
from rejoinder.services.sites import SiteRegistry


class AvatarImage(Protocol):
    """An avatar as web/avatars.py serves it (services/avatars.Avatar)."""

    @property
    def content(self) -> bytes: ...

    @property
    def media_type(self) -> str: ...

    @property
    def settled(self) -> bool: ...


class AvatarLookups(Protocol):
    """What use cases ask of the background avatar lookups (services/avatars.Avatars is the one)."""

    async def image(self, key: str) -> AvatarImage: ...

    async def remember(self, key: str, site_id: int, email: str) -> None: ...

    async def remember_picture(self, key: str, site_id: int, url: str, *, changed: bool) -> None: ...


class ModerationParts(Protocol):
    """The moderation parts a running app shares (services/moderation/runtime.Moderation is the one; use
    cases reach it through services.moderation.moderation_of). `sink` teaches the classifier, if any."""

    sink: Any

    async def close(self) -> None: ...


def now_us() -> int:
    return time.time_ns() // 1000


@dataclass
class Context:
    """`secret` signs what rejoinder hands out and checks later (links, form tokens); `previous_secrets` are
    keys it replaced, still accepted when checking (see `verify_keys`). `id_key` makes the pseudonymous
    identifiers that are stored and compared (likers, avatar keys, email-ban hashes, passkey user handles):
    it is kept in the database and does not change when the secret is rotated, so nothing stored breaks."""

    engine: AsyncEngine
    settings: Settings
    secret: bytes
    invalidator: Invalidator
    sites: SiteRegistry
    images: ImageStore | None = None  # where images attached to comments are kept (media/; runtime builds it)
    avatars: AvatarLookups | None = None
    moderation: ModerationParts | None = (
        None  # pipeline, rate limits, proxies; services.moderation.moderation_of
    )
    mailer: Mailer | None = None  # [email]: moderator emails and sign-in links (runtime.build_mailer)
    cpu: CpuPool | Inline = INLINE  # where CPU-heavy steps of writes run (services/cpu.py)
    clock: Callable[[], int] = now_us
    token: Callable[[int], str] = field(default=secrets.token_urlsafe)
    outbox: Outbox = field(default_factory=Outbox.unwired)  # runtime.wire_outbox wires it
    previous_secrets: tuple[bytes, ...] = ()
    id_key: bytes = b""  # empty: the secret (Runtime.start passes the stored one)

    def __post_init__(self) -> None:
        if not self.id_key:
            self.id_key = self.secret

    @property
    def verify_keys(self) -> tuple[bytes, ...]:
        """The keys a signature made by rejoinder may carry: the current secret first."""
        return (self.secret, *self.previous_secrets)
