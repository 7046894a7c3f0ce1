"""The fully commented example config file behind `rejoinder config example` (and the list of every setting
the docs test checks). Not here: the settings themselves (schema.py).
"""

from __future__ import annotations

from typing import Any

import msgspec

from rejoinder.config.schema import SECTIONS, ProviderSettings, Settings


def describe_settings() -> list[tuple[str, str, Any, str]]:
    """Every setting as (section, key, default, help), for `config example` and the docs test."""
    rows: list[tuple[str, str, Any, str]] = []
    defaults = Settings()
    for section, cls in SECTIONS.items():
        for field in msgspec.structs.fields(cls):
            help_text = ""
            for meta in getattr(field.type, "__metadata__", ()):
                if isinstance(meta, msgspec.Meta) and meta.description:
                    help_text = meta.description
            rows.append((section, field.name, getattr(getattr(defaults, section), field.name), help_text))
    return rows


def example_toml(secret_key: str = "") -> str:
    """A fully commented config file; the secret key is filled in when given."""
    lines = ["# rejoinder configuration. Every key may also be set as REJOINDER_<SECTION>__<KEY>.", ""]
    current = ""
    for section, key, default, help_text in describe_settings():
        if section != current:
            lines += ["", f"[{section}]"] if current else [f"[{section}]"]
            current = section
        value = secret_key if (section, key) == ("security", "secret_key") and secret_key else default
        lines.append(f"# {help_text}")
        if isinstance(value, dict):  # a table of tables, e.g. [auth.providers.NAME]: shown as an example
            lines += _example_tables(section, key)
            continue
        lines.append(f"{key} = {_toml_value(value)}")
    return "\n".join(lines) + "\n"


def _example_tables(section: str, key: str) -> list[str]:
    if (section, key) != ("auth", "providers"):
        return []
    lines = ["#", "# [auth.providers.google]"]
    for field in msgspec.structs.fields(ProviderSettings):
        help_text = next(
            (m.description for m in getattr(field.type, "__metadata__", ()) if isinstance(m, msgspec.Meta)),
            "",
        )
        example = {"client_id": "1234.apps.googleusercontent.com", "client_secret_env": "GOOGLE_SECRET"}
        value = example.get(field.name, field.default if field.default is not msgspec.NODEFAULT else "")
        if field.default_factory is not msgspec.NODEFAULT:
            value = field.default_factory()
        lines.append(f"# {field.name} = {_toml_value(value)}    # {help_text}")
    return lines


def _toml_value(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'
