"""Imported HTML → our Markdown, and what our renderer then makes of it: readable, and inert."""

from __future__ import annotations

import pytest

from rejoinder.domain.text import render
from rejoinder.importers.html import safe_href, to_markdown


@pytest.mark.parametrize(
    ("html", "markdown"),
    [
        ("<p>Hello <b>world</b><br>line two</p><p>Two</p>", "Hello **world**\\\nline two\n\nTwo"),
        ('<a href="https://e.org/a_b">link</a>', "[link](https://e.org/a_b)"),
        ("<ul><li>a</li><li>b</li></ul>", "- a\n- b"),
        ("<ol><li>one</li><li>two</li></ol>", "1. one\n2. two"),
        ("<blockquote>quoted<br>more</blockquote>after", "> quoted\\\n> more\n\nafter"),
        ("<pre>x = 1\n*y*</pre>", "```\nx = 1\n*y*\n```"),
        ("The <code>&lt;cite&gt;</code> x*y", "The `<cite>` x\\*y"),
        ("\\o/ ¯\\_(ツ)_/¯", "\\\\o/ ¯\\\\_(ツ)_/¯"),
        ("Steve&#039;s &amp; co", "Steve's & co"),
    ],
)
def test_conversion(html: str, markdown: str) -> None:
    assert to_markdown(html) == markdown


HOSTILE = [
    '<script>alert(1)</script><p onclick="alert(2)">text</p>',
    '<a href="javascript:alert(1)">click</a>',
    '<a href=" JaVaScRiPt:alert(1)">click</a>',
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    '<img src=x onerror="alert(1)">',
    "<iframe src=https://evil.example></iframe><style>body{display:none}</style>",
    "<svg><script>alert(1)</script></svg>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
]


@pytest.mark.parametrize("html", HOSTILE)
def test_hostile_html_renders_inert(html: str) -> None:
    out = render(to_markdown(html))
    lowered = out.lower()
    for needle in (
        "<script",
        "javascript:",
        "onerror",
        "onclick",
        "<img",
        "<iframe",
        "<style",
        "<svg",
        "data:",
    ):
        assert needle not in lowered, (html, out)


def test_the_text_of_a_script_is_not_kept_but_escaped_markup_is_shown_as_text() -> None:
    assert to_markdown("<script>alert(1)</script>ok") == "ok"
    assert render(to_markdown("&lt;b&gt;hi&lt;/b&gt;")) == "<p>&lt;b&gt;hi&lt;/b&gt;</p>"


def test_only_web_and_mail_links_are_kept() -> None:
    assert safe_href("https://e.org/") == "https://e.org/"
    assert safe_href("mailto:a@e.org") == "mailto:a@e.org"
    assert safe_href("javascript:alert(1)") is None
    assert safe_href("/relative") is None
    assert safe_href('https://e.org/"onmouseover=x') is None
