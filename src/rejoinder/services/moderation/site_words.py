"""What a site's moderator decisions taught its classifier, for the site's admin page: the model in use,
the decisions it learned from, and the words (in the site's own languages) it now weighs differently
from the built-in model (moderation/explain.py)."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import msgspec

from rejoinder.moderation.actions import Actor
from rejoinder.services.context import Context
from rejoinder.services.moderation.runtime import moderation_of
from rejoinder.store import classifier as store
from rejoinder.store import engine as store_engine

# The latest decisions whose words are looked at (each decision's text is read once per page view).
WORDS_FROM: int = 2_000


class SiteWords(msgspec.Struct, frozen=True):
    """The site's classifier as its moderators taught it.

    Attributes:
        model: the name of the model scoring the site ("built-in v1" until it has its own).
        decisions: the site's decisions by label (ham, spam, abuse, politics: approved as political speech).
        words: per word whose weight changed, the change (explain.WordDifference), spam first.
        min_decisions: decisions a site needs before it gets a model of its own.
    """

    model: str
    decisions: dict[str, int]
    words: list[Any]
    min_decisions: int


async def learned_words(ctx: Context, actor: Actor, site_id: int, *, limit: int = 15) -> SiteWords | None:
    """The site's classifier, or None when the server runs without the learning classifier."""
    actor.require_moderator(site_id)
    sink = moderation_of(ctx).sink
    classifier = getattr(sink, "classifier", None)
    if classifier is None or not hasattr(classifier, "model_for"):
        return None
    async with store_engine.read(ctx.engine) as conn:
        rows = await store.select_decisions(conn, site_id, limit=WORDS_FROM)
    counts = Counter(r.label for r in rows)

    def compute() -> SiteWords:
        from rejoinder.moderation.explain import word_differences  # numpy: only with the classifier

        site_model = classifier.model_for(site_id)
        builtin = classifier.builtin()
        words = (
            []
            if site_model is builtin
            else word_differences(site_model, builtin, [r.text for r in rows], limit=limit)
        )
        return SiteWords(
            model=site_model.info.name,
            decisions=dict(sorted(counts.items())),
            words=words,
            min_decisions=int(getattr(classifier, "min_decisions", 0)),
        )

    return await asyncio.to_thread(compute)
