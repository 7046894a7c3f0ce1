"""How /admin pages are drawn: the Jinja environment (autoescaped; comment HTML passes through nh3 once
more before it is marked safe), the filters the templates use, the strict security headers, and the
stylesheet and keyboard script as files (no inline script or style anywhere, so the CSP can forbid them).
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import Any

import jinja2
import nh3
from litestar import Response
from markupsafe import Markup

from rejoinder.domain import text as markdown
from rejoinder.web import static

HTML = "text/html"  # Litestar adds "; charset=utf-8" to every text/ type


def when(us: int | None) -> str:
    if not us:
        return ""
    return datetime.fromtimestamp(us / 1_000_000, UTC).strftime("%Y-%m-%d %H:%M UTC")


def iso(us: int | None) -> str:
    if not us:
        return ""
    return datetime.fromtimestamp(us / 1_000_000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def day(number: int) -> str:
    return datetime.fromtimestamp(number * 86400, UTC).strftime("%a %d %b")


def percent(value: float | None) -> str:
    return "" if value is None else f"{round(value * 100)}%"


def comment_html(html: str) -> Markup:
    """A comment's stored HTML, sanitised again with the same allow-list it was made with: the stored
    value should already be clean, and this page is the one that must never run a reader's script."""
    clean = nh3.clean(
        html,
        tags=markdown.ALLOWED_TAGS,
        attributes=markdown.ALLOWED_ATTRIBUTES,
        url_schemes=markdown.URL_SCHEMES,
        link_rel="nofollow noopener ugc noreferrer",
    )
    return Markup(clean)  # noqa: S704 - nh3's output is the safe HTML this marks


@cache
def templates() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("rejoinder", "templates"),
        autoescape=True,  # every template, whatever its name: reader text is hostile
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(when=when, iso=iso, day=day, percent=percent, comment_html=comment_html)
    env.globals.update(asset=asset_href)
    return env


def asset_href(name: str) -> str:
    return static.href(f"/admin/static/{name}")


def headers(*, referrer: str = "same-origin", form_action: str = "'self'") -> dict[str, str]:
    policy = "; ".join(
        [
            "default-src 'none'",
            "style-src 'self'",
            "script-src 'self'",
            "img-src 'self' data:",
            f"form-action {form_action}",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        ]
    )
    return {
        "Content-Security-Policy": policy,
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": referrer,
        "Cache-Control": "no-store",
    }


def page(
    template: str, status: int = 200, *, extra: dict[str, str] | None = None, **values: Any
) -> Response[str]:
    body = templates().get_template(f"admin/{template}").render(**values)
    return Response(
        content=body,
        status_code=status,
        media_type=HTML,
        headers={**headers(), **(extra or {})},
    )


def redirect(location: str, *, extra: dict[str, str] | None = None) -> Response[str]:
    return Response(
        content="",
        status_code=303,
        media_type=HTML,
        headers={"Location": location, "Cache-Control": "no-store", **(extra or {})},
    )
