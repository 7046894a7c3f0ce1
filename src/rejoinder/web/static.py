"""Every static file rejoinder serves, read once from the package and served with ETags, 304s, gzip and
cache headers. The widget: /embed.js, /embed.css, /count.js (also at content-hashed URLs such as
/embed.1a2b3c4d5e6f.js), the parts embed.js loads when a reader needs them (/embed-<part>.<hash>.js, at
their hashed URLs only), /locales/<lang>.json and /locales/<lang>.errors.json,
and the sign-in buttons' icons (/auth/icons/<name>.svg). The server pages' files (rejoinder/static/):
/static/noscript.css, /static/demo.css, /static/handback.js, /static/passkey.js, /admin/static/admin.css and
/admin/static/admin.js, which pages name with `href()` (`?v=<hash>`: cached for a year; without it, or with an
old hash, revalidated after minutes).

Every one of them lives in one tree, rejoinder/static/: widget/ (the built widget), locales/, icons/, pages/
(no-JS, demo and sign-in pages) and admin/. The widget's scripts and stylesheets are built by
scripts/build-widget (esbuild, from rejoinder/widget/src/) into static/widget/, which is committed: the
server serves those bytes as they are. The plain URLs revalidate
after a few minutes; the hashed ones never change and are cached for a year. embed.js names the hashed
stylesheet and parts, so a release reaches readers as soon as /embed.js revalidates. It renders nothing.
"""

from __future__ import annotations

import gzip
import hashlib
import re
import zlib
from pathlib import Path
from typing import Any

import msgspec
from litestar import Request, Response, get
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath, FromQuery

from rejoinder.errors import NotFound
from rejoinder.i18n import LANGUAGES, LOCALES_DIR, errors_part, widget_part
from rejoinder.web.cache import wants_gzip

PACKAGE = Path(__file__).resolve().parent.parent
STATIC = PACKAGE / "static"  # the one tree of every file served as it is
BUILT = STATIC / "widget"  # what scripts/build-widget makes of rejoinder/widget/src (committed)
ICONS_DIR = STATIC / "icons"
SHORT = "public, max-age=300, stale-while-revalidate=86400"
PAGE_SHORT = "public, max-age=300"  # a page file at its plain URL, or with an old `?v=`
IMMUTABLE = "public, max-age=31536000, immutable"
LOCALE_CACHE = "public, max-age=3600, stale-while-revalidate=86400"
_ICON = re.compile(r"^([a-z0-9-]{1,40})\.svg$")
_LOCALE = re.compile(r"^([a-z]{2,3}(?:-[a-z0-9]{2,8})?)(\.errors)?\.json$")
_PART = re.compile(r"^embed-([a-z]+)\.([0-9a-f]{12})\.(js|css)$")
_TYPES = {"js": "text/javascript", "css": "text/css"}
# A page file's public URL → its path under rejoinder/static/ (docs/embedding.md and the pages link these).
PAGE_FILES = {
    "/static/noscript.css": "pages/noscript.css",
    "/static/demo.css": "pages/demo.css",
    "/static/handback.js": "pages/handback.js",
    "/static/passkey.js": "pages/passkey.js",
    "/admin/static/admin.css": "admin/admin.css",
    "/admin/static/admin.js": "admin/admin.js",
}
ENTRY_FILES = ("embed.js", "embed.css", "count.js")


class Asset(msgspec.Struct, frozen=True):
    body: bytes
    gzip_body: bytes
    digest: str
    media_type: str


def make_asset(body: bytes, media_type: str, *, gzipped: bytes | None = None) -> Asset:
    """`gzipped`: the file's build-time gzip (scripts/precompress.py), used when it is the same content."""
    if gzipped is None or not _same(gzipped, body):
        gzipped = gzip.compress(body, compresslevel=9, mtime=0)
    return Asset(
        body=body, gzip_body=gzipped, digest=hashlib.sha256(body).hexdigest()[:12], media_type=media_type
    )


def _same(gzipped: bytes, body: bytes) -> bool:
    try:
        return gzip.decompress(gzipped) == body
    except (OSError, EOFError, zlib.error):
        return False


def _built(path: Path, media_type: str) -> Asset:
    """A built widget file, with its precompressed `.gz` when there is one."""
    pre = path.with_name(path.name + ".gz")
    return make_asset(path.read_bytes(), media_type, gzipped=pre.read_bytes() if pre.is_file() else None)


def load_assets(dist: Path = BUILT) -> dict[str, Asset]:
    """The built files by name: embed.js, embed.css, count.js and the parts (`embed-write.<hash>.js`, …).
    A part's name carries its digest, and embed.js names the hashed stylesheet; a build that breaks either
    is refused at start rather than served."""
    assets: dict[str, Asset] = {}
    for name in ENTRY_FILES:
        assets[name] = _built(dist / name, _TYPES[name.rpartition(".")[2]])
    for path in sorted(p for p in dist.glob("embed-*") if p.suffix != ".gz"):
        match = _PART.match(path.name)
        if match is None:
            raise RuntimeError(
                f"{path} is not a widget part (embed-<part>.<hash>.js|css); run scripts/build-widget"
            )
        asset = _built(path, _TYPES[match.group(3)])
        if asset.digest != match.group(2):
            raise RuntimeError(f"{path.name} does not match its content; run scripts/build-widget")
        assets[path.name] = asset
    embed = assets["embed.js"].body
    for name in [f"embed.{assets['embed.css'].digest}.css", *(n for n in assets if n.startswith("embed-"))]:
        if f'"/{name}"'.encode() not in embed:
            raise RuntimeError(f"embed.js does not name /{name}; run scripts/build-widget")
    return assets


def load_locales(locales_dir: Path = LOCALES_DIR) -> tuple[dict[str, Asset], dict[str, Asset]]:
    """The widget's parts of each supported language's file (the `server` section stays on the server): the
    words it paints with, and the error texts it fetches after its first paint."""
    locales, errors = {}, {}
    for lang in sorted(LANGUAGES):
        data = msgspec.json.decode((locales_dir / f"{lang}.json").read_bytes())
        locales[lang] = make_asset(msgspec.json.encode(widget_part(data)), "application/json")
        errors[lang] = make_asset(msgspec.json.encode(errors_part(data)), "application/json")
    return locales, errors


def load_icons(icons_dir: Path = ICONS_DIR) -> dict[str, Asset]:
    return {p.stem: make_asset(p.read_bytes(), "image/svg+xml") for p in sorted(icons_dir.glob("*.svg"))}


def load_page_files(static: Path = STATIC) -> dict[str, Asset]:
    """The server pages' files by public URL."""
    return {
        url: make_asset((static / name).read_bytes(), _TYPES[name.rpartition(".")[2]])
        for url, name in PAGE_FILES.items()
    }


# The package's files do not change while a server runs, so they are read (and hashed) once.
ASSETS = load_assets()
LOCALES, LOCALE_ERRORS = load_locales()
ICONS = load_icons()
PAGE_ASSETS = load_page_files()


def href(url: str, base: str = "") -> str:
    """The URL a page links a page file by (`/static/noscript.css` → `/static/noscript.css?v=<hash>`)."""
    return f"{base}{url}?v={PAGE_ASSETS[url].digest}"


def hashed_path(name: str) -> str:
    """The immutable URL path of an asset: `embed.js` → `/embed.<digest>.js`; a part's name is already
    hashed (`/embed-write.<digest>.js`)."""
    if name.startswith("embed-"):
        return f"/{name}"
    stem, _, ext = name.rpartition(".")
    return f"/{stem}.{ASSETS[name].digest}.{ext}"


def serve(
    request: Request[Any, Any, Any], asset: Asset, cache_control: str, *, cross_origin: bool = True
) -> Response[bytes]:
    """One file: 304 when If-None-Match names its ETag, gzip when the client takes it. `cross_origin`: the
    widget's files are loaded by articles on other origins; the server pages' files only by those pages."""
    use_gzip = wants_gzip(request.headers.get("accept-encoding", "").encode())
    etag = f'"{asset.digest}-gz"' if use_gzip else f'"{asset.digest}"'
    headers = {"Cache-Control": cache_control, "ETag": etag, "Vary": "Accept-Encoding"}
    if cross_origin:
        headers["Access-Control-Allow-Origin"] = "*"
        headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    headers["X-Content-Type-Options"] = "nosniff"
    inm = request.headers.get("if-none-match", "")
    if inm and (etag in inm or inm.strip() == "*"):
        return Response(content=b"", status_code=304, headers=headers, media_type=asset.media_type)
    if use_gzip:
        headers["Content-Encoding"] = "gzip"
    return Response(
        content=asset.gzip_body if use_gzip else asset.body, headers=headers, media_type=asset.media_type
    )


@get("/locales/{name:str}", include_in_schema=False)
async def locale(request: Request[Any, Any, Any], name: FromPath[str]) -> Response[bytes]:
    """A widget translation (`/locales/de.json`; the widget has English built in), or its error texts
    (`/locales/de.errors.json`)."""
    match = _LOCALE.match(name)
    if match is None or match.group(1) not in LOCALES:
        raise NotFound(
            f"There is no widget translation at /locales/{name}; available: "
            + ", ".join(f"{lang}.json" for lang in LOCALES),
            code="locale-not-found",
        )
    return serve(request, (LOCALE_ERRORS if match.group(2) else LOCALES)[match.group(1)], LOCALE_CACHE)


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


@get(["/static/{name:str}", "/admin/static/{name:str}"], include_in_schema=False)
async def page_file(request: Request[Any, Any, Any], v: FromQuery[str | None] = None) -> Response[bytes]:
    """A file of the no-JS pages, the demo, the sign-in pages or /admin (files, so that a strict CSP allows
    them): cached for a year at the `?v=` its pages name, else revalidated after minutes."""
    asset = PAGE_ASSETS.get(request.url.path)
    if asset is None:
        raise NotFound(f"There is no file at {request.url.path}", code="not-found")
    return serve(request, asset, IMMUTABLE if v == asset.digest else PAGE_SHORT, cross_origin=False)


def file_handler(path: str, name: str, cache_control: str) -> HTTPRouteHandler:
    """The route of one built file at one URL: an entry file at its plain or hashed URL, a lazily loaded
    part at its hashed URL only (embed.js asks for exactly that one)."""

    async def built_file(request: Request[Any, Any, Any]) -> Response[bytes]:
        return serve(request, ASSETS[name], cache_control)

    return get(path, include_in_schema=False, name=f"widget-{path}")(built_file)


HANDLERS: list[Any] = [
    *(file_handler(f"/{name}", name, SHORT) for name in ENTRY_FILES),
    *(file_handler(hashed_path(name), name, IMMUTABLE) for name in ENTRY_FILES),
    *(file_handler(f"/{name}", name, IMMUTABLE) for name in ASSETS if name.startswith("embed-")),
    locale,
    icon,
    page_file,
]
