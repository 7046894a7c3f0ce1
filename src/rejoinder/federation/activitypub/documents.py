"""ActivityPub documents rejoinder serves (WebFinger, actors, NodeInfo, objects, activities) and reads
(remote actors, Notes), as plain dicts. Pure: URLs are built from the public base URL given, and nothing a
remote server sends is trusted as HTML (`note_text` keeps only its text, which domain/text.py renders)."""

from __future__ import annotations

import re
from html import escape
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote, urlsplit

import msgspec

AS = "https://www.w3.org/ns/activitystreams"
SECURITY = "https://w3id.org/security/v1"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
PUBLIC_ALIASES = frozenset({PUBLIC, "as:Public", "Public"})
ACTIVITY_JSON = "application/activity+json"
LD_JSON = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
JRD_JSON = "application/jrd+json"
NODEINFO_SCHEMA = "http://nodeinfo.diaspora.software/ns/schema/2.1"
MAX_NOTE_HTML = 100_000
_SPACES = re.compile(r"[ \t\r\f\v]+")


class DocumentInvalid(ValueError):
    """A remote document that lacks what rejoinder needs or has it in an unusable form."""


class Urls(msgspec.Struct, frozen=True):
    """Where a site actor's parts live, under the server's public base URL."""

    base: str
    site: str

    @property
    def actor(self) -> str:
        return f"{self.base}/ap/sites/{quote(self.site, safe='')}"

    @property
    def inbox(self) -> str:
        return f"{self.actor}/inbox"

    @property
    def outbox(self) -> str:
        return f"{self.actor}/outbox"

    @property
    def followers(self) -> str:
        return f"{self.actor}/followers"

    @property
    def key_id(self) -> str:
        return f"{self.actor}#main-key"

    @property
    def shared_inbox(self) -> str:
        return f"{self.base}/ap/inbox"

    def article(self, uri: str) -> str:
        return f"{self.actor}/article?url={quote(uri, safe='')}"

    def comment(self, comment_id: str) -> str:
        return f"{self.base}/ap/comments/{quote(comment_id, safe='')}"


def host_of(base: str) -> str:
    return urlsplit(base).netloc


def webfinger(urls: Urls) -> dict[str, Any]:
    return {
        "subject": f"acct:{urls.site}@{host_of(urls.base)}",
        "aliases": [urls.actor],
        "links": [{"rel": "self", "type": ACTIVITY_JSON, "href": urls.actor}],
    }


def actor(urls: Urls, *, public_pem: str, name: str, summary: str, url: str | None) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "@context": [AS, SECURITY],
        "id": urls.actor,
        "type": "Service",
        "preferredUsername": urls.site,
        "name": name,
        "summary": summary,
        "inbox": urls.inbox,
        "outbox": urls.outbox,
        "followers": urls.followers,
        "endpoints": {"sharedInbox": urls.shared_inbox},
        "manuallyApprovesFollowers": False,
        "discoverable": False,
        "publicKey": {"id": urls.key_id, "owner": urls.actor, "publicKeyPem": public_pem},
    }
    if url:
        doc["url"] = url
    return doc


def collection(id_: str, total: int) -> dict[str, Any]:
    """A collection that tells its size only (outbox and followers are not listed item by item)."""
    return {"@context": AS, "id": id_, "type": "OrderedCollection", "totalItems": total, "orderedItems": []}


def nodeinfo_links(base: str) -> dict[str, Any]:
    return {"links": [{"rel": NODEINFO_SCHEMA, "href": f"{base}/nodeinfo/2.1"}]}


def nodeinfo(version: str, *, sites: int, posts: int) -> dict[str, Any]:
    return {
        "version": "2.1",
        "software": {"name": "rejoinder", "version": version},
        "protocols": ["activitypub"],
        "services": {"inbound": [], "outbound": []},
        "openRegistrations": False,
        "usage": {"users": {"total": sites}, "localPosts": posts},
        "metadata": {},
    }


def article(
    urls: Urls, uri: str, *, title: str | None, replies: int, published: str | None
) -> dict[str, Any]:
    """The object a thread is: an Article that links the page and that the fediverse can reply to."""
    doc: dict[str, Any] = {
        "@context": AS,
        "id": urls.article(uri),
        "type": "Article",
        "attributedTo": urls.actor,
        "name": title or uri,
        "content": f'<p><a href="{_attr(uri)}">{_text(title or uri)}</a></p>',
        "url": uri,
        "to": [PUBLIC],
        "cc": [urls.followers],
        "replies": {"type": "Collection", "totalItems": replies},
    }
    if published:
        doc["published"] = published
    return doc


def note(
    urls: Urls,
    comment_id: str,
    *,
    html: str,
    author: str,
    in_reply_to: str,
    page: str | None,
    published: str,
    updated: str | None,
    mentions: list[str],
) -> dict[str, Any]:
    """A local comment as a Note from the site actor (it signs; `author` names the writer in the text)."""
    doc: dict[str, Any] = {
        "@context": AS,
        "id": urls.comment(comment_id),
        "type": "Note",
        "attributedTo": urls.actor,
        "inReplyTo": in_reply_to,
        "content": f"<p><strong>{_text(author)}</strong>:</p>{html}",
        "published": published,
        "to": [PUBLIC],
        "cc": [urls.followers, *mentions],
        "tag": [{"type": "Mention", "href": m} for m in mentions],
    }
    if page:
        doc["url"] = f"{page}#comment-{comment_id}"
    if updated:
        doc["updated"] = updated
    return doc


def wrap(
    urls: Urls, kind: str, obj: Any, *, id_: str, to: list[str], cc: list[str] | None = None
) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "@context": AS,
        "id": id_,
        "type": kind,
        "actor": urls.actor,
        "object": obj,
        "to": to,
    }
    if cc:
        doc["cc"] = cc
    return doc


def _text(value: str) -> str:
    return escape(value, quote=False)


def _attr(value: str) -> str:
    """`_text` with double quotes escaped too (single quotes stay: every attribute here is double-quoted)."""
    return _text(value).replace('"', "&quot;")


# --- reading what remote servers send --------------------------------------------------------------------


def id_of(value: Any) -> str | None:
    """The id of a link or embedded object (a string, or an object with `id` or `href`)."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        found = value.get("id") or value.get("href")
        return found if isinstance(found, str) else None
    return None


def http_url(value: Any, *, allow_http: bool) -> str | None:
    url = id_of(value)
    if not url or len(url) > 2048:
        return None
    parts = urlsplit(url)
    if parts.scheme not in (("https", "http") if allow_http else ("https",)) or not parts.hostname:
        return None
    return url


def first_url(value: Any, *, allow_http: bool, media: bool = False) -> str | None:
    """The first http(s) URL in a `url`/`icon` value (a string, a Link or Image, or a list of them)."""
    items = value if isinstance(value, list) else [value]
    for item in items[:10]:
        if isinstance(item, dict) and media and "url" in item:
            item = item["url"]
            if isinstance(item, list):
                item = item[0] if item else None
        found = http_url(item, allow_http=allow_http)
        if found:
            return found
    return None


class ActorDoc(msgspec.Struct, frozen=True):
    uri: str
    key_id: str
    public_pem: str
    inbox: str
    shared_inbox: str | None
    username: str
    name: str
    profile: str | None
    icon: str | None

    @property
    def domain(self) -> str:
        return (urlsplit(self.uri).hostname or "").lower()

    @property
    def handle(self) -> str:
        return f"@{self.username}@{self.domain}"


def read_actor(doc: Any, *, fetched_from: str, allow_http: bool) -> ActorDoc:
    """The parts of a remote actor document rejoinder uses; DocumentInvalid when one is missing."""
    if not isinstance(doc, dict):
        raise DocumentInvalid("not a JSON object")
    uri = http_url(doc.get("id"), allow_http=allow_http)
    if uri is None:
        raise DocumentInvalid("no usable id")
    if urlsplit(uri).netloc.lower() != urlsplit(fetched_from).netloc.lower():
        raise DocumentInvalid("the actor's id is on another host than the document")
    inbox = http_url(doc.get("inbox"), allow_http=allow_http)
    if inbox is None:
        raise DocumentInvalid("no inbox")
    endpoints = doc.get("endpoints")
    shared = (
        http_url(endpoints.get("sharedInbox"), allow_http=allow_http) if isinstance(endpoints, dict) else None
    )
    keys = doc.get("publicKey")
    keys = keys if isinstance(keys, list) else [keys]
    key_id = pem = None
    for key in keys[:5]:
        if isinstance(key, dict) and isinstance(key.get("publicKeyPem"), str):
            owner = id_of(key.get("owner")) or uri
            if owner != uri:
                continue
            key_id, pem = id_of(key), key["publicKeyPem"]
            break
    if not key_id or not pem or len(pem) > 10_000:
        raise DocumentInvalid("no public key")
    username = doc.get("preferredUsername")
    if not isinstance(username, str) or not username.strip():
        username = urlsplit(uri).path.rstrip("/").rsplit("/", 1)[-1] or "someone"
    username = _clean_line(username, 100)
    name = doc.get("name")
    name = _clean_line(name, 200) if isinstance(name, str) and name.strip() else username
    return ActorDoc(
        uri=uri,
        key_id=key_id,
        public_pem=pem,
        inbox=inbox,
        shared_inbox=shared,
        username=username,
        name=name,
        profile=first_url(doc.get("url"), allow_http=allow_http) or uri,
        icon=first_url(doc.get("icon"), allow_http=allow_http, media=True),
    )


def _clean_line(value: str, limit: int) -> str:
    text = "".join(ch for ch in value if ch.isprintable())
    return " ".join(text.split())[:limit]


class _Text(HTMLParser):
    """Collects the text of remote HTML: paragraphs and line breaks kept, every tag and attribute dropped."""

    BLOCKS = frozenset({"p", "div", "blockquote", "li", "pre", "h1", "h2", "h3", "h4", "h5", "h6"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.skip += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag in self.BLOCKS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.skip = max(0, self.skip - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def note_text(html: str) -> str:
    """The plain text of a remote Note's HTML content, for rejoinder's own Markdown rendering: Markdown
    punctuation is escaped, so that the text reads as the remote author wrote it."""
    parser = _Text()
    parser.feed(html[:MAX_NOTE_HTML])
    parser.close()
    raw = "".join(parser.parts)
    paragraphs = []
    for block in raw.split("\n\n"):
        lines = [_SPACES.sub(" ", line).strip() for line in block.split("\n")]
        lines = [_escape_markdown(line) for line in lines if line]
        if lines:
            paragraphs.append("  \n".join(lines))
    return "\n\n".join(paragraphs)


_MARKDOWN = re.compile(r"([\\`*_\[\]<>#|~])")
_LIST_START = re.compile(r"^(\d+)([.)])(\s)")


def _escape_markdown(line: str) -> str:
    line = _MARKDOWN.sub(r"\\\1", line)
    line = _LIST_START.sub(r"\1\\\2\3", line)
    if line[:1] in "-+=>":
        line = "\\" + line
    return line
