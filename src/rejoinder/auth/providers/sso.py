"""Publisher SSO (`preset = "sso"`): the site's own backend signs a short-lived JWT for its signed-in
reader, and rejoinder exchanges it for a session. This module checks such a token: its key (HS256 secrets
from the config, or the publisher's JWKS), its algorithm, signature and claims, and maps the claims to a
Profile. The exchange itself is services/sso.py; the route is web/sso.py.

joserfc reads the header, verifies the signature and validates the registered claims; nothing here parses
a JWT or a JWK by hand. Each refusal has its own code (docs/errors.md, "Publisher SSO").
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import os
import time
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import httpx2
import msgspec
from joserfc import jws, jwt
from joserfc.errors import (
    BadSignatureError,
    ExpiredTokenError,
    InvalidClaimError,
    InvalidPayloadError,
    JoseError,
    MissingClaimError,
    SecurityWarning,
)
from joserfc.jwk import Key, KeySet, OctKey
from joserfc.jwt import JWTClaimsRegistry

from rejoinder.auth.providers.base import Begun, Opens, Shown
from rejoinder.auth.providers.kinds import Configured, Kind, Probes, ProviderCheck, clientless
from rejoinder.auth.providers.presets import Preset
from rejoinder.config.schema import AuthSettings, ProviderSettings, Settings
from rejoinder.domain.identity import CredentialKind, Profile, picture_url
from rejoinder.domain.nesting import json_depth_exceeds
from rejoinder.domain.urls import check_website
from rejoinder.errors import (
    BadRequest,
    ConfigError,
    Invalid,
    ProviderNotFound,
    SsoClaimInvalid,
    Unauthorized,
    Unavailable,
)

# The algorithms a token may use, each only with a key of its own type (so that an RSA public key can
# never be used as an HMAC secret: the "algorithm confusion" attack). "none" is never accepted.
ALGORITHMS = ("HS256", "RS256", "ES256", "EdDSA", "Ed25519")
LEEWAY = 60  # seconds of clock skew tolerated on exp, nbf and iat
MAX_TOKEN_CHARS = 8192
MIN_SECRET_BYTES = 32
JWKS_TTL = 600.0  # seconds a fetched JWKS is used before it is fetched again
JWKS_MIN_REFRESH = 10.0  # an unknown kid refetches the JWKS, but not more often than this
MAX_SUBJECT = 255


class SsoClaims(msgspec.Struct, frozen=True):
    """What a valid token says about the reader, plus what the exchange needs (replay check)."""

    profile: Profile
    picture: str | None
    jti: str | None
    exp: int  # seconds since the epoch


def algorithms_for(key: Key) -> tuple[str, ...]:
    """The algorithms a key may verify: by its type and curve, narrowed by its own `alg` if it has one."""
    kty = key.key_type
    if kty == "oct":
        algs: tuple[str, ...] = ("HS256",)
    elif kty == "RSA":
        algs = ("RS256",)
    elif kty == "EC":
        algs = ("ES256",) if key.get("crv") == "P-256" else ()
    elif kty == "OKP":
        algs = ("EdDSA", "Ed25519") if key.get("crv") == "Ed25519" else ()
    else:
        algs = ()
    declared = key.alg
    if declared in ("EdDSA", "Ed25519"):
        return algs
    return tuple(a for a in algs if a == declared) if declared else algs


def _json_parts(token: str) -> list[bytes]:
    """The decoded header and payload of a compact JWS, as far as they decode (the rest is judged later)."""
    parts = []
    for part in token.split(".")[:2]:
        try:
            parts.append(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
        except (ValueError, binascii.Error):
            break
    return parts


def _malformed(detail: str) -> BadRequest:
    error = BadRequest.field("token", "sso-token-malformed", detail)
    assert isinstance(error, BadRequest)
    return error


def read_secret(where: str, env_name: str, file_name: str, env: Mapping[str, str] | None = None) -> str:
    """An HS256 secret from the environment variable or file the config names. Raises ConfigError naming
    the setting, never the value."""
    env = os.environ if env is None else env
    if env_name:
        value = env.get(env_name, "").strip()
        if not value:
            raise ConfigError(f"{where}.secret_env: environment variable {env_name} is not set")
    else:
        try:
            value = Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(
                f"{where}.secret_file: cannot read {file_name} ({type(exc).__name__})"
            ) from None
        if not value:
            raise ConfigError(f"{where}.secret_file: {file_name} is empty")
    if len(value.encode("utf-8")) < MIN_SECRET_BYTES:
        raise ConfigError(
            f"{where}: the secret is shorter than {MIN_SECRET_BYTES} bytes; make a longer random one "
            "(e.g. `openssl rand -base64 32`)"
        )
    return value


# Publisher SSO: the site's own backend signs a short-lived JWT for its signed-in reader.
PRESET = Preset.own(
    "sso", "Site account", nothing_to_register="the publisher's backend signs tokens with the configured keys"
)


class SsoProvider(Shown):
    """One `[auth.providers.NAME]` with `preset = "sso"`. Built once per app (secrets read then); the
    JWKS, when configured, is fetched on first use and cached."""

    kind = "sso"
    asks_server = False

    def __init__(
        self,
        name: str,
        preset: Preset,
        settings: ProviderSettings,
        auth: AuthSettings,
        env: Mapping[str, str] | None = None,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(name, preset, settings)
        self.issuer = settings.issuer
        self.audience = settings.audience
        self.max_age = settings.max_age
        self.login_url = settings.login_url
        self.start_url = settings.login_url  # the publisher's page; "" = not listed as a button
        self.jwks_url = settings.jwks_url
        self.timeout = float(auth.http_timeout)
        self.clock = clock
        self._local: dict[str, Key] = {}
        for key in settings.keys:
            where = f"auth.providers.{name}.keys[{key.kid}]"
            secret = read_secret(where, key.secret_env, key.secret_file, env)
            self._local[key.kid] = OctKey.import_key(secret.encode("utf-8"), {"kid": key.kid, "alg": "HS256"})
        self._jwks: tuple[float, KeySet] | None = None
        self._last_fetch = float("-inf")
        self._last_refresh = float("-inf")
        self._lock = asyncio.Lock()

    def __repr__(self) -> str:  # never shows a secret
        return f"SsoProvider({self.name!r}, keys={sorted(self._local)!r}, jwks_url={self.jwks_url!r})"

    @property
    def local_kids(self) -> list[str]:
        return sorted(self._local)

    # --- the Provider seam: SSO has no popup flow on rejoinder's side ----------------------------------

    async def begin(self, *, state: str, redirect_uri: str, server: str | None) -> Begun:
        raise ProviderNotFound("This sign-in happens on the publisher's own pages, not in a rejoinder popup")

    async def complete(
        self, *, params: Mapping[str, str], redirect_uri: str, saved: Mapping[str, Any]
    ) -> Profile:
        raise ProviderNotFound("Publisher sign-in has no callback")

    def session_label(self, profile: Profile) -> str:
        return self.label

    # --- keys --------------------------------------------------------------------------------------------

    async def jwks(self, *, refresh: bool = False) -> KeySet:
        """The publisher's JWKS, cached for JWKS_TTL. `refresh` (a token names an unknown kid) refetches
        it, but at most every JWKS_MIN_REFRESH seconds, so that tokens with made-up kids cannot turn
        rejoinder into a load generator against the publisher. A failed refetch keeps the cached set.

        Raises:
            Unavailable: sso-keys-unavailable, when no usable key set could be had.
        """
        async with self._lock:
            now = time.monotonic()
            cached = self._jwks
            if cached is not None:
                if not refresh and now - cached[0] < JWKS_TTL:
                    return cached[1]
                if refresh and now - self._last_refresh < JWKS_MIN_REFRESH:
                    return cached[1]
            elif now - self._last_fetch < JWKS_MIN_REFRESH:  # the last attempt failed: do not hammer
                raise self._keys_unavailable("the last attempt failed moments ago")
            self._last_fetch = now
            if refresh:
                self._last_refresh = now
            try:
                keys = await self._fetch_jwks()
            except Unavailable:
                if cached is not None:
                    return cached[1]
                raise
            self._jwks = (now, keys)
            return keys

    def _keys_unavailable(self, why: str) -> Unavailable:
        return Unavailable(
            f"The publisher's signing keys could not be fetched ({why}); try again shortly",
            code="sso-keys-unavailable",
        )

    async def _fetch_jwks(self) -> KeySet:
        try:
            async with httpx2.AsyncClient(timeout=self.timeout, follow_redirects=False) as http:
                response = await http.get(
                    self.jwks_url, headers={"Accept": "application/json", "User-Agent": "rejoinder"}
                )
        except httpx2.HTTPError as exc:
            raise self._keys_unavailable(type(exc).__name__) from None
        if response.status_code != 200:
            raise self._keys_unavailable(f"HTTP {response.status_code}")
        try:
            keys = KeySet.import_key_set(response.json())
        except (JoseError, ValueError, TypeError, KeyError, AttributeError):
            raise self._keys_unavailable("the answer is not a JWKS") from None
        return keys

    async def _key(self, kid: str | None) -> Key:
        if kid is not None and kid in self._local:
            return self._local[kid]
        if kid is None and not self.jwks_url and len(self._local) == 1:
            return next(iter(self._local.values()))
        if kid is None:
            raise Unauthorized(
                "The token names no key (kid header) and several keys are configured", code="sso-key-unknown"
            )
        if self.jwks_url:
            for refresh in (False, True):
                keys = await self.jwks(refresh=refresh)
                # A symmetric key in a published key set is a secret everyone knows: never used.
                found = next((k for k in keys if k.kid == kid and k.key_type != "oct"), None)
                if found is not None:
                    return found
        raise Unauthorized(
            f"The token is signed with a key this server does not know ({kid[:40]!r})", code="sso-key-unknown"
        )

    # --- the token ---------------------------------------------------------------------------------------

    async def verify(self, token: str, *, audience: str) -> SsoClaims:
        """Check a token and return what it says about the reader.

        Raises:
            BadRequest: sso-token-malformed (not a signed JWT at all).
            Unauthorized: sso-algorithm-refused, sso-key-unknown, sso-signature-invalid,
                sso-token-expired, sso-token-not-yet-valid, sso-token-lifetime, sso-claim-missing,
                sso-claim-invalid, sso-issuer, sso-audience.
            Unavailable: sso-keys-unavailable (the JWKS could not be fetched).
        """
        if len(token) > MAX_TOKEN_CHARS:
            raise _malformed(f"The token is longer than {MAX_TOKEN_CHARS} characters")
        if any(json_depth_exceeds(part) for part in _json_parts(token)):  # before any JSON parser runs
            raise _malformed("The token's header or payload is nested too deeply")
        try:
            header = jws.extract_compact(token.encode("ascii")).headers()
        except (JoseError, ValueError, TypeError, UnicodeEncodeError):
            raise _malformed("The token is not a signed JWT (header.payload.signature)") from None
        alg = header.get("alg")
        if not isinstance(alg, str):
            raise _malformed("The token's header has no alg")
        if alg.lower() == "none":
            raise Unauthorized("Unsigned tokens (alg none) are never accepted", code="sso-algorithm-refused")
        if alg not in ALGORITHMS:
            raise Unauthorized(
                f"The token's algorithm {alg[:20]!r} is not accepted (use HS256, RS256, ES256 or EdDSA)",
                code="sso-algorithm-refused",
            )
        kid = header.get("kid")
        if kid is not None and not isinstance(kid, str):
            raise _malformed("The token's kid header is not a string")
        key = await self._key(kid)
        if alg not in algorithms_for(key):
            raise Unauthorized(
                f"The token's algorithm {alg} does not match its key (a {key.key_type} key)",
                code="sso-algorithm-refused",
            )
        try:
            with warnings.catch_warnings():
                # joserfc flags "EdDSA" as superseded by "Ed25519" (RFC 9864); both are accepted here.
                warnings.simplefilter("ignore", SecurityWarning)
                decoded = jwt.decode(token, key, algorithms=[alg])
        except BadSignatureError:
            raise Unauthorized(
                "The token's signature is not valid for its key", code="sso-signature-invalid"
            ) from None
        except InvalidPayloadError:
            raise _malformed("The token's payload is not a JSON object") from None
        except (JoseError, ValueError, TypeError):
            raise Unauthorized(
                "The token cannot be verified with its key", code="sso-signature-invalid"
            ) from None
        return self._claims(dict(decoded.claims), audience)

    def _claims(self, claims: dict[str, Any], audience: str) -> SsoClaims:
        now = int(self.clock())
        options: dict[str, Any] = {
            "sub": {"essential": True},
            "exp": {"essential": True},
            "aud": {"essential": True, "value": audience},
        }
        if self.issuer:
            options["iss"] = {"essential": True, "value": self.issuer}
        try:
            JWTClaimsRegistry(now=now, leeway=LEEWAY, **options).validate(claims)
        except ExpiredTokenError:
            raise Unauthorized(
                "The token has expired; the publisher's page should make a fresh one",
                code="sso-token-expired",
            ) from None
        except MissingClaimError as exc:
            raise Unauthorized(
                f"The token lacks the required claim(s): {exc.claim}", code="sso-claim-missing"
            ) from None
        except InvalidClaimError as exc:
            raise _claim_error(exc.claim, claims) from None
        except JoseError:
            raise SsoClaimInvalid("The token's claims are not valid") from None
        exp = int(claims["exp"])
        if exp > now + self.max_age + LEEWAY:
            raise Unauthorized(
                f"The token lives longer than this server accepts ({self.max_age} seconds): make exp shorter",
                code="sso-token-lifetime",
            )
        iat = claims.get("iat")
        if isinstance(iat, int | float) and iat < now - self.max_age - LEEWAY:
            raise Unauthorized(
                f"The token was issued more than {self.max_age} seconds ago", code="sso-token-expired"
            )
        picture = _url_claim(claims, "picture", "avatar")
        return SsoClaims(
            profile=msgspec.structs.replace(self._profile(claims), picture=picture_url(picture)),
            picture=picture,
            jti=_jti(claims),
            exp=exp,
        )

    def _profile(self, claims: Mapping[str, Any]) -> Profile:
        subject = claims["sub"]
        if not subject or len(subject) > MAX_SUBJECT or not subject.isprintable():
            raise SsoClaimInvalid(f"The token's sub must be 1 to {MAX_SUBJECT} printable characters")
        name = _string_claim(claims, "name", 200)
        email = _string_claim(claims, "email", 254)
        verified = claims.get("email_verified")
        if verified is not None and not isinstance(verified, bool) and verified not in ("true", "false"):
            raise SsoClaimInvalid("The token's email_verified must be true or false")
        return Profile(
            provider=self.name,
            subject=subject,
            name=name,
            email=email if email and "@" in email else None,
            email_verified=bool(email and "@" in email and verified in (True, "true")),
            profile_url=_url_claim(claims, "profile"),
            kind=CredentialKind.SSO,
        )


def _claim_error(name: str, claims: Mapping[str, Any]) -> Unauthorized:
    value = claims.get(name)
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    if name in ("nbf", "iat") and numeric:
        return Unauthorized(
            f"The token is not valid yet ({name} is in the future)", code="sso-token-not-yet-valid"
        )
    if name == "iss":
        return Unauthorized("The token was issued by someone else (iss)", code="sso-issuer")
    if name == "aud":
        return Unauthorized("The token was made for another site or audience (aud)", code="sso-audience")
    return SsoClaimInvalid(f"The token's {name} claim is not valid")


def _string_claim(claims: Mapping[str, Any], name: str, limit: int) -> str | None:
    value = claims.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > limit:
        raise SsoClaimInvalid(f"The token's {name} must be a string of up to {limit} characters")
    return value


def _url_claim(claims: Mapping[str, Any], *names: str) -> str | None:
    for name in names:
        value = claims.get(name)
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            raise SsoClaimInvalid(f"The token's {name} must be an http(s) URL")
        try:
            return check_website(value)
        except Invalid:
            raise SsoClaimInvalid(f"The token's {name} must be an http(s) URL") from None
    return None


def _jti(claims: Mapping[str, Any]) -> str | None:
    value = claims.get("jti")
    if value is None:
        return None
    if not isinstance(value, str) or not value or len(value) > 200:
        raise SsoClaimInvalid("The token's jti must be a string of up to 200 characters")
    return value


# --- the kind: settings, diagnostics --------------------------------------------------------------------


def build(c: Configured) -> SsoProvider:
    return SsoProvider(c.name, c.preset, c.settings, c.auth, c.env)


def validate(name: str, settings: Settings) -> None:
    """Keys (HS256, each with a kid and one secret source) or a JWKS URL, or both; http(s) URLs."""
    where = f"auth.providers.{name}"
    provider = settings.auth.providers[name]
    if not provider.keys and not provider.jwks_url:
        raise ConfigError(f"missing setting {where}: preset sso needs keys (HS256) or jwks_url, or both")
    kids = [key.kid for key in provider.keys]
    for key in provider.keys:
        if not key.kid or len(key.kid) > 200 or not key.kid.isprintable():
            raise ConfigError(f"invalid setting {where}.keys: every key needs a kid (up to 200 characters)")
        if bool(key.secret_env) == bool(key.secret_file):
            raise ConfigError(
                f"invalid setting {where}.keys: key {key.kid!r} needs secret_env or secret_file"
            )
    if len(set(kids)) != len(kids):
        raise ConfigError(f"invalid setting {where}.keys: two keys have the same kid")
    for key_name in ("jwks_url", "login_url"):
        value = getattr(provider, key_name)
        if value and not value.startswith(("https://", "http://")):
            raise ConfigError(f"invalid setting {where}.{key_name}: must start with https:// or http://")


async def check(settings: Settings, name: str, preset: Preset, probes: Probes) -> ProviderCheck:
    """No redirect URI; its HS256 secrets must load and its JWKS must answer."""
    configured = settings.auth.providers[name]
    sources = [
        f"{k.kid}: " + (f"environment variable {k.secret_env}" if k.secret_env else f"file {k.secret_file}")
        for k in configured.keys
    ]
    found = clientless(
        settings,
        name,
        preset,
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
        provider = build(Configured(name, preset, configured, settings.auth, probes.apps))
    except ConfigError as exc:
        found.problems.append(str(exc))
        return found
    if provider.local_kids:
        found.facts.append(("HS256 keys", f"{', '.join(provider.local_kids)}: read"))
    if provider.jwks_url:
        with found.probing():
            keys = await provider.jwks()
            kids = ", ".join(f"{k.kid} ({k.key_type})" for k in keys)
            found.facts.append(("JWKS", f"{provider.jwks_url}: {kids}"))
    return found


# Signed in by the publisher's page, never added to another identity.
KIND = Kind(
    "sso",
    build=build,
    check=check,
    validate=validate,
    opens=Opens.PAGE,
    can_link=False,
    presets=(PRESET,),
)
