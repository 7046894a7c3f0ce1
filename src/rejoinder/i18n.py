"""Languages: the registry of supported ones, the translations the server renders (no-JS page, sign-in
pages, emails) read from the widget's own locale files, CLDR plural rules, numbers and dates (Babel), and
choosing a language from `lang`, `Accept-Language` and the server's default. No HTTP or SQL here.

Adding a language is one file and one line: `static/locales/<code>.json` and its code in LANGUAGES.
Its plural categories and writing direction come from CLDR (Babel), so nothing else names languages.
"""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import format_datetime, format_skeleton, get_datetime_format
from babel.numbers import format_decimal
from markupsafe import Markup, escape

# The one line to edit when adding a language (docs/contributing.md, "Adding a language"). The server,
# the widget's locale route and the docs all read this tuple; tests/test_i18n.py checks each file.
LANGUAGES: tuple[str, ...] = ("en", "de", "fr", "es", "pt", "it", "nl", "pl", "sv", "ja", "ar")
DEFAULT = "en"

LOCALES_DIR = Path(__file__).resolve().parent / "static" / "locales"
# The part of each locale file that only the server reads; /locales/<lang>.json leaves it out.
SERVER = "server"
ERRORS = "errors"
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_TAG = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*$")
US = 1_000_000


@cache
def locale_data(lang: str) -> dict[str, Any]:
    """The whole locale file of a supported language (read once)."""
    if lang not in LANGUAGES:
        raise KeyError(lang)
    data: dict[str, Any] = json.loads((LOCALES_DIR / f"{lang}.json").read_text("utf-8"))
    return data


@cache
def cldr(lang: str) -> Locale:
    return Locale.parse(lang)


def direction(lang: str) -> str:
    """`rtl` for right-to-left scripts (Arabic, Hebrew, …), else `ltr`; from CLDR's character order."""
    return "rtl" if cldr(lang).character_order == "right-to-left" else "ltr"


def plural_categories(lang: str) -> frozenset[str]:
    """The CLDR plural categories a language needs (always with `other`): what Intl.PluralRules selects."""
    return frozenset(cldr(lang).plural_form.tags) | {"other"}


def supported(tag: str | None) -> str | None:
    """The supported language of a BCP 47 tag (`pt-BR` → `pt`, `AR` → `ar`), or None."""
    if not tag or len(tag) > 35 or not _TAG.match(tag.strip()):
        return None
    primary = tag.strip().replace("_", "-").split("-", 1)[0].lower()
    return primary if primary in LANGUAGES else None


def accepted(header: str | None) -> list[str]:
    """The supported languages of an Accept-Language header (RFC 9110 §12.5.4), best first."""
    if not header:
        return []
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")[:30]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        lang = supported(tag)
        if lang is not None and quality > 0:
            ranked.append((-quality, index, lang))
    seen: list[str] = []
    for _, _, lang in sorted(ranked):
        if lang not in seen:
            seen.append(lang)
    return seen


def choose(*candidates: str | None, accept_language: str | None = None, default: str = DEFAULT) -> str:
    """The first supported of: each explicit candidate (a `lang` parameter, a stored choice), then the
    Accept-Language header, then `default` (the server's language)."""
    for candidate in candidates:
        found = supported(candidate)
        if found is not None:
            return found
    for found in accepted(accept_language):
        return found
    return supported(default) or DEFAULT


def _lookup(data: Mapping[str, Any], key: str) -> Any:
    node: Any = data
    for part in key.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def fill(template: str, values: Mapping[str, object]) -> str:
    """`{name}` placeholders replaced by values; unknown ones stay as written (as in the widget)."""
    return _PLACEHOLDER.sub(
        lambda m: str(values[m.group(1)]) if m.group(1) in values else m.group(0), template
    )


class Translator:
    """One language's strings for a template or an email: `tr("page.kicker")`, `tr.plural("responses", 3)`.

    A key is looked up in the file's `server` section first, then among the widget's keys (so that the
    two share "This comment was deleted." and the error texts). A key missing in a language falls back
    to English; tests/test_i18n.py keeps that from happening in a release.
    """

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in LANGUAGES else DEFAULT
        self.dir = direction(self.lang)
        self._data = locale_data(self.lang)
        self._english = locale_data(DEFAULT)

    def _raw(self, key: str) -> Any:
        for data in (self._data, self._english):
            for found in (_lookup(data.get(SERVER, {}), key), _lookup(data, key)):
                if found is not None:
                    return found
        raise KeyError(key)

    def __call__(self, key: str, **values: object) -> str:
        found = self._raw(key)
        if not isinstance(found, str):
            raise KeyError(key)
        return fill(found, values)

    def html(self, key: str, **values: object) -> Markup:
        """`key` for an HTML template whose placeholders hold markup (`<strong>…</strong>` made by the
        template, so escaped there): the translation and plain-string values are escaped here."""
        found = self._raw(key)
        if not isinstance(found, str):
            raise KeyError(key)
        parts = _PLACEHOLDER.split(str(escape(found)))
        out = [
            Markup(part)  # noqa: S704 - a piece of the escaped translation
            if i % 2 == 0
            else escape(values.get(part, "{" + part + "}"))
            for i, part in enumerate(parts)
        ]
        return Markup("").join(out)

    def plural(self, key: str, n: int, **values: object) -> str:
        """The CLDR plural form of `key` for `n`, with `{n}` as a localised number."""
        forms = self._raw(key)
        if not isinstance(forms, Mapping):
            raise KeyError(key)
        category = cldr(self.lang).plural_form(n)
        chosen = forms.get(category) or forms["other"]
        return fill(chosen, {"n": self.number(n), **values})

    def error(self, code: str, detail: str) -> str:
        """What a reader is told about an error code. English keeps the server's own sentence, which
        names limits and values; other languages say the same by code (as the widget does). A refused
        text's field errors carry moderation codes, whose words are in `reasons`."""
        if self.lang == DEFAULT:
            return detail
        found = _lookup(self._data, f"errors.{code}")
        if not isinstance(found, str):
            found = _lookup(self._data, f"reasons.{code}")
        return found if isinstance(found, str) else detail

    def reason(self, code: str | None, english: str | None) -> str | None:
        """Why a comment waits or was refused, by its reason code (`reasons` in the locale files)."""
        if code is None or self.lang == DEFAULT:
            return english
        found = _lookup(self._data, f"reasons.{code}")
        return found if isinstance(found, str) else self("reasons.held")

    def number(self, n: int) -> str:
        return str(format_decimal(n, locale=cldr(self.lang)))

    def datetime(self, us: int) -> str:
        """Day, month, year and time of day in UTC, as the language writes them."""
        moment = datetime.fromtimestamp(us / US, UTC)
        return (
            f"{format_datetime(moment, _datetime_pattern(self.lang), tzinfo=UTC, locale=cldr(self.lang))} UTC"
        )

    def date(self, us: int) -> str:
        moment = datetime.fromtimestamp(us / US, UTC)
        return str(format_skeleton("yMMMMd", moment, tzinfo=UTC, locale=cldr(self.lang)))

    def seconds(self, seconds: int) -> str:
        """A wait such as "42 seconds" or "5 minutes", for a rate-limited reader."""
        if seconds < 120:
            return self.plural("server.units.seconds", seconds)
        return self.plural("server.units.minutes", -(-seconds // 60))


@cache
def _datetime_pattern(lang: str) -> str:
    """CLDR's long date and 24-hour time joined as the language joins them (no seconds, no zone name)."""
    locale = cldr(lang)
    joined = str(get_datetime_format("long", locale=locale))
    return joined.replace("{1}", locale.date_formats["long"].pattern).replace(
        "{0}", locale.datetime_skeletons["Hm"].pattern
    )


@cache
def translator(lang: str) -> Translator:
    return Translator(lang)


def widget_part(data: Mapping[str, Any]) -> dict[str, Any]:
    """What /locales/<lang>.json serves: the file without the server's section and without the error texts,
    which the widget shows only when something fails (`errors_part`)."""
    return {k: v for k, v in data.items() if k not in (SERVER, ERRORS)}


def errors_part(data: Mapping[str, Any]) -> dict[str, Any]:
    """What /locales/<lang>.errors.json serves: the error texts by code, which the widget fetches after its
    first paint."""
    return {ERRORS: data.get(ERRORS, {})}


def flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Every leaf of a locale file by its dotted key; plural entries stay whole (`responses`: {...})."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, Mapping) and not is_plural(value):
            out |= flatten(value, f"{prefix}{key}.")
        else:
            out[prefix + key] = value
    return out


PLURAL_CATEGORIES = frozenset({"zero", "one", "two", "few", "many", "other"})


def is_plural(value: Mapping[str, Any]) -> bool:
    """A plural entry is an object whose keys are CLDR categories and which has `other`."""
    return "other" in value and set(value) <= PLURAL_CATEGORIES


def placeholders(text: str) -> set[str]:
    return set(_PLACEHOLDER.findall(text))


def wrap(text: str, width: int = 72) -> str:
    """A paragraph of a plain-text email broken at spaces (scripts without spaces stay one line)."""
    return textwrap.fill(text, width=width, break_long_words=False, break_on_hyphens=False)
