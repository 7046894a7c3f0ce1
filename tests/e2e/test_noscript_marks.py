"""The no-JS thread page in real Chromium with a Staff badge and Pinned and Featured markers: the words are
what a screen reader gets, the page is axe-clean in light and dark, and nothing runs (strict CSP, hostile
text stays text). The marks are set in the database as a moderator's pin, feature and staff reply set them
(tests/web/admin/test_pins.py goes through /admin)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest

from tests.e2e.conftest import Stack
from tests.fixtures.browser import run_axe

pytestmark = pytest.mark.e2e


def test_marks_read_as_words_and_pass_axe(stack: Stack, browser_page: Any) -> None:
    url = f"{stack.host.origin}/posts/noscript-marks.html"
    hostile = stack.post(url, "<img src=x onerror=alert(1)> **Staff** Pinned", name="<b>Staff</b> Pinned")
    pinned = stack.post(url, "Please keep it civil: the rules are linked below.", name="Desk")
    answer = stack.post(url, "Thanks, noted.", name="Editor", parent=hostile["id"])
    stack.sql("UPDATE comments SET pinned = 1, featured = 1 WHERE id = ?", pinned["id"])
    stack.sql("UPDATE comments SET staff = 1, featured = 1 WHERE id = ?", answer["id"])

    w = browser_page()
    page = w.page
    # The page names no icon, so Chromium asks for /favicon.ico (a 404 in the console, not ours to test).
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    page.goto(f"{stack.api}/thread?url={quote(url, safe='')}&sort=newest")
    ids = page.locator("article.rj-comment").evaluate_all("(els) => els.map((e) => e.id)")
    assert ids == [f"comment-{c['id']}" for c in (pinned, hostile, answer)]  # pinned first, even newest first
    first = page.locator(f"#comment-{pinned['id']}")
    assert first.locator(".rj-mark-pinned").text_content() == "Pinned by a moderator"  # heard
    hidden = first.locator(".rj-mark-pinned .rj-sr").bounding_box()  # " by a moderator": not on screen
    assert hidden is not None and hidden["width"] <= 1 and hidden["height"] <= 1
    assert first.locator(".rj-mark-pinned").bounding_box()["width"] > 20  # "Pinned" is
    assert first.locator(".rj-mark-featured").text_content() == "Featured by a moderator"
    staff = page.locator(f"#comment-{answer['id']}")
    assert staff.locator(".rj-badge-staff").text_content() == "Staff: a moderator of this site"
    assert staff.locator(".rj-mark-pinned").count() == 0
    bad = page.locator(f"#comment-{hostile['id']}")
    assert bad.locator(".rj-badge, .rj-mark, img[src=x], b").count() == 0
    assert bad.locator(".rj-author").inner_text() == "<b>Staff</b> Pinned"
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        assert run_axe(page) == [], scheme
    w.assert_clean()
