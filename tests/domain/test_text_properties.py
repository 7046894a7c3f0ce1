"""Properties of domain/text.py (Markdown → sanitised HTML) over generated input (hypothesis; example counts
come from the settings profile in tests/conftest.py):

- whatever the text, the HTML passes an allow-list parser written here with the stdlib's html.parser,
  independent of the module's own constants: only the allowed tags, attributes and URL schemes (read the
  way a browser reads a URL), balanced tags, no comments, declarations or processing instructions, and no
  `<` outside a tag;
- sanitising the stored HTML again changes nothing, and saving the stored text again (an edit that changes
  nothing) gives the same text and the same HTML.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from hypothesis import given
from hypothesis import strategies as st

from rejoinder.domain.comments import CommentLimits, clean_text
from rejoinder.domain.text import render, sanitize
from rejoinder.errors import Invalid

# The allow-list, written out again on purpose: widening the module's lists must fail here first.
TAGS = {"p", "a", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li", "br", "hr", "del", "s"}
VOID = {"br", "hr"}
ATTRIBUTES = {"a": {"href", "title", "rel"}, "ol": {"start"}}
SCHEMES = {"http", "https", "mailto"}
REL = "nofollow noopener ugc"
_TAG_START = re.compile(r"<(?!/?(?:" + "|".join(sorted(TAGS, key=len, reverse=True)) + r")[\s>/])")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")


def url_scheme(href: str) -> str | None:
    """The scheme a browser sees in an href (WHATWG URL parsing: leading and trailing C0 controls and
    spaces are stripped, tabs and newlines anywhere are removed); None for a relative URL."""
    value = re.sub(r"[\t\n\r]", "", href.strip("".join(chr(c) for c in range(0x21))))
    match = _SCHEME.match(value)
    return match.group(1).lower() if match else None


class AllowList(HTMLParser):
    """Refuses anything outside the allow-list; `problems` lists what it found."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in TAGS:
            self.problems.append(f"tag <{tag}>")
            return
        names = [name for name, _ in attrs]
        if len(names) != len(set(names)):
            self.problems.append(f"repeated attribute on <{tag}>")
        for name, value in attrs:
            if name not in ATTRIBUTES.get(tag, set()):
                self.problems.append(f"attribute {name} on <{tag}>")
            elif name == "href":
                scheme = url_scheme(value or "")
                if scheme is not None and scheme not in SCHEMES:
                    self.problems.append(f"href scheme {scheme!r}")
            elif name == "rel" and value != REL:
                self.problems.append(f"rel={value!r}")
            elif name == "start" and not (value or "").isdigit():
                self.problems.append(f"start={value!r}")
        if tag == "a" and ("rel", REL) not in attrs:
            self.problems.append("a link without rel")
        if tag not in VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in VOID:
            self.problems.append(f"self-closing <{tag}/>")
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            self.problems.append(f"unbalanced </{tag}> (open: {self.open})")
        else:
            self.open.pop()

    def handle_comment(self, data: str) -> None:
        self.problems.append("comment")

    def handle_decl(self, decl: str) -> None:
        self.problems.append("declaration")

    def handle_pi(self, data: str) -> None:
        self.problems.append("processing instruction")

    def unknown_decl(self, data: str) -> None:
        self.problems.append("marked section")


def allow_list_problems(html: str) -> list[str]:
    parser = AllowList()
    parser.feed(html)
    parser.close()
    problems = parser.problems
    if parser.open:
        problems.append(f"unclosed {parser.open}")
    stray = _TAG_START.search(html)
    if stray:
        problems.append(f"'<' outside an allowed tag at {stray.start()}")
    return problems


# Pieces of hostile and ordinary comments; joined in any order, with arbitrary text between them.
PIECES = [
    *"<>\"'=/:()[]!&#;`*_~-+.\\\n\t ",
    "\n\n",
    "    ",
    "```",
    "> ",
    "- ",
    "1. ",
    "<script>",
    "</script>",
    "<img src=x onerror=alert(1)>",
    "<svg/onload=alert(1)>",
    "<a href=",
    "<!--",
    "-->",
    "<![CDATA[",
    "<?xml ",
    "<!DOCTYPE html>",
    "javascript:",
    "JaVaScRiPt:",
    "java\tscript:",
    "java&#x09;script:",
    "&#106;avascript:",
    "vbscript:",
    "data:text/html;base64,PHNjcmlwdD4=",
    "mailto:ann@x.example",
    "https://x.example/a?b=c&d=e",
    "http://",
    "www.x.example",
    "ann@x.example",
    "[link](",
    "](",
    "<https://x.example>",
    "<javascript:alert(1)>",
    '"title"',
    "alert(1)",
    "&amp;",
    "&lt;",
    "&#0;",
    "\x00",
    "\u202e",
    "\ufeff",
]
HOSTILE = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=8)), max_size=30).map("".join)
DESTINATIONS = st.lists(st.sampled_from(PIECES), min_size=1, max_size=6).map("".join)
LINKS = st.builds(
    lambda text, dest, title: f"[{text}]({dest}{title})",
    st.text(max_size=10),
    DESTINATIONS,
    st.sampled_from(["", ' "t"', " 't'", " (t)", ' "a\\"b"']),
)
SOURCES = st.one_of(st.text(), HOSTILE, st.lists(st.one_of(LINKS, HOSTILE), max_size=5).map("\n".join))


def test_the_checker_refuses_what_it_should() -> None:
    """The checker itself, on HTML the sanitiser must never produce."""
    assert allow_list_problems(f'<p><a href="https://x.example" rel="{REL}">a</a></p>') == []
    assert allow_list_problems('<p><a href="/relative" rel="nofollow noopener ugc">a</a></p>') == []
    for bad in (
        "<script>alert(1)</script>",
        '<a href="java&#x09;script:alert(1)" rel="nofollow noopener ugc">a</a>',
        '<a href=" JAVASCRIPT:alert(1)" rel="nofollow noopener ugc">a</a>',
        '<a href="data:text/html,x" rel="nofollow noopener ugc">a</a>',
        '<a href="https://x.example">no rel</a>',
        '<p onclick="x">a</p>',
        "<p><em>unbalanced</p></em>",
        "<p>unclosed",
        "<!-- a comment -->",
        "<img src=x>",
        "<br/><p/>",
        '<ol start="1;x"><li>a</li></ol>',
    ):
        assert allow_list_problems(bad), bad


@given(SOURCES)
def test_rendered_html_passes_the_allow_list(source: str) -> None:
    html = render(source)
    assert allow_list_problems(html) == [], (source, html)


@given(SOURCES)
def test_sanitising_stored_html_again_changes_nothing(source: str) -> None:
    html = render(source)
    assert sanitize(html) == html
    assert render(source) == html  # the same text always gives the same HTML


@given(SOURCES)
def test_saving_the_stored_text_again_changes_nothing(source: str) -> None:
    limits = CommentLimits()
    try:
        stored = clean_text(source, limits)
    except Invalid:
        return
    assert clean_text(stored, limits) == stored
    assert render(clean_text(stored, limits)) == render(stored)
