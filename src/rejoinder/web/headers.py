"""The security headers of every HTML response, in one place: an ASGI layer in front of Litestar (app.py).

Each HTML page may send its own Content-Security-Policy (a sign-in page allowing its form's redirect, the
demo article loading the widget); whatever a page leaves out is filled in here, so no HTML response goes
without: a CSP that allows no inline script and says `frame-ancestors`, `X-Content-Type-Options: nosniff`,
a `Referrer-Policy`, and `X-Frame-Options` for browsers older than `frame-ancestors`.

No page may be framed (`frame-ancestors 'none'`): /admin and the sign-in pages (clickjacking of a button
that acts), and the no-JavaScript thread page too, whose form would post under another site's frame. The
widget is not framed (it renders in the article's page), the plain page is linked from the article, and
`/thread/fragment` is fetched by a site's build, not by browsers, so nothing legitimate needs a frame.
"""

from __future__ import annotations

from typing import Any

# Pages that set no policy of their own get this one: nothing but our stylesheets, images and forms.
DEFAULT_CSP = (
    b"default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; "
    b"frame-ancestors 'none'"
)
# The API reference (Swagger UI) runs its bundle and reads /api/openapi.json; its styles are set by script.
DOCS_CSP = (
    b"default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    b"connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
POLICIES = (("/api/docs", DOCS_CSP),)  # path prefix → policy, for pages Litestar renders
REFERRER = b"same-origin"


def _policy_for(path: str) -> bytes:
    for prefix, policy in POLICIES:
        if path == prefix or path.startswith(prefix + "/"):
            return policy
    return DEFAULT_CSP


def secure_html_headers(path: str, headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """`headers` of an HTML response with every security header present (a page's own kept)."""
    names = {name.lower(): value for name, value in headers}
    out = list(headers)
    csp = names.get(b"content-security-policy")
    if csp is None:
        out.append((b"content-security-policy", _policy_for(path)))
    elif b"frame-ancestors" not in csp:
        out = [
            (k, v + b"; frame-ancestors 'none'" if k.lower() == b"content-security-policy" else v)
            for k, v in out
        ]
    if b"x-content-type-options" not in names:
        out.append((b"x-content-type-options", b"nosniff"))
    if b"referrer-policy" not in names:
        out.append((b"referrer-policy", REFERRER))
    if b"x-frame-options" not in names:
        out.append((b"x-frame-options", b"DENY"))
    return out


class HtmlHeaders:
    """Adds the headers above to every `text/html` response; other responses pass untouched."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]

        async def send_secured(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = message.get("headers", [])
                for name, value in headers:
                    if name.lower() == b"content-type":
                        if value.startswith(b"text/html"):
                            message = {**message, "headers": secure_html_headers(path, list(headers))}
                        break
            await send(message)

        await self.app(scope, receive, send_secured)
