"""Readers and authors: opaque per-site author keys, visitor hashes, the identicon, and the signed-in
reader's Identity with its Credentials (pure types and rules; storage is in store/identities.py)."""

from __future__ import annotations

import enum
import hashlib
import hmac
import re
from urllib.parse import urlsplit

import msgspec

from rejoinder.domain.urls import check_text_field
from rejoinder.errors import Invalid


def keyed_hash(secret: bytes, *parts: str, length: int = 32) -> str:
    """HMAC-SHA256 over the parts, hex; never reversible by guessing the parts without the secret."""
    mac = hmac.new(secret, "\x1f".join(parts).encode("utf-8"), hashlib.sha256)
    return mac.hexdigest()[:length]


def author_key(secret: bytes, site_id: int, *, email: str | None, name: str, visitor: str | None) -> str:
    """The opaque id an avatar URL is built from: different for the same email on two sites."""
    if email:
        return keyed_hash(secret, "author", str(site_id), "email", email.strip().lower(), length=20)
    if visitor:
        return keyed_hash(secret, "author", str(site_id), "visitor", visitor, length=20)
    return keyed_hash(secret, "author", str(site_id), "name", name.strip().lower(), length=20)


def visitor_hash(secret: bytes, visitor: str) -> str:
    """What the store keeps of an anonymous visitor id: a keyed hash, never the id itself."""
    return keyed_hash(secret, "visitor", visitor, length=40)


_PALETTE = ["#2f6f9f", "#9f3f2f", "#3f8f4f", "#7f4f9f", "#9f7f2f", "#2f8f8f", "#8f2f6f", "#4f5f9f"]


def identicon_svg(key: str) -> str:
    """A deterministic 5×5 mirrored identicon for an author key (hex), as a small SVG document."""
    digest = hashlib.sha256(key.encode("ascii", "replace")).digest()
    color = _PALETTE[digest[0] % len(_PALETTE)]
    cells: list[str] = []
    for row in range(5):
        for col in range(3):
            if digest[1 + row * 3 + col] & 1:
                for x in {col, 4 - col}:
                    cells.append(f'<rect x="{x * 8 + 4}" y="{row * 8 + 4}" width="8" height="8"/>')
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 48 48" width="48" height="48">'
        f'<rect width="48" height="48" fill="#eef1f4"/><g fill="{color}">{"".join(cells)}</g></svg>'
    )


# The networks kept of a client's address. An IPv6 subscriber usually gets a /56 (or a /48) from their
# provider, not a single /64: rate limits count by the same /56 that is stored (ratelimit.network_key).
IPV4_STORED_PREFIX = 24
IPV6_STORED_PREFIX = 56


def anonymize_ip(address: str | None) -> str | None:
    """Keep only the network: IPv4 /24, IPv6 /56 (what abuse control needs, not who it was)."""
    import ipaddress

    if not address:
        return None
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    prefix = IPV4_STORED_PREFIX if ip.version == 4 else IPV6_STORED_PREFIX
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


STORED_NETWORKS_LIMIT = 1 << 16  # a wider ban network lists too many stored networks to look them up


def stored_networks(network: str) -> list[str] | None:
    """The networks comments are stored with (anonymize_ip) that a ban on `network` (CIDR) covers: the one
    containing it when it is narrower than what is stored (a /32 within its /24), else every stored network
    inside it (a /16 holds 256 /24s). None when that would be more than STORED_NETWORKS_LIMIT."""
    import ipaddress

    net = ipaddress.ip_network(network, strict=False)
    stored = IPV4_STORED_PREFIX if net.version == 4 else IPV6_STORED_PREFIX
    if net.prefixlen >= stored:
        return [str(net.supernet(new_prefix=stored))]
    if 1 << (stored - net.prefixlen) > STORED_NETWORKS_LIMIT:
        return None
    return [str(sub) for sub in net.subnets(new_prefix=stored)]


# --- Signed-in readers: identities and their credentials -------------------------------------------------
# An Identity is the reader as rejoinder knows them (name, avatar, optional verified email); Credentials are
# the ways they prove it (an OIDC/OAuth subject at a provider, a verified email address, a passkey, a
# publisher-SSO subject). An identity outlives any one provider: add a second credential and the first
# provider can go away. See docs/sign-in.md.


class CredentialKind(enum.StrEnum):
    """Stored as the string value; (kind, provider, subject) is unique."""

    OIDC = "oidc"  # OpenID Connect or OAuth 2.0 subject at a provider (also Mastodon: provider = the server)
    EMAIL = "email"  # a verified email address (provider = "email", subject = the lower-cased address)
    PASSKEY = "passkey"  # a WebAuthn credential (provider = the RP id, subject = the credential id)
    SSO = "sso"  # the publisher's own user id (provider = the sso provider's NAME, subject = the token's sub)
    ACTIVITYPUB = "activitypub"  # a fediverse actor that replied (provider = its host, subject = its id URL)


class Identity(msgspec.Struct, frozen=True):
    id: str  # public random id (never a sequence)
    display_name: str
    email: str | None  # verified only; never public
    profile_url: str | None
    show_in_likes: bool  # may its name and avatar appear in "people like this"
    created: int  # microseconds since the epoch, UTC


class Credential(msgspec.Struct, frozen=True):
    identity_id: str
    kind: CredentialKind
    provider: str  # provider name in the config ("google", "mastodon:example.social", "email", ...)
    subject: str  # the provider's stable id for the account
    label: str  # how the account is shown: "Ann Example", "@ann@example.social", "ann@example.org"
    email: str | None  # the address the provider gave, if any
    email_verified: bool
    created: int
    last_used: int | None = None


class Profile(msgspec.Struct, frozen=True):
    """What a provider tells about the account that just signed in (already validated)."""

    provider: str
    subject: str
    name: str | None = None
    email: str | None = None
    email_verified: bool = False
    profile_url: str | None = None
    username: str | None = None  # handle at the provider, e.g. "@ann@example.social"
    kind: CredentialKind = CredentialKind.OIDC
    picture: str | None = None  # the provider's picture URL (fetched by the server, never by readers)

    @property
    def credential(self) -> tuple[CredentialKind, str, str]:
        """The key of the credential this sign-in used: (kind, provider, subject), as the store takes it."""
        return self.kind, self.provider, self.subject


NAME_MAX = 80
_NAME_CONTROL = re.compile(r"[\x00-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def clean_display_name(raw: str | None, *, fallback: str = "Reader", max_length: int = NAME_MAX) -> str:
    """A display name from a provider or the reader: control and bidi characters removed, spaces
    collapsed, cut at `max_length`; `fallback` when nothing is left."""
    if not raw:
        return fallback
    name = " ".join(_NAME_CONTROL.sub("", raw).split())
    return name[:max_length].strip() or fallback


def check_display_name(raw: str, *, max_length: int = NAME_MAX) -> str:
    """A display name the reader typed (PATCH /api/me): refused rather than repaired."""
    check_text_field(raw, "display_name")
    name = " ".join(_NAME_CONTROL.sub("", raw).split())
    if not name:
        raise Invalid.field("display_name", "name-empty", "The name must not be empty")
    if len(name) > max_length:
        raise Invalid.field(
            "display_name", "name-too-long", f"The name is longer than {max_length} characters"
        )
    return name


def identity_avatar_key(secret: bytes, identity_id: str) -> str:
    """The avatar key of an identity: its picture from the sign-in provider, fetched and served by rejoinder
    (services/avatars.py), else its identicon. Readers' browsers never contact the provider."""
    return keyed_hash(secret, "identity", identity_id, length=20)


def identity_liker(secret: bytes, identity_id: str) -> str:
    """What the likes table keeps as the liker of a signed-in reader (distinct from any visitor hash)."""
    return keyed_hash(secret, "liker", "identity", identity_id, length=40)


def credential_label(profile: Profile) -> str:
    """How a credential is shown under "via PROVIDER": the handle, else the name, else the email; an
    email credential by its address."""
    if profile.kind is CredentialKind.EMAIL and profile.email:
        return profile.email
    return clean_display_name(
        profile.username or profile.name or profile.email, fallback=profile.subject[:40]
    )


def normalize_email(raw: str | None) -> str | None:
    """Addresses compare case-insensitively (RFC 5321 allows case-sensitive local parts; no provider uses them)."""
    if not raw:
        return None
    value = raw.strip().lower()
    return value if "@" in value and len(value) <= 254 else None


PICTURE_URL_MAX = 2048


def picture_url(raw: object) -> str | None:
    """A provider's picture claim as a URL worth keeping: an absolute http(s) URL without user info, else
    None. Whether it may be fetched (https, public address) is decided when it is fetched."""
    if not isinstance(raw, str) or not raw or len(raw) > PICTURE_URL_MAX or not raw.isprintable():
        return None
    try:
        parts = urlsplit(raw)
        parts.port  # noqa: B018  (raises ValueError for a bad port)
    except ValueError:
        return None
    if parts.scheme not in ("https", "http") or not parts.hostname or parts.username or parts.password:
        return None
    return raw


def sniff_image(head: bytes) -> str | None:
    """The media type of a PNG, JPEG, GIF or WebP file by its first bytes (never by what a server claims);
    None for anything else (SVG included: it can carry script)."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if len(head) >= 12 and head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "image/webp"
    return None
