"""The email-link provider (`preset = "email"`): the reader proves an address by opening a link mailed to
it. There is no third party and no redirect round trip, so `begin`/`complete` refuse; the flow lives in
services/email_links.py (send, show, use) and web/email_link.py (the pages)."""

from __future__ import annotations

from rejoinder.auth.providers.base import PageProvider
from rejoinder.auth.providers.kinds import Configured, Kind, Probes, ProviderCheck, clientless, public_base
from rejoinder.auth.providers.presets import Preset
from rejoinder.config.schema import Settings
from rejoinder.domain.identity import Profile
from rejoinder.errors import ConfigError

CREDENTIAL_PROVIDER = "email"  # credentials.provider of every emailed-link credential, whatever the NAME

PRESET = Preset.own(
    "email", "Email", nothing_to_register="rejoinder mails the sign-in links through [email] (SMTP)"
)


class EmailLinkProvider(PageProvider):
    kind = "email"
    no_begin = "Email sign-in has no provider to go to; enter your address"
    no_callback = "Email sign-in has no callback; open the link in the email"

    def session_label(self, profile: Profile) -> str:
        """After "via": the address itself (shown only to its owner, in their own widget)."""
        return profile.email or self.label


# --- the kind: settings, diagnostics --------------------------------------------------------------------


def build(c: Configured) -> EmailLinkProvider:
    return EmailLinkProvider(c.name, c.preset, c.settings)


def validate(name: str, settings: Settings) -> None:
    """An email-link provider mails links: it needs an SMTP server, and links that point at the address
    readers use (never one taken from a request's Host header, which a client chooses)."""
    if not settings.email.host and not settings.email.mailbox:
        raise ConfigError(f"missing setting email.host: auth.providers.{name} mails sign-in links through it")
    if not settings.server.public_url.startswith(("https://", "http://")):
        raise ConfigError(
            f"missing setting server.public_url: the links auth.providers.{name} mails point there"
        )


async def check(settings: Settings, name: str, preset: Preset, probes: Probes) -> ProviderCheck:
    """No redirect URI or secret; the SMTP server must take a connection."""
    email = settings.email
    security = "TLS" if email.tls else "STARTTLS" if email.starttls else "plain"
    found = clientless(
        settings,
        name,
        preset,
        f"(none: the emailed links open {public_base(settings)}/auth/{name}/verify)",
        [
            ("SMTP server", f"{email.host}:{email.port} ({security})"),
            ("sender", email.sender),
            ("links work for", f"{settings.auth.email_link_minutes} minutes"),
        ],
    )
    if not settings.server.public_url.startswith("https://"):
        found.problems.append("server.public_url is not https: the emailed links would travel unencrypted")
    if probes.smtp is None:
        found.facts.append(("SMTP connection", "not tried"))
        return found
    with found.probing():
        await probes.smtp(email)
        found.facts.append(("SMTP connection", "ok"))
    return found


KIND = Kind(
    "email",
    build=build,
    check=check,
    validate=validate,
    landing="verify",
    presets=(PRESET,),
)
