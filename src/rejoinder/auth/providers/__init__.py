"""The sign-in provider kinds and the provider registry: every `[auth.providers.NAME]` of the config,
built once per app by the kind its preset names.

KINDS is the one list of kinds. A new kind is one module (its provider class and a `KIND`: its name, its
presets, how it is built, its settings' validation, its `rejoinder provider test` check, how the widget
starts and draws it) plus one line in KINDS below; docs/contributing.md shows a worked example.
"""

from __future__ import annotations

from collections.abc import Mapping

from rejoinder.auth.providers import email_link, mastodon, oidc, passkeys, sso
from rejoinder.auth.providers.base import Opens, Provider, ProviderInfo, load_secret
from rejoinder.auth.providers.kinds import AppStore, Configured, Kind, NoApps
from rejoinder.auth.providers.presets import Preset
from rejoinder.config.schema import AuthSettings, Settings
from rejoinder.errors import ConfigError


def by_name(*kinds: Kind) -> dict[str, Kind]:
    """The registry of `kinds` by name; two kinds with one name, protocol or preset are refused."""
    found = {kind.name: kind for kind in kinds}
    protocols = [protocol for kind in kinds for protocol in kind.protocols]
    presets = [preset.name for kind in kinds for preset in kind.presets]
    if len(found) != len(kinds) or len(set(protocols)) != len(protocols) or len(set(presets)) != len(presets):
        raise RuntimeError("two sign-in kinds share a name, a protocol or a preset")
    return found


KINDS: dict[str, Kind] = by_name(
    oidc.KIND,
    mastodon.KIND,
    email_link.KIND,
    passkeys.KIND,
    sso.KIND,
)
# Every preset `[auth.providers.NAME] preset = "…"` may name, from the kinds that declare them.
PRESETS: dict[str, Preset] = {preset.name: preset for kind in KINDS.values() for preset in kind.presets}
_BY_PROTOCOL = {protocol: kind for kind in KINDS.values() for protocol in kind.protocols}


def kind_of(preset: Preset) -> Kind:
    """The kind that builds providers of `preset`."""
    return _BY_PROTOCOL[preset.protocol]


class Registry:
    def __init__(self, providers: Mapping[str, Provider]) -> None:
        self._providers = dict(providers)

    def get(self, name: str) -> Provider | None:
        return self._providers.get(name)

    def names(self) -> list[str]:
        return list(self._providers)

    def for_site(self, site: str) -> list[Provider]:
        """Providers a site offers, in config order."""
        return [p for p in self._providers.values() if not p.sites or site in p.sites]

    def offered(self, name: str, site: str) -> Provider | None:
        provider = self._providers.get(name)
        return provider if provider is not None and (not provider.sites or site in provider.sites) else None

    @staticmethod
    def info(provider: Provider) -> ProviderInfo:
        kind = KINDS[provider.kind]
        return ProviderInfo(
            name=provider.name,
            label=provider.label,
            icon=provider.icon,
            asks_server=provider.asks_server,
            kind=provider.kind,
            opens=kind.opens,
            # "": a kind started on another page, with no page configured (not listed as a button)
            start=provider.start_url or ("" if kind.opens is Opens.PAGE else f"/auth/{provider.name}/start"),
            can_link=kind.can_link,
            link_text=kind.link_text,
        )


def build_registry(auth: AuthSettings, apps: AppStore, env: Mapping[str, str] | None = None) -> Registry:
    """Every configured provider. Raises ConfigError naming the setting when a secret cannot be read."""
    built: dict[str, Provider] = {}
    for name, settings in auth.providers.items():
        preset = PRESETS[settings.preset or name]
        built[name] = kind_of(preset).build(Configured(name, preset, settings, auth, apps, env))
    return Registry(built)


def check_settings(settings: Settings) -> None:
    """What the config alone must say of every provider (config.load runs this): a usable name, a known
    preset, a client id where the preset needs one, one secret source, and each kind's own settings.
    Raises ConfigError naming the setting."""
    for name, provider in settings.auth.providers.items():
        where = f"auth.providers.{name}"
        if not name.replace("-", "").replace("_", "").isalnum() or not name.isascii() or len(name) > 40:
            raise ConfigError(f"invalid setting {where}: a provider name uses a-z, 0-9, '-' and '_' (max 40)")
        preset = provider.preset or name
        if preset not in PRESETS:
            raise ConfigError(
                f"invalid setting {where}.preset: {preset!r} is not one of {', '.join(sorted(PRESETS))}"
            )
        if PRESETS[preset].needs_client and not provider.client_id:
            raise ConfigError(f"missing setting {where}.client_id: register rejoinder at the provider first")
        if provider.client_secret_env and provider.client_secret_file:
            raise ConfigError(
                f"invalid setting {where}: give client_secret_env or client_secret_file, not both"
            )
        kind_of(PRESETS[preset]).validate(name, settings)


def validate_providers(settings: Settings, env: Mapping[str, str] | None = None) -> None:
    """The start-up check of sign-in: every provider's settings (check_settings) and every provider built
    as the server will build it, its secrets read from `env` (os.environ when None). Raises ConfigError
    naming the setting, never a secret's value."""
    check_settings(settings)
    build_registry(settings.auth, NoApps(), env)


__all__ = [
    "KINDS",
    "PRESETS",
    "AppStore",
    "Kind",
    "Opens",
    "Provider",
    "ProviderInfo",
    "Registry",
    "build_registry",
    "check_settings",
    "kind_of",
    "load_secret",
    "validate_providers",
]
