"""The no-JS page's "Show N more replies" links in real Chromium (issue #10): a conversation cut at
`comments.replies_per_page` (2 here) continues on pages of its own, reached by clicking, with a way back; every
page is axe-clean in light and dark, and nothing runs."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest

from tests.e2e.conftest import Stack
from tests.fixtures.browser import run_axe

pytestmark = pytest.mark.e2e

SERVER_ENV = {"REJOINDER_COMMENTS__REPLIES_PER_PAGE": "2"}


def test_more_replies_links_continue_the_conversation(stack: Stack, browser_page: Any) -> None:
    url = f"{stack.host.origin}/posts/noscript-replies.html"
    root = stack.post(url, "Which bridge is the oldest?", name="Ann")
    answers = [stack.post(url, f"Answer {i}", name=f"Reader {i}", parent=root["id"]) for i in range(5)]
    later = stack.post(url, "Another question", name="Bo")
    assert stack.thread(url)["comments"][0]["more_replies"] == 3

    w = browser_page()
    page = w.page
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    page.goto(f"{stack.api}/thread?url={quote(url, safe='')}")

    def shown() -> list[str]:
        ids: list[str] = page.locator("article.rj-comment").evaluate_all("(els) => els.map((e) => e.id)")
        return [i.removeprefix("comment-") for i in ids]

    def axe_clean() -> None:
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            assert run_axe(page) == [], scheme

    assert shown() == [root["id"], answers[0]["id"], answers[1]["id"], later["id"]]
    more = page.get_by_role("link", name="Show 3 more replies")
    assert more.count() == 1
    axe_clean()
    more.click()
    page.wait_for_url("**replies=*")
    assert shown() == [root["id"], answers[2]["id"], answers[3]["id"]]
    axe_clean()
    page.get_by_role("link", name="Show 1 more reply").click()
    page.wait_for_url("**offset=4*")
    assert shown() == [root["id"], answers[4]["id"]]
    assert page.get_by_role("link", name="Show 1 more reply").count() == 0  # the end of the conversation
    page.get_by_role("link", name="Show earlier replies").click()
    page.wait_for_url("**offset=2*")
    assert shown() == [root["id"], answers[2]["id"], answers[3]["id"]]
    page.get_by_role("link", name="← Back to the discussion").click()
    page.wait_for_url(f"**#comment-{root['id']}")
    assert shown() == [root["id"], answers[0]["id"], answers[1]["id"], later["id"]]
    w.assert_clean()
