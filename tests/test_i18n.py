"""The languages: every locale file complete and consistent with en.json (keys, placeholders, the CLDR plural
categories each language needs), the error and reason codes a reader can meet (found in the source's syntax
tree by tests/error_codes.py), and the one-line registry that the server, the widget's locale route and the
docs all read."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from rejoinder import i18n
from rejoinder.i18n import LANGUAGES, LOCALES_DIR, flatten, is_plural, placeholders, plural_categories
from rejoinder.moderation.actions import RejectReason
from rejoinder.moderation.reports import ReportReason
from rejoinder.services.moderation.judging import _REASONS
from rejoinder.web.static import LOCALE_ERRORS, LOCALES
from tests.error_codes import finding_codes, source_error_codes

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
ENGLISH = json.loads((LOCALES_DIR / "en.json").read_text("utf-8"))

# Error codes no reader meets in the widget, the no-JS page or the sign-in pages: the moderation pages
# (English only, for staff), the operator's CLI, and the widget's own files (the widget falls back to
# English when a locale is missing). Everything else in docs/errors.md has a text in every language.
NOT_FOR_READERS_SECTIONS = {
    "The format",
    "Moderating",
    "Webhooks",
    "Widget files",
    "Webmention",
    "ActivityPub",
}
READER_CODES_FROM_MODERATING = {
    "report-reason-invalid",
    "not-comment-author",
    "appeal-already-sent",
    "comment-not-appealable",
    "appeal-note-required",
    "appeal-too-long",
    "note-too-long",
}
NOT_FOR_READERS = {"site-name-invalid", "site-exists"}  # `rejoinder site add`, an operator's command
WIDGET_ONLY_CODES = {"sign-in-failed"}  # the widget's own fallback when a sign-in ends without a code

# Modules only staff and operators reach (the moderation pages, their sign-in, moderators' emails, the CLI and
# its provider diagnostics, the queue and ban services). A code raised anywhere else reaches a reader, and
# so needs a text in every language. Moving one of these modules makes the test below say so.
STAFF_MODULES = (
    "src/rejoinder/web/admin/",
    "src/rejoinder/services/admin.py",
    "src/rejoinder/services/admin_auth.py",
    "src/rejoinder/services/admin_mail.py",
    "src/rejoinder/services/admin_people.py",
    "src/rejoinder/services/admin_desk.py",
    "src/rejoinder/domain/search.py",  # the moderation desk's search (/admin/search) only
    "src/rejoinder/auth/providers/diagnostics.py",
    "src/rejoinder/services/moderation/bans.py",
    "src/rejoinder/services/moderation/queue.py",
    "src/rejoinder/services/moderation/decisions.py",
    "src/rejoinder/moderation/actions.py",
    "src/rejoinder/moderation/queue.py",
    "src/rejoinder/cli.py",
    "src/rejoinder/cli_webhooks.py",
    "src/rejoinder/domain/webhooks.py",  # webhooks are managed by a site's admins (CLI, /admin) only
    "src/rejoinder/services/webhooks.py",
    "src/rejoinder/services/import_jobs.py",  # imports are started by a site's admins (CLI, /admin) only
    "src/rejoinder/moderation/legal.py",  # decisions on notices of illegal content: /admin only
    "src/rejoinder/services/moderation/legal.py",
)
# Met by other servers, never by a reader: Webmention senders and fediverse servers get these problems as
# answers to their requests (docs/federation.md), in English like every protocol error.
SERVER_TO_SERVER_MODULES = (
    "src/rejoinder/domain/webmentions.py",
    "src/rejoinder/web/webmentions.py",
    "src/rejoinder/services/webmentions.py",
    "src/rejoinder/services/webmention_http.py",
    "src/rejoinder/federation/",
    "src/rejoinder/services/activitypub/",
    "src/rejoinder/web/activitypub.py",
)
# Raised outside those, yet never shown to a reader: the widget's own files (it falls back to English and
# draws no icon), and names an operator gives with `rejoinder site add`.
NOT_SHOWN = {"locale-not-found", "icon-not-found", "site-exists", "site-name-invalid"}
# Checks whose finding codes never reach an author as such: a bot trap answers `comment-refused` for all of
# them, and the limits answer their own error codes (thread-closed, author-banned, commenting-disabled).
CHECKS_WITHOUT_REASON = {"check:honeypot", "check:limits"}


def load(lang: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((LOCALES_DIR / f"{lang}.json").read_text("utf-8"))
    return data


def documented_codes() -> dict[str, str]:
    """Every `### code` of docs/errors.md with its `## section`."""
    codes: dict[str, str] = {}
    section = ""
    for line in (DOCS / "errors.md").read_text("utf-8").splitlines():
        if line.startswith("## "):
            section = line[3:].strip()
        elif line.startswith("### "):
            codes[line[4:].strip()] = section
    return codes


def reader_codes() -> set[str]:
    return {
        code
        for code, section in documented_codes().items()
        if (section not in NOT_FOR_READERS_SECTIONS or code in READER_CODES_FROM_MODERATING)
        and code not in NOT_FOR_READERS
    }


# --- the files ----------------------------------------------------------------------------------------


def test_there_is_one_file_per_registered_language_and_no_other() -> None:
    assert {p.stem for p in LOCALES_DIR.glob("*.json")} == set(LANGUAGES)
    assert len(set(LANGUAGES)) == len(LANGUAGES) and LANGUAGES[0] == "en"
    assert {"en", "de", "fr", "es", "pt", "it", "nl", "pl", "sv", "ja", "ar"} <= set(LANGUAGES)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_locale_has_exactly_the_keys_of_english(lang: str) -> None:
    english, here = flatten(ENGLISH), flatten(load(lang))
    missing = sorted(set(english) - set(here))
    unknown = sorted(set(here) - set(english))
    assert not missing, f"{lang}.json misses {missing}"
    assert not unknown, f"{lang}.json has keys en.json does not: {unknown}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_placeholders_match_english(lang: str) -> None:
    english, here = flatten(ENGLISH), flatten(load(lang))
    for key, value in here.items():
        source = english[key]
        if isinstance(source, str):
            assert isinstance(value, str) and value.strip(), (lang, key)
            assert placeholders(value) == placeholders(source), f"{lang}.json {key}: {value!r}"
        else:
            assert isinstance(value, dict) and is_plural(value), f"{lang}.json {key} is not a plural entry"
            wanted = placeholders(source["other"])
            assert placeholders(value["other"]) == wanted, f"{lang}.json {key}.other: {value['other']!r}"
            for category, form in value.items():
                # A form may leave out {n} where the language names the number in a word (Arabic "two").
                assert placeholders(form) <= wanted, f"{lang}.json {key}.{category}: {form!r}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_plural_entries_have_the_categories_cldr_gives_the_language(lang: str) -> None:
    """Intl.PluralRules (the widget) and Babel (the server) both select from CLDR's categories: each one
    the language has must have a form, and a form for a category it lacks could never be shown."""
    needed = plural_categories(lang)
    for key, value in flatten(load(lang)).items():
        if isinstance(value, dict):
            assert set(value) == needed, (
                f"{lang}.json {key}: has {sorted(value)}, CLDR needs {sorted(needed)}"
            )


def test_the_needed_categories_come_from_cldr() -> None:
    assert plural_categories("pl") == {"one", "few", "many", "other"}
    assert plural_categories("ar") == {"zero", "one", "two", "few", "many", "other"}
    assert plural_categories("ja") == {"other"}
    assert plural_categories("en") == {"one", "other"}


def source_reader_codes() -> dict[str, list[str]]:
    """Every literal error code the source raises outside STAFF_MODULES → where (errors.py's class bodies
    are not raise sites: `SiteNotFound.named(...)` counts where it is called)."""
    found: dict[str, list[str]] = {}
    for code, use in source_error_codes().items():
        skip = ("src/rejoinder/errors.py", *STAFF_MODULES, *SERVER_TO_SERVER_MODULES)
        places = [p for p in use.places if not p.startswith(skip)]
        if places and code not in NOT_SHOWN:
            found[code] = places
    return found


def reason_codes() -> set[str]:
    """What a held or refused comment can tell its author: the code of every moderation finding (the held
    comment's `reason_code`, or a field error of `comment-rejected`/`comment-needs-revision`), every reason a
    moderator can give, and `held` (the fallback for a code a language does not know)."""
    findings = {code for code, where in finding_codes().items() if not CHECKS_WITHOUT_REASON & set(where)}
    return findings | set(_REASONS) | {r.value for r in RejectReason} | {"held"}


def test_the_staff_modules_exist() -> None:
    for path in (*STAFF_MODULES, *SERVER_TO_SERVER_MODULES):
        assert (ROOT / path).exists(), f"{path} moved: update STAFF_MODULES in tests/test_i18n.py"


def test_the_source_scan_finds_reader_codes_and_reasons() -> None:
    """Guards the scans: each kind of raise site must still yield codes, staff-only ones must not."""
    codes = source_reader_codes()
    for code in ("site-not-found", "comment-not-found", "text-empty", "malformed-json", "rate-limited"):
        assert code in codes, code
    assert "not-an-admin" not in codes and "queue-not-found" not in codes
    reasons = reason_codes()
    assert {"blocked-word", "premoderated", "likely-spam", "off-topic", "held"} <= reasons
    assert not {"honeypot-filled", "posted-too-fast", "thread-closed"} & reasons


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_error_code_a_reader_can_meet_has_a_text(lang: str) -> None:
    """Codes from the source and run-time-built codes from docs/errors.md; every language, not only en."""
    codes = set(load(lang)["errors"])
    from_source = {code: places[0] for code, places in source_reader_codes().items() if code not in codes}
    assert not from_source, f"{lang}.json errors misses {from_source} (code: first place raised)"
    missing = sorted(reader_codes() - codes)
    assert not missing, f"{lang}.json errors misses {missing}"


def test_no_error_text_is_stale() -> None:
    stale = sorted(set(ENGLISH["errors"]) - set(documented_codes()) - WIDGET_ONLY_CODES)
    assert not stale, f"en.json errors has codes docs/errors.md does not list: {stale}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_reason_shown_to_an_author_has_a_text(lang: str) -> None:
    reasons = load(lang)["reasons"]
    assert set(reasons) == reason_codes(), lang
    if lang == "en":
        for code, text in _REASONS.items():
            assert reasons[code] == text, code  # en.json says what the API's `reason` says


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_report_reason_has_a_label(lang: str) -> None:
    assert list(load(lang)["reportReasons"]) == [r.value for r in ReportReason], lang


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "en"])
def test_reader_texts_are_translated(lang: str) -> None:
    """A text copied from en.json is not a translation. Words that are the same in many languages (a
    `Spam` label) are the only ones allowed to match."""
    here = load(lang)
    same = sorted(
        f"{section}.{code}"
        for section in ("errors", "reasons")
        for code, text in here[section].items()
        if text == ENGLISH[section][code]
    )
    assert not same, f"{lang}.json has English texts: {same}"


# --- the registry: one line ------------------------------------------------------------------------------


def test_the_server_serves_exactly_the_registered_languages_without_server_strings() -> None:
    assert set(LOCALES) == set(LANGUAGES) == set(LOCALE_ERRORS)
    for lang, asset in LOCALES.items():
        served = json.loads(asset.body)
        assert i18n.SERVER not in served and served == i18n.widget_part(load(lang)), lang
        # the error texts apart: the widget fetches them after its first paint
        assert i18n.ERRORS not in served, lang
        assert json.loads(LOCALE_ERRORS[lang].body) == {"errors": load(lang)["errors"]}, lang
        assert {**served, **json.loads(LOCALE_ERRORS[lang].body)} == {
            k: v for k, v in load(lang).items() if k != i18n.SERVER
        }, lang


def test_languages_are_listed_in_one_place_only() -> None:
    """Adding a language is its file plus its code in i18n.LANGUAGES: no other Python source names the
    set, and docs/embedding.md lists every registered one."""
    pattern = re.compile(r"""["']pl["']\s*,\s*["']sv["']""")
    found = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "src" / "rejoinder").rglob("*.py")
        if pattern.search(p.read_text("utf-8"))
    ]
    assert found == ["src/rejoinder/i18n.py"]
    section = (DOCS / "embedding.md").read_text("utf-8").split("## Languages", 1)[1].split("\n## ", 1)[0]
    for lang in LANGUAGES:
        assert f"`{lang}`" in section, f"docs/embedding.md#languages does not list {lang}"


def test_direction_comes_from_cldr() -> None:
    assert [lang for lang in LANGUAGES if i18n.direction(lang) == "rtl"] == ["ar"]


# --- choosing a language -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "header", "expected"),
    [
        ("pl", "de", "pl"),
        ("pt-BR", None, "pt"),
        ("AR", None, "ar"),
        ("xx", "fr-CH, fr;q=0.9, en;q=0.8", "fr"),
        (None, "da, sv;q=0.5, ja;q=0.7", "ja"),
        (None, "ja;q=0, nl;q=0.1", "nl"),
        (None, "*", "it"),
        ("../../etc", "q=1;;,", "it"),
        (None, None, "it"),
    ],
)
def test_choose(lang: str | None, header: str | None, expected: str) -> None:
    assert i18n.choose(lang, accept_language=header, default="it") == expected


def test_plural_numbers_and_dates_on_the_server() -> None:
    pl = i18n.translator("pl")
    assert [pl.plural("responses", n) for n in (1, 3, 5, 22, 25)] == [
        pl("responses.one").replace("{n}", "1"),
        pl("responses.few").replace("{n}", "3"),
        pl("responses.many").replace("{n}", "5"),
        pl("responses.few").replace("{n}", "22"),
        pl("responses.many").replace("{n}", "25"),
    ]
    assert i18n.translator("en").plural("responses", 1234) == "1,234 Responses"
    assert i18n.translator("de").datetime(0) == "1. Januar 1970, 00:00 UTC"
    assert i18n.translator("ja").date(0) == "1970年1月1日"


def test_a_refused_texts_field_error_is_said_in_the_readers_language() -> None:
    """A rejected comment's field errors carry finding codes (`blocked-word`); the no-JS page and the widget
    look them up in `errors`, then in `reasons`, before falling back to the server's English sentence."""
    german = i18n.translator("de")
    assert german.error("blocked-word", "Blocked.") == load("de")["reasons"]["blocked-word"]
    assert german.error("text-empty", "Empty.") == load("de")["errors"]["text-empty"]
    assert german.error("no-such-code", "As the server said.") == "As the server said."
    assert (
        i18n.translator("en").error("blocked-word", "The word x is not allowed.")
        == "The word x is not allowed."
    )
