"""The Provider seam: what a sign-in provider does (start a flow, finish it into a Profile), plus the
small helpers every provider shares (claim paths, secrets from env/files, safe error texts).

A flow is two calls with a browser round trip between them. rejoinder keeps what `begin` returns in
`saved` server-side (a one-time ticket keyed by `state`, bound to the browser) and hands it back to
`complete`:

    begun = await provider.begin(state=state, redirect_uri=cb, server=None)   # → 303 begun.url
    profile = await provider.complete(params=query, redirect_uri=cb, saved=begun.saved)
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import Any, ClassVar, Protocol

import msgspec

from rejoinder.auth.providers.presets import Preset
from rejoinder.config.schema import ProviderSettings
from rejoinder.domain.identity import Profile
from rejoinder.errors import ConfigError, Forbidden, ProviderError, ProviderNotFound, Unavailable


class Opens(StrEnum):
    """How the widget starts signing in with a provider (`opens` of GET /api/auth/providers)."""

    POPUP = "popup"  # rejoinder's popup at `start` (?site=&origin=&mode=&return=&lang=)
    PAGE = "page"  # the publisher's own page at `start` (?return=), which comes back with a token


class Begun(msgspec.Struct, frozen=True):
    url: str  # where the browser goes next (the provider's authorization endpoint)
    saved: dict[str, Any]  # PKCE verifier, nonce…: kept server-side until the callback


class Shown:
    """What every configured provider shows, and where: its name, its label and icon (the settings over
    its preset's) and its sites."""

    def __init__(self, name: str, preset: Preset, settings: ProviderSettings) -> None:
        self.name = name
        self.preset = preset
        self.label = settings.label or preset.label
        self.icon = settings.icon or preset.icon
        self.sites = tuple(settings.sites)


class PageProvider(Shown):
    """A provider whose sign-in runs on rejoinder's own page (email link, passkeys): its button and label
    only. There is no authorization URL and no callback, so `begin`/`complete` refuse with `no_begin` and
    `no_callback`."""

    kind: str
    no_begin: ClassVar[str]
    no_callback: ClassVar[str]
    asks_server: bool = False
    start_url: str = ""

    async def begin(self, *, state: str, redirect_uri: str, server: str | None) -> Begun:
        raise ProviderNotFound(self.no_begin)

    async def complete(
        self, *, params: Mapping[str, str], redirect_uri: str, saved: Mapping[str, Any]
    ) -> Profile:
        raise ProviderNotFound(self.no_callback)

    def session_label(self, profile: Profile) -> str:
        return self.label


class ProviderInfo(msgspec.Struct, frozen=True):
    """What the widget needs to draw a provider's button and start signing in (GET /api/auth/providers)."""

    name: str
    label: str
    icon: str
    asks_server: bool  # the reader types a server or handle first (Mastodon)
    kind: str  # the name of its kind (Kind.name): oauth | mastodon | email | passkey | sso
    opens: Opens  # popup: rejoinder's popup at `start`; page: the publisher's page at `start`
    start: str  # /auth/NAME/start, or the publisher's login page (sso)
    can_link: bool  # offered to add a sign-in method to a signed-in reader
    link_text: str  # the widget's string for its "add" button, when not "Add <label>"


class Provider(Protocol):
    name: str
    label: str
    icon: str
    # The name of its kind (Kind.name): what builds it, checks its settings, starts it and draws it
    # (KINDS in __init__.py).
    kind: str
    asks_server: bool
    sites: tuple[str, ...]  # empty: every site
    start_url: str  # where the widget starts: "" = rejoinder's /auth/NAME/start; else the publisher's page

    async def begin(self, *, state: str, redirect_uri: str, server: str | None) -> Begun:
        """The authorization URL for a new flow and what to keep until its callback."""
        ...

    async def complete(
        self, *, params: Mapping[str, str], redirect_uri: str, saved: Mapping[str, Any]
    ) -> Profile:
        """Exchange the callback's code and return the validated account.

        Raises:
            Forbidden: the provider refused, or what it returned failed a check.
            Unavailable: the provider could not be reached.
        """
        ...

    def session_label(self, profile: Profile) -> str:
        """What the widget shows after "via": the provider's name, or the handle for Mastodon."""
        ...


def claim(document: Mapping[str, Any], paths: tuple[str, ...]) -> Any:
    """The first present, non-empty value at one of the dotted `paths` ("data.id") in a JSON document."""
    for path in paths:
        value: Any = document
        for part in path.split("."):
            if not isinstance(value, Mapping) or part not in value:
                value = None
                break
            value = value[part]
        if value not in (None, ""):
            return value
    return None


def truthy(value: Any) -> bool:
    """Claims such as Apple's email_verified come as booleans or as the strings "true"/"false"."""
    if isinstance(value, bool):
        return value
    return isinstance(value, str) and value.strip().lower() == "true"


def load_secret(name: str, settings: ProviderSettings, env: Mapping[str, str] | None = None) -> str | None:
    """The client secret from the environment variable or file the config names (never from the config
    itself, so config files can be shared). Raises ConfigError naming the setting, not the value."""
    env = os.environ if env is None else env
    where = f"auth.providers.{name}"
    if settings.client_secret_env:
        value = env.get(settings.client_secret_env, "")
        if not value:
            raise ConfigError(
                f"{where}.client_secret_env: environment variable {settings.client_secret_env} is not set"
            )
        return value.strip()
    if settings.client_secret_file:
        try:
            value = Path(settings.client_secret_file).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(
                f"{where}.client_secret_file: cannot read {settings.client_secret_file} ({type(exc).__name__})"
            ) from None
        if not value:
            raise ConfigError(f"{where}.client_secret_file: {settings.client_secret_file} is empty")
        return value
    return None


_ERROR_CODE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


def provider_error(params: Mapping[str, str]) -> None:
    """Raise Forbidden when the callback carries an OAuth `error` (RFC 6749 §4.1.2.1). Only the error code
    is repeated, never the provider's free-text description (it can echo request data)."""
    error = params.get("error")
    if error is None:
        return
    shown = error if _ERROR_CODE.match(error) else "error"
    if shown == "access_denied":
        raise Forbidden("You cancelled signing in at the provider", code="provider-denied")
    raise ProviderError(f"The provider did not sign you in ({shown})")


def authorization_code(params: Mapping[str, str], *, who: str = "provider") -> str:
    """The code of a callback's query, after refusing a provider's error answer (see provider_error).

    Raises:
        Forbidden: provider-denied, provider-error, or code-missing (`who` names the other side).
    """
    provider_error(params)
    code = params.get("code")
    if not code:
        raise Forbidden(f"The {who}'s answer has no authorization code", code="code-missing")
    return code


class JSONResponse(Protocol):
    """The part of an HTTP response `json_object` reads (httpx2.Response has it)."""

    @property
    def status_code(self) -> int: ...

    def json(self) -> Any: ...


def json_object(
    response: JSONResponse, what: str, *, who: str = "provider", ok: tuple[int, ...] = (200,)
) -> dict[str, Any]:
    """The JSON object a provider answered to the `what` request.

    Args:
        who: how the messages name the other side ("provider", or "server" for a fediverse server).
        ok: the statuses that carry the expected answer (registration answers 201).

    Raises:
        Forbidden: another status, or a body that is not a JSON object (the message names the status and
            the request only; the body can echo request data).
    """
    if response.status_code not in ok:
        raise ProviderError(f"The {who} answered {response.status_code} to the {what} request")
    try:
        doc = response.json()
    except ValueError:
        doc = None
    if not isinstance(doc, dict):
        raise ProviderError(f"The {who}'s {what} answer is not a JSON object")
    return doc


def unreachable(what: str, exc: BaseException) -> Unavailable:
    """An Unavailable naming the provider step and the exception class only (no URL, no secret)."""
    return Unavailable(
        f"The sign-in provider could not be reached ({what}: {type(exc).__name__}); try again",
        code="provider-unreachable",
    )
