"""The moderation desk in real Chromium on a real `rejoinder serve`: a moderator searches comments and saves
the search, edits a comment's text with a public note (the widget shows "Edited by a moderator"), warns a
guest who then meets the warning in the widget and acknowledges it before posting again, and always
pre-moderates a commenter; every desk page and the widget's warning are axe-clean, with no CSP violation or
console error."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest

from tests.e2e import test_admin
from tests.e2e.conftest import Stack, open_widget
from tests.e2e.test_admin import signed_in
from tests.fixtures.browser import Watched, run_axe

pytestmark = pytest.mark.e2e

SERVER_ENV = dict(test_admin.SERVER_ENV)  # the same moderator account as test_admin.py


def article(stack: Stack, name: str) -> str:
    """A page of the host site that embeds the widget."""
    url: str = stack.host.page(f"/posts/{name}.html", stack.api)
    return url


def desk(stack: Stack, browser_page: Any) -> Watched:
    return signed_in(stack, browser_page)


def clean(w: Watched) -> None:
    assert run_axe(w.page) == []
    w.assert_clean()


def test_search_and_a_saved_filter(stack: Stack, browser_page: Any) -> None:
    url = article(stack, "desk-search")
    fox = stack.post(url, "The quick brown fox jumps over the fence.", name="Ann")
    dog = stack.post(url, "A lazy brown dog sleeps all day.", name="Bob")
    w = desk(stack, browser_page)
    page = w.page
    page.get_by_role("navigation").get_by_role("link", name="Search", exact=True).click()
    page.wait_for_url(stack.api + "/admin/search")
    clean(w)
    page.get_by_label("Words").fill('brown "fox')
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_url("**/admin/search?q=*")
    results = page.locator("table.rj-results tbody tr")
    assert results.count() == 1
    assert f"/admin/comments/{fox['id']}" in (results.first.locator("a").first.get_attribute("href") or "")
    page.get_by_label("Save this search as").fill("Foxes")
    page.get_by_role("button", name="Save filter").click()
    page.wait_for_url("**done=filter-save**")
    assert page.get_by_role("status").inner_text() == "Filter saved."
    clean(w)
    page.goto(stack.api + "/admin/search")
    page.get_by_role("link", name="Foxes").click()
    page.wait_for_url("**saved=**")
    assert page.locator("table.rj-results tbody tr").count() == 1
    assert dog["id"] not in page.content()


def test_a_moderator_edits_a_comment_and_the_widget_says_so(stack: Stack, browser_page: Any) -> None:
    url = article(stack, "desk-edit")
    made = stack.post(url, "Call me on 555-0100 any time.", name="Ann")
    w = desk(stack, browser_page)
    page = w.page
    page.goto(f"{stack.api}/admin/comments/{made['id']}")
    page.get_by_label("Text (Markdown)").fill("Call me any time.")
    page.get_by_label("Public note shown with the comment (optional)").fill("phone number removed")
    page.get_by_role("button", name="Save as moderator").click()
    page.wait_for_url("**done=edit**")
    assert page.get_by_role("heading", name="Moderator edits").is_visible()
    assert "Call me on 555-0100 any time." in page.locator(".rj-version pre").first.inner_text()
    clean(w)

    reader = open_widget(browser_page, url)
    item = reader.page.locator(f"#comment-{made['id']}")
    assert item.locator(".rj-text").inner_text().strip() == "Call me any time."
    assert item.locator(".rj-edited").inner_text() == "Edited by a moderator: phone number removed"
    clean(reader)
    [shown] = stack.thread(url)["comments"]
    assert (shown["moderator_edited"], shown["moderator_note"]) == (True, "phone number removed")


def write(page: Any, text: str, *, name: str, email: str) -> None:
    form = page.locator("form.rj-compose")
    form.get_by_label("Comment", exact=True).fill(text)
    form.get_by_label("Name", exact=True).fill(name)
    form.get_by_label("Email (optional)").fill(email)
    form.get_by_role("button", name="Post comment").click()


def warn_rex(stack: Stack, browser_page: Any, url: str, message: str) -> Watched:
    """Rex comments as a guest; a moderator finds everything about him from the comment and warns him."""
    made = stack.post(url, "You are all fools.", name="Rex", author={"email": "rex@example.org"})
    w = desk(stack, browser_page)
    page = w.page
    page.goto(f"{stack.api}/admin/comments/{made['id']}")
    page.get_by_role("link", name="Everything about Rex").click()
    page.wait_for_url(f"**/admin/commenters/{made['id']}")
    assert "Guest writing as rex@example.org" in page.content()
    page.get_by_label("Warning they must read before posting again").fill(message)
    page.get_by_role("button", name="Warn").click()
    page.wait_for_url("**done=warn**")
    assert "not acknowledged yet" in page.content()
    clean(w)
    return w


def test_a_warned_guest_acknowledges_the_warning_in_the_widget(stack: Stack, browser_page: Any) -> None:
    url = article(stack, "desk-warn")
    w = warn_rex(stack, browser_page, url, "Insults are not welcome here.")
    page = w.page

    reader = open_widget(browser_page, url)
    rpage = reader.page
    write(rpage, "Fine, a calmer point.", name="Rex", email="rex@example.org")
    warning = rpage.locator(".rj-warning")
    warning.wait_for()
    assert warning.get_attribute("role") == "alert"
    assert warning.locator("strong").inner_text() == "A moderator has sent you a warning"
    assert warning.locator("p").inner_text() == "Insults are not welcome here."
    assert len(stack.thread(url)["comments"]) == 1  # nothing was posted
    assert run_axe(rpage) == []
    # The refused post is the one failed request Chromium logs.
    reader.console_errors[:] = [e for e in reader.console_errors if "status of 403 (Forbidden)" not in e]
    reader.assert_clean()
    ack = warning.get_by_role("button", name="I have read it")
    assert rpage.evaluate("() => document.activeElement.textContent") == "I have read it"
    ack.click()
    warning.wait_for(state="detached")
    rpage.locator("form.rj-compose").get_by_role("button", name="Post comment").click()
    rpage.wait_for_function(
        "() => [...document.querySelectorAll('.rj-text')].some((b) => b.textContent.includes('calmer point'))"
    )
    assert [c["text"] for c in stack.thread(url)["comments"]] == [
        "You are all fools.",
        "Fine, a calmer point.",
    ]
    reader.assert_clean()
    page.reload()
    assert "acknowledged" in page.content() and "not acknowledged yet" not in page.content()


def test_always_premoderate_holds_the_commenters_next_comment(stack: Stack, browser_page: Any) -> None:
    url = article(stack, "desk-premoderate")
    made = stack.post(url, "First words, published.", name="Pat", author={"email": "pat@example.org"})
    w = desk(stack, browser_page)
    page = w.page
    page.goto(f"{stack.api}/admin/commenters/{made['id']}")
    page.get_by_role("button", name="Always pre-moderate this commenter").click()
    page.wait_for_url("**done=premoderate**")
    assert page.get_by_text("Always pre-moderated").is_visible()
    assert page.get_by_role("button", name="Stop pre-moderating this commenter").is_visible()
    clean(w)

    reader = open_widget(browser_page, url)
    write(reader.page, "Second words, held.", name="Pat", email="pat@example.org")
    held = reader.page.locator(".rj-held")
    held.wait_for()
    assert "A moderator reviews your comments here before they appear." in held.inner_text()
    assert [c["text"] for c in stack.thread(url)["comments"]] == ["First words, published."]
    page.goto(stack.api + "/admin/queue/pending?site=hostsite")
    assert "Second words, held." in page.content()
    reader.assert_clean()


def test_a_warned_guest_acknowledges_the_warning_on_the_no_js_page(stack: Stack, browser_page: Any) -> None:
    url = article(stack, "desk-warn-nojs")
    page = warn_rex(stack, browser_page, url, "No <b>insults</b> here.").page

    reader = browser_page()
    rpage = reader.page
    rpage.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    rpage.goto(f"{stack.api}/thread?url={quote(url, safe='')}")
    form = rpage.locator("form.rj-form")
    assert form.locator("#rj-acknowledge").count() == 0
    form.get_by_label("Comment", exact=True).fill("Fine, a calmer point.")
    form.get_by_label("Name", exact=True).fill("Rex")
    form.locator("#rj-email").fill("rex@example.org")
    form.get_by_role("button", name="Post comment").click()
    rpage.wait_for_load_state()
    warning = rpage.get_by_role("group", name="A moderator has sent you a warning")
    warning.wait_for()
    assert warning.locator("blockquote").inner_text() == "No <b>insults</b> here."  # text, not markup
    assert len(stack.thread(url)["comments"]) == 1  # nothing was posted
    assert rpage.locator("form.rj-form #rj-text").input_value() == "Fine, a calmer point."  # kept
    for scheme in ("light", "dark"):
        rpage.emulate_media(color_scheme=scheme)
        assert run_axe(rpage) == [], scheme
    warning.get_by_label("I have read it").check()
    rpage.locator("form.rj-form").get_by_role("button", name="Post comment").click()
    rpage.wait_for_url("**#comment-*")
    assert [c["text"] for c in stack.thread(url)["comments"]] == [
        "You are all fools.",
        "Fine, a calmer point.",
    ]
    assert rpage.locator(".rj-warning").count() == 0
    # The refused post is the one failed request Chromium logs.
    reader.console_errors[:] = [e for e in reader.console_errors if "status of 403 (Forbidden)" not in e]
    reader.assert_clean()
    page.reload()
    assert "acknowledged" in page.content() and "not acknowledged yet" not in page.content()
