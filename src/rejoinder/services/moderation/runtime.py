"""The moderation parts a running app shares (pipeline, rate limiter, trusted proxies, external checks' HTTP
client, the per-worker ban cache) and the seam to the decision sink that teaches the classifier
(learning.py); `admit` counts an attempt against the rate limits."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx
import msgspec

from rejoinder.config import Settings
from rejoinder.moderation import queue as queues
from rejoinder.moderation.actions import ModAction
from rejoinder.moderation.checks.classifier import SpamScorer
from rejoinder.moderation.pipeline import Pipeline
from rejoinder.moderation.rules import (
    Ban,
)
from rejoinder.ratelimit import Action as Limited
from rejoinder.ratelimit import Limiter, RateLimiter, Scope, TrustedProxies, network_key
from rejoinder.services.context import Context
from rejoinder.store import bans as ban_store

BAN_CACHE_SECONDS = 5.0  # how long a worker reuses a site's active bans (its own bans apply at once)


class Decision(msgspec.Struct, frozen=True):
    """A moderator's decision on a comment (approve, reject with its reason code, spam), as the event
    `event_uid` announced it."""

    event_uid: str
    comment: queues.ModeratedComment
    action: ModAction
    reason: str | None


class DecisionSink(Protocol):
    """Told about every moderator decision, once per event: the learning classifier's way to collect
    labelled examples (learning.ClassifierSink). Checked for models trained elsewhere as comments are
    judged; closed with the app."""

    async def decided(self, ctx: Context, decision: Decision) -> bool: ...

    def refresh_if_due(self, ctx: Context) -> None: ...

    async def close(self) -> None: ...


@dataclass
class Moderation:
    """The moderation parts a running app shares: pipeline, rate limiter, trusted proxies, the HTTP client
    of external checks and the decision sink. `Moderation.default(settings)` is what a Context without
    one gets (memory limits, no external checks)."""

    pipeline: Pipeline
    limiter: Limiter
    proxies: TrustedProxies
    http: httpx.AsyncClient | None = None
    sink: DecisionSink | None = None
    owns_http: bool = field(default=False, repr=False)

    @classmethod
    def default(
        cls, settings: Settings, *, scorer: SpamScorer | None = None, http: bool = False
    ) -> Moderation:
        client = httpx.AsyncClient(follow_redirects=False) if http else None
        return cls(
            pipeline=Pipeline.from_settings(settings.moderation, scorer=scorer, http=client),
            limiter=RateLimiter.from_settings(settings),
            proxies=TrustedProxies(settings.moderation.trusted_proxies),
            http=client,
            owns_http=http,
        )

    _bans: dict[int, tuple[float, tuple[Ban, ...]]] = field(default_factory=dict, repr=False)

    async def bans(self, conn: Any, site_id: int, now: int) -> tuple[Ban, ...]:
        """The site's active bans, reused for BAN_CACHE_SECONDS (other workers see a new ban that late)."""
        cached = self._bans.get(site_id)
        if cached is not None and time.monotonic() < cached[0]:
            return tuple(b for b in cached[1] if b.until is None or b.until > now)
        found = await ban_store.select_active_bans(conn, site_id, now)
        self._bans[site_id] = (time.monotonic() + BAN_CACHE_SECONDS, found)
        return found

    def forget_bans(self) -> None:
        self._bans.clear()

    async def close(self) -> None:
        if self.sink is not None:
            await self.sink.close()
        await self.limiter.close()
        if self.http is not None and self.owns_http:
            await self.http.aclose()


def moderation_of(ctx: Context) -> Moderation:
    found = ctx.moderation
    if found is None:
        found = ctx.moderation = Moderation.default(ctx.settings)
    assert isinstance(found, Moderation)  # the one implementation of context.ModerationParts
    return found


async def admit(ctx: Context, action: Limited, keys: Mapping[Scope, str | None]) -> None:
    """Count an attempt against the rate limits (raises RateLimited); IP keys are grouped by network."""
    if Scope.IP in keys:
        keys = {**keys, Scope.IP: network_key(keys[Scope.IP])}
    await moderation_of(ctx).limiter.hit(action, keys)
