"""The widget shows a moderator's marks in real Chromium: a comment pinned and featured in /admin comes
first even sorted newest first, with "Pinned" and "Featured" and the words a screen reader adds; a
moderator's reply carries the Staff badge; a guest who calls themselves Staff gets none; a new comment
goes below the pinned block; axe-clean in light and dark, and the marks are translated."""

from __future__ import annotations

from typing import Any

import pytest

from rejoinder.services.admin_auth import hash_password
from tests.e2e.conftest import Stack, open_widget
from tests.fixtures.browser import Watched, run_axe

pytestmark = pytest.mark.e2e

PASSWORD = "pins are for the rules of the thread"
SERVER_ENV = {
    "REJOINDER_ADMIN__USERNAME": "chief",
    "REJOINDER_ADMIN__PASSWORD_HASH": hash_password(PASSWORD),
    "REJOINDER_ADMIN__DISPLAY_NAME": "The editors",
}


def moderator(stack: Stack, browser_page: Any) -> Watched:
    """A moderator signed in to /admin in their own browser context."""
    watched: Watched = browser_page()
    page = watched.page
    page.goto(stack.api + "/admin/queue/unmoderated")
    page.get_by_label("Name").fill("chief")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(stack.api + "/admin/queue/unmoderated")
    return watched


def act(page: Any, stack: Stack, comment_id: str, action: str) -> None:
    """Pin or feature a comment with its button on the comment's admin page."""
    page.goto(stack.api + f"/admin/comments/{comment_id}")
    with page.expect_navigation():
        page.locator(f'button[name="action"][value="{action}"]').click()


def staff_reply(page: Any, stack: Stack, comment_id: str, text: str) -> None:
    page.goto(stack.api + f"/admin/comments/{comment_id}")
    page.keyboard.press("c")
    page.keyboard.type(text)
    with page.expect_navigation():
        page.get_by_role("button", name="Publish reply").click()


def roots(page: Any) -> list[str]:
    ids: list[str] = page.locator(".rj-list > .rj-depth-0").evaluate_all("(els) => els.map((e) => e.id)")
    return [i.removeprefix("comment-") for i in ids]


def test_marks_badge_and_order_in_the_widget(stack: Stack, browser_page: Any) -> None:
    url = stack.host.page("/posts/marks.html", stack.api, attrs={"sort": "newest"})
    rules = stack.post(url, "Please keep it civil: the rules are linked below.", name="Desk")
    impostor = stack.post(url, "I speak for the site, trust me.", name="Staff")
    question = stack.post(url, "Does the bay take citrus peel?", name="Quinn")
    admin = moderator(stack, browser_page)
    act(admin.page, stack, rules["id"], "pin")
    act(admin.page, stack, rules["id"], "feature")
    staff_reply(admin.page, stack, question["id"], "Yes, in small amounts.")
    admin.assert_clean()
    answer = next(c for c in stack.thread(url)["comments"] if c["parent"] == question["id"])
    assert answer["staff"] and not answer["featured"]

    w = open_widget(browser_page, url)
    page = w.page
    assert roots(page) == [rules["id"], question["id"], impostor["id"]]  # pinned first, then newest
    first = page.locator(f"#comment-{rules['id']}")
    assert set(first.get_attribute("class").split()) >= {"rj-pinned", "rj-featured"}
    marks = first.locator(".rj-main > p.rj-marks:first-child .rj-mark")
    assert marks.all_text_contents() == ["Pinned by a moderator", "Featured by a moderator"]  # heard
    assert marks.evaluate_all("(els) => els.map((e) => e.className)") == [
        "rj-mark rj-mark-pinned",
        "rj-mark rj-mark-featured",
    ]
    hidden = first.locator(".rj-mark-pinned .rj-sr").bounding_box()  # " by a moderator": not on screen
    assert hidden is not None and hidden["width"] <= 1 and hidden["height"] <= 1
    assert first.locator(".rj-mark-pinned").bounding_box()["width"] > 20  # "Pinned" is
    # The featured comment sits on the surface colour, the pinned one has the accent edge.
    look = first.evaluate(
        """(li) => [getComputedStyle(li.querySelector('.rj-card')).backgroundColor,
                     getComputedStyle(li).borderTopColor,
                     getComputedStyle(document.querySelector('#rejoinder')).getPropertyValue('--rj-accent').trim()]"""
    )
    assert look[0] not in ("rgba(0, 0, 0, 0)", "transparent")
    assert look[1] == "rgb(11, 87, 208)" and look[2] == "#0b57d0"
    assert first.locator(".rj-badge").count() == 0

    reply = page.locator(f"#comment-{answer['id']}")
    badge = reply.locator(".rj-meta > .rj-name + .rj-badge.rj-badge-staff")
    assert badge.text_content() == "Staff: a moderator of this site"
    tucked = badge.locator(".rj-sr").bounding_box()  # ": a moderator of this site" is only heard
    assert tucked is not None and tucked["width"] <= 1 and tucked["height"] <= 1
    assert reply.locator(".rj-marks").count() == 0
    assert "rj-pinned" not in reply.get_attribute("class")
    fake = page.locator(f"#comment-{impostor['id']}")
    assert fake.locator(".rj-name").inner_text() == "Staff"
    assert fake.locator(".rj-badge, .rj-marks").count() == 0  # a name is not a role

    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme, reduced_motion="reduce")  # no colour transition mid-check
        found = run_axe(page)
        assert found == [], [(scheme, n["target"], n["any"][0]["message"]) for v in found for n in v["nodes"]]

    # A new comment, newest first, goes below the pinned block, not above it.
    form = page.locator(".rj-leave form")
    form.get_by_label("Comment", exact=True).fill("Fresh from the heap this morning.")
    form.get_by_label("Name", exact=True).fill("Ria")
    form.get_by_role("button", name="Post comment").click()
    fresh = page.locator(".rj-comment", has_text="Fresh from the heap")
    fresh.wait_for()
    new_id = fresh.get_attribute("id").removeprefix("comment-")
    assert roots(page) == [rules["id"], new_id, question["id"], impostor["id"]]
    assert fresh.locator(".rj-badge, .rj-marks").count() == 0
    w.assert_clean()


def test_marks_are_translated(stack: Stack, browser_page: Any) -> None:
    url = stack.host.page("/posts/marks-de.html", stack.api, lang="de")
    pinned = stack.post(url, "Bitte freundlich bleiben.", name="Redaktion")
    admin = moderator(stack, browser_page)
    act(admin.page, stack, pinned["id"], "pin")
    staff_reply(admin.page, stack, pinned["id"], "Danke!")
    w = open_widget(browser_page, url)
    page = w.page
    assert page.locator(".rj-mark").all_text_contents() == ["Angeheftet von der Moderation"]
    assert page.locator(".rj-badge").all_text_contents() == ["Team: moderiert diese Website"]
    w.assert_clean()
