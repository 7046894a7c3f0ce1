"""OpenID Connect and OAuth 2.0 providers: one class for every preset (Google, Microsoft, Apple, GitHub…).

Authlib's AsyncOAuth2Client builds the authorization request (state, PKCE S256, nonce) and exchanges the
code; joserfc verifies the ID token's signature against the provider's JWKS and checks iss, aud, exp, sub
and nonce. Nothing here parses a JWT, a JWKS or a PKCE challenge by hand.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import httpx2  # not httpx: Authlib 1.9 builds its clients on httpx2 and raises its errors
import msgspec
from authlib.common.security import generate_token
from authlib.integrations.httpx_client import AsyncOAuth2Client, OAuthError
from joserfc import jwt
from joserfc.errors import (
    BadSignatureError,
    ExpiredTokenError,
    InvalidClaimError,
    JoseError,
    MissingClaimError,
)
from joserfc.jwk import KeySet
from joserfc.jwt import JWTClaimsRegistry

from rejoinder.auth.providers.base import (
    Begun,
    Shown,
    authorization_code,
    claim,
    json_object,
    load_secret,
    truthy,
    unreachable,
)
from rejoinder.auth.providers.kinds import Configured, Kind, Probes, ProviderCheck, redirect_check
from rejoinder.auth.providers.presets import OAUTH_PRESETS, Preset
from rejoinder.config.schema import ProviderSettings, Settings
from rejoinder.domain.identity import Profile, picture_url
from rejoinder.errors import ConfigError, Forbidden, TokenRejected

# Asymmetric algorithms only: an HS256 ID token would be checked with the client secret, and "none" is
# never acceptable (OpenID Connect Core §3.1.3.7, items 6-8).
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")
LEEWAY = 60  # seconds of clock skew tolerated on exp/iat
_IMAGE_ID = re.compile(r"^[A-Za-z0-9_-]{1,128}$")  # what may go into a picture_template's path
METADATA_TTL = 3600.0
JWKS_MIN_REFRESH = 10.0  # an unknown `kid` refetches the JWKS, but not more often than this


class Metadata(msgspec.Struct, frozen=True):
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    userinfo_endpoint: str = ""
    jwks_uri: str = ""
    algorithms: tuple[str, ...] = ("RS256",)


def resolve_issuer(preset: Preset, settings: ProviderSettings) -> str:
    """The issuer URL of a preset with the publisher's settings filled in ("" for plain OAuth 2.0)."""
    if preset.protocol != "oidc":
        return ""
    return preset.issuer.format(
        tenant=settings.tenant or "common",
        base_url=(settings.issuer or "https://gitlab.com").rstrip("/"),
        issuer=settings.issuer,
    )


def code_flow_client(
    *,
    client_id: str,
    client_secret: str | None,
    scopes: Sequence[str],
    redirect_uri: str,
    token_auth: str,
    timeout: float,
    **http: Any,
) -> AsyncOAuth2Client:
    """The authorization-code client every OAuth 2.0 kind uses (OpenID Connect, OAuth 2.0 presets, the
    fediverse): always with PKCE S256. `http` goes to the HTTP client (headers, a transport)."""
    return AsyncOAuth2Client(
        client_id=client_id,
        client_secret=client_secret,
        scope=" ".join(scopes),
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        token_endpoint_auth_method=token_auth,
        timeout=timeout,
        **http,
    )


def safe_error(exc: OAuthError) -> str:
    """The OAuth error code only: descriptions can quote the request (and so a secret)."""
    code = str(getattr(exc, "error", "") or "error")
    return code if code.replace("_", "").isalnum() and len(code) <= 64 else "error"


class OAuthProvider(Shown):
    """A provider configured from a preset (docs/sign-in.md lists them) and `[auth.providers.NAME]`."""

    kind = "oauth"
    asks_server = False
    start_url = ""

    def __init__(
        self,
        name: str,
        preset: Preset,
        settings: ProviderSettings,
        client_secret: str | None,
        *,
        timeout: float = 10.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(name, preset, settings)
        self.client_id = settings.client_id
        self._secret = client_secret
        self.scopes = tuple(settings.scopes) or preset.scopes
        self.issuer = resolve_issuer(preset, settings)
        self.timeout = timeout
        self.clock = clock
        self._static = Metadata(
            issuer="",
            authorization_endpoint=settings.authorize_url or preset.authorize_url,
            token_endpoint=settings.token_url or preset.token_url,
            userinfo_endpoint=settings.userinfo_url or preset.userinfo_url,
        )
        self._metadata: tuple[float, Metadata] | None = None
        self._jwks: tuple[float, KeySet] | None = None
        self._last_refresh = float("-inf")

    def __repr__(self) -> str:  # never shows the secret
        return f"OAuthProvider({self.name!r}, preset={self.preset.name!r})"

    @property
    def is_oidc(self) -> bool:
        return self.preset.protocol == "oidc"

    def session_label(self, profile: Profile) -> str:
        return self.label

    def client(self, redirect_uri: str) -> AsyncOAuth2Client:
        return code_flow_client(
            client_id=self.client_id,
            client_secret=self._secret,
            scopes=self.scopes,
            redirect_uri=redirect_uri,
            token_auth=self.preset.token_auth,
            timeout=self.timeout,
            headers={"Accept": "application/json", "User-Agent": "rejoinder"},
        )

    # --- discovery -------------------------------------------------------------------------------------

    async def metadata(self, *, refresh: bool = False) -> Metadata:
        """Endpoints: discovered from the issuer (OIDC, cached for an hour) or from the preset (OAuth 2.0)."""
        if not self.is_oidc:
            return self._static
        now = time.monotonic()
        if self._metadata and not refresh and now - self._metadata[0] < METADATA_TTL:
            return self._metadata[1]
        url = self.issuer.rstrip("/") + "/.well-known/openid-configuration"
        doc = await self._get_json(url, "discovery")
        issuer = doc.get("issuer")
        # OpenID Connect Discovery §4.3: the issuer in the document must be the one we asked about.
        # Microsoft's multi-tenant endpoints publish a template instead, checked per token below.
        if issuer != self.issuer and not (isinstance(issuer, str) and "{tenantid}" in issuer):
            raise Forbidden(
                "The provider's discovery document names another issuer", code="provider-issuer-mismatch"
            )
        try:
            meta = Metadata(
                issuer=issuer,
                authorization_endpoint=str(doc["authorization_endpoint"]),
                token_endpoint=str(doc["token_endpoint"]),
                userinfo_endpoint=str(doc.get("userinfo_endpoint") or ""),
                jwks_uri=str(doc["jwks_uri"]),
                algorithms=tuple(
                    a for a in doc.get("id_token_signing_alg_values_supported", ["RS256"]) if a in ALGORITHMS
                )
                or ("RS256",),
            )
        except (KeyError, TypeError):
            raise Forbidden(
                "The provider's discovery document lacks required endpoints", code="provider-metadata-invalid"
            ) from None
        self._metadata = (now, meta)
        return meta

    async def _get_json(self, url: str, what: str, token: str | None = None) -> dict[str, Any]:
        headers = {"Accept": "application/json", "User-Agent": "rejoinder"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        try:
            async with httpx2.AsyncClient(timeout=self.timeout) as http:
                response = await http.get(url, headers=headers)
        except httpx2.HTTPError as exc:
            raise unreachable(what, exc) from None
        return json_object(response, what)

    async def signing_keys(self, meta: Metadata, *, refresh: bool) -> KeySet:
        """The provider's JWKS, cached. `refresh` refetches it (a provider rotated its keys and a token
        names a new `kid`), but forced refetches happen at most every JWKS_MIN_REFRESH seconds, so that
        tokens with made-up key ids cannot turn rejoinder into a load generator against the provider."""
        now = time.monotonic()
        if self._jwks is not None:
            if not refresh or now - self._last_refresh < JWKS_MIN_REFRESH:
                return self._jwks[1]
            self._last_refresh = now
        doc = await self._get_json(meta.jwks_uri, "JWKS")
        try:
            keys = KeySet.import_key_set(doc)  # type: ignore[arg-type]
        except (JoseError, ValueError, TypeError, KeyError):
            raise Forbidden(
                "The provider's key set cannot be read", code="provider-metadata-invalid"
            ) from None
        self._jwks = (now, keys)
        return keys

    # --- the flow ----------------------------------------------------------------------------------------

    async def begin(self, *, state: str, redirect_uri: str, server: str | None) -> Begun:
        meta = await self.metadata()
        verifier = generate_token(64)  # RFC 7636 §4.1: 43-128 characters
        params: dict[str, str] = dict(self.preset.auth_params)
        saved: dict[str, Any] = {"verifier": verifier}
        if self.is_oidc:
            saved["nonce"] = params["nonce"] = generate_token(32)
        async with self.client(redirect_uri) as client:
            url, _ = client.create_authorization_url(
                meta.authorization_endpoint, state=state, code_verifier=verifier, **params
            )
        return Begun(url=url, saved=saved)

    async def complete(
        self, *, params: Mapping[str, str], redirect_uri: str, saved: Mapping[str, Any]
    ) -> Profile:
        code = authorization_code(params)
        meta = await self.metadata()
        # RFC 9207: a provider that names itself in the callback must be the one the flow started at
        # (stops mix-up attacks between several configured providers).
        if (
            self.is_oidc
            and "iss" in params
            and "{tenantid}" not in meta.issuer
            and params["iss"] != meta.issuer
        ):
            raise Forbidden("The answer comes from another issuer", code="issuer-mismatch")
        token = await self._exchange(meta, code, redirect_uri, str(saved.get("verifier", "")))
        access = str(token.get("access_token") or "")
        if self.is_oidc:
            id_token = token.get("id_token")
            if not isinstance(id_token, str):
                raise Forbidden("The provider returned no ID token", code="id-token-missing")
            document = await self.validate_id_token(id_token, nonce=str(saved.get("nonce", "")), meta=meta)
            if meta.userinfo_endpoint and access and not (document.get("name") and document.get("email")):
                info = await self._get_json(meta.userinfo_endpoint, "user-info", access)
                if info.get("sub") == document["sub"]:  # OIDC Core §5.3.2: must be the same subject
                    document = {**info, **document}
        else:
            if not access:
                raise TokenRejected("The provider returned no access token")
            document = await self._get_json(meta.userinfo_endpoint, "user-info", access)
            if self.preset.emails_url:
                document = {**document, **await self._verified_email(access)}
        return self.profile(document, params)

    async def _exchange(self, meta: Metadata, code: str, redirect_uri: str, verifier: str) -> dict[str, Any]:
        try:
            async with self.client(redirect_uri) as client:
                token = await client.fetch_token(
                    meta.token_endpoint,
                    grant_type="authorization_code",
                    code=code,
                    code_verifier=verifier,
                )
        except OAuthError as exc:
            raise TokenRejected(f"The provider refused the sign-in code ({safe_error(exc)})") from None
        except httpx2.HTTPStatusError as exc:
            raise TokenRejected(
                f"The provider's token endpoint answered {exc.response.status_code}"
            ) from None
        except httpx2.HTTPError as exc:
            raise unreachable("token", exc) from None
        return dict(token)

    async def _verified_email(self, access: str) -> dict[str, Any]:
        """GitHub: the primary address, if verified, from the emails API (the profile may hide it)."""
        try:
            async with httpx2.AsyncClient(timeout=self.timeout) as http:
                response = await http.get(
                    self.preset.emails_url,
                    headers={"Authorization": f"Bearer {access}", "Accept": "application/json"},
                )
            rows = response.json() if response.status_code == 200 else []
        except (httpx2.HTTPError, ValueError):
            return {}
        for row in rows if isinstance(rows, list) else []:
            if isinstance(row, dict) and row.get("primary") and row.get("verified") and row.get("email"):
                return {"email": row["email"], "email_verified": True}
        return {}

    async def validate_id_token(self, id_token: str, *, nonce: str, meta: Metadata) -> dict[str, Any]:
        """The ID token's claims after checking signature (JWKS), iss, aud (+azp), exp, iat, sub and nonce.

        Raises:
            Forbidden: with a code naming the check that failed (id-token-signature, id-token-issuer…).
        """
        decoded = None
        for refresh in (False, True):  # a second try with refetched keys: the provider may have rotated
            keys = await self.signing_keys(meta, refresh=refresh)
            try:
                decoded = jwt.decode(id_token, keys, algorithms=list(meta.algorithms))
                break
            except BadSignatureError:
                raise Forbidden("The ID token's signature is not valid", code="id-token-signature") from None
            except (JoseError, ValueError, KeyError, TypeError):
                if refresh:
                    raise Forbidden(
                        "The ID token cannot be read or is signed with an unknown key",
                        code="id-token-signature",
                    ) from None
        assert decoded is not None
        claims = dict(decoded.claims)
        issuer = meta.issuer.replace("{tenantid}", str(claims.get("tid", "")))
        registry = JWTClaimsRegistry(
            now=int(self.clock()),
            leeway=LEEWAY,
            iss={"essential": True, "value": issuer},
            aud={"essential": True, "value": self.client_id},
            sub={"essential": True},
            exp={"essential": True},
            iat={"essential": True},
            nonce={"essential": True, "value": nonce},
        )
        try:
            registry.validate(claims)
        except ExpiredTokenError:
            raise Forbidden("The ID token has expired", code="id-token-expired") from None
        except (InvalidClaimError, MissingClaimError) as exc:
            raise _claim_error(exc.claim) from None
        except JoseError:
            raise Forbidden("The ID token is not valid", code="id-token-invalid") from None
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if len(audiences) > 1 and claims.get("azp") != self.client_id:  # OIDC Core §3.1.3.7 item 4-5
            raise Forbidden("The ID token was issued for another client", code="id-token-audience")
        return claims

    def profile(self, document: Mapping[str, Any], params: Mapping[str, str]) -> Profile:
        """Map a validated claims / user-info document to a Profile with the preset's claim map."""
        m = self.preset.claims
        subject = claim(document, m.subject)
        if subject is None or isinstance(subject, dict | list):
            raise Forbidden("The provider did not say who signed in", code="subject-missing")
        email = claim(document, m.email)
        verified = self.preset.email_always_verified or truthy(claim(document, m.email_verified))
        if isinstance(document.get("email_verified"), bool) and m.email == ():  # GitHub's emails API
            email, verified = document.get("email"), bool(document["email_verified"])
        username = claim(document, m.username)
        name = claim(document, m.name) or _apple_name(params.get("user"))
        profile_url = claim(document, m.profile_url)
        if not profile_url and self.preset.profile_template and username:
            profile_url = self.preset.profile_template.format(username=username)
        return Profile(
            provider=self.name,
            subject=str(subject),
            name=str(name) if name else None,
            email=str(email) if isinstance(email, str) else None,
            email_verified=bool(verified and isinstance(email, str)),
            profile_url=str(profile_url)
            if isinstance(profile_url, str) and profile_url.startswith("https://")
            else None,
            username=str(username) if isinstance(username, str) else None,
            picture=self._picture(document, str(subject)),
        )

    def _picture(self, document: Mapping[str, Any], subject: str) -> str | None:
        """The picture URL the claim map finds (Discord: built from its avatar hash), if it is one."""
        found = claim(document, self.preset.claims.picture)
        if self.preset.picture_template:
            if not isinstance(found, str) or not _IMAGE_ID.match(found) or not _IMAGE_ID.match(subject):
                return None
            found = self.preset.picture_template.format(subject=subject, picture=found)
        return picture_url(found)


def _claim_error(name: str) -> Forbidden:
    if name == "iss":
        return Forbidden("The ID token was issued by someone else", code="id-token-issuer")
    if name in ("aud", "azp"):
        return Forbidden("The ID token was issued for another client", code="id-token-audience")
    if name == "nonce":
        return Forbidden("The ID token does not belong to this sign-in (nonce)", code="nonce-mismatch")
    return Forbidden(f"The ID token's {name} claim is missing or invalid", code="id-token-invalid")


def _apple_name(raw: str | None) -> str | None:
    """Apple sends the name once, on the first sign-in, as JSON in the `user` form field."""
    if not raw or len(raw) > 2000:
        return None
    try:
        user = msgspec.json.decode(raw)
    except msgspec.DecodeError:
        return None
    name = user.get("name") if isinstance(user, dict) else None
    if not isinstance(name, dict):
        return None
    parts = [name.get("firstName"), name.get("lastName")]
    return " ".join(p for p in parts if isinstance(p, str) and p) or None


# --- the kind: settings, diagnostics --------------------------------------------------------------------


def build(c: Configured) -> OAuthProvider:
    return OAuthProvider(
        c.name, c.preset, c.settings, load_secret(c.name, c.settings, c.env), timeout=c.auth.http_timeout
    )


def validate(name: str, settings: Settings) -> None:
    """Preset oidc needs its issuer; preset oauth2 its three endpoints."""
    where = f"auth.providers.{name}"
    provider = settings.auth.providers[name]
    preset = provider.preset or name
    if preset == "oidc" and not provider.issuer:
        raise ConfigError(f"missing setting {where}.issuer: the OpenID issuer URL")
    if preset == "oauth2" and not (provider.authorize_url and provider.token_url and provider.userinfo_url):
        raise ConfigError(
            f"missing setting {where}: preset oauth2 needs authorize_url, token_url, userinfo_url"
        )


async def check(settings: Settings, name: str, preset: Preset, probes: Probes) -> ProviderCheck:
    """What to register, and (OpenID) whether discovery and the key set answer correctly."""
    found, provider = redirect_check(settings, name, preset, build, probes.apps)
    if not isinstance(provider, OAuthProvider):
        return found
    with found.probing():
        meta = await provider.metadata()
        if provider.is_oidc:
            found.facts.append(
                ("discovery", f"{provider.issuer.rstrip('/')}/.well-known/openid-configuration: ok")
            )
            keys = await provider.signing_keys(meta, refresh=False)
            found.facts.append(("signing keys", f"{len(keys.keys)} in {meta.jwks_uri}"))
        found.facts.append(("authorization endpoint", meta.authorization_endpoint))
        found.facts.append(("token endpoint", meta.token_endpoint))
        if meta.userinfo_endpoint:
            found.facts.append(("user-info endpoint", meta.userinfo_endpoint))
    return found


KIND = Kind(
    "oauth",
    protocols=("oidc", "oauth2"),
    build=build,
    check=check,
    validate=validate,
    presets=tuple(OAUTH_PRESETS.values()),
)
