"""The interactive API reference at /api/docs, served with a vendored Swagger UI (no CDN, works offline).

The page has no inline script (its CSP, web/headers.py, allows scripts from this origin only): Swagger UI is
started by `init.js`, which reads /api/openapi.json. There is no OAuth2 redirect page: nothing here uses it.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from litestar import Request, Response, Router, get
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.params import FromPath

from rejoinder.errors import NotFound

ASSETS = Path(__file__).parent / "apidocs"
_TYPES = {".js": "text/javascript", ".css": "text/css"}
_FILES = {"swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "swagger-ui.css", "init.js"}


class DocsPage(SwaggerRenderPlugin):
    """Litestar's Swagger UI page without its inline script and style, and without the OAuth2 page."""

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        title = html.escape(str(openapi_schema["info"]["title"]))
        return (
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{title}</title>{self.favicon}"
            f'<link href="{self.css_url}" rel="stylesheet">'
            f'<script src="{self.js_url}" defer></script>'
            f'<script src="{self.standalone_preset_js_url}" defer></script>'
            '<script src="/api/docs/assets/init.js" defer></script>'
            '</head><body><div id="swagger-container"></div></body></html>'
        ).encode()

    def receive_router(self, router: Router) -> None:
        return  # no /api/docs/oauth2-redirect.html (an inline script, for OAuth flows nothing here uses)


def render_plugin() -> SwaggerRenderPlugin:
    return DocsPage(
        js_url="/api/docs/assets/swagger-ui-bundle.js",
        css_url="/api/docs/assets/swagger-ui.css",
        standalone_preset_js_url="/api/docs/assets/swagger-ui-standalone-preset.js",
        path="/",
        favicon="<link rel='icon' href='data:,'>",  # the default loads an image from a CDN
        style="",
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
