"""Setting up sign-in providers: what `rejoinder provider list|test` reports (no reader involved).

The checks need no request and no database; each kind's own check is its module's `KIND.check`.
"""

from __future__ import annotations

from rejoinder.auth.providers import PRESETS, kind_of
from rejoinder.auth.providers.kinds import AppStore, NoApps, Probes, ProviderCheck, SmtpCheck, public_base
from rejoinder.config.schema import Settings
from rejoinder.errors import ProviderNotFound

__all__ = ["ProviderCheck", "check_provider", "landing_uri", "public_base"]


async def check_provider(
    settings: Settings, name: str, apps: AppStore | None = None, smtp: SmtpCheck | None = None
) -> ProviderCheck:
    """Build a provider from the config and check what can be checked without a reader: the secret can
    be read, the redirect URI is usable, and what its kind can ask (OpenID discovery, a JWKS, and the SMTP
    server when `smtp` is given: the caller's test of it, e.g. `SmtpMailer.from_settings(email).check()`)."""
    configured = settings.auth.providers.get(name)
    if configured is None:
        known = ", ".join(settings.auth.providers) or "none"
        raise ProviderNotFound(f"No provider {name!r} in [auth.providers] (configured: {known})")
    preset = PRESETS[configured.preset or name]
    return await kind_of(preset).check(settings, name, preset, Probes(apps or NoApps(), smtp))


def landing_uri(settings: Settings, name: str) -> str:
    """The URL of rejoinder a provider's flow lands on, as `provider list` prints it: the callback to
    register, or (emailed links, passkeys) the page the reader uses."""
    configured = settings.auth.providers[name]
    return f"{public_base(settings)}/auth/{name}/{kind_of(PRESETS[configured.preset or name]).landing}"
