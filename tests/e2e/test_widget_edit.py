"""Editing and deleting one's own comment within the edit window (here shortened to a few seconds), and
the refusal once it has closed (the server's and the page's clocks moved past it, not waited for)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import READY, Stack, open_widget

pytestmark = pytest.mark.e2e

WINDOW = 10
SERVER_ENV = {"REJOINDER_COMMENTS__EDIT_WINDOW_SECONDS": str(WINDOW)}
SERVER_CLOCK = True


def post_via_widget(page: Any, text: str, name: str = "Rita") -> Any:
    form = page.locator(".rj-leave form")
    form.get_by_label("Comment", exact=True).fill(text)
    form.get_by_label("Name", exact=True).fill(name)
    form.get_by_role("button", name="Post comment").click()
    mine = page.locator(".rj-comment", has_text=text)
    mine.wait_for()
    return page.locator("#" + (mine.get_attribute("id") or ""))


def test_edit_and_delete_within_the_window(stack: Stack, browser_page: Any) -> None:
    url = stack.host.page("/posts/edit.html", stack.api)
    w = open_widget(browser_page, url)
    page = w.page
    mine = post_via_widget(page, "First draft of my thought")
    left = mine.locator(".rj-left")
    assert "seconds left to edit or delete" in left.inner_text()

    mine.get_by_role("button", name="Edit").click()
    editor = mine.get_by_label("Comment", exact=True)
    assert editor.input_value() == "First draft of my thought"
    assert page.evaluate("() => document.activeElement.tagName") == "TEXTAREA"
    editor.fill("Second draft, with *emphasis*")
    mine.get_by_role("button", name="Save").click()
    mine.locator(".rj-text em").wait_for()
    assert mine.locator(".rj-text").inner_text() == "Second draft, with emphasis"
    assert mine.locator(".rj-edited").inner_text() == "edited"
    assert page.evaluate("() => document.activeElement.textContent") == "Edit"
    assert stack.thread(url)["comments"][0]["text"] == "Second draft, with *emphasis*"

    # Delete asks first; Cancel keeps it, and the second time it goes.
    mine.get_by_role("button", name="Delete").click()
    group = mine.get_by_role("group", name="Delete this comment for good?")
    group.get_by_role("button", name="Cancel").click()
    assert mine.locator(".rj-text").count() == 1
    mine.get_by_role("button", name="Delete").click()
    mine.get_by_role("group").get_by_role("button", name="Delete").click()
    mine.wait_for(state="detached")
    assert page.locator(".rj-title").inner_text() == "0 Responses"
    assert stack.thread(url)["comments"] == []
    w.assert_clean()


def test_deleting_a_comment_with_replies_leaves_a_placeholder(stack: Stack, browser_page: Any) -> None:
    url = stack.host.page("/posts/placeholder.html", stack.api)
    w = open_widget(browser_page, url)
    page = w.page
    mine = post_via_widget(page, "Soon to be withdrawn")
    comment_id = (mine.get_attribute("id") or "").removeprefix("comment-")
    stack.post(url, "A reply that keeps the thread alive", name="Sam", parent=comment_id)
    page.reload()
    page.wait_for_selector(READY, state="attached")
    mine = page.locator(f"#comment-{comment_id}")
    mine.get_by_role("button", name="Delete").click()
    mine.get_by_role("group").get_by_role("button", name="Delete").click()
    mine.locator(".rj-placeholder").wait_for()
    assert mine.inner_text() == "This comment was deleted."
    assert page.locator(".rj-comment", has_text="keeps the thread alive").count() == 1
    assert page.evaluate("() => document.activeElement.id") == f"comment-{comment_id}"
    other = open_widget(browser_page, url)
    assert other.page.locator(f"#comment-{comment_id}").inner_text() == "This comment was deleted."
    w.assert_clean()
    other.assert_clean()


def test_changes_are_refused_after_the_window(stack: Stack, browser_page: Any) -> None:
    url = stack.host.page("/posts/too-late.html", stack.api)
    w = open_widget(browser_page, url, install_clock=True)
    page = w.page
    mine = post_via_widget(page, "Said in haste")
    mine.get_by_role("button", name="Edit").click()
    mine.get_by_label("Comment", exact=True).fill("Repented at leisure")
    # The reader keeps the editor open past the window, then saves: the server refuses.
    stack.advance(page, WINDOW + 1)
    mine.get_by_role("button", name="Save").click()
    alert = mine.locator(".rj-submit [role=alert]")
    page.wait_for_function(
        "(el) => el.textContent.includes('can no longer be changed')", arg=alert.element_handle()
    )
    assert stack.thread(url)["comments"][0]["text"] == "Said in haste"
    # The widget took its controls away when the window closed, and a reload does not bring them back.
    mine.get_by_role("button", name="Cancel").click()
    assert mine.get_by_role("button", name="Edit").count() == 0
    assert mine.get_by_role("button", name="Delete").count() == 0
    page.reload()
    page.wait_for_selector(READY, state="attached")
    assert (
        page.locator(".rj-comment", has_text="Said in haste").get_by_role("button", name="Edit").count() == 0
    )
    assert [e for e in w.console_errors if "403" not in e] == []
    assert w.page_errors == []
