"""Passkeys (WebAuthn): the provider behind `[auth.providers.NAME] preset = "passkey"`, and the two
ceremonies over py_webauthn (options for navigator.credentials.create()/get(), and the checks of what the
browser sends back), each failure a precise RejoinderError. No storage and no HTTP: services/passkeys.py.

The relying party is rejoinder itself: RP ID = the host of `server.public_url`, origin = that origin. Sign
in uses discoverable credentials (no user name typed first); registering needs a signed-in identity.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

import msgspec
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import (
    parse_attestation_object,
    parse_authentication_credential_json,
    parse_authenticator_data,
    parse_registration_credential_json,
)
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AttestationConveyancePreference,
    AuthenticationCredential,
    AuthenticatorData,
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    RegistrationCredential,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from rejoinder.auth.providers.base import PageProvider
from rejoinder.auth.providers.kinds import Configured, Kind, Probes, ProviderCheck, clientless, public_base
from rejoinder.auth.providers.presets import Preset
from rejoinder.config.schema import Settings
from rejoinder.domain.nesting import json_depth_exceeds
from rejoinder.errors import BadRequest, Forbidden, NotFound

_T = TypeVar("_T")
_C = TypeVar("_C", RegistrationCredential, AuthenticationCredential)
log = logging.getLogger("rejoinder.auth")

CEREMONY_MS = 300_000  # how long the browser lets the reader choose a passkey (a hint to the browser)
MAX_RESPONSE = 32 * 1024  # a real answer is a few kB (attestation certificates included)
# credentials.subject holds 500 characters: a base64url id of up to 375 bytes. Discoverable credentials
# have short ids (16–64 bytes in practice); the spec allows 1023, which no passkey provider uses.
MAX_ID_BYTES = 375
_TRANSPORTS = {t.value for t in AuthenticatorTransport}


class RelyingParty(msgspec.Struct, frozen=True):
    """Who the passkeys belong to: the RP ID (a host name) and the one origin ceremonies may run on."""

    id: str
    origin: str
    name: str

    @classmethod
    def of(cls, base_url: str) -> RelyingParty:
        """From rejoinder's public base URL ("https://comments.example.org")."""
        parts = urlsplit(base_url)
        scheme, host = parts.scheme.lower(), parts.hostname or ""  # hostname is lower-cased
        # The origin as a browser serialises it: lower case, no default port, IPv6 in brackets.
        port = "" if parts.port in (None, {"https": 443, "http": 80}.get(scheme)) else f":{parts.port}"
        shown = f"[{host}]" if ":" in host else host
        return cls(id=host, origin=f"{scheme}://{shown}{port}", name=f"Comments on {host}")


class NewPasskey(msgspec.Struct, frozen=True):
    """A verified registration: what is stored in credentials (subject = id, the rest in `data`)."""

    id: str  # base64url credential id
    public_key: str  # base64url COSE key
    sign_count: int
    transports: list[str]
    aaguid: str
    backed_up: bool
    device_type: str


class Assertion(msgspec.Struct, frozen=True):
    """A sign-in answer whose envelope checked out (challenge, origin, RP): which credential it names."""

    credential_id: str  # base64url
    user_handle: str | None  # base64url, as the authenticator keeps it
    parsed: Any  # webauthn AuthenticationCredential, for verify_assertion


# Passkeys (WebAuthn): rejoinder is the relying party itself.
PRESET = Preset.own(
    "passkey",
    "Passkey",
    nothing_to_register="the relying party is rejoinder itself (RP ID = host of server.public_url)",
)


class PasskeyProvider(PageProvider):
    """The provider entry: its button, its label. The ceremonies run on rejoinder's own page."""

    kind = "passkey"
    no_begin = "Passkeys have no provider to go to; use the passkey page"
    no_callback = "Passkeys have no callback; use the passkey page"


# --- options ---------------------------------------------------------------------------------------------


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64url(text: str) -> bytes:
    """Decode base64url with or without padding; raises ValueError on anything else."""
    if not isinstance(text, str) or not text.isascii():
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def registration_options(
    rp: RelyingParty,
    *,
    challenge: bytes,
    user_handle: bytes,
    user_name: str,
    existing: list[str],
) -> dict[str, Any]:
    """PublicKeyCredentialCreationOptions (JSON form) for a new discoverable passkey. `existing` are the
    identity's passkey ids, excluded so that an authenticator does not store a second one for the account."""
    options = generate_registration_options(
        rp_id=rp.id,
        rp_name=rp.name,
        user_name=user_name,
        user_id=user_handle,
        user_display_name=user_name,
        challenge=challenge,
        timeout=CEREMONY_MS,
        attestation=AttestationConveyancePreference.NONE,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            require_resident_key=True,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
        exclude_credentials=[PublicKeyCredentialDescriptor(id=unb64url(c)) for c in existing],
    )
    result: dict[str, Any] = json.loads(options_to_json(options))
    return result


def authentication_options(rp: RelyingParty, *, challenge: bytes) -> dict[str, Any]:
    """PublicKeyCredentialRequestOptions with no allowCredentials: the authenticator offers the reader's
    discoverable passkeys for this RP, so nobody types a name first."""
    options = generate_authentication_options(
        rp_id=rp.id,
        challenge=challenge,
        timeout=CEREMONY_MS,
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    result: dict[str, Any] = json.loads(options_to_json(options))
    return result


# --- checking the browser's answer ------------------------------------------------------------------------


def _malformed(why: str) -> BadRequest:
    return BadRequest(f"The passkey answer cannot be read ({why}); start again", code="passkey-malformed")


def not_registered() -> NotFound:
    return NotFound(
        "This passkey is not registered here (it may have been removed from your account). Sign in "
        "another way, then add it again with Change → Add a passkey",
        code="passkey-not-registered",
    )


def _invalid() -> Forbidden:
    return Forbidden("The passkey's answer did not verify; start again", code="passkey-invalid")


def _load(raw: str) -> dict[str, Any]:
    if not raw:
        raise _malformed("it is empty")
    if len(raw) > MAX_RESPONSE:
        raise _malformed("it is too large")
    return _json_object(raw.encode("utf-8", "surrogatepass"), raw, "it", "a JSON object")


def _json_object(data: bytes, text: str | bytes, name: str, an_object: str) -> dict[str, Any]:
    """`text` (whose bytes are `data`) decoded as a JSON object; its depth is measured first, before
    json.loads can recurse. `name` and `an_object` word the refusal (passkey-malformed)."""
    if json_depth_exceeds(data):
        raise _malformed(f"{name} is nested too deeply")
    try:
        doc = json.loads(text)
    except ValueError:
        raise _malformed(f"{name} is not JSON") from None
    if not isinstance(doc, dict):
        raise _malformed(f"{name} is not {an_object}")
    return doc


def _check_envelope(
    credential: RegistrationCredential | AuthenticationCredential,
    auth_data: AuthenticatorData,
    *,
    ceremony: str,
    challenge: bytes,
    rp: RelyingParty,
) -> None:
    """The parts an attacker would change to reuse an answer elsewhere: ceremony type, challenge, origin
    (WebAuthn §7.1 steps 7–9, §7.2 steps 11–13) and the RP ID hash (§7.1 step 13, §7.2 step 15)."""
    client_data = credential.response.client_data_json
    client = _json_object(client_data, client_data, "clientDataJSON", "an object")
    if client.get("type") != ceremony:
        raise Forbidden(
            f"The passkey answered another kind of request than {ceremony}; start again",
            code="passkey-invalid",
        )
    try:
        answered = unb64url(client.get("challenge", ""))
    except (ValueError, binascii.Error):
        raise _malformed("the challenge is not base64url") from None
    if answered != challenge:
        raise Forbidden(
            "The passkey signed another challenge than the one this page asked for; start again",
            code="passkey-challenge-mismatch",
        )
    if client.get("origin") != rp.origin or client.get("crossOrigin") is True:
        raise Forbidden(
            f"The passkey was used on another site than {rp.origin}; start again",
            code="passkey-origin-mismatch",
        )
    if auth_data.rp_id_hash != hashlib.sha256(rp.id.encode("utf-8")).digest():
        raise Forbidden(
            f"The passkey belongs to another relying party than {rp.id}", code="passkey-rp-mismatch"
        )


def _parsed(parse: Callable[[], _T], part: str) -> _T:
    """What `parse` reads from reader-sent bytes; any failure is passkey-malformed (`part` names what cannot
    be decoded when the failure is not a missing or badly encoded field)."""
    try:
        return parse()
    except (WebAuthnException, ValueError, TypeError, KeyError, binascii.Error):
        raise _malformed("a required field is missing or not base64url") from None
    except Exception as exc:  # CBOR decoding of reader-sent bytes: any failure is bad input
        log.info("[rejoinder] unreadable passkey %s (%s)", part, type(exc).__name__)
        raise _malformed(f"the {part} cannot be decoded") from None


def _opened(
    raw: str,
    parse: Callable[[dict[str, Any]], _C],
    auth_data_of: Callable[[_C], AuthenticatorData],
    part: str,
) -> tuple[dict[str, Any], _C, AuthenticatorData]:
    """The browser's answer as JSON, its credential and the authenticator data in it, each read by `parse`
    and `auth_data_of` (`part` names the latter when it cannot be decoded).

    Raises:
        BadRequest: passkey-malformed.
    """
    doc = _load(raw)
    credential = _parsed(lambda: parse(doc), part)
    return doc, credential, _parsed(lambda: auth_data_of(credential), part)


def _attested(credential: RegistrationCredential) -> AuthenticatorData:
    return parse_attestation_object(credential.response.attestation_object).auth_data


def _asserted(credential: AuthenticationCredential) -> AuthenticatorData:
    return parse_authenticator_data(credential.response.authenticator_data)


def verify_registration(raw: str, *, challenge: bytes, rp: RelyingParty) -> NewPasskey:
    """Check a navigator.credentials.create() answer (JSON, base64url fields as the page sends it).

    Raises:
        BadRequest: passkey-malformed. Forbidden: passkey-invalid, passkey-challenge-mismatch,
            passkey-origin-mismatch, passkey-rp-mismatch.
    """
    doc, credential, auth_data = _opened(raw, parse_registration_credential_json, _attested, "attestation")
    _check_envelope(credential, auth_data, ceremony="webauthn.create", challenge=challenge, rp=rp)
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=rp.id,
            expected_origin=rp.origin,
        )
    except Exception as exc:  # reader-sent bytes: every failure of the library is a refusal, never a 500
        log.info("[rejoinder] passkey registration refused (%s: %.200r)", type(exc).__name__, str(exc))
        raise _invalid() from None
    if len(verified.credential_id) > MAX_ID_BYTES:
        raise _malformed(f"credential ids longer than {MAX_ID_BYTES} bytes are not supported")
    transports = [t for t in doc.get("response", {}).get("transports") or [] if t in _TRANSPORTS]
    return NewPasskey(
        id=b64url(verified.credential_id),
        public_key=b64url(verified.credential_public_key),
        sign_count=verified.sign_count,
        transports=transports,
        aaguid=verified.aaguid,
        backed_up=verified.credential_backed_up,
        device_type=verified.credential_device_type.value,
    )


def read_assertion(raw: str, *, challenge: bytes, rp: RelyingParty) -> Assertion:
    """Check the envelope of a navigator.credentials.get() answer and name its credential; the signature
    is checked by `verify_assertion` once the credential's public key is known.

    Raises:
        BadRequest: passkey-malformed. Forbidden: passkey-invalid, passkey-challenge-mismatch,
            passkey-origin-mismatch, passkey-rp-mismatch.
    """
    _doc, credential, auth_data = _opened(
        raw, parse_authentication_credential_json, _asserted, "authenticator data"
    )
    if not credential.raw_id or b64url(credential.raw_id) != credential.id.rstrip("="):
        raise _malformed("id and rawId differ")
    if len(credential.raw_id) > MAX_ID_BYTES:
        raise not_registered()
    _check_envelope(credential, auth_data, ceremony="webauthn.get", challenge=challenge, rp=rp)
    handle = credential.response.user_handle
    return Assertion(
        credential_id=b64url(credential.raw_id),
        user_handle=b64url(handle) if handle else None,
        parsed=credential,
    )


def verify_assertion(
    assertion: Assertion, *, challenge: bytes, rp: RelyingParty, public_key: str, stored_count: int
) -> int:
    """Check the signature with the stored public key, then the signature counter; returns the new count.

    A counter that did not grow (while either side counts) means two authenticators hold the same key: a
    cloned credential (WebAuthn §6.1.1). Authenticators that do not count always send 0 and pass.

    Raises:
        Forbidden: passkey-invalid (bad signature, user not present), passkey-sign-count.
    """
    try:
        verified = verify_authentication_response(
            credential=assertion.parsed,
            expected_challenge=challenge,
            expected_rp_id=rp.id,
            expected_origin=rp.origin,
            credential_public_key=unb64url(public_key),
            credential_current_sign_count=0,  # the counter is checked below, after the signature
        )
    except Exception as exc:  # reader-sent bytes: every failure of the library is a refusal, never a 500
        log.info("[rejoinder] passkey assertion refused (%s: %.200r)", type(exc).__name__, str(exc))
        raise _invalid() from None
    count = int(verified.new_sign_count)
    if (count > 0 or stored_count > 0) and count <= stored_count:
        raise Forbidden(
            "This passkey's signature counter went backwards, which happens when a passkey was copied; "
            "it is refused. Sign in another way and remove it from your account",
            code="passkey-sign-count",
        )
    return count


# --- the kind: settings, diagnostics --------------------------------------------------------------------


def build(c: Configured) -> PasskeyProvider:
    return PasskeyProvider(c.name, c.preset, c.settings)


async def check(settings: Settings, name: str, preset: Preset, probes: Probes) -> ProviderCheck:
    """Nothing to register; the RP ID is the host of server.public_url, which browsers accept only in a
    secure context (https, or localhost)."""
    public = settings.server.public_url.rstrip("/")
    parts = urlsplit(public)
    found = clientless(
        settings,
        name,
        preset,
        f"(none: the ceremony runs on {public_base(settings)}/auth/{name}/start)",
        [("RP ID", parts.hostname or "(the host of each request)"), ("origin", public or "(each request's)")],
    )
    if not public:
        found.problems.append(
            "server.public_url is not set: passkeys belong to one host name; set it to the URL readers use"
        )
    elif parts.scheme != "https" and parts.hostname != "localhost":
        found.problems.append(
            "server.public_url is not https: browsers use passkeys only on https (or localhost)"
        )
    return found


KIND = Kind(
    "passkey",
    build=build,
    check=check,
    landing="start",
    link_text="addPasskey",
    presets=(PRESET,),
)
