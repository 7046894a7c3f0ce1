"""The provider kinds' registry (auth/providers/__init__.py KINDS): one Kind per name, every preset
declared and built by one kind, what the widget is told about each, and validate_providers, the start-up check."""

from __future__ import annotations

from typing import Any

import pytest

from rejoinder import config
from rejoinder.auth.providers import (
    KINDS,
    PRESETS,
    NoApps,
    Opens,
    Registry,
    build_registry,
    by_name,
    kind_of,
    validate_providers,
)

PUBLIC = "https://comments.example"
SMTP = {"host": "127.0.0.1", "sender": "comments@rejoinder.test"}
SSO_KEY = {"kid": "k1", "secret_env": "SSO_SECRET"}


def settings(providers: dict[str, Any], **sections: Any) -> config.Settings:
    overrides = {"auth": {"providers": providers}, "server": {"public_url": PUBLIC}, **sections}
    return config.load(env={}, overrides=overrides)


def test_every_kind_is_registered_once_under_its_own_name() -> None:
    assert list(KINDS) == ["oauth", "mastodon", "email", "passkey", "sso"]
    assert all(key == kind.name for key, kind in KINDS.items())
    protocols = [p for kind in KINDS.values() for p in kind.protocols]
    assert sorted(protocols) == sorted(set(protocols)) == sorted({p.protocol for p in PRESETS.values()})
    # a kind's presets are ones it builds, and every provider it builds says its kind's name
    for kind in KINDS.values():
        assert all(preset.protocol in kind.protocols for preset in kind.presets), kind.name
    with pytest.raises(RuntimeError, match="share a name, a protocol or a preset"):
        by_name(KINDS["sso"], KINDS["sso"])


def test_the_presets_are_the_kinds_presets() -> None:
    assert sorted(PRESETS) == sorted(
        [
            *("apple", "discord", "facebook", "github", "gitlab", "google", "microsoft"),
            *("oauth2", "oidc", "twitter", "wordpress", "x"),
            *("mastodon", "email", "passkey", "sso"),
        ]
    )
    assert all(name == preset.name for name, preset in PRESETS.items())


def test_every_preset_is_built_by_its_kind() -> None:
    assert {
        name: kind_of(p).name for name, p in PRESETS.items() if name in ("google", "mastodon", "sso")
    } == {
        "google": "oauth",
        "mastodon": "mastodon",
        "sso": "sso",
    }


def test_what_the_widget_is_told_comes_from_the_kind() -> None:
    s = settings(
        {
            "github": {"client_id": "id", "client_secret_env": "GH"},
            "mastodon": {},
            "email": {},
            "passkey": {},
            "sso": {"keys": [SSO_KEY], "login_url": "https://blog.example/login"},
            "hidden": {"preset": "sso", "keys": [SSO_KEY]},
        },
        email=SMTP,
    )
    registry = build_registry(s.auth, NoApps(), {"GH": "x", "SSO_SECRET": "s" * 32})
    told = {
        name: (info.kind, info.opens, info.start, info.can_link, info.link_text)
        for name in registry.names()
        if (p := registry.get(name)) is not None and (info := Registry.info(p))
    }
    assert told == {
        "github": ("oauth", Opens.POPUP, "/auth/github/start", True, ""),
        "mastodon": ("mastodon", Opens.POPUP, "/auth/mastodon/start", True, ""),
        "email": ("email", Opens.POPUP, "/auth/email/start", True, ""),
        "passkey": ("passkey", Opens.POPUP, "/auth/passkey/start", True, "addPasskey"),
        "sso": ("sso", Opens.PAGE, "https://blog.example/login", False, ""),
        "hidden": ("sso", Opens.PAGE, "", False, ""),  # no login page: not listed as a button
    }


def test_validate_providers_passes_a_good_config() -> None:
    s = settings({"github": {"client_id": "id", "client_secret_env": "GH"}, "passkey": {}})
    assert validate_providers(s, {"GH": "secret"}) is None


@pytest.mark.parametrize(
    ("providers", "env", "setting"),
    [
        (
            {"github": {"client_id": "id", "client_secret_env": "GH"}},
            {},
            "auth.providers.github.client_secret_env",
        ),
        ({"sso": {"keys": [SSO_KEY]}}, {}, r"auth.providers.sso.keys\[k1\]"),
        (
            {"corp": {"preset": "oidc", "client_id": "id", "client_secret_file": "/nonexistent/secret"}},
            {},
            "issuer",
        ),
    ],
)
def test_validate_providers_names_the_setting(
    providers: dict[str, Any], env: dict[str, str], setting: str
) -> None:
    with pytest.raises(config.ConfigError, match=setting):
        validate_providers(config.Settings(auth=config.AuthSettings(providers=_raw(providers))), env)


def _raw(providers: dict[str, Any]) -> dict[str, config.ProviderSettings]:
    return {
        name: config.ProviderSettings(
            **{k: v for k, v in p.items() if k != "keys"},
            keys=[config.SsoKey(**k) for k in p.get("keys", [])],
        )
        for name, p in providers.items()
    }


def test_each_kind_checks_its_own_settings_when_the_config_is_loaded() -> None:
    with pytest.raises(
        config.ConfigError, match=r"missing setting auth\.providers\.sso: preset sso needs keys"
    ):
        settings({"sso": {}})
    with pytest.raises(config.ConfigError, match=r"missing setting auth\.providers\.corp\.issuer"):
        settings({"corp": {"preset": "oidc", "client_id": "id"}})
    with pytest.raises(config.ConfigError, match=r"missing setting email\.host: auth\.providers\.mail"):
        settings({"mail": {"preset": "email"}})
