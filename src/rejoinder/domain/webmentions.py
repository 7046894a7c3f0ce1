"""Webmention (https://www.w3.org/TR/webmention/) as pure rules: checking a request's source and target,
reading a fetched source (does it link to the target; its microformats2 h-entry: author, content, kind),
finding a page's Webmention endpoint and the links of a comment. No I/O: the fetching is
services/webmention_http.py's, the use cases services/webmentions.py's."""

from __future__ import annotations

import enum
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import mf2py
import msgspec

from rejoinder.errors import WebmentionInvalid

MAX_URL = 2048


class WebmentionKind(enum.StrEnum):
    """What a source says about the target (its h-entry's property pointing at it)."""

    REPLY = "reply"  # in-reply-to: becomes a comment
    LIKE = "like"  # like-of: counts as a like of the article
    REPOST = "repost"  # repost-of: counts as a like of the article too
    MENTION = "mention"  # anything else that links to it: kept, not shown


class WebmentionState(enum.StrEnum):
    PENDING = "pending"  # received, not verified yet
    VERIFIED = "verified"  # the source links to the target; its comment or like exists
    REMOVED = "removed"  # the source answered 410 or no longer links: its comment or like was removed
    REFUSED = "refused"  # not taken: see `error` (blocked domain, too large, refused by moderation…)


class SendState(enum.StrEnum):
    PENDING = "pending"  # to send (or retrying)
    SENT = "sent"  # the endpoint accepted it (2xx)
    NO_ENDPOINT = "no-endpoint"  # the target advertises no endpoint: nothing to send
    FAILED = "failed"  # refused by the endpoint (4xx) or given up


def _http_url(raw: str) -> str | None:
    """`raw` stripped, if it is an absolute http(s) URL with a host that can be fetched; else None."""
    value = raw.strip()
    if len(value) > MAX_URL or any(c in value for c in ' <>"\\\n\r\t\x00'):
        return None
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 (raises on a bad port)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return value


def check_request(source: str | None, target: str | None) -> tuple[str, str]:
    """The source and target of a Webmention request, as given (stripped).

    Raises:
        WebmentionInvalid: source-missing/-invalid, target-missing/-invalid, or same-url (source == target).
    """
    if not (source or "").strip():
        raise WebmentionInvalid.field("source", "source-missing", "Give the source URL")
    if not (target or "").strip():
        raise WebmentionInvalid.field("target", "target-missing", "Give the target URL")
    src = _http_url(source or "")
    if src is None:
        raise WebmentionInvalid.field(
            "source", "source-invalid", "source must be an http:// or https:// URL with a host"
        )
    tgt = _http_url(target or "")
    if tgt is None:
        raise WebmentionInvalid.field(
            "target", "target-invalid", "target must be an http:// or https:// URL with a host"
        )
    if without_fragment(src) == without_fragment(tgt):
        raise WebmentionInvalid.field("source", "same-url", "The source and the target are the same URL")
    return src, tgt


def without_fragment(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", parts.query, ""))


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower().rstrip(".")


def domain_blocked(host: str, blocked: tuple[str, ...] | list[str]) -> bool:
    """True when `host` is a blocked domain or below one (`example.org` blocks `www.example.org`)."""
    host = host.lower().rstrip(".")
    for entry in blocked:
        domain = entry.strip().lower().lstrip("*.").rstrip(".")
        if domain and (host == domain or host.endswith("." + domain)):
            return True
    return False


# --- reading a source -------------------------------------------------------------------------------------


class _Links(HTMLParser):
    """Every URL an element points at (href, src…), resolved against the document's base."""

    ATTRS = frozenset({"href", "src", "cite", "data", "poster"})

    def __init__(self, base: str) -> None:
        super().__init__(convert_charrefs=True)
        self.base = base
        self.urls: list[str] = []
        self._based = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "base" and not self._based:
            href = dict(attrs).get("href")
            if href:
                self.base = urljoin(self.base, href.strip())
                self._based = True
            return
        for name, value in attrs:
            if name in self.ATTRS and value is not None:
                self.urls.append(urljoin(self.base, value.strip()))


def links_in(html: str, base: str) -> list[str]:
    parser = _Links(base)
    try:
        parser.feed(html)
        parser.close()
    except (AssertionError, ValueError):  # html.parser on hopeless markup: what was read so far counts
        pass
    return parser.urls


def links_to(body: str, base: str, target: str, *, html: bool) -> bool:
    """Whether the source links to the target (fragments aside): an element pointing at it in HTML, the
    URL itself in any other text (W3C Webmention 3.2.2)."""
    if not html:
        return target in body
    wanted = without_fragment(target)
    return any(without_fragment(url) == wanted for url in links_in(body, base) if url.startswith("http"))


class Entry(msgspec.Struct, frozen=True):
    """What a verified source says: the kind, and (when it has an h-entry) its author and text."""

    kind: WebmentionKind
    author_name: str | None = None
    author_url: str | None = None
    content: str | None = None
    title: str | None = None


def _first(props: dict[str, Any], name: str) -> Any:
    values = props.get(name) or []
    return values[0] if values else None


def _text(value: Any) -> str | None:
    if isinstance(value, dict):  # an embedded object or an e-* property: its plain-text value only
        value = value.get("value")
    if not isinstance(value, str):
        return None
    text = " ".join(value.split()) if "\n" not in value else value.strip()
    return text or None


def _urls(value: Any) -> list[str]:
    """The URLs of an u-* property value: a plain URL, or an embedded h-cite's url(s)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        found = [u for u in (value.get("properties", {}).get("url") or []) if isinstance(u, str)]
        if isinstance(value.get("value"), str):
            found.append(value["value"])
        return found
    return []


def _points_at(props: dict[str, Any], name: str, target: str) -> bool:
    wanted = without_fragment(target)
    for value in props.get(name) or []:
        for url in _urls(value):
            if url.startswith("http") and without_fragment(url) == wanted:
                return True
    return False


def _entries(items: list[Any]) -> list[dict[str, Any]]:
    """Every h-entry, the nested ones (children, an h-feed's) included, in document order."""
    found: list[dict[str, Any]] = []
    for item in items:
        if not isinstance(item, dict):
            continue
        if "h-entry" in (item.get("type") or []):
            found.append(item)
        found += _entries(item.get("children") or [])
    return found


def read_entry(html: str, base: str, target: str, source: str | None = None) -> Entry:
    """The microformats2 reading of a source that links to `target`: the first h-entry whose in-reply-to,
    like-of or repost-of names the target decides the kind (else the first h-entry, a mention); its author
    h-card gives the name and URL, its content (plain text only: nothing remote is taken as HTML) the text.
    When the `source` URL has a fragment and an h-entry's u-url is exactly it (one comment of a page of
    comments, as rejoinder's own thread page marks them), only that h-entry is read."""
    parsed = mf2py.parse(doc=html, url=base, html_parser="html5lib")
    entries = _entries(parsed.get("items") or [])
    if source and "#" in source:
        own = [
            e
            for e in entries
            if any(source in _urls(u) for u in (e.get("properties") or {}).get("url") or [])
        ]
        entries = own or entries
    chosen: dict[str, Any] | None = None
    kind = WebmentionKind.MENTION
    for entry in entries:
        props = entry.get("properties") or {}
        for prop, k in (
            ("in-reply-to", WebmentionKind.REPLY),
            ("like-of", WebmentionKind.LIKE),
            ("repost-of", WebmentionKind.REPOST),
        ):
            if _points_at(props, prop, target):
                chosen, kind = entry, k
                break
        if chosen is not None:
            break
    if chosen is None and entries:
        chosen = entries[0]
    if chosen is None:
        return Entry(kind=kind)
    props = chosen.get("properties") or {}
    author = _first(props, "author")
    name: str | None = None
    url: str | None = None
    if isinstance(author, dict):
        aprops = author.get("properties") or {}
        name = _text(_first(aprops, "name"))
        found = _first(aprops, "url")
        url = found if isinstance(found, str) else None
    elif isinstance(author, str):
        if author.startswith("http"):
            url = author
        else:
            name = _text(author)
    content = _text(_first(props, "content")) or _text(_first(props, "summary"))
    return Entry(
        kind=kind,
        author_name=name,
        author_url=url if url and url.startswith(("http://", "https://")) else None,
        content=content,
        title=_text(_first(props, "name")),
    )


def comment_text(entry: Entry, source: str, *, max_length: int) -> str:
    """The Markdown a reply's comment stores: the source's plain text (cut to fit), then a line naming the
    source site, linked. Rendered and sanitised like every comment (domain/text.py)."""
    site = host_of(source) or "the web"
    label = site.replace("[", "").replace("]", "")
    via = f"\n\n— via [{label}](<{source}>)"
    body = (entry.content or entry.title or "").strip()
    room = max_length - len(via)
    if len(body) > room:
        body = body[: max(0, room - 1)].rstrip() + "…"
    return (body or f"(a reply on {label})") + via


# --- sending: endpoint discovery and the links of a comment ----------------------------------------------


def _link_header_endpoints(header: str, base: str) -> list[str]:
    """`Link: <url>; rel="webmention"` values (RFC 8288), in order, resolved against `base`."""
    found: list[str] = []
    for part in _split_links(header):
        part = part.strip()
        if not part.startswith("<") or ">" not in part:
            continue
        url, _, params = part[1:].partition(">")
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip().lower() == "rel" and "webmention" in value.strip().strip('"').lower().split():
                found.append(urljoin(base, url.strip()))
                break
    return found


def _split_links(header: str) -> list[str]:
    """Split a Link header on the commas between links (not those inside <…> or quotes)."""
    parts: list[str] = []
    current: list[str] = []
    in_url = in_quote = False
    for char in header:
        if char == "<" and not in_quote:
            in_url = True
        elif char == ">" and not in_quote:
            in_url = False
        elif char == '"' and not in_url:
            in_quote = not in_quote
        if char == "," and not in_url and not in_quote:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


class _RelWebmention(HTMLParser):
    """The first <link> or <a> with rel=webmention in document order (W3C Webmention 3.1.2), the
    document's <base> honoured; an empty href is the page itself."""

    def __init__(self, base: str) -> None:
        super().__init__(convert_charrefs=True)
        self.base = base
        self.found: str | None = None
        self._based = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.found is not None:
            return
        values = dict(attrs)
        if tag == "base" and not self._based and values.get("href") is not None:
            self.base = urljoin(self.base, (values["href"] or "").strip())
            self._based = True
        elif tag in ("link", "a"):
            rels = (values.get("rel") or "").lower().split()
            href = values.get("href")
            if "webmention" in rels and href is not None:
                self.found = urljoin(self.base, href.strip())


def discover_endpoint(url: str, link_header: str | None, html: str | None) -> str | None:
    """The Webmention endpoint of the page at `url` (the last URL after redirects): the first from the
    HTTP Link header, else the first <link>/<a rel=webmention> of the HTML; None when there is none (or
    it is not http(s))."""
    candidates = _link_header_endpoints(link_header, url) if link_header else []
    if not candidates and html:
        parser = _RelWebmention(url)
        try:
            parser.feed(html)
            parser.close()
        except (AssertionError, ValueError):
            pass
        if parser.found is not None:
            candidates = [parser.found]
    for candidate in candidates:
        if urlsplit(candidate).scheme in ("http", "https"):
            return candidate
    return None


def outbound_links(html: str, *, own: tuple[str, ...] = ()) -> list[str]:
    """The distinct http(s) links of a rendered comment (its sanitised HTML), in order, without those to
    `own` origins (the site's own pages are not sent a Webmention from their own comments)."""
    seen: dict[str, None] = {}
    for url in links_in(html, "https://invalid.invalid/"):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or parts.hostname in (None, "invalid.invalid"):
            continue
        origin = f"{parts.scheme}://{parts.netloc}".lower()
        if origin in own or len(url) > MAX_URL:
            continue
        seen.setdefault(url, None)
    return list(seen)
