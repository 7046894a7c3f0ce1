"""Which words a site's model has learned to weigh differently from the built-in one, named as the
site's readers write them (any language): what a moderator reads on the site's admin page to see what
their decisions taught.

A word's weight is what the word alone adds to a score's log-odds: its own column plus its 3- to
5-character pieces, as `features.featurize` sets them for a comment of that one word. Hashed columns have
no vocabulary, so the words come from the texts given (the site's decided comments).

    diffs = word_differences(classifier.model_for(site_id), classifier.builtin(), texts, limit=15)
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from typing import Final

import msgspec
import numpy as np

from rejoinder.moderation.features import MAX_TEXT, MAX_WORD, word_columns, words_of
from rejoinder.moderation.normalize import normalize
from rejoinder.moderation.training import LinearModel

TARGETS: Final = ("spam", "abuse")
MIN_CHANGE: Final = 0.05  # log-odds: smaller differences are not shown


class WordDifference(msgspec.Struct, frozen=True):
    """One word whose weight differs between the site's model and the built-in one.

    Attributes:
        target: "spam" or "abuse".
        word: the word as normalised (lower case, look-alikes mapped), in the comment's own language.
        builtin: what the word alone adds to the target's log-odds in the built-in model.
        site: the same in the site's model.
        seen: in how many of the given texts it occurs.
    """

    target: str
    word: str
    builtin: float
    site: float
    seen: int

    @property
    def change(self) -> float:
        return self.site - self.builtin


def word_weight(model: LinearModel, word: str) -> tuple[float, float]:
    """What `word` alone adds to the spam and the abuse log-odds."""
    index, value = word_columns(word)
    out = (model.weights[index].astype(np.float64) * value[:, None]).sum(axis=0)
    return float(out[0]), float(out[1])


def word_differences(
    site: LinearModel, builtin: LinearModel, texts: Iterable[str], *, limit: int = 15
) -> list[WordDifference]:
    """The words of `texts` whose weight changed most between the models: per target, at most `limit` that
    the site's model weighs more and `limit` it weighs less, largest increase first, then largest decrease
    first (the words that moved down are what "political speech" approvals teach, and a few insults
    moving up would otherwise hide them)."""
    seen: Counter[str] = Counter()
    for text in texts:
        seen.update(set(words_of(normalize(text[:MAX_TEXT]))))
    out: list[WordDifference] = []
    candidates = [w for w in seen if len(w) <= MAX_WORD and not w.isdigit()]
    weights = {w: (word_weight(builtin, w), word_weight(site, w)) for w in candidates}
    for col, target in enumerate(TARGETS):
        for sign in (1.0, -1.0):
            ranked = sorted(candidates, key=lambda w: (-sign * (weights[w][1][col] - weights[w][0][col]), w))
            for w in ranked[:limit]:
                before, after = weights[w][0][col], weights[w][1][col]
                if sign * (after - before) < MIN_CHANGE or not math.isfinite(after - before):
                    break
                out.append(WordDifference(target, w, round(before, 3), round(after, 3), seen[w]))
    return out
