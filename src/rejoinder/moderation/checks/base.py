"""What a moderation check declares (name, kind, the [moderation] settings and per-site overrides it reads,
the facts it needs) and the seam of external checks. The ordered registry of checks is checks/__init__.py;
the pipeline that runs them is pipeline.py."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import httpx
import msgspec

from rejoinder.moderation.rules import Action, Case, Finding, Policy


class Kind(enum.StrEnum):
    """How the pipeline runs a check."""

    LOCAL = "local"  # a pure function of the Case, run in order with the others (CPU only)
    SCORER = "scorer"  # the classifier: the pipeline's SpamScorer and its thresholds (checks/classifier.py)
    EXTERNAL = (
        "external"  # an HTTP call, run last and only when nothing so far refused or asked for a revision
    )


class Answer(msgspec.Struct, frozen=True):
    """An external check's findings and what it answered, kept on the revision for moderators."""

    findings: tuple[Finding, ...]
    record: dict[str, Any]


class ExternalCheck(Protocol):
    name: str

    def applies(self, policy: Policy) -> bool: ...

    async def check(self, case: Case) -> Answer: ...


def failure(name: str, policy: Policy, why: str) -> Answer:
    action = policy.external_failure
    findings: tuple[Finding, ...] = ()
    if action is not Action.PASS:
        detail = {
            Action.HOLD: "An outside check did not answer; a moderator will look at this comment.",
        }.get(action, f"The {name} check did not answer ({why}).")
        findings = (Finding(name, action, "external-unavailable", detail),)
    return Answer(findings, {"error": why})


@dataclass(frozen=True)
class Check:
    """One moderation check. A local or external check is declared with `Check.local` / `Check.external`,
    which name it after its module.

    Attributes:
        name: its entry in [moderation] `checks` (and in each finding's `check`): its module's name.
        kind: how the pipeline runs it.
        settings: the [moderation] settings it reads (config.ModerationSettings fields).
        site_overrides: the per-site overrides it reads (domain.sites.SiteModeration fields).
        facts: what it reads of the facts the store loads for every post (rules.Facts fields, one query:
            store/checks.py).
        run: a local check's decision.
        connect: an external check's constructor, given the shared HTTP client.
    """

    name: str
    kind: Kind
    settings: tuple[str, ...] = ()
    site_overrides: tuple[str, ...] = ()
    facts: tuple[str, ...] = ()
    run: Callable[[Case], list[Finding]] | None = None
    connect: Callable[[httpx.AsyncClient], ExternalCheck] | None = None

    @classmethod
    def local(
        cls,
        run: Callable[[Case], list[Finding]],
        *,
        settings: tuple[str, ...] = (),
        site_overrides: tuple[str, ...] = (),
        facts: tuple[str, ...] = (),
    ) -> Check:
        """A local check deciding with `run`, named after the module that defines it
        (moderation/checks/<name>.py)."""
        return cls(_module_name(run), Kind.LOCAL, settings, site_overrides, facts, run=run)

    @classmethod
    def external(
        cls,
        connect: Callable[[httpx.AsyncClient], ExternalCheck],
        *,
        settings: tuple[str, ...] = (),
        site_overrides: tuple[str, ...] = (),
    ) -> Check:
        """An external check built by `connect`, named after the module that defines it."""
        return cls(_module_name(connect), Kind.EXTERNAL, settings, site_overrides, connect=connect)


def _module_name(declared: Callable[..., object]) -> str:
    """`links` for a function or class of moderation/checks/links.py: a check is named after its module."""
    return declared.__module__.rpartition(".")[2]
