"""The moderation checks, one module each, and CHECKS: the one ordered registry of them, derived from the
default of [moderation] `checks` (config.MODERATION_CHECKS: each name there is a module here that declares
its CHECK). Adding a check is one module and one name there (docs/contributing.md); the settings name it
because config may not import moderation code. The pipeline (pipeline.py) runs a site's checks in the order
the settings list them."""

from __future__ import annotations

import functools
import importlib

from rejoinder.config import MODERATION_CHECKS
from rejoinder.moderation.checks.base import Check, Kind


def _declared(name: str) -> Check:
    """The CHECK that moderation/checks/<name>.py declares."""
    check = importlib.import_module(f"{__name__}.{name}").CHECK
    if not isinstance(check, Check) or check.name != name:
        raise TypeError(f"moderation/checks/{name}.py must declare a CHECK named {name!r}")
    return check


CHECKS: tuple[Check, ...] = tuple(_declared(name) for name in MODERATION_CHECKS)
BY_NAME: dict[str, Check] = {check.name: check for check in CHECKS}
NAMES: tuple[str, ...] = MODERATION_CHECKS


@functools.lru_cache(maxsize=64)
def facts_read(names: tuple[str, ...]) -> frozenset[str]:
    """The Facts fields the named checks read: what the facts query must load for a policy."""
    return frozenset(fact for name in names for fact in BY_NAME[name].facts)


__all__ = ["BY_NAME", "CHECKS", "NAMES", "Check", "Kind", "facts_read"]
