"""moderation/checks: the one ordered registry, built from the settings' default checks, holds every check
module; each check declares only settings, site overrides and facts that exist, every site override belongs to a check,
and each kind of check carries what the pipeline needs to run it."""

from __future__ import annotations

import importlib
from pathlib import Path

import msgspec

from rejoinder import config
from rejoinder.domain.sites import SiteModeration
from rejoinder.moderation import checks as checks_package
from rejoinder.moderation.checks import BY_NAME, CHECKS, NAMES, Kind
from rejoinder.moderation.rules import Facts

# Site overrides that no check reads: reports_to_hold is the reader-report rule (moderation/reports.py).
NOT_CHECK_OVERRIDES = {"reports_to_hold"}


def fields(struct: type[msgspec.Struct]) -> set[str]:
    return set(struct.__struct_fields__)


def test_the_registry_is_the_order_of_the_checks_setting() -> None:
    assert [check.name for check in CHECKS] == list(config.MODERATION_CHECKS)
    assert tuple(config.ModerationSettings().checks) == NAMES == config.MODERATION_CHECKS
    assert len(set(NAMES)) == len(CHECKS) and list(BY_NAME) == list(NAMES)


def test_every_check_module_is_in_the_registry() -> None:
    """A module of moderation/checks/ that declares a CHECK but is not named in the settings would never run."""
    package = Path(checks_package.__file__).parent
    declaring = {
        path.stem
        for path in package.glob("*.py")
        if path.stem != "__init__"
        and hasattr(importlib.import_module(f"{checks_package.__name__}.{path.stem}"), "CHECK")
    }
    assert declaring == set(NAMES)


def test_checks_declare_only_what_exists() -> None:
    for check in CHECKS:
        assert set(check.settings) <= fields(config.ModerationSettings), check.name
        assert set(check.site_overrides) <= fields(SiteModeration), check.name
        assert set(check.facts) <= fields(Facts), check.name
        # An override replaces or adds to a server setting, except `commenting`, which only sites have.
        assert set(check.site_overrides) - {"commenting"} <= set(check.settings), check.name


def test_every_site_override_belongs_to_a_check() -> None:
    claimed = {name for check in CHECKS for name in check.site_overrides}
    assert fields(SiteModeration) - claimed == NOT_CHECK_OVERRIDES


def test_each_kind_carries_what_the_pipeline_runs() -> None:
    kinds = {check.name: check.kind for check in CHECKS}
    assert kinds == {
        "limits": Kind.LOCAL,
        "honeypot": Kind.LOCAL,
        "repeats": Kind.LOCAL,
        "links": Kind.LOCAL,
        "words": Kind.LOCAL,
        "premoderation": Kind.LOCAL,
        "classifier": Kind.SCORER,
        "akismet": Kind.EXTERNAL,
        "hook": Kind.EXTERNAL,
    }
    for check in CHECKS:
        assert (check.run is not None) is (check.kind is Kind.LOCAL), check.name
        assert (check.connect is not None) is (check.kind is Kind.EXTERNAL), check.name
    # External checks run after every other one: the registry keeps them last.
    order = [check.kind is Kind.EXTERNAL for check in CHECKS]
    assert order == sorted(order)


def test_premoderation_modes_are_one_enum_everywhere() -> None:
    from rejoinder.domain.sites import PremoderationMode
    from rejoinder.web.admin.manage import PREMODERATION

    values = tuple(mode.value for mode in PremoderationMode)
    assert values == ("off", "all", "first", "guests", "links")  # the TOML, env and API values
    assert values == config.PREMODERATION_MODES
    assert [value for value, _ in PREMODERATION] == ["", *values]  # the admin form offers each one
    site = msgspec.json.decode(b'{"premoderation": "guests"}', type=SiteModeration)
    assert site.premoderation is PremoderationMode.GUESTS
    assert msgspec.json.encode(site).startswith(b'{"commenting":true,"premoderation":"guests"')


def test_the_facts_query_loads_what_the_checks_in_use_read() -> None:
    from rejoinder.moderation.checks import facts_read

    assert facts_read(("honeypot", "words")) == frozenset()
    assert facts_read(("repeats",)) == {"recent", "same_text_authors", "thread_id"}
    assert facts_read(("premoderation", "classifier")) == {"approved_count", "roles"}
    assert facts_read(NAMES) == fields(Facts)  # every fact is read by some check
