"""The email-link provider (`preset = "email"`): the reader proves an address by opening a link mailed to
it. There is no third party and no redirect round trip, so `begin`/`complete` refuse; the flow lives in
services/email_links.py (send, show, use) and web/email_link.py (the pages)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rejoinder.auth.providers.base import Begun
from rejoinder.auth.providers.presets import Preset
from rejoinder.config import ProviderSettings
from rejoinder.domain.identity import Profile
from rejoinder.errors import ProviderNotFound

CREDENTIAL_PROVIDER = "email"  # credentials.provider of every emailed-link credential, whatever the NAME


class EmailLinkProvider:
    kind = "email"
    asks_server = False

    def __init__(self, name: str, preset: Preset, settings: ProviderSettings) -> None:
        self.name = name
        self.label = settings.label or preset.label
        self.icon = settings.icon or preset.icon
        self.sites = tuple(settings.sites)

    async def begin(self, *, state: str, redirect_uri: str, server: str | None) -> Begun:
        raise ProviderNotFound("Email sign-in has no provider to go to; enter your address")

    async def complete(
        self, *, params: Mapping[str, str], redirect_uri: str, saved: Mapping[str, Any]
    ) -> Profile:
        raise ProviderNotFound("Email sign-in has no callback; open the link in the email")

    def session_label(self, profile: Profile) -> str:
        """After "via": the address itself (shown only to its owner, in their own widget)."""
        return profile.email or self.label
