"""Markdown → sanitised HTML: the one place HTML is produced from reader input.

markdown-it-py renders with raw HTML off; nh3 then keeps only an allow-list of tags and attributes.
The second layer matters: it is what stands if a future option ever turns raw HTML on.
"""

from __future__ import annotations

import re

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


# The plainest comments (paragraphs of words with *emphasis*, **strong** and [links](https://…)), which most
# imported ones are, rendered without markdown-it: the same HTML for a fraction of the CPU time (markdown-it
# was a third of an import's; issue 14). Anything else, or anything this does not recognise exactly, goes
# through markdown-it. tests/domain/test_text.py checks both give the same bytes on generated texts.
_WORD = r"[A-Za-z0-9][A-Za-z0-9']*[,;:.!?]?"  # punctuation last, then a space: linkify never sees a domain
_LINK = r"\[[A-Za-z0-9]+(?: [A-Za-z0-9]+)*\]\(https?://[a-z0-9-]+(?:\.[a-z0-9-]+)+(?:/[A-Za-z0-9/_-]*)?\)"
_TOKEN = rf"(?:{_WORD}|\*\*[A-Za-z0-9]+\*\*|\*[A-Za-z0-9]+\*|{_LINK})"
# A paragraph starts with a letter, emphasis or a link: never a digit (`1.` opens a list) or a marker.
_PLAIN = re.compile(rf"(?:[A-Za-z][A-Za-z0-9']*[,;:.!?]?|\*\*?[A-Za-z0-9]+\*\*?|{_LINK})(?: {_TOKEN})*")
_INLINE = re.compile(r"\*\*([A-Za-z0-9]+)\*\*|\*([A-Za-z0-9]+)\*|\[([^\]]+)\]\(([^)]+)\)")


def _inline(found: re.Match[str]) -> str:
    strong, em, label, href = found.groups()
    if strong is not None:
        return f"<strong>{strong}</strong>"
    if em is not None:
        return f"<em>{em}</em>"
    return f'<a href="{href}">{label}</a>'


def _render_plain(text: str) -> str | None:
    """markdown-it's HTML for a text of plain paragraphs, or None when the text is anything more."""
    paragraphs = text.split("\n\n")
    out = []
    for paragraph in paragraphs:
        if _PLAIN.fullmatch(paragraph) is None:
            return None
        out.append(f"<p>{_INLINE.sub(_inline, paragraph)}</p>\n")
    return "".join(out)


def render(text: str) -> str:
    """Render a comment's Markdown subset to HTML that is safe to insert into any page."""
    plain = _render_plain(text)
    return sanitize(plain if plain is not None else _md.render(text))


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
