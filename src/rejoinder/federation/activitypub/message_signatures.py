"""RFC 9421 HTTP Message Signatures, as the fediverse starts to use them (Fedify signs with them first, then
falls back to draft-cavage): verifying a request signed with `rsa-v1_5-sha256`, and the Content-Digest
header (RFC 9530) of its body. Pure: the time is an argument. Only what verifying a request needs of RFC 8941
structured fields is parsed here (dictionaries of inner lists with parameters, byte sequences).

    found = parse(headers["signature-input"], headers["signature"])  # SignatureInvalid when unreadable
    check_covered(found, has_body=True)   # the method, the target URI and the Content-Digest are signed
    check_created(found, now, window)     # an old `created` is a replay
    check_content_digest(headers["content-digest"], body)
    verify(found, "POST", "https://host/inbox", headers, public_pem)   # True or False
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Mapping

import msgspec
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from rejoinder.federation.activitypub.signatures import SignatureInvalid, rsa_sha256_valid

US = 1_000_000
MAX_HEADER = 8192
ALGORITHMS = ("rsa-v1_5-sha256",)
_KEY = re.compile(r"[a-z*][a-z0-9_.*-]*")
_TOKEN = re.compile(r"[A-Za-z*][A-Za-z0-9!#$%&'*+.^_`|~:/-]*")
_INT = re.compile(r"-?[0-9]{1,15}")

Param = str | int | bool | bytes


class Signed(msgspec.Struct, frozen=True):
    """One signature of a request: what it covers, its parameters, and the signature bytes."""

    label: str
    components: tuple[str, ...]
    params: tuple[tuple[str, Param], ...]
    signature: bytes

    def param(self, name: str) -> Param | None:
        return next((v for k, v in self.params if k == name), None)

    @property
    def key_id(self) -> str:
        value = self.param("keyid")
        return value if isinstance(value, str) else ""


class _Reader:
    """A cursor over a structured field (RFC 8941), for the parts a signature needs."""

    def __init__(self, text: str) -> None:
        self.text, self.pos = text, 0

    def fail(self, what: str) -> SignatureInvalid:
        return SignatureInvalid(f"The Signature-Input or Signature header cannot be read ({what})")

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def spaces(self) -> None:
        while self.peek() in (" ", "\t") and self.peek():
            self.pos += 1

    def match(self, pattern: re.Pattern[str], what: str) -> str:
        found = pattern.match(self.text, self.pos)
        if not found:
            raise self.fail(what)
        self.pos = found.end()
        return found.group()

    def string(self) -> str:
        if self.peek() != '"':
            raise self.fail("a string")
        self.pos += 1
        out: list[str] = []
        while True:
            char = self.peek()
            if not char:
                raise self.fail("an unterminated string")
            self.pos += 1
            if char == '"':
                return "".join(out)
            if char == "\\":
                char = self.peek()
                if char not in ('"', "\\"):
                    raise self.fail("a bad escape")
                self.pos += 1
            elif not " " <= char <= "~":
                raise self.fail("a character a string cannot hold")
            out.append(char)

    def bare(self) -> Param:
        char = self.peek()
        if char == '"':
            return self.string()
        if char == ":":
            end = self.text.find(":", self.pos + 1)
            if end < 0:
                raise self.fail("an unterminated byte sequence")
            raw = self.text[self.pos + 1 : end]
            self.pos = end + 1
            try:
                return base64.b64decode(raw, validate=True)
            except ValueError:
                raise self.fail("a byte sequence that is not base64") from None
        if char == "?":
            self.pos += 1
            flag = self.peek()
            if flag not in ("0", "1"):
                raise self.fail("a boolean")
            self.pos += 1
            return flag == "1"
        if char == "-" or char.isdigit():
            return int(self.match(_INT, "an integer"))
        return self.match(_TOKEN, "a token")

    def params(self) -> tuple[tuple[str, Param], ...]:
        found: list[tuple[str, Param]] = []
        while self.peek() == ";":
            self.pos += 1
            self.spaces()
            key = self.match(_KEY, "a parameter name")
            value: Param = True
            if self.peek() == "=":
                self.pos += 1
                value = self.bare()
            found.append((key, value))
        return tuple(found)

    def dictionary(self) -> dict[str, tuple[Param | tuple[str, ...], tuple[tuple[str, Param], ...]]]:
        members: dict[str, tuple[Param | tuple[str, ...], tuple[tuple[str, Param], ...]]] = {}
        self.spaces()
        while self.peek():
            key = self.match(_KEY, "a member name")
            if self.peek() != "=":
                raise self.fail("a member without a value")
            self.pos += 1
            value: Param | tuple[str, ...]
            if self.peek() == "(":
                self.pos += 1
                items: list[str] = []
                while True:
                    self.spaces()
                    if self.peek() == ")":
                        self.pos += 1
                        break
                    items.append(self.string())
                    if self.params():  # component parameters (;sf, ;key…) are not supported
                        raise self.fail("a component with parameters")
                value = tuple(items)
            else:
                value = self.bare()
            members[key] = (value, self.params())
            self.spaces()
            if not self.peek():
                break
            if self.peek() != ",":
                raise self.fail("a missing comma")
            self.pos += 1
            self.spaces()
        return members


def _serialize(value: Param) -> str:
    if isinstance(value, bool):
        return "?1" if value else "?0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, bytes):
        return ":" + base64.b64encode(value).decode("ascii") + ":"
    if _TOKEN.fullmatch(value) and value not in ("true", "false"):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _signature_params(found: Signed) -> str:
    inner = " ".join(f'"{c}"' for c in found.components)
    # strings are always quoted in a signature's parameters (keyid, alg, nonce, tag)
    params = "".join(
        f';{k}="{v}"' if isinstance(v, str) else f";{k}={_serialize(v)}" for k, v in found.params
    )
    return f"({inner}){params}"


def parse(signature_input: str | None, signature: str | None) -> Signed:
    """The first signature of the request that names a supported algorithm (or none: RSA is assumed)."""
    if not signature_input or not signature:
        raise SignatureInvalid("An RFC 9421 signature needs both Signature-Input and Signature")
    if len(signature_input) > MAX_HEADER or len(signature) > MAX_HEADER:
        raise SignatureInvalid("The Signature-Input or Signature header is too long")
    inputs = _Reader(signature_input).dictionary()
    values = _Reader(signature).dictionary()
    for label, (covered, params) in inputs.items():
        if not isinstance(covered, tuple):
            raise SignatureInvalid(f"The signature {label!r} names no components")
        value = values.get(label, (None, ()))[0]
        if not isinstance(value, bytes):
            raise SignatureInvalid(f"The Signature header has no value for {label!r}")
        found = Signed(label=label, components=covered, params=params, signature=value)
        algorithm = found.param("alg")
        if algorithm is None or algorithm in ALGORITHMS:
            if not found.key_id:
                raise SignatureInvalid("The signature names no keyid")
            return found
    raise SignatureInvalid(
        "No signature uses a supported algorithm (rsa-v1_5-sha256 is)", code="signature-invalid"
    )


def check_covered(found: Signed, *, has_body: bool) -> None:
    """The parts that must be signed: the method, the target URI (or its authority and path), and for a
    body its Content-Digest."""
    covered = set(found.components)
    needed = {"@method"} | ({"content-digest"} if has_body else set())
    if "@target-uri" not in covered:
        needed |= {"@authority", "@path"}
    missing = sorted(needed - covered)
    if missing:
        raise SignatureInvalid(f"The signature must cover {', '.join(missing)}")


def check_created(found: Signed, now_us: int, window_seconds: int) -> None:
    """Refuse a signature made further than the window from now, or expired (a replay)."""
    created, expires = found.param("created"), found.param("expires")
    if not isinstance(created, int) or isinstance(created, bool):
        raise SignatureInvalid("The signature needs a created parameter")
    now = now_us / US
    if abs(now - created) > window_seconds:
        raise SignatureInvalid(
            "The signature was made too far from now (a replay?)", code="signature-expired"
        )
    if isinstance(expires, int) and not isinstance(expires, bool) and expires < now:
        raise SignatureInvalid("The signature has expired", code="signature-expired")


def check_content_digest(value: str | None, body: bytes) -> None:
    if not value:
        raise SignatureInvalid("A signed body needs a Content-Digest header")
    members = _Reader(value).dictionary()
    for name, algorithm in (("sha-512", hashlib.sha512), ("sha-256", hashlib.sha256)):
        if name in members:
            if members[name][0] != algorithm(body).digest():
                raise SignatureInvalid("The Content-Digest does not match the body", code="digest-mismatch")
            return
    raise SignatureInvalid("The Content-Digest header needs a sha-256 or sha-512 value")


def signature_base(found: Signed, method: str, target_uri: str, headers: Mapping[str, str]) -> str:
    """The text that was signed (RFC 9421 §2.5); `headers` lower-cased."""
    from urllib.parse import urlsplit

    parts = urlsplit(target_uri)
    derived = {
        "@method": method.upper(),
        "@target-uri": target_uri,
        "@authority": parts.netloc.lower(),
        "@scheme": parts.scheme.lower(),
        "@path": parts.path or "/",
        "@query": "?" + parts.query,
        "@request-target": (parts.path or "/") + (f"?{parts.query}" if parts.query else ""),
    }
    lines = []
    for name in found.components:
        if name.startswith("@"):
            if name not in derived:
                raise SignatureInvalid(f"The component {name!r} is not supported")
            value = derived[name]
        else:
            header = headers.get(name)
            if header is None:
                raise SignatureInvalid(f"The signed header {name!r} is missing")
            value = header.strip()
        lines.append(f'"{name}": {value}')
    lines.append(f'"@signature-params": {_signature_params(found)}')
    return "\n".join(lines)


def verify(found: Signed, method: str, target_uri: str, headers: Mapping[str, str], public_pem: str) -> bool:
    """Whether the signature is the key's over the covered parts of this request."""
    return rsa_sha256_valid(found.signature, signature_base(found, method, target_uri, headers), public_pem)


def sign(
    method: str,
    target_uri: str,
    *,
    key_id: str,
    private_pem: str,
    now_us: int,
    body: bytes | None,
    headers: Mapping[str, str],
) -> dict[str, str]:
    """The headers that sign a request as Fedify does (tests, and a peer that takes only RFC 9421):
    Content-Digest (with a body), Signature-Input and Signature over the method, target URI, authority,
    `host` and `date` (both must be in `headers`) and the Content-Digest."""
    out = {k.lower(): v for k, v in headers.items()}
    components = ["@method", "@target-uri", "@authority", "host", "date"]
    if body is not None:
        out["content-digest"] = "sha-256=:" + base64.b64encode(hashlib.sha256(body).digest()).decode() + ":"
        components.append("content-digest")
    params: tuple[tuple[str, Param], ...] = (
        ("alg", "rsa-v1_5-sha256"),
        ("keyid", key_id),
        ("created", now_us // US),
    )
    draft = Signed(label="sig1", components=tuple(components), params=params, signature=b"")
    text = signature_base(draft, method, target_uri, out)
    key = serialization.load_pem_private_key(private_pem.encode("ascii"), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    value = key.sign(text.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256())
    out["signature-input"] = f"sig1={_signature_params(draft)}"
    out["signature"] = "sig1=:" + base64.b64encode(value).decode("ascii") + ":"
    return out
