"""The widget's static files: /embed.js, /embed.css, /count.js (also at content-hashed URLs such as
/embed.1a2b3c4d5e6f.js), the parts embed.js loads when a reader needs them (/embed-<part>.<hash>.js and
/embed-forms.<hash>.css, at their hashed URLs only), /locales/<lang>.json and the sign-in buttons' icons
(/auth/icons/<name>.svg). Read once from the package, served with ETags and gzip.

The scripts and stylesheets are built by scripts/build-widget (esbuild, from widget/src/) into
widget/dist/, which is committed: the server serves those bytes as they are. The plain URLs revalidate
after a few minutes; the hashed ones never change and are cached for a year. embed.js names the hashed
stylesheet and parts, so a release reaches readers as soon as /embed.js revalidates.
"""

from __future__ import annotations

import gzip
import hashlib
import re
from pathlib import Path
from typing import Any

import msgspec
from litestar import Request, Response, get
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath

from rejoinder.errors import NotFound
from rejoinder.i18n import LANGUAGES, widget_part
from rejoinder.web.cache import wants_gzip

WIDGET = Path(__file__).resolve().parent.parent / "widget"
STATIC = WIDGET / "static"
DIST = WIDGET / "dist"
SHORT = "public, max-age=300, stale-while-revalidate=86400"
IMMUTABLE = "public, max-age=31536000, immutable"
LOCALE_CACHE = "public, max-age=3600, stale-while-revalidate=86400"
_ICON = re.compile(r"^([a-z0-9-]{1,40})\.svg$")
_LOCALE = re.compile(r"^([a-z]{2,3}(?:-[a-z0-9]{2,8})?)\.json$")
_PART = re.compile(r"^embed-([a-z]+)\.([0-9a-f]{12})\.(js|css)$")
_TYPES = {"js": "text/javascript", "css": "text/css"}
ENTRY_FILES = ("embed.js", "embed.css", "count.js")


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


def load_assets(dist: Path = DIST) -> dict[str, Asset]:
    """The built files by name: embed.js, embed.css, count.js and the parts (`embed-write.<hash>.js`,
    `embed-forms.<hash>.css`, …). A part's name carries its digest, and embed.js names the hashed
    stylesheet; a build that breaks either is refused at start rather than served."""
    assets: dict[str, Asset] = {}
    for name in ENTRY_FILES:
        assets[name] = make_asset((dist / name).read_bytes(), _TYPES[name.rpartition(".")[2]])
    for path in sorted(dist.glob("embed-*")):
        match = _PART.match(path.name)
        if match is None:
            raise RuntimeError(
                f"{path} is not a widget part (embed-<part>.<hash>.js|css); run scripts/build-widget"
            )
        asset = make_asset(path.read_bytes(), _TYPES[match.group(3)])
        if asset.digest != match.group(2):
            raise RuntimeError(f"{path.name} does not match its content; run scripts/build-widget")
        assets[path.name] = asset
    embed = assets["embed.js"].body
    for name in [f"embed.{assets['embed.css'].digest}.css", *(n for n in assets if n.startswith("embed-"))]:
        if f'"/{name}"'.encode() not in embed:
            raise RuntimeError(f"embed.js does not name /{name}; run scripts/build-widget")
    return assets


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
    """The immutable URL path of an asset: `embed.js` → `/embed.<digest>.js`; a part's name is already
    hashed (`/embed-write.<digest>.js`)."""
    if name.startswith("embed-"):
        return f"/{name}"
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


def part_handler(name: str) -> HTTPRouteHandler:
    """The route of one lazily loaded part, at its hashed URL only (embed.js asks for exactly that one)."""

    async def part(request: Request[Any, Any, Any]) -> Response[bytes]:
        return serve(request, ASSETS[name], IMMUTABLE)

    return get(f"/{name}", include_in_schema=False, name=f"widget-{name}")(part)


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
HANDLERS += [part_handler(name) for name in ASSETS if name.startswith("embed-")]
