"""domain/text.py: Markdown to HTML through an allow-list; hostile input always comes out inert."""

from __future__ import annotations

import random
import re
from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st

from rejoinder.domain import text
from rejoinder.domain.text import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, escape, render


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.seen: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.seen.append((tag, attrs))

    handle_startendtag = handle_starttag


def tags_of(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    parser = Tags()
    parser.feed(html)
    parser.close()
    return parser.seen


def assert_allowed(html: str) -> None:
    for tag, attrs in tags_of(html):
        assert tag in ALLOWED_TAGS, (tag, html)
        for name, value in attrs:
            assert name in ALLOWED_ATTRIBUTES.get(tag, set()) | ({"rel"} if tag == "a" else set()), (
                name,
                html,
            )
            if name == "href":
                scheme = re.sub(r"[\x00-\x20]", "", value or "").lower().partition(":")
                assert not scheme[1] or scheme[0] in {"http", "https", "mailto"} or "/" in scheme[0], html


def test_links_get_rel_and_keep_safe_schemes() -> None:
    assert render("[a](https://x.example)") == (
        '<p><a href="https://x.example" rel="nofollow noopener ugc">a</a></p>'
    )
    assert render("[mail](mailto:ann@x.example)") == (
        '<p><a href="mailto:ann@x.example" rel="nofollow noopener ugc">mail</a></p>'
    )
    assert render('[t](https://x.example "Title")') == (
        '<p><a href="https://x.example" title="Title" rel="nofollow noopener ugc">t</a></p>'
    )


def test_raw_html_headings_images_and_tables_are_text() -> None:
    assert render("<b>x</b>") == "<p>&lt;b&gt;x&lt;/b&gt;</p>"
    assert render("# h") == "<p># h</p>"
    assert "<img" not in render("![i](https://x.example/i.png)")
    assert "<table" not in render("| a | b |\n|---|---|\n| 1 | 2 |")


def test_every_allowed_tag_is_reachable_and_nothing_else() -> None:
    source = "*e* **s** ~~d~~ `c`\n\n> q\n\n- u\n\n3. o\n\n```\npre\n```\n\n---\n\nline  \nbreak [l](https://x.example)"
    produced = {tag for tag, _ in tags_of(render(source))}
    assert produced <= ALLOWED_TAGS
    assert {"em", "strong", "code", "blockquote", "ul", "ol", "li", "pre", "hr", "br", "a", "p"} <= produced


TOKENS = [
    *"<>\"'=/ :()[]!&#;`*_\n\tx",
    "script",
    "img",
    "svg",
    "onerror",
    "onload",
    "javascript",
    "data",
    "href",
    "src",
    "alert(1)",
    "&#106;",
]
HOSTILE = st.lists(st.sampled_from(TOKENS), max_size=40).map("".join)


@settings(max_examples=400, database=None, deadline=None)
@given(HOSTILE)
def test_hostile_input_is_always_inert(source: str) -> None:
    html = render(source)
    assert_allowed(html)
    assert "<script" not in html.lower() and "<svg" not in html.lower() and "<img" not in html.lower()


def test_escape() -> None:
    assert escape("<a href=\"x\" title='y'>&</a>") == (
        "&lt;a href=&quot;x&quot; title=&#x27;y&#x27;&gt;&amp;&lt;/a&gt;"
    )


# Pieces a generated text is made of: what the plain path takes, and what must send it to markdown-it
# (list and heading markers, bare domains and emails linkify would link, HTML, escapes, line breaks).
_PIECES = (
    "word", "Word", "don't", "2015", "x1", "end.", "so,", "why?", "wow!", "a:", "*em*", "**st**", "*a*b",
    "**a*", "*a**", "[link](https://example.org/3)", "[two words](http://a.example)",
    "[x](https://a.example/a_b-c/)", "[x](https://a.example)b", "x[y](https://b.example)", "[x](https://A.example)",
    "a.", "I'", "''", "1.", "1)", "e.g", "ex.org", "b.co", "a@b.co", "www.x.com", "https://a.example/x", "-",
    "#", "_x_", "<b>", "&amp;", '"q"', "~~s~~", "`c`", "> q", "\\", "|", "=", "é", "  ", "    ",
)  # fmt: skip


def test_plain_paragraphs_render_as_markdown_it_renders_them() -> None:
    """The fast path for plain comments (what most imports are) gives markdown-it's bytes, or declines."""
    rng = random.Random(14)
    taken = 0
    for _ in range(60_000):
        parts = (
            rng.choice(_PIECES) + rng.choice((" ", " ", "", "\n", "\n\n")) for _ in range(rng.randint(1, 10))
        )
        source = "".join(parts).strip()
        plain = text._render_plain(source)
        if plain is not None:
            taken += 1
            assert plain == text._md.render(source), source
    assert taken > 3_000  # the generator reaches the fast path often enough to mean something
    assert text._render_plain("Hello *you*, see [this](https://example.org/a).") is None  # `).` : markdown-it
    assert text.render("Hello *you*\n\nsee [this](https://example.org/a)") == (
        '<p>Hello <em>you</em></p>\n<p>see <a href="https://example.org/a" rel="nofollow noopener ugc">this</a></p>'
    )
