"""The reader's data rights in the widget, in real Chromium against a real server and the loopback OpenID
provider: "Download my data" saves the JSON document, "Delete my account" removes the reader's comments,
signs out and shows the thread without them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.test_widget_signin import WHO, SignInSite, open_article, session_token, sign_in_by_popup
from tests.e2e.test_widget_signin import site as site  # the module's server, host site and providers
from tests.fixtures.browser import run_axe

pytestmark = pytest.mark.e2e


def test_download_my_data_then_delete_my_account(site: SignInSite, browser_page: Any, tmp_path: Path) -> None:
    url = site.article("/data-rights/article.html")
    w = open_article(browser_page, url)
    page = w.page
    sign_in_by_popup(page, "Sign in with Loopback ID", "dora")
    page.wait_for_function(f"() => document.querySelector('{WHO}')?.textContent.includes('User dora')")
    token = session_token(page)
    assert token
    page.get_by_label("Comment", exact=True).fill("Mine, <b>to take away</b>.")
    page.get_by_role("button", name="Post comment").click()
    page.locator(".rj-comment", has_text="Mine, <b>to take away</b>.").wait_for()

    page.get_by_role("button", name="Change").click()
    with page.expect_download() as saving:
        page.get_by_role("button", name="Download my data").click()
    download = saving.value
    assert download.suggested_filename == "rejoinder-data.json"
    saved = tmp_path / "data.json"
    download.save_as(saved)
    data = json.loads(saved.read_text("utf-8"))
    assert data["identity"]["display_name"] == "User dora"
    assert [c["text"] for c in data["comments"]] == ["Mine, <b>to take away</b>."]
    assert token not in saved.read_text("utf-8")

    toggle = page.get_by_role("button", name="Delete my account")
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert page.get_by_text("Delete your account for good? Your comments:").is_visible()
    assert run_axe(page) == []
    page.get_by_role("button", name="Remove them").click()
    page.wait_for_function(
        "() => document.querySelector('.rj-leave > .rj-hint')?.textContent === 'Your account is deleted.'"
    )
    page.get_by_role("button", name="Sign in with Loopback ID").wait_for()
    page.wait_for_function("() => !document.querySelector('.rj-comment')")
    assert session_token(page) is None
    assert page.get_by_label("Name", exact=True).is_visible()
    gone = site.me(token)
    assert gone.status_code == 401 and gone.json()["code"] == "session-invalid"
    thread = httpx.get(site.api + "/api/threads", params={"url": url}).json()
    assert (thread["thread"]["count"], thread["comments"]) == (0, [])
    w.assert_clean()
