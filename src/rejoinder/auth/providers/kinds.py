"""What a kind of sign-in provider declares (Kind: its name, presets, build, checks, how the widget starts
it) and the parts of `rejoinder provider test` every kind shares (ProviderCheck). Each kind's module defines
its `KIND`; the registry that lists them is KINDS in auth/providers/__init__.py. No provider logic lives here.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import msgspec

from rejoinder.auth.providers.base import Opens, Provider
from rejoinder.auth.providers.presets import Preset
from rejoinder.config.schema import AuthSettings, EmailSettings, ProviderSettings, Settings
from rejoinder.errors import ConfigError, RejoinderError

__all__ = [
    "AppStore",
    "Configured",
    "Kind",
    "NoApps",
    "Opens",
    "Probes",
    "ProviderCheck",
    "clientless",
    "public_base",
]


class AppStore(Protocol):
    """Where apps registered at fediverse servers are kept (services/accounts.py: the oauth_apps table)."""

    async def get(self, server: str, redirect_uri: str) -> dict[str, Any] | None: ...

    async def put(self, server: str, redirect_uri: str, app: dict[str, Any]) -> None: ...


class NoApps:
    """An AppStore that keeps nothing: for checks and validation, which register nowhere."""

    async def get(self, server: str, redirect_uri: str) -> dict[str, Any] | None:
        return None

    async def put(self, server: str, redirect_uri: str, app: dict[str, Any]) -> None:
        return None


SmtpCheck = Callable[[EmailSettings], Awaitable[None]]


@dataclass(frozen=True)
class Probes:
    """What a check may use beyond the settings: where Mastodon apps are kept, and a test of the SMTP
    server (given by the caller: sending mail is a layer above sign-in)."""

    apps: AppStore
    smtp: SmtpCheck | None = None  # None: the SMTP server is not tried


class ProviderCheck(msgspec.Struct):
    """What `rejoinder provider test NAME` found; `problems` empty means ready."""

    name: str
    preset: str
    label: str
    sites: list[str]
    register_at: str
    redirect_uri: str
    scopes: list[str]
    client_id: str
    secret_source: str
    facts: list[tuple[str, str]] = msgspec.field(default_factory=list)
    problems: list[str] = msgspec.field(default_factory=list)

    @contextlib.contextmanager
    def probing(self) -> Iterator[None]:
        """Around a probe of the provider (or its SMTP server): a refusal ends the probe as one of the
        `problems`, a setting it cannot use by its message, any other error by its detail and code."""
        try:
            yield
        except ConfigError as exc:
            self.problems.append(str(exc))
        except RejoinderError as exc:
            self.problems.append(f"{exc.detail} ({exc.code})")


@dataclass(frozen=True)
class Configured:
    """One `[auth.providers.NAME]` to build, with what building it may need."""

    name: str
    preset: Preset
    settings: ProviderSettings
    auth: AuthSettings
    apps: AppStore
    env: Mapping[str, str] | None = None  # where secrets are read from (os.environ when None)


Build = Callable[[Configured], Provider]
Validate = Callable[[str, Settings], None]
Check = Callable[[Settings, str, Preset, Probes], Awaitable[ProviderCheck]]


def no_more_settings(name: str, settings: Settings) -> None:
    """The `validate` of a kind whose settings need nothing beyond what every provider is checked for."""


@dataclass(frozen=True)
class Kind:
    """Everything rejoinder needs to know about one kind of provider, declared by its module as `KIND`."""

    name: str  # `kind` of its providers in GET /api/auth/providers (oauth, mastodon, email, passkey, sso)
    build: Build  # the provider of `[auth.providers.NAME]`; raises ConfigError naming a setting
    check: Check  # `rejoinder provider test NAME`
    protocols: tuple[str, ...] = ()  # the `protocol` of the presets this kind builds; none given: its name
    validate: Validate = no_more_settings  # at start-up; raises ConfigError naming the setting
    landing: str = "callback"  # /auth/NAME/<landing>: the URL `provider list` prints for it
    opens: Opens = Opens.POPUP
    can_link: bool = True  # can be added to a signed-in reader's identity ("Add a sign-in method")
    link_text: str = ""  # the widget string for its "add" button when not "Add <label>" (e.g. addPasskey)
    presets: tuple[Preset, ...] = ()  # what `preset = "…"` may name for this kind (with its label and icon)

    def __post_init__(self) -> None:
        if not self.protocols:  # most kinds speak one protocol of their own name (email, passkey, sso, …)
            object.__setattr__(self, "protocols", (self.name,))


def public_base(settings: Settings) -> str:
    """The base URL readers reach rejoinder at, as providers will redirect back to it."""
    return settings.server.public_url.rstrip("/") or f"http://{settings.server.host}:{settings.server.port}"


def clientless(
    settings: Settings,
    name: str,
    preset: Preset,
    redirect_uri: str,
    facts: list[tuple[str, str]],
    secret_source: str = "none",  # noqa: S107 - says there is no secret
) -> ProviderCheck:
    """The check of a provider with no client at a third party (passkey, email, sso): what it says."""
    configured = settings.auth.providers[name]
    return ProviderCheck(
        name=name,
        preset=preset.name,
        label=configured.label or preset.label,
        sites=list(configured.sites) or ["(every site)"],
        register_at=preset.register_at,
        redirect_uri=redirect_uri,
        scopes=[],
        client_id="(none)",
        secret_source=secret_source,
        facts=facts,
    )


def redirect_check(
    settings: Settings, name: str, preset: Preset, build: Build, apps: AppStore
) -> tuple[ProviderCheck, Provider | None]:
    """The check of a provider the browser is redirected to and back from (OAuth, Mastodon): what to
    register there, and the provider built from the settings (None, with the problem, when it cannot be)."""
    configured = settings.auth.providers[name]
    redirect = f"{public_base(settings)}/auth/{name}/callback"
    source = (
        f"environment variable {configured.client_secret_env}"
        if configured.client_secret_env
        else f"file {configured.client_secret_file}"
        if configured.client_secret_file
        else "none"
    )
    check = ProviderCheck(
        name=name,
        preset=preset.name,
        label=configured.label or preset.label,
        sites=list(configured.sites) or ["(every site)"],
        register_at=preset.register_at.replace(
            "{base_url}", (configured.issuer or "https://gitlab.com").rstrip("/")
        ),
        redirect_uri=redirect,
        scopes=list(configured.scopes) or list(preset.scopes),
        client_id=configured.client_id or "(registered automatically)",
        secret_source=source,
    )
    if not settings.server.public_url:
        check.problems.append(
            "server.public_url is not set: providers redirect to the address readers use; set it to that URL"
        )
    elif not redirect.startswith("https://"):
        check.problems.append("the redirect URI is not https: most providers only accept https")
    if preset.needs_client and source == "none":
        check.problems.append(f"no client secret: set auth.providers.{name}.client_secret_env or _file")
    try:
        return check, build(Configured(name, preset, configured, settings.auth, apps))
    except ConfigError as exc:
        check.problems.append(str(exc))
        return check, None
