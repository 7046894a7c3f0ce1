"""Article URLs: validation and the normalisation that makes one thread per article; commenters' websites."""

from __future__ import annotations

import ipaddress
import unicodedata
from collections.abc import Iterable
from functools import cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import idna

from rejoinder.errors import Invalid, UrlRequired

TRACKING_PARAMS = ("utm_*", "fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid")
# Query parameters that carry a secret when a reader lands on an article from a sign-in, a password reset or
# a session-in-URL site (OAuth's code/state, implicit-flow tokens, CAS tickets, PHP/Java session ids). Kept
# in a thread's URL they would be public in the API and the admin. `key`, `id`, `p` and `page` are left
# alone: sites commonly name articles with them.
CREDENTIAL_PARAMS = (
    "code",
    "state",
    "access_token",
    "id_token",
    "refresh_token",
    "token",
    "auth",
    "auth_token",
    "session",
    "sessionid",
    "session_id",
    "sid",
    "phpsessid",
    "jsessionid",
    "password",
    "passwd",
    "pwd",
    "api_key",
    "apikey",
    "client_secret",
    "secret",
    "ticket",
)
DROPPED_PARAMS = TRACKING_PARAMS + CREDENTIAL_PARAMS  # the default of comments.drop_query_params
DEFAULT_PORTS = {"http": 80, "https": 443}


class QueryFilter:
    """Which query parameters an article URL loses: names matched case-insensitively, a trailing `*`
    matching any name with that prefix (`utm_*`)."""

    __slots__ = ("exact", "prefixes")

    def __init__(self, names: Iterable[str]) -> None:
        lowered = [n.strip().lower() for n in names if n.strip()]
        self.exact = frozenset(n for n in lowered if not n.endswith("*"))
        self.prefixes = tuple(n[:-1] for n in lowered if n.endswith("*"))

    def drops(self, name: str) -> bool:
        lowered = name.lower()
        return lowered in self.exact or lowered.startswith(self.prefixes)


@cache
def query_filter(names: tuple[str, ...]) -> QueryFilter:
    """The filter for a configured list (built once per list)."""
    return QueryFilter(names)


DEFAULT_QUERY_FILTER = query_filter(DROPPED_PARAMS)


def check_param_pattern(name: str) -> bool:
    """A usable entry of comments.drop_query_params: a non-empty name, `*` only at its end."""
    stem = name.removesuffix("*")
    return bool(stem) and "*" not in stem and stem.isprintable() and not any(c in stem for c in " &=#?")


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


def normalize_url(
    raw: str, *, field: str = "url", max_length: int = 2048, drop: QueryFilter = DEFAULT_QUERY_FILTER
) -> str:
    """Canonical form of an article URL: lower-case scheme and host, no default port, no fragment, none
    of the parameters `drop` names (tracking and credentials by default: comments.drop_query_params);
    the rest of the query kept in its order.

    Raises:
        Invalid: not an absolute http(s) URL, or too long.
    """
    check_text_field(raw, field)
    check_decoded(raw, field)
    raw = raw.strip()
    if not raw:
        raise UrlRequired.at(field, f"{field} is required")
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
        [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not drop.drops(k)]
    )
    path = parts.path or "/"
    return urlunsplit((scheme, netloc, path, query, ""))


def origin_of(url: str) -> str:
    """`scheme://host[:port]` of an already normalised URL."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")


def is_loopback(host: str) -> bool:
    """Whether a listening address reaches this machine only (`localhost`, 127.0.0.0/8, ::1)."""
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: whatever it resolves to, it may be public


@cache
def own_origins(public_url: str, host: str, port: int) -> frozenset[str]:
    """The origins of rejoinder's own pages, from configuration only (never from a request's Host header,
    which any client chooses and a TLS-terminating proxy changes): the origin of `server.public_url`; without
    one, the address it listens on, and on a loopback address the other names of this machine."""
    if public_url:
        return frozenset({origin_of(normalize_url(public_url, field="server.public_url"))})
    hosts = {host, *LOOPBACK_NAMES} if is_loopback(host) else {host}
    return frozenset(f"http://[{h}]:{port}" if ":" in h else f"http://{h}:{port}" for h in hosts)


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
    """A commenter's website, http(s) only, in the form it is stored and linked: lower-case scheme and
    host, an international host name in its ASCII (punycode) form, no user name or password, no default
    port; path, query and fragment as typed.

    Raises:
        Invalid: not an http(s) URL with a valid host, or too long.
    """
    check_text_field(raw, "author.website")
    value = raw.strip()
    if len(value) > max_length:
        raise Invalid.field(
            "author.website", "website-too-long", f"website is longer than {max_length} characters"
        )
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        raise Invalid.field("author.website", "website-malformed", "website is not a valid URL") from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise Invalid.field(
            "author.website", "website-scheme", "website must be an http:// or https:// address"
        )
    host = parts.hostname or ""
    if _bad_host(host) or any(c in value for c in " <>\"'\\`\n\r\t"):
        raise Invalid.field("author.website", "website-malformed", "website is not a valid URL")
    host = _ascii_host(host)
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != DEFAULT_PORTS[scheme]:
        netloc = f"{netloc}:{port}"
    website = urlunsplit((scheme, netloc, parts.path, parts.query, parts.fragment))
    if len(website) > max_length:
        raise Invalid.field(
            "author.website", "website-too-long", f"website is longer than {max_length} characters"
        )
    return website


def _ascii_host(host: str) -> str:
    """A host name in lower case, an international one as browsers send it (UTS #46, punycode), so that a
    look-alike name shows as what it is (`xn--…`) wherever the website is displayed."""
    if host.isascii():
        return host.lower()
    try:
        return idna.encode(host, uts46=True).decode("ascii")
    except idna.IDNAError:
        raise Invalid.field(
            "author.website", "website-malformed", "website's host name is not a valid domain name"
        ) from None
