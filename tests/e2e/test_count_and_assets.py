"""count.js on an index page (one /api/counts request fills every marked element), and the widget's
files as a real server sends them: size budgets, caching headers and content-hashed URLs."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.e2e.conftest import Stack

pytestmark = pytest.mark.e2e

KB = 1024


def test_count_js_fills_every_marked_element_from_one_request(stack: Stack, browser_page: Any) -> None:
    origin = stack.host.origin
    one, three, none = f"{origin}/posts/one.html", f"{origin}/posts/three.html", f"{origin}/posts/none.html"
    stack.post(one, "Only comment here", name="Abe")
    for i in range(3):
        stack.post(three, f"Comment {i} on the busy article, different each time: {'!' * i}", name=f"R{i}")
    stack.host.add(
        "/index.html",
        f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Index</title></head><body>
<ul>
  <li><a href="/posts/one.html">One</a> · <span data-rejoinder-count data-url="{one}">…</span></li>
  <li><a href="/posts/three.html#comments" data-rejoinder-count>Comments</a></li>
  <li><span data-rejoinder-count data-url="/posts/none.html">…</span></li>
  <li><span data-rejoinder-count="{{n}} comments so far" data-url="{three}"></span></li>
  <li lang="de"><span data-rejoinder-count data-url="{three}"></span></li>
  <li lang="fr"><span data-rejoinder-count data-url="{none}"></span></li>
</ul>
<script src="{stack.api}/count.js" async></script></body></html>""",
        headers={
            "Content-Security-Policy": f"default-src 'self'; script-src {stack.api}; connect-src {stack.api}"
        },
    )
    w = browser_page()
    requests: list[str] = []
    w.page.on("request", lambda r: requests.append(r.url) if "/api/" in r.url else None)
    w.page.goto(f"{origin}/index.html")
    w.page.wait_for_function("() => document.querySelectorAll('[data-rejoinder-comments]').length === 6")
    texts = w.page.eval_on_selector_all("[data-rejoinder-count]", "els => els.map(e => e.textContent)")
    assert texts == [
        "1 Response",
        "3 Responses",
        "0 Responses",
        "3 comments so far",
        "3 Antworten",
        "0 réponse",
    ]
    assert len(requests) == 1 and requests[0].startswith(stack.api + "/api/counts?")
    assert sorted(parse_qs(urlsplit(requests[0]).query)["url"]) == sorted([one, three, none])
    w.assert_clean()


def wire_size(url: str) -> int:
    with httpx.stream("GET", url, headers={"Accept-Encoding": "gzip"}) as r:
        assert r.status_code == 200
        assert r.headers.get("content-encoding") == "gzip"
        return sum(len(chunk) for chunk in r.iter_raw())


def test_the_widget_fits_its_gzip_budgets(stack: Stack) -> None:
    """Measured on what the server sends: the first paint (embed.js and the stylesheet it names) at most
    10 KB, every part embed.js loads later at most 6 KB, all of it at most 24 KB (issue #12)."""
    js = httpx.get(stack.api + "/embed.js").text
    css_path = re.search(r'"(/embed\.[0-9a-f]{12}\.css)"', js)
    assert css_path, "embed.js must name the content-hashed stylesheet"
    first_paint = wire_size(stack.api + "/embed.js") + wire_size(stack.api + css_path.group(1))
    assert first_paint <= 10 * KB, f"the first paint is {first_paint} bytes gzipped; the budget is 10 KB"
    parts = re.findall(r'"(/embed-([a-z]+)\.[0-9a-f]{12}\.(?:js|css))"', js)
    assert {name for _, name in parts} == {"signin", "write", "actions"}
    sizes = {name: wire_size(stack.api + path) for path, name in parts}
    assert max(sizes.values()) <= 6 * KB, sizes
    total = first_paint + sum(sizes.values())
    assert total <= 24 * KB, f"the widget is {total} bytes gzipped in all; the budget is 24 KB"


def test_plain_and_hashed_urls_cache_as_documented(stack: Stack) -> None:
    plain = httpx.get(stack.api + "/embed.js")
    assert plain.status_code == 200
    assert plain.headers["content-type"] == "text/javascript; charset=utf-8"
    assert plain.headers["cache-control"].startswith("public, max-age=300")
    etag = plain.headers["etag"]
    again = httpx.get(stack.api + "/embed.js", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    digest = etag.strip('"').removesuffix("-gz")
    hashed = httpx.get(f"{stack.api}/embed.{digest}.js")
    assert hashed.status_code == 200 and hashed.content == plain.content
    assert hashed.headers["cache-control"] == "public, max-age=31536000, immutable"
    css_path = re.search(r'"(/embed\.[0-9a-f]{12}\.css)"', plain.text)
    assert css_path
    css = httpx.get(stack.api + css_path.group(1))
    assert css.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert css.headers["content-type"] == "text/css; charset=utf-8"
    assert css.content == httpx.get(stack.api + "/embed.css").content
    count = httpx.get(stack.api + "/count.js")
    assert count.headers["cache-control"].startswith("public, max-age=300")
    assert httpx.get(f"{stack.api}/embed.000000000000.js").status_code == 404
    locale = httpx.get(stack.api + "/locales/pt.json")
    assert locale.status_code == 200 and locale.headers["access-control-allow-origin"] == "*"
    missing = httpx.get(stack.api + "/locales/xx.json")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert missing.json()["code"] == "locale-not-found"
