"""The moderation parts a running app shares (pipeline, rate limiter, trusted proxies, external checks' HTTP
client, the per-worker ban cache) and the decision sink that teaches the classifier; `admit` counts an
attempt against the rate limits."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx

from rejoinder.config import Settings
from rejoinder.moderation import queue as queues
from rejoinder.moderation.actions import ModAction
from rejoinder.moderation.pipeline import Pipeline, SpamScorer
from rejoinder.moderation.rules import (
    Ban,
)
from rejoinder.ratelimit import Action as Limited
from rejoinder.ratelimit import Limiter, RateLimiter, Scope, TrustedProxies, network_key
from rejoinder.services.context import Context
from rejoinder.store import moderation as store

BAN_CACHE_SECONDS = 5.0  # how long a worker reuses a site's active bans (its own bans apply at once)


class DecisionSink(Protocol):
    """Told about every moderator decision on a comment (approve, reject with its reason code, spam):
    the learning classifier's way to collect labelled examples. Must not raise."""

    def decided(
        self, site_id: int, comment: queues.ModeratedComment, action: ModAction, reason: str | None
    ) -> None: ...


ABUSIVE_REASONS = frozenset({"abuse", "harassment", "hate"})


class ClassifierSink:
    """Teaches the learning classifier (spam.py) from moderators' decisions: approve is ham, spam is spam,
    a rejection as abuse, harassment or hate is abuse (other rejections teach nothing). Every
    `train_every` new decisions of a site, the site's model is trained again in the background."""

    def __init__(self, classifier: Any, *, train_every: int = 10) -> None:
        from rejoinder.moderation.spam import Example, Label

        self.classifier = classifier
        self.train_every = train_every
        self._example, self._label = Example, Label
        self._tasks: set[asyncio.Task[Any]] = set()

    def label_of(self, action: ModAction, reason: str | None) -> Any:
        if action is ModAction.APPROVE:
            return self._label.HAM
        if action is ModAction.SPAM:
            return self._label.SPAM
        if action is ModAction.REJECT and reason in ABUSIVE_REASONS:
            return self._label.ABUSE
        return None

    def decided(
        self, site_id: int, comment: queues.ModeratedComment, action: ModAction, reason: str | None
    ) -> None:
        label = self.label_of(action, reason)
        if label is None:
            return
        example = self._example(
            comment.text, author_name=comment.author_name, website=comment.author_website or ""
        )
        pending = self.classifier.learn(site_id, example, label, key=comment.id)
        if pending >= self.train_every:
            task = asyncio.get_running_loop().create_task(self.classifier.train(site_id))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)


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
        found = await store.select_active_bans(conn, site_id, now)
        self._bans[site_id] = (time.monotonic() + BAN_CACHE_SECONDS, found)
        return found

    def forget_bans(self) -> None:
        self._bans.clear()

    async def close(self) -> None:
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
