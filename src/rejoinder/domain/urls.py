"""Article URLs: validation and the normalisation that makes one thread per article."""

from __future__ import annotations

import unicodedata
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from rejoinder.errors import Invalid

TRACKING_PARAMS = {"fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid"}
DEFAULT_PORTS = {"http": 80, "https": 443}


def _is_tracking(name: str) -> bool:
    return name.lower().startswith("utm_") or name.lower() in TRACKING_PARAMS


def _bad_host(host: str) -> bool:
    """No host name holds spaces, controls, format characters (bidi overrides…) or quoting characters.
    Python's urlsplit lets them through; a browser would refuse the URL or read another host."""
    return not host or any(c in "<>\"'\\`" or unicodedata.category(c)[0] in "CZ" for c in host)


def check_text_field(value: str, field: str) -> None:
    """Refuse NUL bytes and lone surrogates, which no database or browser should receive."""
    if "\x00" in value:
        raise Invalid.field(field, "nul-byte", f"{field} must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise Invalid.field(
            field, "invalid-unicode", f"{field} contains an unpaired surrogate character"
        ) from None


def check_decoded(value: str, field: str) -> None:
    """Refuse U+FFFD in identifiers: it is what invalid UTF-8 in a query string decodes to."""
    if "\ufffd" in value:
        raise Invalid.field(field, "invalid-unicode", f"{field} contains bytes that are not valid UTF-8")


def normalize_url(raw: str, *, field: str = "url", max_length: int = 2048) -> str:
    """Canonical form of an article URL: lower-case scheme and host, no default port, no fragment,
    no tracking parameters; the rest of the query kept in its order.

    Raises:
        Invalid: not an absolute http(s) URL, or too long.
    """
    check_text_field(raw, field)
    check_decoded(raw, field)
    raw = raw.strip()
    if not raw:
        raise Invalid.field(field, "url-required", f"{field} is required")
    if len(raw) > max_length:
        raise Invalid.field(field, "url-too-long", f"{field} is longer than {max_length} characters")
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError:
        raise Invalid.field(field, "url-malformed", f"{field} is not a valid URL") from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise Invalid.field(field, "url-scheme", f"{field} must start with http:// or https://")
    host = (parts.hostname or "").lower()
    if _bad_host(host):
        raise Invalid.field(field, "url-malformed", f"{field} has no valid host name")
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    query = urlencode(
        [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)]
    )
    path = parts.path or "/"
    return urlunsplit((scheme, netloc, path, query, ""))


def origin_of(url: str) -> str:
    """`scheme://host[:port]` of an already normalised URL."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def normalize_origin(raw: str) -> str:
    """An allowed origin as a site lists it: `https://example.org` (no path)."""
    url = normalize_url(raw, field="origin")
    parts = urlsplit(url)
    if parts.path not in ("", "/") or parts.query:
        raise Invalid.field(
            "origin", "origin-malformed", "an origin has no path or query: https://example.org"
        )
    return f"{parts.scheme}://{parts.netloc}"


def check_website(raw: str, *, max_length: int = 2048) -> str:
    """A commenter's website: http(s) only; returned as given (trimmed), or raises Invalid."""
    check_text_field(raw, "author.website")
    value = raw.strip()
    if len(value) > max_length:
        raise Invalid.field(
            "author.website", "website-too-long", f"website is longer than {max_length} characters"
        )
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        raise Invalid.field("author.website", "website-malformed", "website is not a valid URL") from None
    if parts.scheme.lower() not in DEFAULT_PORTS:
        raise Invalid.field(
            "author.website", "website-scheme", "website must be an http:// or https:// address"
        )
    host = parts.hostname or ""
    if _bad_host(host) or any(c in value for c in " <>\"'\\`\n\r\t"):
        raise Invalid.field("author.website", "website-malformed", "website is not a valid URL")
    return value
