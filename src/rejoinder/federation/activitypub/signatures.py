"""HTTP Signatures as the fediverse uses them: draft-cavage-http-signatures-12 with rsa-sha256 (what
Mastodon signs and verifies), and the Digest header (RFC 3230, SHA-256) of a signed body. Pure: the time
is an argument.

Verifying a request (services/activitypub/inbox.py):
    params = parse_signature(headers["signature"])         # Unauthorized when it cannot be read
    check_signed_headers(params, has_body=True)            # (request-target), host, date and digest signed
    check_date(headers["date"], now, window)               # an old Date is a replay
    check_digest(headers["digest"], body)
    verify(params, "post", "/inbox", headers, public_pem)  # True or False
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime

import msgspec
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from rejoinder.errors import Unauthorized

US = 1_000_000
_PARAM = re.compile(r'\s*([a-zA-Z]+)\s*=\s*"([^"]*)"\s*(?:,|$)')


class SignatureInvalid(Unauthorized):
    """An activity that is unsigned, badly signed, too old, or signed by someone else than its actor."""

    default_code = "signature-invalid"
    default_detail = "This request carries no valid HTTP signature"


class SignatureParams(msgspec.Struct, frozen=True):
    key_id: str
    algorithm: str
    headers: tuple[str, ...]
    signature: bytes


def new_key_pair() -> tuple[str, str]:
    """A fresh RSA-2048 key pair as (public PEM, private PEM)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode("ascii")
    )
    return public, private


def digest(body: bytes) -> str:
    return "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode("ascii")


def http_date(now_us: int) -> str:
    return format_datetime(datetime.fromtimestamp(now_us / US, tz=UTC), usegmt=True)


def parse_signature(header: str | None) -> SignatureParams:
    if not header:
        raise SignatureInvalid("Activities must be signed (HTTP Signatures, the Signature header)")
    if len(header) > 8192:
        raise SignatureInvalid("The Signature header is too long")
    found = dict((k.lower(), v) for k, v in _PARAM.findall(header))
    key_id, value = found.get("keyid"), found.get("signature")
    if not key_id or not value:
        raise SignatureInvalid("The Signature header needs keyId and signature")
    try:
        raw = base64.b64decode(value, validate=True)
    except ValueError:
        raise SignatureInvalid("The signature is not base64") from None
    names = tuple(found.get("headers", "date").lower().split())
    algorithm = found.get("algorithm", "hs2019").lower()
    if algorithm not in ("rsa-sha256", "hs2019"):
        raise SignatureInvalid(f"Signature algorithm {algorithm!r} is not supported (rsa-sha256 is)")
    return SignatureParams(key_id=key_id, algorithm=algorithm, headers=names, signature=raw)


def check_signed_headers(params: SignatureParams, *, has_body: bool) -> None:
    """The parts that must be signed: the target, the host, the date and (for a body) its digest."""
    needed = {"(request-target)", "host", "date"} | ({"digest"} if has_body else set())
    missing = sorted(needed - set(params.headers))
    if missing:
        raise SignatureInvalid(f"The signature must cover {', '.join(missing)}")


def check_date(value: str | None, now_us: int, window_seconds: int) -> None:
    """Refuse a Date further than the window from now (a replayed or pre-dated request)."""
    if not value:
        raise SignatureInvalid("A signed request needs a Date header")
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        raise SignatureInvalid("The Date header cannot be read") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    age = abs(now_us / US - when.timestamp())
    if age > window_seconds:
        raise SignatureInvalid("The request's Date is too far from now (a replay?)", code="signature-expired")


def check_digest(value: str | None, body: bytes) -> None:
    if not value:
        raise SignatureInvalid("A signed body needs a Digest header")
    for part in value.split(","):
        algorithm, _, encoded = part.strip().partition("=")
        if algorithm.lower() == "sha-256":
            if encoded != digest(body).partition("=")[2]:
                raise SignatureInvalid("The Digest does not match the body", code="digest-mismatch")
            return
    raise SignatureInvalid("The Digest header needs a SHA-256 value")


def signing_string(names: tuple[str, ...], method: str, target: str, headers: Mapping[str, str]) -> str:
    lines = []
    for name in names:
        if name == "(request-target)":
            lines.append(f"(request-target): {method.lower()} {target}")
        else:
            value = headers.get(name)
            if value is None:
                raise SignatureInvalid(f"The signed header {name!r} is missing")
            lines.append(f"{name}: {value.strip()}")
    return "\n".join(lines)


def verify(
    params: SignatureParams, method: str, target: str, headers: Mapping[str, str], public_pem: str
) -> bool:
    """Whether the signature is the key's over the named parts of this request (`headers` lower-cased)."""
    return rsa_sha256_valid(
        params.signature, signing_string(params.headers, method, target, headers), public_pem
    )


def rsa_sha256_valid(signature: bytes, text: str, public_pem: str) -> bool:
    """Whether `signature` is RSASSA-PKCS1-v1_5 with SHA-256 over `text` by the RSA key `public_pem` (what both
    draft-cavage's rsa-sha256 and RFC 9421's rsa-v1_5-sha256 are)."""
    try:
        key = serialization.load_pem_public_key(public_pem.encode("ascii"))
    except (ValueError, TypeError):
        return False
    if not isinstance(key, rsa.RSAPublicKey):
        return False
    try:
        key.verify(signature, text.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return False
    return True


def sign(
    method: str,
    url_host: str,
    target: str,
    *,
    key_id: str,
    private_pem: str,
    now_us: int,
    body: bytes | None,
    content_type: str | None = None,
) -> dict[str, str]:
    """The headers of a signed request: Host, Date, (Digest, Content-Type,) Signature."""
    headers = {"host": url_host, "date": http_date(now_us)}
    if body is not None:
        headers["digest"] = digest(body)
        if content_type:
            headers["content-type"] = content_type
    names = ("(request-target)", *headers)
    text = signing_string(names, method, target, headers)
    key = serialization.load_pem_private_key(private_pem.encode("ascii"), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    value = base64.b64encode(key.sign(text.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256())).decode()
    headers["signature"] = (
        f'keyId="{key_id}",algorithm="rsa-sha256",headers="{" ".join(names)}",signature="{value}"'
    )
    return headers
