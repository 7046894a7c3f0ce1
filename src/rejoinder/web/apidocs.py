"""The interactive API reference at /api/docs, served with a vendored Swagger UI (no CDN, works offline)."""

from __future__ import annotations

from pathlib import Path

from litestar import Response, get
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.params import FromPath

from rejoinder.errors import NotFound

ASSETS = Path(__file__).parent / "apidocs"
_TYPES = {".js": "text/javascript", ".css": "text/css"}
_FILES = {"swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "swagger-ui.css"}


def render_plugin() -> SwaggerRenderPlugin:
    return SwaggerRenderPlugin(
        js_url="/api/docs/assets/swagger-ui-bundle.js",
        css_url="/api/docs/assets/swagger-ui.css",
        standalone_preset_js_url="/api/docs/assets/swagger-ui-standalone-preset.js",
        path="/",
        favicon="<link rel='icon' href='data:,'>",  # the default loads an image from a CDN
    )


@get("/api/docs/assets/{name:str}", include_in_schema=False)
async def docs_asset(name: FromPath[str]) -> Response[bytes]:
    if name not in _FILES:
        raise NotFound("There is no such API reference asset", code="not-found")
    return Response(
        content=(ASSETS / name).read_bytes(),
        media_type=_TYPES[Path(name).suffix],
        headers={"Cache-Control": "public, max-age=86400"},
    )
