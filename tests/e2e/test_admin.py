"""The moderator UI in real Chromium on a real `rejoinder serve`: signing in, the queue with keyboard
approve and reject, bulk actions, banning an author, closing a thread, and every page axe-clean with no
CSP violation or console error. Comments come from the host site's origin through the API."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from rejoinder.services.admin_auth import hash_password
from tests.e2e.conftest import Stack
from tests.fixtures.browser import Watched, run_axe

pytestmark = pytest.mark.e2e

PASSWORD = "a calm and careful moderator"
SERVER_ENV = {
    "REJOINDER_ADMIN__USERNAME": "chief",
    "REJOINDER_ADMIN__PASSWORD_HASH": hash_password(PASSWORD),
    "REJOINDER_ADMIN__DISPLAY_NAME": "The editors",
}


def signed_in(stack: Stack, browser_page: Any, **options: Any) -> Watched:
    watched: Watched = browser_page(**options)
    page = watched.page
    page.goto(stack.api + "/admin/queue/unmoderated")
    assert page.url.startswith(stack.api + "/admin/login?next=")
    page.get_by_label("Name").fill("chief")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(stack.api + "/admin/queue/unmoderated")
    return watched


def article(stack: Stack, name: str) -> str:
    return f"{stack.host.origin}/posts/{name}.html"


def status(stack: Stack, url: str, comment_id: str) -> str | None:
    """The comment's status as readers see it (None when it is not public)."""
    found = [c for c in stack.thread(url)["comments"] if c["id"] == comment_id]
    return found[0]["status"] if found else None


def wait_focus(page: Any, comment_id: str) -> None:
    """Wait until the comment's article has the keyboard focus."""
    page.wait_for_function(
        "(id) => document.activeElement && document.activeElement.id === 'c-' + id", arg=comment_id
    )


def item(page: Any, comment_id: str) -> Any:
    return page.locator(f"article#c-{comment_id}")


def test_keyboard_approve_and_reject(stack: Stack, browser_page: Any) -> None:
    url = article(stack, "keyboard")
    first = stack.post(url, "First, a fair point about compost.", name="Ann")
    second = stack.post(url, "Second: buy cheap watches now!!!", name="Spammy")
    third = stack.post(url, "Third: you are all idiots.", name="Rude")
    w = signed_in(stack, browser_page)
    page = w.page
    page.goto(stack.api + "/admin/queue/unmoderated?site=hostsite")
    # Newest first: the rude one is focused and marked as current.
    wait_focus(page, third["id"])
    assert "rj-current" in (item(page, third["id"]).get_attribute("class") or "")
    assert page.get_by_role("heading", name="Keyboard").is_visible()
    # j moves on; k comes back.
    page.keyboard.press("j")
    assert page.evaluate("() => document.activeElement.id") == f"c-{second['id']}"
    page.keyboard.press("k")
    assert page.evaluate("() => document.activeElement.id") == f"c-{third['id']}"
    # r, then 2: rejected as abuse; the page comes back focused on the next comment.
    page.keyboard.press("r")
    with page.expect_navigation():
        page.keyboard.press("2")
    assert page.get_by_role("status").inner_text() == "Rejected."
    wait_focus(page, second["id"])
    # s marks the spam, a approves the first one.
    with page.expect_navigation():
        page.keyboard.press("s")
    wait_focus(page, first["id"])
    with page.expect_navigation():
        page.keyboard.press("a")
    assert page.get_by_role("status").inner_text() == "Approved."
    assert status(stack, url, first["id"]) == "approved"
    assert status(stack, url, second["id"]) is None and status(stack, url, third["id"]) is None
    page.goto(stack.api + "/admin/log")
    rows = page.locator("table.rj-log tbody tr")
    assert rows.count() >= 3
    text = page.locator("table.rj-log").inner_text()
    assert "reject" in text and "abuse" in text and "spam" in text and "approve" in text
    w.assert_clean()


def test_bulk_reject_with_checkboxes(stack: Stack, browser_page: Any) -> None:
    url = article(stack, "bulk")
    ids = [stack.post(url, f"Same junk, copy {i}", name=f"Bot {i}")["id"] for i in range(3)]
    keep = stack.post(url, "A real comment worth keeping.", name="Kim")
    w = signed_in(stack, browser_page)
    page = w.page
    page.goto(stack.api + "/admin/queue/unmoderated?site=hostsite")
    for comment_id in ids:
        item(page, comment_id).get_by_role("checkbox").check()
    page.get_by_label("With the selected comments").select_option("spam")
    with page.expect_navigation():
        page.get_by_role("button", name="Apply to selected").click()
    assert page.get_by_role("status").inner_text() == "Marked as spam: 3 comments."
    assert [status(stack, url, i) for i in ids] == [None, None, None]
    assert status(stack, url, keep["id"]) == "published"
    w.assert_clean()


def test_ban_an_author(stack: Stack, browser_page: Any) -> None:
    url = article(stack, "ban")
    troll = stack.post(url, "Nobody asked you.", name="Troll", author={"email": "troll@example.org"})
    stack.post(url, "And again, nobody asked.", name="Troll", author={"email": "troll@example.org"})
    w = signed_in(stack, browser_page)
    page = w.page
    page.goto(stack.api + "/admin/queue/unmoderated?site=hostsite")
    item(page, troll["id"]).focus()
    with page.expect_navigation():
        page.keyboard.press("b")
    assert page.get_by_role("heading", name="Ban Troll").is_visible()
    assert page.get_by_label("Email address").input_value() == "troll@example.org"
    page.get_by_label("Reason (for the log)").fill("Baiting other readers")
    page.get_by_label("Also reject every comment of theirs on this site").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Ban", exact=True).click()
    assert page.url.startswith(stack.api + "/admin/queue/unmoderated")
    assert "Banned" in page.get_by_role("status").inner_text()
    assert stack.thread(url)["comments"] == []
    refused = httpx.post(
        stack.api + "/api/comments",
        json={"url": url, "text": "Let me back in", "author": {"name": "T", "email": "troll@example.org"}},
        headers={"Origin": stack.host.origin},
    )
    assert refused.status_code == 403 and refused.json()["code"] == "author-banned"
    page.goto(stack.api + "/admin/bans")
    assert "Baiting other readers" in page.locator("table").inner_text()
    w.assert_clean()


def test_close_a_thread(stack: Stack, browser_page: Any) -> None:
    url = article(stack, "closing")
    stack.post(url, "Opening words.", name="Ann")
    w = signed_in(stack, browser_page)
    page = w.page
    page.goto(stack.api + "/admin/threads?site=hostsite")
    row = page.locator("tr", has_text="/posts/closing.html")
    with page.expect_navigation():
        row.get_by_role("button", name="Close").click()
    assert page.get_by_role("status").inner_text() == "The thread is closed."
    assert "closed" in page.locator("tr", has_text="/posts/closing.html").inner_text()
    refused = httpx.post(
        stack.api + "/api/comments",
        json={"url": url, "text": "Too late?", "author": {"name": "Bo"}},
        headers={"Origin": stack.host.origin},
    )
    assert refused.status_code == 403 and refused.json()["code"] == "thread-closed"
    with page.expect_navigation():
        page.locator("tr", has_text="/posts/closing.html").get_by_role("button", name="Open").click()
    stack.post(url, "Open again.", name="Bo")
    w.assert_clean()


def test_staff_reply_from_the_queue(stack: Stack, browser_page: Any) -> None:
    url = article(stack, "reply")
    question = stack.post(url, "Does the bay take citrus peel?", name="Quinn")
    w = signed_in(stack, browser_page)
    page = w.page
    page.goto(stack.api + f"/admin/comments/{question['id']}")
    page.keyboard.press("c")
    assert page.evaluate("() => document.activeElement.tagName") == "TEXTAREA"
    page.keyboard.type("Yes, in small amounts.")
    with page.expect_navigation():
        page.get_by_role("button", name="Publish reply").click()
    assert page.get_by_role("status").inner_text() == "Your reply is published."
    replies = [c for c in stack.thread(url)["comments"] if c["parent"] == question["id"]]
    assert [r["text"] for r in replies] == ["Yes, in small amounts."]
    assert replies[0]["author"]["name"] == "The editors"
    w.assert_clean()


def test_pages_are_accessible_and_calm(stack: Stack, browser_page: Any, tmp_path: Path) -> None:
    url = article(stack, "looks")
    stack.post(url, "A thoughtful **comment** about [the bays](https://example.org/bays).", name="Dana")
    stack.post(url, "Cheap pills, cheap pills, http://spam.example http://spam.example", name="Seller")
    hostile = stack.post(url, "<script>alert(1)</script> **ok**", name="<img src=x onerror=alert(1)>")
    w = signed_in(stack, browser_page, viewport={"width": 1200, "height": 900})
    page = w.page
    paths = [
        "/admin",
        "/admin/queue/unmoderated?site=hostsite",
        "/admin/queue/pending",
        f"/admin/comments/{hostile['id']}",
        "/admin/threads",
        f"/admin/bans?comment={hostile['id']}",
        "/admin/log",
        "/admin/sites",
        "/admin/sites/hostsite",
        "/admin/users",
        "/admin/providers",
    ]
    for path in paths:
        page.goto(stack.api + path)
        assert run_axe(page) == [], path
    page.goto(stack.api + "/admin/queue/unmoderated?site=hostsite")
    assert page.locator("img").count() == 0  # the hostile name is text
    assert "<img src=x onerror=alert(1)>" in item(page, hostile["id"]).locator("h2").inner_text()
    page.screenshot(path=str(tmp_path / "queue.png"), full_page=False)
    page.emulate_media(color_scheme="dark")
    page.reload()
    assert run_axe(page) == []
    w.assert_clean()
    # Signed out, the login page itself.
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r".*/admin/login\?bye=1$"))
    assert run_axe(page) == []


def test_an_appeal_is_marked_and_filtered(stack: Stack, browser_page: Any) -> None:
    url = article(stack, "appeal")
    appealed = stack.post(url, "The council minutes say otherwise, see page 4.", name="Noor")
    quiet = stack.post(url, "Off topic, I admit.", name="Olu")
    w = signed_in(stack, browser_page)
    page = w.page
    for comment in (appealed, quiet):
        page.goto(stack.api + f"/admin/comments/{comment['id']}")
        with page.expect_navigation():
            item(page, comment["id"]).get_by_role("button", name="Reject").click()
    sent = httpx.post(
        stack.api + f"/api/comments/{appealed['id']}/appeal",
        json={"note": "I quoted the minutes; please read page 4."},
        headers={"Origin": stack.host.origin, "Rejoinder-Edit-Token": appealed["edit_token"]},
    )
    assert sent.status_code == 202, sent.text
    page.goto(stack.api + "/admin/queue/rejected?site=hostsite")
    marked = item(page, appealed["id"])
    assert marked.locator(".rj-appealed").inner_text() == "appealed"
    assert "I quoted the minutes; please read page 4." in marked.locator(".rj-appeal").inner_text()
    assert item(page, quiet["id"]).locator(".rj-appealed").count() == 0
    page.get_by_label("Only appealed").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Filter").click()
    assert "appealed=1" in page.url
    assert item(page, appealed["id"]).count() == 1 and item(page, quiet["id"]).count() == 0
    assert run_axe(page) == []
    # Approving answers the appeal: it leaves the filtered queue.
    with page.expect_navigation():
        item(page, appealed["id"]).get_by_role("button", name="Approve").click()
    assert status(stack, url, appealed["id"]) == "approved"
    page.goto(stack.api + "/admin/queue/rejected?site=hostsite&appealed=1")
    assert item(page, appealed["id"]).count() == 0
    w.assert_clean()
