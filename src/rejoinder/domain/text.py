"""Markdown → sanitised HTML: the one place HTML is produced from reader input.

markdown-it-py renders with raw HTML off; nh3 then keeps only an allow-list of tags and attributes.
The second layer matters: it is what stands if a future option ever turns raw HTML on.
"""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "p",
    "a",
    "em",
    "strong",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "br",
    "hr",
    "del",
    "s",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}

_md = (
    MarkdownIt("commonmark", {"html": False, "linkify": True, "typographer": False})
    .enable("linkify")
    .enable("strikethrough")
    .disable(["image", "heading", "lheading", "html_block", "html_inline", "table"], ignoreInvalid=True)
)


def render(text: str) -> str:
    """Render a comment's Markdown subset to HTML that is safe to insert into any page."""
    return sanitize(_md.render(text))


def sanitize(html: str) -> str:
    """Keep only the allow-list of tags, attributes and URL schemes (links get rel=nofollow…). A fixed
    point on its own output: sanitising what `render` produced changes nothing."""
    clean: str = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener ugc",
    )
    return clean.strip()


def escape(text: str) -> str:
    """Plain-text escape for HTML contexts (names in server-rendered pages)."""
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#x27;")
    )
