"""Mastodon and other fediverse servers: the reader names their server (or @user@server); rejoinder
registers itself there on first use (Mastodon's POST /api/v1/apps, or RFC 7591 dynamic registration
when the server's metadata offers it), keeps that app per server, then runs the code flow with PKCE.

Because the server name comes from a reader, every request rejoinder sends on their behalf goes only to
a host that resolves to public addresses (no loopback, private, link-local or reserved ranges) over https,
unless `auth.fediverse_allow_private` is on (tests). Redirects are not followed.
"""

# ruff: noqa: S105  (token_auth names a client authentication method, not a password)
from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx2  # not httpx: Authlib 1.9 builds its clients on httpx2 and raises its errors
import msgspec
from authlib.common.security import generate_token
from authlib.integrations.httpx_client import AsyncOAuth2Client, OAuthError

from rejoinder.auth.providers.base import (
    Begun,
    Shown,
    authorization_code,
    json_object,
    unreachable,
)
from rejoinder.auth.providers.kinds import AppStore, Configured, Kind, Probes, ProviderCheck, redirect_check
from rejoinder.auth.providers.oidc import code_flow_client, safe_error
from rejoinder.auth.providers.presets import Preset
from rejoinder.config.schema import AuthSettings, ProviderSettings, Settings
from rejoinder.domain.identity import Profile, picture_url
from rejoinder.errors import Forbidden, Invalid, ServerInvalid, TokenRejected
from rejoinder.outbound import PublicOnlyTransport


class RegisteredApp(msgspec.Struct, frozen=True):
    """What a server gave rejoinder at registration, plus the endpoints found by discovery."""

    client_id: str
    client_secret: str | None
    authorize_url: str
    token_url: str
    scopes: tuple[str, ...]
    account_url: str = ""  # Mastodon: /api/v1/accounts/verify_credentials
    userinfo_url: str = ""  # an OpenID server: its userinfo endpoint
    token_auth: str = "client_secret_post"


_HOST = re.compile(
    r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$"
)
_USER = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


def parse_server(raw: str | None, *, allow_insecure: bool) -> str:
    """The base URL of the server a reader typed: `example.social`, `@ann@example.social`,
    `ann@example.social` or `https://example.social`.

    Raises:
        Invalid: not a host name (or http:// without the test setting).
    """
    value = (raw or "").strip()
    if not value:
        raise Invalid.field("server", "server-required", "Type your server, e.g. mastodon.social")
    if len(value) > 300:
        raise ServerInvalid.at("server", "That is not a server name")
    if "://" not in value and "@" in value:
        user, _, value = value.lstrip("@").rpartition("@")
        if user and not _USER.match(user):
            raise ServerInvalid.at("server", "That is not a handle like @you@example.social")
    scheme = "https"
    if "://" in value:
        scheme, _, value = value.partition("://")
        scheme = scheme.lower()
        if scheme not in ("https", "http") or (scheme == "http" and not allow_insecure):
            raise ServerInvalid.at("server", "The server must be reached over https")
    value = value.rstrip("/")
    try:
        parts = urlsplit(f"{scheme}://{value}")
        port = parts.port
        host = (parts.hostname or "").encode("idna").decode("ascii").lower()
    except (ValueError, UnicodeError):
        raise ServerInvalid.at("server", "That is not a server name") from None
    if parts.path or parts.query or parts.fragment or parts.username or parts.password:
        raise ServerInvalid.at("server", "Give only the server name, e.g. mastodon.social")
    literal = _ip(host)
    if not (_HOST.match(host) or (literal is not None and allow_insecure)):
        raise ServerInvalid.at("server", "That is not a server name")
    netloc = host if port is None else f"{host}:{port}"
    return f"{scheme}://{netloc}"


def _ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


PRESET = Preset(
    name="mastodon",
    label="Mastodon",
    icon="mastodon",
    protocol="mastodon",
    scopes=("read:accounts",),
    needs_client=False,
    register_at="nothing to register: rejoinder registers itself at each reader's server",
)


class MastodonProvider(Shown):
    kind = "mastodon"
    asks_server = True
    start_url = ""

    def __init__(
        self, name: str, preset: Preset, settings: ProviderSettings, auth: AuthSettings, apps: AppStore
    ) -> None:
        super().__init__(name, preset, settings)
        self.apps = apps
        self.app_name = auth.fediverse_app_name
        self.allow_private = auth.fediverse_allow_private
        self.timeout = float(auth.http_timeout)

    def __repr__(self) -> str:
        return f"MastodonProvider({self.name!r})"

    def session_label(self, profile: Profile) -> str:
        return profile.username or self.label

    def _transport(self) -> PublicOnlyTransport:
        return PublicOnlyTransport(allow_private=self.allow_private)

    async def _request(
        self, method: str, url: str, what: str, *, token: str | None = None, **kwargs: Any
    ) -> httpx2.Response:
        headers = {"Accept": "application/json", "User-Agent": "rejoinder"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        try:
            async with httpx2.AsyncClient(
                timeout=self.timeout, follow_redirects=False, transport=self._transport()
            ) as http:
                return await http.request(method, url, headers=headers, **kwargs)
        except httpx2.HTTPError as exc:
            raise unreachable(what, exc) from None

    async def _json(self, response: httpx2.Response, what: str) -> dict[str, Any]:
        return json_object(response, what, who="server", ok=(200, 201))

    async def _discover(self, base: str) -> dict[str, Any]:
        """RFC 8414 metadata (Mastodon ≥ 4.3 serves it), else OpenID discovery, else nothing (old Mastodon)."""
        for path in ("/.well-known/oauth-authorization-server", "/.well-known/openid-configuration"):
            response = await self._request("GET", base + path, "discovery")
            if response.status_code == 200:
                try:
                    doc = response.json()
                except ValueError:
                    continue
                if isinstance(doc, dict) and doc.get("authorization_endpoint"):
                    return doc
        return {}

    async def app_for(self, base: str, redirect_uri: str) -> RegisteredApp:
        """The app rejoinder registered at `base`, registering it now if this is the first reader there."""
        found = await self.apps.get(base, redirect_uri)
        if found is not None:
            return msgspec.convert(found, RegisteredApp)
        meta = await self._discover(base)
        supported = meta.get("scopes_supported") or []
        if "openid" in supported:
            scopes: tuple[str, ...] = ("openid", "profile")
        elif "profile" in supported:
            scopes = ("profile",)  # Mastodon 4.3+: read the account, nothing else
        else:
            scopes = tuple(self.preset.scopes)
        if meta.get("registration_endpoint"):  # RFC 7591 dynamic client registration
            response = await self._request(
                "POST",
                str(meta["registration_endpoint"]),
                "registration",
                json={
                    "client_name": self.app_name,
                    "redirect_uris": [redirect_uri],
                    "grant_types": ["authorization_code"],
                    "response_types": ["code"],
                    "token_endpoint_auth_method": "client_secret_basic",
                    "scope": " ".join(scopes),
                },
            )
            token_auth = "client_secret_basic"
        else:  # Mastodon's own API
            response = await self._request(
                "POST",
                str(meta.get("app_registration_endpoint") or base + "/api/v1/apps"),
                "registration",
                data={
                    "client_name": self.app_name,
                    "redirect_uris": redirect_uri,
                    "scopes": " ".join(scopes),
                },
            )
            token_auth = "client_secret_post"
        doc = await self._json(response, "registration")
        if not isinstance(doc.get("client_id"), str):
            raise Forbidden("The server did not register rejoinder", code="registration-failed")
        app = RegisteredApp(
            client_id=doc["client_id"],
            client_secret=doc.get("client_secret") if isinstance(doc.get("client_secret"), str) else None,
            authorize_url=str(meta.get("authorization_endpoint") or base + "/oauth/authorize"),
            token_url=str(meta.get("token_endpoint") or base + "/oauth/token"),
            scopes=scopes,
            account_url="" if "openid" in scopes else base + "/api/v1/accounts/verify_credentials",
            userinfo_url=str(meta.get("userinfo_endpoint") or "") if "openid" in scopes else "",
            token_auth=token_auth,
        )
        await self.apps.put(base, redirect_uri, msgspec.to_builtins(app))
        # Two first readers from one server may register at once; the store keeps the first app, and
        # both flows must use that one (its client id is the one the callback will present).
        stored = await self.apps.get(base, redirect_uri)
        return msgspec.convert(stored, RegisteredApp) if stored is not None else app

    def _client(self, app: RegisteredApp, redirect_uri: str) -> AsyncOAuth2Client:
        return code_flow_client(
            client_id=app.client_id,
            client_secret=app.client_secret,
            scopes=app.scopes,
            redirect_uri=redirect_uri,
            token_auth=app.token_auth,
            timeout=self.timeout,
            transport=self._transport(),
        )

    async def begin(self, *, state: str, redirect_uri: str, server: str | None) -> Begun:
        base = parse_server(server, allow_insecure=self.allow_private)
        app = await self.app_for(base, redirect_uri)
        verifier = generate_token(64)
        async with self._client(app, redirect_uri) as client:
            url, _ = client.create_authorization_url(app.authorize_url, state=state, code_verifier=verifier)
        return Begun(url=url, saved={"server": base, "verifier": verifier})

    async def complete(
        self, *, params: Mapping[str, str], redirect_uri: str, saved: Mapping[str, Any]
    ) -> Profile:
        code = authorization_code(params, who="server")
        base = str(saved.get("server", ""))
        app = await self.app_for(base, redirect_uri)
        try:
            async with self._client(app, redirect_uri) as client:
                token = await client.fetch_token(
                    app.token_url,
                    grant_type="authorization_code",
                    code=code,
                    code_verifier=str(saved.get("verifier", "")),
                )
        except OAuthError as exc:
            raise TokenRejected(f"The server refused the sign-in code ({safe_error(exc)})") from None
        except httpx2.HTTPStatusError as exc:
            raise TokenRejected(f"The server's token endpoint answered {exc.response.status_code}") from None
        except httpx2.HTTPError as exc:
            raise unreachable("token", exc) from None
        access = str(token.get("access_token") or "")
        if not access:
            raise TokenRejected("The server returned no access token")
        host = urlsplit(base).netloc
        if app.account_url:
            doc = await self._json(
                await self._request("GET", app.account_url, "account", token=access), "account"
            )
            subject, user = doc.get("id"), doc.get("username")
            name, url = doc.get("display_name") or user, doc.get("url")
            # avatar_static: the first frame of an animated avatar. Servers give a stock picture to accounts
            # without one (".../missing.png"): the identicon says the same without a download.
            picture = doc.get("avatar_static") or doc.get("avatar")
            if isinstance(picture, str) and picture.endswith("/missing.png"):
                picture = None
        else:
            doc = await self._json(
                await self._request("GET", app.userinfo_url, "user-info", token=access), "user-info"
            )
            subject, user = doc.get("sub"), doc.get("preferred_username") or doc.get("sub")
            name, url = doc.get("name") or user, doc.get("profile")
            picture = doc.get("picture")
        if not isinstance(subject, str | int) or not isinstance(user, str) or not _USER.match(user):
            raise Forbidden("The server did not say who signed in", code="subject-missing")
        return Profile(
            provider=f"{self.name}:{host}",
            subject=str(subject),
            name=str(name) if isinstance(name, str) else None,
            profile_url=url if isinstance(url, str) and url.startswith(("https://", base + "/")) else None,
            username=f"@{user}@{host}",
            picture=picture_url(picture),
        )


# --- the kind: settings, diagnostics --------------------------------------------------------------------


def build(c: Configured) -> MastodonProvider:
    return MastodonProvider(c.name, c.preset, c.settings, c.auth, c.apps)


async def check(settings: Settings, name: str, preset: Preset, probes: Probes) -> ProviderCheck:
    """The redirect URI each server registers rejoinder with (it registers itself, so no client id)."""
    return redirect_check(settings, name, preset, build, probes.apps)[0]


KIND = Kind("mastodon", build=build, check=check, presets=(PRESET,))
