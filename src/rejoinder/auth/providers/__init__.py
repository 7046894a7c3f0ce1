"""The provider registry: every `[auth.providers.NAME]` of the config, built once per app.

Presets with protocol oidc/oauth2 become OAuthProvider; mastodon becomes MastodonProvider; email becomes
EmailLinkProvider; passkey becomes PasskeyProvider. A new kind of provider implements base.Provider and
gets one line in `_build` below.
"""

from __future__ import annotations

from collections.abc import Mapping

from rejoinder.auth.providers.base import Provider, ProviderInfo, load_secret
from rejoinder.auth.providers.email_link import EmailLinkProvider
from rejoinder.auth.providers.mastodon import AppStore, MastodonProvider
from rejoinder.auth.providers.oidc import OAuthProvider
from rejoinder.auth.providers.passkeys import PasskeyProvider
from rejoinder.auth.providers.presets import PRESETS
from rejoinder.config import AuthSettings, ProviderSettings


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
        return ProviderInfo(
            name=provider.name,
            label=provider.label,
            icon=provider.icon,
            asks_server=provider.asks_server,
            kind=provider.kind,
        )


def build_registry(auth: AuthSettings, apps: AppStore, env: Mapping[str, str] | None = None) -> Registry:
    """Every configured provider. Raises ConfigError naming the setting when a secret cannot be read."""
    return Registry({name: _build(name, s, auth, apps, env) for name, s in auth.providers.items()})


def _build(
    name: str, settings: ProviderSettings, auth: AuthSettings, apps: AppStore, env: Mapping[str, str] | None
) -> Provider:
    preset = PRESETS[settings.preset or name]
    if preset.protocol == "mastodon":
        return MastodonProvider(name, preset, settings, auth, apps)
    if preset.protocol == "email":
        return EmailLinkProvider(name, preset, settings)
    if preset.protocol == "sso":
        from rejoinder.auth.providers.sso import SsoProvider  # here: auth.sso imports this package's modules

        return SsoProvider(name, preset, settings, auth, env)
    if preset.protocol == "passkey":
        return PasskeyProvider(name, preset, settings)
    return OAuthProvider(name, preset, settings, load_secret(name, settings, env), timeout=auth.http_timeout)


__all__ = ["AppStore", "Provider", "ProviderInfo", "Registry", "build_registry"]
