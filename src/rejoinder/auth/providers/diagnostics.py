"""Setting up sign-in providers: what `rejoinder provider list|test` reports (no reader involved).

The checks need no request and no database: they read the settings and ask the provider what can be asked.
"""

from __future__ import annotations

from typing import Any

import msgspec

from rejoinder.config import Settings
from rejoinder.errors import NotFound


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


def public_base(settings: Settings) -> str:
    """The base URL readers reach rejoinder at, as providers will redirect back to it."""
    return settings.server.public_url.rstrip("/") or f"http://{settings.server.host}:{settings.server.port}"


async def check_provider(settings: Settings, name: str, apps: Any = None) -> ProviderCheck:
    """Build a provider from the config and check what can be checked without a reader: the secret can
    be read, the redirect URI is usable, and (OpenID) discovery and the key set answer correctly."""
    from rejoinder.auth.providers import build_registry
    from rejoinder.auth.providers.oidc import OAuthProvider
    from rejoinder.auth.providers.presets import PRESETS
    from rejoinder.errors import ConfigError, RejoinderError

    configured = settings.auth.providers.get(name)
    if configured is None:
        known = ", ".join(settings.auth.providers) or "none"
        raise NotFound(
            f"No provider {name!r} in [auth.providers] (configured: {known})", code="provider-not-found"
        )
    preset = PRESETS[configured.preset or name]
    if preset.protocol == "sso":
        return await _check_sso(settings, name, preset.label, preset.register_at)
    if preset.protocol == "email":
        return await _check_email(settings, name, preset.label, preset.register_at)
    if preset.protocol == "passkey":
        return _check_passkey(settings, name, preset.label, preset.register_at)
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
        registry = build_registry(
            msgspec.structs.replace(settings.auth, providers={name: configured}), apps or _NoApps()
        )
    except ConfigError as exc:
        check.problems.append(str(exc))
        return check
    provider = registry.get(name)
    if isinstance(provider, OAuthProvider):
        try:
            meta = await provider.metadata()
            if provider.is_oidc:
                check.facts.append(
                    ("discovery", f"{provider.issuer.rstrip('/')}/.well-known/openid-configuration: ok")
                )
                keys = await provider.signing_keys(meta, refresh=False)
                check.facts.append(("signing keys", f"{len(keys.keys)} in {meta.jwks_uri}"))
            check.facts.append(("authorization endpoint", meta.authorization_endpoint))
            check.facts.append(("token endpoint", meta.token_endpoint))
            if meta.userinfo_endpoint:
                check.facts.append(("user-info endpoint", meta.userinfo_endpoint))
        except RejoinderError as exc:
            check.problems.append(f"{exc.detail} ({exc.code})")
    return check


def _clientless(
    settings: Settings,
    name: str,
    preset: str,
    label: str,
    register_at: str,
    redirect_uri: str,
    facts: list[tuple[str, str]],
    secret_source: str = "none",  # noqa: S107 - says there is no secret
) -> ProviderCheck:
    """The check of a provider with no client at a third party (passkey, email, sso): what it says."""
    configured = settings.auth.providers[name]
    return ProviderCheck(
        name=name,
        preset=preset,
        label=configured.label or label,
        sites=list(configured.sites) or ["(every site)"],
        register_at=register_at,
        redirect_uri=redirect_uri,
        scopes=[],
        client_id="(none)",
        secret_source=secret_source,
        facts=facts,
    )


def _check_passkey(settings: Settings, name: str, label: str, register_at: str) -> ProviderCheck:
    """A passkey provider: nothing to register; the RP ID is the host of server.public_url, which browsers
    accept only in a secure context (https, or localhost)."""
    from urllib.parse import urlsplit

    public = settings.server.public_url.rstrip("/")
    parts = urlsplit(public)
    check = _clientless(
        settings,
        name,
        "passkey",
        label,
        register_at,
        f"(none: the ceremony runs on {public_base(settings)}/auth/{name}/start)",
        [("RP ID", parts.hostname or "(the host of each request)"), ("origin", public or "(each request's)")],
    )
    if not public:
        check.problems.append(
            "server.public_url is not set: passkeys belong to one host name; set it to the URL readers use"
        )
    elif parts.scheme != "https" and parts.hostname != "localhost":
        check.problems.append(
            "server.public_url is not https: browsers use passkeys only on https (or localhost)"
        )
    return check


async def _check_email(settings: Settings, name: str, label: str, register_at: str) -> ProviderCheck:
    """An email-link provider: no redirect URI or secret; the SMTP server must take a connection."""
    from rejoinder.errors import ConfigError, RejoinderError
    from rejoinder.notify.email import SmtpMailer

    email = settings.email
    check = _clientless(
        settings,
        name,
        "email",
        label,
        register_at,
        f"(none: the emailed links open {public_base(settings)}/auth/{name}/verify)",
        [
            (
                "SMTP server",
                f"{email.host}:{email.port} ({'TLS' if email.tls else 'STARTTLS' if email.starttls else 'plain'})",
            ),
            ("sender", email.sender),
            ("links work for", f"{settings.auth.email_link_minutes} minutes"),
        ],
    )
    if not settings.server.public_url.startswith("https://"):
        check.problems.append("server.public_url is not https: the emailed links would travel unencrypted")
    try:
        await SmtpMailer.from_settings(email).check()
        check.facts.append(("SMTP connection", "ok"))
    except (ConfigError, RejoinderError) as exc:
        check.problems.append(str(exc) if isinstance(exc, ConfigError) else f"{exc.detail} ({exc.code})")
    return check


async def _check_sso(settings: Settings, name: str, label: str, register_at: str) -> ProviderCheck:
    """A publisher-SSO provider: no redirect URI; its HS256 secrets must load and its JWKS must answer."""
    from rejoinder.auth.providers import build_registry
    from rejoinder.auth.providers.sso import SsoProvider
    from rejoinder.errors import ConfigError, RejoinderError

    configured = settings.auth.providers[name]
    sources = [
        f"{k.kid}: " + (f"environment variable {k.secret_env}" if k.secret_env else f"file {k.secret_file}")
        for k in configured.keys
    ]
    check = _clientless(
        settings,
        name,
        "sso",
        label,
        register_at,
        "(none: the widget exchanges tokens at POST /api/auth/sso)",
        [
            ("audience", configured.audience or "(the site's name)"),
            ("issuer", configured.issuer or "(not checked)"),
            ("max age", f"{configured.max_age} seconds"),
            ("login page", configured.login_url or "(none: not listed as a button)"),
        ],
        secret_source="; ".join(sources) or "none (JWKS only)",
    )
    try:
        registry = build_registry(
            msgspec.structs.replace(settings.auth, providers={name: configured}), _NoApps()
        )
    except ConfigError as exc:
        check.problems.append(str(exc))
        return check
    provider = registry.get(name)
    assert isinstance(provider, SsoProvider)
    if provider.local_kids:
        check.facts.append(("HS256 keys", f"{', '.join(provider.local_kids)}: read"))
    if provider.jwks_url:
        try:
            keys = await provider.jwks()
            kids = ", ".join(f"{k.kid} ({k.key_type})" for k in keys)
            check.facts.append(("JWKS", f"{provider.jwks_url}: {kids}"))
        except RejoinderError as exc:
            check.problems.append(f"{exc.detail} ({exc.code})")
    return check


class _NoApps:
    async def get(self, server: str, redirect_uri: str) -> dict[str, Any] | None:
        return None

    async def put(self, server: str, redirect_uri: str, app: dict[str, Any]) -> None:
        return None
