"""count.js in the new languages, in Chromium: "N Responses" with every CLDR plural form (Polish few/many,
Arabic zero/one/two/few/many/other, Japanese), from the locale files the server writes into count.js."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import Stack

pytestmark = pytest.mark.e2e

COUNTS = (0, 1, 2, 3, 5, 12)


def test_count_js_speaks_every_plural_form(stack: Stack, browser_page: Any) -> None:
    origin = stack.host.origin
    urls = {n: f"{origin}/posts/count-{n}.html" for n in COUNTS}
    for n, url in urls.items():
        for i in range(n):
            stack.post(url, f"Comment {i} of {n}, different each time: {'!' * i}", name=f"R{i}")
    items = "\n".join(
        f'<li lang="{lang}"><span data-rejoinder-count data-url="{urls[n]}"></span></li>'
        for lang in ("pl", "ar", "ja")
        for n in COUNTS
    )
    stack.host.add(
        "/index-i18n.html",
        f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Index</title></head><body>
<ul>{items}</ul>
<script src="{stack.api}/count.js" async></script></body></html>""",
        headers={
            "Content-Security-Policy": f"default-src 'self'; script-src {stack.api}; connect-src {stack.api}"
        },
    )
    w = browser_page()
    w.page.goto(f"{origin}/index-i18n.html")
    w.page.wait_for_function("() => document.querySelectorAll('[data-rejoinder-comments]').length === 18")
    texts = w.page.eval_on_selector_all("[data-rejoinder-count]", "els => els.map(e => e.textContent)")
    assert texts == [
        *["0 odpowiedzi", "1 odpowiedź", "2 odpowiedzi", "3 odpowiedzi", "5 odpowiedzi", "12 odpowiedzi"],
        *["لا توجد ردود", "رد واحد", "ردّان", "3 ردود", "5 ردود", "12 ردًا"],
        *[
            "0件のコメント",
            "1件のコメント",
            "2件のコメント",
            "3件のコメント",
            "5件のコメント",
            "12件のコメント",
        ],
    ]
    w.assert_clean()
