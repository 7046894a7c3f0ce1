"""A publisher's site for the browser tests: article pages served from their own loopback origin (a
different port than rejoinder's), with whatever headers a test wants (e.g. a strict CSP)."""

from __future__ import annotations

import html
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.fixtures.servers import free_port

HOST_CSS = """
:root { color-scheme: light dark; }
body { margin: 0; font: 17px/1.6 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       background: #fafaf7; color: #23262b; }
main { max-width: 46rem; margin: 0 auto; padding: 2.5rem 1.25rem 4rem; }
h1 { font-size: 2rem; line-height: 1.2; margin: 0 0 .5rem; letter-spacing: -.02em; }
.byline { color: #5d636b; margin: 0 0 2rem; font-size: .95rem; }
article p { margin: 0 0 1.1rem; }
#rejoinder { margin-top: 3rem; }
@media (prefers-color-scheme: dark) {
  body { background: #0f1114; color: #e3e5e8; }
  .byline { color: #a2a8b0; }
}
"""

ARTICLE = """
<p>Every spring the allotment committee argues about the same thing: whether the shared compost bays
should take cooked food. The people who want it point at the waste bins; the people who do not point
at the rats. This year we tried measuring instead of arguing.</p>
<p>For eight weeks two bays ran side by side, one with kitchen scraps and one without. We logged
temperatures every morning and counted visitors with a borrowed trail camera. The results surprised
almost everyone, and they are below, together with the spreadsheet.</p>
"""


class HostSite:
    """pages: path → (body, headers). `page()` builds an article page that embeds the widget."""

    def __init__(self) -> None:
        self.port = free_port()
        self.origin = f"http://127.0.0.1:{self.port}"
        self.pages: dict[str, tuple[bytes, dict[str, str]]] = {
            "/host.css": (HOST_CSS.encode(), {}),
            "/favicon.ico": (b"", {"Content-Type": "image/x-icon"}),
        }
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                found = site.pages.get(path)
                if found is None:
                    self.send_error(404)
                    return
                body, headers = found
                self.send_response(200)
                ctype = "text/css" if path.endswith(".css") else "text/html; charset=utf-8"
                self.send_header("Content-Type", headers.get("Content-Type", ctype))
                self.send_header("Cache-Control", "no-store")
                for name, value in headers.items():
                    if name != "Content-Type":
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> HostSite:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def add(self, path: str, body: str, headers: dict[str, str] | None = None) -> str:
        self.pages[path] = (body.encode(), headers or {})
        return self.origin + path

    def page(
        self,
        path: str,
        api: str,
        *,
        title: str = "What the compost heap taught us",
        lang: str = "en",
        attrs: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        styled: bool = True,
        extra: str = "",
    ) -> str:
        """An article at `path` with `<div id="rejoinder" data-…>` and the embed script from `api`."""
        data = "".join(f' data-{k}="{html.escape(v)}"' for k, v in (attrs or {}).items())
        css = '<link rel="stylesheet" href="/host.css">' if styled else ""
        body = f"""<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>{css}</head>
<body><main>
<article><h1>{html.escape(title)}</h1><p class="byline">By the allotment committee</p>{ARTICLE}</article>
{extra}
<div id="rejoinder"{data}></div>
<script src="{api}/embed.js" async></script>
</main></body></html>"""
        return self.add(path, body, headers)
