"""The widget's static files: /embed.js, /embed.css, /count.js (also at content-hashed URLs such as
/embed.1a2b3c4d5e6f.js), /locales/<lang>.json and the sign-in buttons' icons (/auth/icons/<name>.svg).
Read once from the package, minified (rJSmin, rCSSmin), served with ETags and gzip.

The plain URLs revalidate after a few minutes; the hashed ones never change and are cached for a year.
embed.js names the hashed stylesheet, so a release reaches readers as soon as /embed.js revalidates.
"""

from __future__ import annotations

import gzip
import hashlib
import re
from pathlib import Path
from typing import Any

import msgspec
import rcssmin
import rjsmin
from litestar import Request, Response, get
from litestar.params import FromPath

from rejoinder.errors import NotFound
from rejoinder.i18n import LANGUAGES, widget_part
from rejoinder.web.cache import wants_gzip

STATIC = Path(__file__).resolve().parent.parent / "widget" / "static"
SHORT = "public, max-age=300, stale-while-revalidate=86400"
IMMUTABLE = "public, max-age=31536000, immutable"
LOCALE_CACHE = "public, max-age=3600, stale-while-revalidate=86400"
_ICON = re.compile(r"^([a-z0-9-]{1,40})\.svg$")
_LOCALE = re.compile(r"^([a-z]{2,3}(?:-[a-z0-9]{2,8})?)\.json$")
_TYPES = {".js": "text/javascript", ".css": "text/css"}


class Asset(msgspec.Struct, frozen=True):
    body: bytes
    gzip_body: bytes
    digest: str
    media_type: str


def make_asset(body: bytes, media_type: str) -> Asset:
    return Asset(
        body=body,
        gzip_body=gzip.compress(body, compresslevel=9, mtime=0),
        digest=hashlib.sha256(body).hexdigest()[:12],
        media_type=media_type,
    )


# What readers need not download: comments and white space. rJSmin and rCSSmin (maintained minifiers that
# run at load time, no build step) remove them and nothing else: names and code stay as written, so a
# stack trace still reads like the source. The package keeps the commented source; the browser tests
# run the minified file. The stylesheet's URL is rewritten before minifying, where the source spells it.
_CSS_MARKER = b'const CSS = "/embed.css";'
# count.js's table of "N Responses", filled from the locale files (one line per language: i18n.LANGUAGES).
_WORDS_MARKER = b"const WORDS = {};"


def minify_js(source: bytes) -> bytes:
    """A script as served: rJSmin's output (comments and white space that ASI does not need removed)."""
    return bytes(rjsmin.jsmin(source.decode("utf-8")).encode("utf-8"))


def minify_css(source: bytes) -> bytes:
    """A stylesheet as served: rCSSmin's output (comments and white space removed)."""
    return bytes(rcssmin.cssmin(source.decode("utf-8")).encode("utf-8"))


def load_assets(static: Path = STATIC) -> dict[str, Asset]:
    """embed.css, embed.js (pointing at the hashed stylesheet) and count.js, by file name."""
    css = make_asset(minify_css((static / "embed.css").read_bytes()), _TYPES[".css"])
    js = (static / "embed.js").read_bytes()
    if _CSS_MARKER not in js:
        raise RuntimeError("embed.js no longer declares its stylesheet as expected; update web/widget.py")
    js = js.replace(_CSS_MARKER, f'const CSS = "/embed.{css.digest}.css";'.encode(), 1)
    return {
        "embed.css": css,
        "embed.js": make_asset(minify_js(js), _TYPES[".js"]),
        "count.js": make_asset(minify_js(count_source(static)), _TYPES[".js"]),
    }


def count_source(static: Path = STATIC) -> bytes:
    """count.js with the `responses` plural entry of every supported language written into it."""
    source = (static / "count.js").read_bytes()
    if _WORDS_MARKER not in source:
        raise RuntimeError("count.js no longer declares its words as expected; update web/widget.py")
    words = {
        lang: msgspec.json.decode((static / "locales" / f"{lang}.json").read_bytes())["responses"]
        for lang in LANGUAGES
    }
    return source.replace(_WORDS_MARKER, b"const WORDS = " + msgspec.json.encode(words) + b";", 1)


def load_locales(static: Path = STATIC) -> dict[str, Asset]:
    """The widget's part of each supported language's file (the `server` section stays on the server)."""
    locales = {}
    for lang in sorted(LANGUAGES):
        data = msgspec.json.decode((static / "locales" / f"{lang}.json").read_bytes())
        locales[lang] = make_asset(msgspec.json.encode(widget_part(data)), "application/json")
    return locales


def load_icons(static: Path = STATIC) -> dict[str, Asset]:
    return {
        p.stem: make_asset(p.read_bytes(), "image/svg+xml") for p in sorted((static / "icons").glob("*.svg"))
    }


# The package's files do not change while a server runs, so they are read (and hashed) once.
ASSETS = load_assets()
LOCALES = load_locales()
ICONS = load_icons()


def hashed_path(name: str) -> str:
    """The immutable URL path of an asset: `embed.js` → `/embed.<digest>.js`."""
    stem, _, ext = name.rpartition(".")
    return f"/{stem}.{ASSETS[name].digest}.{ext}"


def serve(request: Request[Any, Any, Any], asset: Asset, cache_control: str) -> Response[bytes]:
    use_gzip = wants_gzip(request.headers.get("accept-encoding", "").encode())
    etag = f'"{asset.digest}-gz"' if use_gzip else f'"{asset.digest}"'
    headers = {
        "Cache-Control": cache_control,
        "ETag": etag,
        "Vary": "Accept-Encoding",
        "Access-Control-Allow-Origin": "*",
        "Cross-Origin-Resource-Policy": "cross-origin",
        "X-Content-Type-Options": "nosniff",
    }
    inm = request.headers.get("if-none-match", "")
    if inm and (etag in inm or inm.strip() == "*"):
        return Response(content=b"", status_code=304, headers=headers, media_type=asset.media_type)
    if use_gzip:
        headers["Content-Encoding"] = "gzip"
    return Response(
        content=asset.gzip_body if use_gzip else asset.body, headers=headers, media_type=asset.media_type
    )


@get("/embed.js", include_in_schema=False)
async def embed_js(request: Request[Any, Any, Any]) -> Response[bytes]:
    return serve(request, ASSETS["embed.js"], SHORT)


@get(hashed_path("embed.js"), include_in_schema=False)
async def embed_js_hashed(request: Request[Any, Any, Any]) -> Response[bytes]:
    return serve(request, ASSETS["embed.js"], IMMUTABLE)


@get("/embed.css", include_in_schema=False)
async def embed_css(request: Request[Any, Any, Any]) -> Response[bytes]:
    return serve(request, ASSETS["embed.css"], SHORT)


@get(hashed_path("embed.css"), include_in_schema=False)
async def embed_css_hashed(request: Request[Any, Any, Any]) -> Response[bytes]:
    return serve(request, ASSETS["embed.css"], IMMUTABLE)


@get("/count.js", include_in_schema=False)
async def count_js(request: Request[Any, Any, Any]) -> Response[bytes]:
    return serve(request, ASSETS["count.js"], SHORT)


@get(hashed_path("count.js"), include_in_schema=False)
async def count_js_hashed(request: Request[Any, Any, Any]) -> Response[bytes]:
    return serve(request, ASSETS["count.js"], IMMUTABLE)


@get("/locales/{name:str}", include_in_schema=False)
async def locale(request: Request[Any, Any, Any], name: FromPath[str]) -> Response[bytes]:
    """A widget translation (`/locales/de.json`); the widget has English built in."""
    match = _LOCALE.match(name)
    if match is None or match.group(1) not in LOCALES:
        raise NotFound(
            f"There is no widget translation at /locales/{name}; available: "
            + ", ".join(f"{lang}.json" for lang in LOCALES),
            code="locale-not-found",
        )
    return serve(request, LOCALES[match.group(1)], LOCALE_CACHE)


@get("/auth/icons/{name:str}", include_in_schema=False)
async def icon(request: Request[Any, Any, Any], name: FromPath[str]) -> Response[bytes]:
    """A sign-in button's icon (`icon` of GET /api/auth/providers). A provider whose configured icon has
    no drawing here gets the generic one rather than a broken image."""
    match = _ICON.match(name)
    if match is None:
        raise NotFound(
            f"There is no icon at /auth/icons/{name}: icons are /auth/icons/<name>.svg", code="icon-not-found"
        )
    return serve(request, ICONS.get(match.group(1), ICONS["generic"]), LOCALE_CACHE)


HANDLERS: list[Any] = [
    embed_js,
    embed_js_hashed,
    embed_css,
    embed_css_hashed,
    count_js,
    count_js_hashed,
    locale,
    icon,
]
