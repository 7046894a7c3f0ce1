"""Readers and authors: opaque per-site author keys, visitor hashes, and the identicon."""

from __future__ import annotations

import hashlib
import hmac


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
    prefix = 24 if ip.version == 4 else 56
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))
