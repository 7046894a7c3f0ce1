"""Imported HTML → the Markdown subset our comments are written in (domain/text.py renders it).

An imported comment is stored like one posted here: its `text` is Markdown a later edit starts from, and
its `html` is what `domain.text.render` makes of that text (markdown-it with raw HTML off, then nh3). So
hostile markup is dropped twice: here (only text, emphasis, code, quotes, lists and http(s)/mailto links
survive; script and style bodies vanish) and by the sanitiser.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

_SAFE_SCHEMES = {"http", "https", "mailto"}
_SPACE = re.compile(r"\s+")
_LINE_REST = re.compile(r"(?:> )*(?:- |\d+\. )?[ >]*")
_DROP_BODY = {"script", "style", "template", "iframe", "object", "noscript", "title", "head"}
_BLOCKS = {"p", "div", "blockquote", "ul", "ol", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "table", "tr"}
_MARKS = {"em": "*", "i": "*", "strong": "**", "b": "**", "del": "~~", "s": "~~", "strike": "~~"}
_ESCAPE = re.compile(r"([\\`*\[\]<>~])")


def _escape(text: str) -> str:
    return _ESCAPE.sub(r"\\\1", text)


def safe_href(href: str | None) -> str | None:
    """The link target if it is http(s) or mailto, else None (`javascript:`, `data:`, relative…)."""
    if not href:
        return None
    href = href.strip()
    if any(c in href for c in " \t\n\r<>()\"'\\`"):
        return None
    scheme = urlsplit(href).scheme.lower()
    return href if scheme in _SAFE_SCHEMES else None


class _Converter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.dropping = 0
        self.links: list[str | None] = []
        self.quote = 0
        self.lists: list[list[int]] = []  # per open list: [next number] for ol, [] for ul
        self.pre = 0
        self.code = 0  # inside `code`: Markdown escapes do not apply there

    def _newlines(self, count: int) -> None:
        text = "".join(self.out)
        have = len(text) - len(text.rstrip("\n"))
        if text.strip():
            prefix = "> " * self.quote
            self.out.append(("\n" + prefix) * max(count - have, 0) if prefix else "\n" * max(count - have, 0))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROP_BODY:
            self.dropping += 1
            return
        if self.dropping:
            return
        if tag == "br":
            if not self._at_line_start():
                self.out.append("\\\n" + "> " * self.quote)
        elif tag == "blockquote":
            self._newlines(2)
            self.quote += 1
            self.out.append("> ")
        elif tag in ("ul", "ol"):
            self._newlines(2)
            self.lists.append([1] if tag == "ol" else [])
        elif tag == "li":
            self._newlines(1)
            if self.lists and self.lists[-1]:
                self.out.append(f"{self.lists[-1][0]}. ")
                self.lists[-1][0] += 1
            else:
                self.out.append("- ")
        elif tag == "pre":
            self._newlines(2)
            self.pre += 1
            self.out.append("```\n")
        elif tag == "code" and not self.pre:
            self.code += 1
            self.out.append("`")
        elif tag in _BLOCKS:
            self._newlines(2)
        elif tag in _MARKS:
            self.out.append(_MARKS[tag])
        elif tag == "a":
            href = safe_href(dict(attrs).get("href"))
            self.links.append(href)
            if href:
                self.out.append("[")

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROP_BODY:
            self.dropping = max(self.dropping - 1, 0)
            return
        if self.dropping:
            return
        if tag == "blockquote":
            self.quote = max(self.quote - 1, 0)
            self._newlines(2)
        elif tag in ("ul", "ol"):
            if self.lists:
                self.lists.pop()
            self._newlines(2)
        elif tag == "pre":
            self.pre = max(self.pre - 1, 0)
            self.out.append("\n```")
            self._newlines(2)
        elif tag == "code" and not self.pre:
            self.code = max(self.code - 1, 0)
            self.out.append("`")
        elif tag in _BLOCKS:
            self._newlines(2)
        elif tag in _MARKS:
            self.out.append(_MARKS[tag])
        elif tag == "a" and self.links:
            href = self.links.pop()
            if href:
                self.out.append(f"]({href})")

    def handle_data(self, data: str) -> None:
        if self.dropping:
            return
        if self.pre:
            self.out.append(data.replace("```", "` ` `"))
            return
        text = _SPACE.sub(" ", data)  # newlines in HTML are spaces: <p> and <br> make the breaks
        if self._at_line_start():
            text = text.lstrip()
        if text:
            self.out.append(text.replace("`", "'") if self.code else _escape(text))

    def _at_line_start(self) -> bool:
        """Nothing but list markers or quote marks written on the current line yet. (Only the last line is
        matched: searching the whole text at every piece of data made long comments quadratic.)"""
        text = "".join(self.out)
        return not text.rstrip(" >") or _LINE_REST.fullmatch(text, text.rfind("\n") + 1) is not None


def to_markdown(html: str) -> str:
    """Markdown whose rendering reads like the HTML did. Line breaks in the source are kept (WordPress
    stores comments with bare newlines and adds <p>/<br> when it shows them)."""
    converter = _Converter()
    converter.feed(html)
    converter.close()
    text = "".join(converter.out)
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    text = "\n".join(lines)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()
