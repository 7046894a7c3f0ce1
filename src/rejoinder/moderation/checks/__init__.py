"""The moderation checks, one module each, and CHECKS: the one ordered registry of them. Its order is the
default of [moderation] `checks`; adding a check is one module and one line here (docs/contributing.md).
The pipeline (pipeline.py) runs a site's checks in the order the settings list them."""

from __future__ import annotations

import functools

from rejoinder.moderation.checks import (
    akismet,
    classifier,
    honeypot,
    hook,
    limits,
    links,
    premoderation,
    repeats,
    words,
)
from rejoinder.moderation.checks.base import Check, Kind

CHECKS: tuple[Check, ...] = (
    limits.CHECK,
    honeypot.CHECK,
    repeats.CHECK,
    links.CHECK,
    words.CHECK,
    premoderation.CHECK,
    classifier.CHECK,
    akismet.CHECK,
    hook.CHECK,
)
BY_NAME: dict[str, Check] = {check.name: check for check in CHECKS}
NAMES: tuple[str, ...] = tuple(BY_NAME)


@functools.lru_cache(maxsize=64)
def facts_read(names: tuple[str, ...]) -> frozenset[str]:
    """The Facts fields the named checks read: what the facts query must load for a policy."""
    return frozenset(fact for name in names for fact in BY_NAME[name].facts)


__all__ = ["BY_NAME", "CHECKS", "NAMES", "Check", "Kind", "facts_read"]
