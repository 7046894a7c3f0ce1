"""Loading the effective settings: defaults < TOML file < REJOINDER_* env < CLI flags, then validation.

This module is the only reader of REJOINDER_* variables. Not here: the settings themselves (schema.py).
"""

from __future__ import annotations

import enum
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

import msgspec

from rejoinder.config.schema import (
    MODERATION_CHECKS,
    SECTIONS,
    AdminSettings,
    EmailSettings,
    ModerationSettings,
    Settings,
)
from rejoinder.domain.urls import check_param_pattern, is_loopback, normalize_url
from rejoinder.errors import ConfigError, Invalid
from rejoinder.i18n import LANGUAGES

ENV_PREFIX = "REJOINDER_"


def _env_values(env: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for name, raw in env.items():
        if not name.startswith(ENV_PREFIX):
            continue
        rest = name[len(ENV_PREFIX) :]
        if "__" not in rest:
            continue  # REJOINDER_CONFIG and the like are not settings
        section, _, key = rest.lower().partition("__")
        if section not in SECTIONS:
            raise ConfigError(f"unknown setting section in environment variable {name}")
        fields = {f.name: f for f in msgspec.structs.fields(SECTIONS[section])}
        if key not in fields:
            raise ConfigError(f"unknown setting {section}.{key} (from environment variable {name})")
        out.setdefault(section, {})[key] = _coerce(raw, fields[key].type, f"{section}.{key}")
    return out


def _coerce(raw: str, typ: Any, name: str) -> Any:
    base = getattr(typ, "__origin__", typ)
    if base is Annotated or hasattr(typ, "__metadata__"):
        base = typ.__args__[0] if hasattr(typ, "__args__") else typ
    if base is bool:
        if raw.lower() in {"1", "true", "yes", "on"}:
            return True
        if raw.lower() in {"0", "false", "no", "off"}:
            return False
        raise ConfigError(f"setting {name} must be true or false, got {raw!r}")
    if base is int:
        try:
            return int(raw)
        except ValueError:
            raise ConfigError(f"setting {name} must be an integer, got {raw!r}") from None
    if base is float:
        try:
            return float(raw)
        except ValueError:
            raise ConfigError(f"setting {name} must be a number, got {raw!r}") from None
    return raw


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged


def config_path(file: str | Path | None, env: Mapping[str, str]) -> Path | None:
    """The config file in use: `file` (`-c`), else REJOINDER_CONFIG, else ./rejoinder.toml if it exists."""
    if file:
        return Path(file)
    if env.get("REJOINDER_CONFIG"):
        return Path(env["REJOINDER_CONFIG"])
    return Path("rejoinder.toml") if Path("rejoinder.toml").is_file() else None


def load(
    file: str | Path | None = None,
    env: Mapping[str, str] | None = None,
    overrides: dict[str, dict[str, Any]] | None = None,
) -> Settings:
    """Build the effective settings. Raises ConfigError naming the offending key.

    Args:
        file: a TOML file; when None, REJOINDER_CONFIG or ./rejoinder.toml if it exists.
        env: the environment (os.environ when None).
        overrides: CLI flags, highest precedence, as {section: {key: value}}.
    """
    env = os.environ if env is None else env
    data: dict[str, Any] = {}
    path = config_path(file, env)
    if path is not None:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"config file {path} does not exist") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None
    data = _merge(data, _env_values(env))
    data = _merge(data, overrides or {})
    try:
        settings = msgspec.convert(data, Settings)
    except msgspec.ValidationError as exc:
        raise ConfigError(_describe(exc)) from None
    _validate(settings)
    return settings


def _describe(exc: msgspec.ValidationError) -> str:
    msg = str(exc)
    # msgspec says "Object contains unknown field `prt` - at `$.server`"; name the dotted key instead.
    if "unknown field" in msg:
        field = msg.split("`")[1]
        where = msg.rsplit("`$", 1)[1].rstrip("`").lstrip(".") if " - at `$" in msg else ""
        return f"invalid setting: unknown setting {where + '.' if where else ''}{field}"
    if " - at `$." in msg:
        text, _, where = msg.partition(" - at `$.")
        where = where.rstrip("`")
        if text.startswith("Invalid enum value") and (allowed := _enum_values(where)):
            return f"invalid setting {where}: must be one of {', '.join(allowed)}"
        return f"invalid setting: {where}: {text}"
    return f"invalid setting: {msg}"


def _enum_values(where: str) -> tuple[str, ...]:
    """The values of the enum behind a setting (`section.key`), to say what a bad one may be instead."""
    section, _, key = where.partition(".")
    cls = SECTIONS.get(section)
    fields = {f.name: f.type for f in msgspec.structs.fields(cls)} if cls else {}
    typ: Any = fields.get(key)
    typ = typ.__args__[0] if hasattr(typ, "__metadata__") else typ
    if isinstance(typ, type) and issubclass(typ, enum.Enum):
        return tuple(str(member.value) for member in typ)
    return ()


def _validate(settings: Settings) -> None:
    if settings.database.sqlite_synchronous.upper() not in {"FULL", "NORMAL", "EXTRA"}:
        raise ConfigError("invalid setting database.sqlite_synchronous: must be FULL, EXTRA or NORMAL")
    url = settings.database.url
    if not (url.startswith("sqlite") or url.startswith("postgresql")):
        raise ConfigError("invalid setting database.url: must start with sqlite:// or postgresql://")
    if settings.redis.url and not settings.redis.url.startswith(("redis://", "rediss://", "unix://")):
        raise ConfigError("invalid setting redis.url: must start with redis://, rediss:// or unix://")
    if settings.server.public_url:
        _validate_public_url(settings.server.public_url)
    for name in settings.comments.drop_query_params:
        if not check_param_pattern(name):
            raise ConfigError(
                f"invalid setting comments.drop_query_params: {name!r} is not a parameter name "
                "(a name, or a prefix followed by *)"
            )
    if settings.server.language not in LANGUAGES:
        raise ConfigError(f"invalid setting server.language: must be one of {', '.join(LANGUAGES)}")
    _validate_providers(settings)
    _validate_moderation(settings.moderation)
    _validate_admin(settings.admin, settings.email)


def _validate_public_url(public_url: str) -> None:
    try:
        normalize_url(public_url, field="server.public_url")
    except Invalid:
        raise ConfigError(
            f"invalid setting server.public_url: {public_url!r} is not an http(s) URL like "
            "https://comments.example.org"
        ) from None
    if "?" in public_url or "#" in public_url:
        raise ConfigError("invalid setting server.public_url: give the base address, without ? or #")


def require_public_url(settings: Settings) -> None:
    """`rejoinder serve` on an address other machines reach needs server.public_url: links and the check of
    rejoinder's own pages are built from it, never from a request's Host header (issue #10)."""
    s = settings.server
    if not s.public_url and not is_loopback(s.host):
        raise ConfigError(
            f"missing setting server.public_url: rejoinder would listen on {s.host}, which other machines "
            "reach; set server.public_url (or REJOINDER_SERVER__PUBLIC_URL) to the address readers use, "
            "e.g. https://comments.example.org (links are built from it, never from a request's Host header)"
        )


def _validate_admin(admin: AdminSettings, email: EmailSettings) -> None:
    import limits

    if admin.username and not admin.password_hash:
        raise ConfigError("missing setting admin.password_hash: run `rejoinder user set-password`")
    if admin.password_hash and not admin.password_hash.startswith(("scrypt$", "$argon2")):
        raise ConfigError(
            "invalid setting admin.password_hash: not a hash from `rejoinder user set-password`"
        )
    if admin.username and (len(admin.username) > 100 or not admin.username.isprintable()):
        raise ConfigError("invalid setting admin.username: up to 100 printable characters")
    try:
        if admin.login_limit.strip():
            limits.parse_many(admin.login_limit)
    except ValueError:
        raise ConfigError(
            f"invalid setting admin.login_limit: {admin.login_limit!r} is not a rate like '10/minute'"
        ) from None
    if email.host and "@" not in email.sender:
        raise ConfigError("missing setting email.sender: the From address of rejoinder's emails")
    if email.tls and email.starttls:
        raise ConfigError("invalid setting email.tls: give tls = true with starttls = false (port 465)")


def _validate_moderation(m: ModerationSettings) -> None:
    import ipaddress

    import limits

    def one_of(key: str, value: str, allowed: tuple[str, ...]) -> None:
        if value not in allowed:
            raise ConfigError(f"invalid setting moderation.{key}: must be one of {', '.join(allowed)}")

    for name in m.checks:
        one_of("checks", name, MODERATION_CHECKS)
    for key in (
        "comment_limit_ip",
        "comment_limit_identity",
        "comment_limit_thread",
        "like_limit_ip",
        "like_limit_identity",
        "report_limit_ip",
        "report_limit_identity",
        "magic_link_limit_ip",
        "magic_link_limit_email",
        "sign_in_limit_ip",
    ):
        value = getattr(m, key)
        try:
            if value.strip():
                limits.parse_many(value)
        except ValueError:
            raise ConfigError(
                f"invalid setting moderation.{key}: {value!r} is not a rate like '10/minute;100/hour'"
            ) from None
    for proxy in m.trusted_proxies:
        try:
            ipaddress.ip_network(proxy, strict=False)
        except ValueError:
            raise ConfigError(
                f"invalid setting moderation.trusted_proxies: {proxy!r} is not an address or network"
            ) from None
    if m.hook_url and not m.hook_url.startswith(("http://", "https://")):
        raise ConfigError("invalid setting moderation.hook_url: must start with http:// or https://")
    if m.hook_url and not m.hook_secret:
        raise ConfigError("missing setting moderation.hook_secret: the hook's requests must be signed")


def _validate_providers(settings: Settings) -> None:
    """Each provider kind checks its own settings (auth/providers: one module per kind)."""
    from rejoinder.auth.providers import check_settings

    check_settings(settings)
