"""The no-JS thread page in Arabic in real Chromium: laid out right to left (replies indented from the right,
no horizontal scroll, arrows turned), axe-clean in light and dark, and the screenshot in
docs/screenshots/noscript-rtl-ar.png (docs/noscript.md shows it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from tests.e2e.conftest import Stack
from tests.fixtures.browser import run_axe

pytestmark = pytest.mark.e2e

# A fixed secret makes the identicons, and so the screenshot, the same on every run.
SERVER_ENV = {"REJOINDER_SECURITY__SECRET_KEY": "screenshots-stay-the-same-from-run-to-run"}
SHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "noscript-rtl-ar.png"


def test_arabic_page_is_right_to_left_and_axe_clean(stack: Stack, browser_page: Any) -> None:
    url = f"{stack.host.origin}/posts/rtl.html"
    first = stack.post(url, "مقال رائع، شكرًا على هذا **التحليل** الواضح.", name="سارة", title="جسور المدينة")
    stack.post(url, "أتفق معك، لكن ماذا عن تكلفة الصيانة؟", name="Omar", parent=first["id"])
    stack.post(url, "Mixed text: the bridge opened in 1998 — افتُتح الجسر عام 1998.", name="Lena")
    stack.sql("UPDATE comments SET pinned = 1 WHERE id = ?", first["id"])
    # A fixed time of day, so that the screenshot only changes when the page's looks do.
    stack.sql("UPDATE comments SET created = ?", 1_795_000_000_000_000)
    stack.like(url, "visitor-000000000001", name="Nadia")

    w = browser_page(viewport={"width": 860, "height": 1400}, color_scheme="light")
    page = w.page
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    page.goto(f"{stack.api}/thread?url={quote(url, safe='')}&lang=ar")
    assert page.evaluate("() => [document.documentElement.lang, document.dir]") == ["ar", "rtl"]
    assert page.locator("h2.rj-count").inner_text() == "3 ردود"  # the plural of 3 to 10
    assert page.locator(".rj-form-title").inner_text() == "اكتب تعليقًا"

    # Right to left: the reply is indented from the right, the page does not scroll sideways (the
    # off-screen bot trap sits beyond the inline start, not at left: -10000px), and arrows point back.
    parent = page.locator("article.rj-depth-0").first.bounding_box()
    reply = page.locator("article.rj-depth-1").first.bounding_box()
    assert parent and reply
    assert reply["x"] + reply["width"] < parent["x"] + parent["width"] - 10  # starts further left…
    assert abs(reply["x"] - parent["x"]) < 2  # …and ends at the same left edge
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    label = page.locator("label[for=rj-text]").bounding_box()
    area = page.locator("#rj-text").bounding_box()
    assert label and area and abs((label["x"] + label["width"]) - (area["x"] + area["width"])) < 2
    # Each comment keeps the direction of its own text: a Latin-script comment reads left to right.
    directions = page.locator(".rj-body").evaluate_all(
        "(els) => els.map((e) => getComputedStyle(e).direction)"
    )
    assert directions == ["rtl", "rtl", "ltr"]
    arrow = page.locator(".rj-back .rj-arrow").evaluate("(el) => getComputedStyle(el).transform")
    assert arrow == "matrix(-1, 0, 0, 1, 0, 0)"

    page.evaluate("() => document.fonts.ready")
    SHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOT), full_page=True, animations="disabled")
    assert SHOT.read_bytes().startswith(b"\x89PNG")

    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        assert run_axe(page) == [], scheme
    w.assert_clean()
