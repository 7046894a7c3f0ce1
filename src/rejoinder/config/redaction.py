"""`rejoinder config show`: the effective settings with secrets replaced. Not here: loading them (loading.py)."""

from __future__ import annotations

from typing import Any

import msgspec

from rejoinder.config.schema import Settings

SECRET_KEYS = {
    ("security", "secret_key"),
    ("security", "previous_secret_keys"),
    ("redis", "url"),
    ("database", "url"),
    ("moderation", "akismet_key"),
    ("moderation", "hook_secret"),
    ("admin", "password_hash"),
    ("server", "metrics_token"),
    ("images", "s3_secret_key"),
}


def redacted(settings: Settings) -> dict[str, dict[str, Any]]:
    """Effective settings with secrets replaced, for `config show`."""
    out: dict[str, dict[str, Any]] = msgspec.to_builtins(settings)
    for section, key in SECRET_KEYS:
        value = out[section][key]
        if value and key == "previous_secret_keys":
            out[section][key] = ["***" for _ in value]
        elif value and key in {
            "secret_key",
            "akismet_key",
            "hook_secret",
            "password_hash",
            "metrics_token",
            "s3_secret_key",
        }:
            out[section][key] = "***"
        elif value and "@" in str(value) and ":" in str(value).split("@")[0].split("//")[-1]:
            scheme, _, rest = str(value).partition("//")
            creds, _, host = rest.partition("@")
            out[section][key] = f"{scheme}//{creds.split(':')[0]}:***@{host}"
    return out
