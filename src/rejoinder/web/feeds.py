"""GET /api/feeds/thread.atom and /api/feeds/site.atom: the newest public comments as Atom (RFC 4287).

Built with feedgen; revalidated like the thread read (ETag, `must-revalidate`), so that a feed reader polling
every few minutes costs a 304. Links are absolute with server.public_url; without it they are paths.
"""

from __future__ import annotations

import re
import zlib
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from feedgen.feed import FeedGenerator
from litestar import Request, Response, get
from litestar.di import NamedDependency
from litestar.params import FromQuery

from rejoinder.i18n import Translator, supported, translator
from rejoinder.services import feeds as service
from rejoinder.services.context import Context
from rejoinder.store.threads import ThreadRow
from rejoinder.web.cache import wants_gzip
from rejoinder.web.gzipjoin import ETAG_SUFFIX, compress
from rejoinder.web.params import THREAD, ThreadQuery
from rejoinder.web.wire import ctx_of, public_base

ATOM = "application/atom+xml"
# What XML 1.0 cannot hold (C0 controls but tab and newlines, surrogates, U+FFFE/U+FFFF). Reader text may
# contain them (they are harmless in JSON and HTML); a feed leaves them out.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    return _NOT_XML.sub("", text)


def _when(microseconds: int) -> datetime:
    return datetime.fromtimestamp(microseconds / 1_000_000, tz=UTC)


def page_href(base: str, thread: ThreadRow, site_name: str) -> str:
    """Where a thread is read: its article, else (a thread named only by key) the no-JS page."""
    if thread.uri:
        return thread.uri
    return f"{base}/thread?" + urlencode({"key": thread.key or "", "site": site_name})


def thread_feed_href(base: str, *, uri: str | None, key: str | None, site_name: str) -> str:
    """The URL of a thread's feed (the no-JS page links it as `alternate`)."""
    query = {"key": key, "site": site_name} if key is not None else {"url": uri or ""}
    return f"{base}/api/feeds/thread.atom?" + urlencode(query)


def site_feed_href(base: str, site_name: str) -> str:
    return f"{base}/api/feeds/site.atom?" + urlencode({"site": site_name})


def render(ctx: Context, feed: service.Feed, tr: Translator) -> bytes:
    base = public_base(ctx)
    site = feed.site.name
    fg = FeedGenerator()
    if feed.ref is not None:
        thread = feed.thread
        title = (thread.title if thread else None) or feed.ref.uri or feed.ref.key or site
        self_href = thread_feed_href(base, uri=feed.ref.uri, key=feed.ref.key, site_name=site)
        alternate = (
            page_href(base, thread, site)
            if thread
            else feed.ref.uri or f"{base}/thread?" + urlencode({"key": feed.ref.key or "", "site": site})
        )
        fg.title(xml_text(tr("feed.thread", title=title)))
    else:
        self_href = site_feed_href(base, site)
        alternate = next(iter(sorted(feed.site.origins)), self_href)
        fg.title(xml_text(tr("feed.site", site=site)))
    self_href, alternate = xml_text(self_href), xml_text(alternate)
    fg.id(self_href if base else f"urn:rejoinder:feed:{zlib.crc32(self_href.encode()):08x}:{site}")
    fg.link(href=alternate, rel="alternate", type="text/html")
    if base:  # a self link must be absolute to be of use
        fg.link(href=self_href, rel="self", type=ATOM)
    fg.language(tr.lang)
    fg.generator("rejoinder")
    newest = 0
    for item in feed.items:  # newest first, as the store returns them; feedgen keeps the order given
        comment, thread = item.comment, item.thread
        changed = comment.edited or comment.created
        newest = max(newest, changed)
        link = xml_text(f"{page_href(base, thread, site)}#comment-{comment.id}")
        name = xml_text(comment.author.name) or tr("someone")
        entry = fg.add_entry(order="append")
        entry.id(link)
        entry.title(
            xml_text(tr("feed.entry", name=name, title=thread.title or thread.uri or thread.key or site))
        )
        entry.link(href=link, rel="alternate", type="text/html")
        author: dict[str, str] = {"name": name}
        if comment.author.website:
            author["uri"] = xml_text(comment.author.website)
        entry.author(author)
        entry.published(_when(comment.created))
        entry.updated(_when(changed))
        entry.content(
            xml_text(comment.html), type="html"
        )  # sanitised when written (nh3); escaped again by XML
    fg.updated(_when(newest))
    body: bytes = fg.atom_str(pretty=False)
    return body


def feed_response(request: Request[Any, Any, Any], body: bytes) -> Response[bytes]:
    """The feed, or 304 when the reader has it; gzip when accepted; cached by a CDN like the thread read."""
    ctx = ctx_of(request)
    digest = f"{zlib.crc32(body):08x}{zlib.adler32(body):08x}{len(body):x}"
    use_gzip = wants_gzip(request.headers.get("accept-encoding", "").encode())
    etag = f'"{digest}{ETAG_SUFFIX}"' if use_gzip else f'"{digest}"'
    headers = {
        "ETag": etag,
        "Cache-Control": f"public, max-age=0, s-maxage={ctx.settings.cache.max_age}, must-revalidate",
        "Vary": "Accept-Encoding",
        "Access-Control-Allow-Origin": "*",
        "X-Content-Type-Options": "nosniff",
    }
    inm = request.headers.get("if-none-match", "")
    if etag in inm or inm.strip() == "*":
        return Response(content=b"", status_code=304, headers=headers, media_type=ATOM)
    if use_gzip:
        body = compress(body)
        headers["Content-Encoding"] = "gzip"
    return Response(content=body, status_code=200, headers=headers, media_type=f"{ATOM}; charset=utf-8")


def _tr(ctx: Context, lang: str | None) -> Translator:
    return translator(supported(lang) or ctx.settings.server.language)


@get(
    "/api/feeds/thread.atom",
    summary="A thread's feed (Atom)",
    tags=["feeds"],
    media_type=ATOM,
    dependencies=THREAD,
)
async def thread_feed(
    request: Request[Any, Any, Any],
    *,
    thread: NamedDependency[ThreadQuery],
    lang: FromQuery[str | None] = None,
) -> Response[bytes]:
    """The newest public comments of a thread (at most 50, newest first) as an Atom feed, named like the
    thread read (`url` or `key`, `site` when needed). Titles in the language of `lang`, else
    `server.language`. An article nobody commented on yet has an empty feed, not 404."""
    ctx = ctx_of(request)
    ref = await thread.resolve(ctx)
    feed = await service.thread_feed(ctx, ref)
    return feed_response(request, render(ctx, feed, _tr(ctx, lang)))


@get("/api/feeds/site.atom", summary="A site's feed (Atom)", tags=["feeds"], media_type=ATOM)
async def site_feed(
    request: Request[Any, Any, Any],
    site: FromQuery[str | None] = None,
    lang: FromQuery[str | None] = None,
) -> Response[bytes]:
    """The newest public comments across every article of a site (at most 50, newest first) as an Atom
    feed. `site` may be left out on a server with one site."""
    ctx = ctx_of(request)
    feed = await service.site_feed(ctx, site)
    return feed_response(request, render(ctx, feed, _tr(ctx, lang)))


ROUTES = [thread_feed, site_feed]
