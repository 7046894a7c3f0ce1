"""Notices of illegal content and the reader's inbox in real Chromium on a real `rejoinder serve`: a reader
reports illegal content from the widget's report form (rejoinder's own form page opens), a moderator decides
on the notice in /admin, and a signed-in reader sees "New replies to you" and opens the inbox with the
statement of reasons; every page axe-clean with no CSP violation or console error."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from rejoinder.services.admin_auth import hash_password
from tests.e2e.conftest import READY, Stack, open_widget, relaxed_env
from tests.e2e.hostsite import HostSite
from tests.fixtures.app import run_cli
from tests.fixtures.browser import in_thread, run_axe
from tests.fixtures.servers import start_server

pytestmark = pytest.mark.e2e

PASSWORD = "a careful reader of notices"
SSO_SECRET = "publisher-shared-secret-for-the-legal-tests-0123456789"
EXPLANATION = "It publishes the home address of a private person, which is unlawful."


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The e2e stack with a moderator account and a publisher-SSO provider for signed-in readers."""
    tmp = tmp_path_factory.mktemp("widget-legal")
    host = HostSite().start()
    (tmp / "rejoinder.toml").write_text(
        '[auth.providers.press]\npreset = "sso"\nlabel = "Example Press"\n'
        f'login_url = "{host.origin}/login.html"\n'
        '[[auth.providers.press.keys]]\nkid = "k1"\nsecret_env = "REJOINDER_TEST_SSO_SECRET"\n'
    )
    env = {
        **relaxed_env(),
        "REJOINDER_CONFIG": str(tmp / "rejoinder.toml"),
        "REJOINDER_TEST_SSO_SECRET": SSO_SECRET,
        "REJOINDER_ADMIN__USERNAME": "chief",
        "REJOINDER_ADMIN__PASSWORD_HASH": hash_password(PASSWORD),
    }
    db_path = str(tmp / "rejoinder.db")
    try:
        in_thread(run_cli, f"sqlite:///{db_path}", "site", "add", "hostsite", "--origin", host.origin)
        server = start_server(f"sqlite:///{db_path}", tmp, env=env)
        try:
            yield Stack(api=server.url, host=host, server=server, db_path=db_path)
        finally:
            server.stop()
    finally:
        host.stop()


def sso_token(sub: str, name: str) -> str:
    from tests.auth.sso_support import claims, hs_key, mint

    return mint(hs_key(SSO_SECRET, "k1"), claims(sub=sub, name=name, aud="hostsite"))


def test_a_reader_reports_illegal_content_from_the_widget(stack: Stack, browser_page: Any) -> None:
    url = stack.host.page("/posts/notice.html", stack.api)
    target = stack.post(url, "Mr X lives at 12 Example Street", name="Doxxer")
    w = open_widget(browser_page, url)
    page = w.page
    item = page.locator(f"#comment-{target['id']}")
    item.locator(".rj-report").click()
    link = item.get_by_role("link", name="Report illegal content")
    assert run_axe(page) == []
    with page.context.expect_page() as opened:
        link.click()
    form = opened.value
    form.wait_for_load_state()
    assert form.url.startswith(f"{stack.api}/legal-notice?comment={target['id']}")
    assert (
        form.get_by_label("The exact address of the comment").input_value() == f"{url}#comment-{target['id']}"
    )
    assert run_axe(form) == []
    form.get_by_label("Someone's personal data published unlawfully").check()
    form.get_by_label("Why is it illegal?").fill(EXPLANATION)
    form.get_by_label("Your name").fill("Nora Notifier")
    form.get_by_label("Your email address").fill("nora@example.org")
    form.get_by_role("button", name="Send the notice").click()
    # Without the good-faith statement, nothing is sent and the form says why.
    form.get_by_role("alert").wait_for()
    assert "good faith" in form.get_by_role("alert").inner_text()
    assert form.get_by_label("Why is it illegal?").input_value() == EXPLANATION
    assert run_axe(form) == []
    form.get_by_label("I believe in good faith", exact=False).check()
    form.get_by_role("button", name="Send the notice").click()
    form.get_by_text("Thank you. Your notice has number", exact=False).wait_for()
    assert run_axe(form) == []
    w.assert_clean()


def test_a_moderator_decides_on_a_legal_notice(stack: Stack, browser_page: Any) -> None:
    url = stack.host.page("/posts/decide.html", stack.api)
    target = stack.post(url, "A scam: send me your bank details", name="Crook")
    filed = httpx.post(
        f"{stack.api}/api/comments/{target['id']}/legal-notice",
        json={
            "category": "fraud",
            "explanation": "This comment asks readers for their bank details: a fraud.",
            "location": f"{url}#comment-{target['id']}",
            "name": "Nora",
            "email": "nora@example.org",
            "good_faith": True,
        },
        headers={"Origin": stack.host.origin},
    )
    assert filed.status_code == 201, filed.text
    notice_id = filed.json()["id"]
    w = browser_page()
    page = w.page
    page.goto(stack.api + "/admin/notices")
    page.get_by_label("Name").fill("chief")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(stack.api + "/admin/notices")
    assert run_axe(page) == []
    page.locator(f'a[href="/admin/notices/{notice_id}"]').click()
    page.wait_for_url(f"{stack.api}/admin/notices/{notice_id}")
    assert run_axe(page) == []
    page.get_by_label("Remove the comment").check()
    page.get_by_label("Ground", exact=False).fill("Criminal code, fraud")
    page.get_by_label("Reasons", exact=False).fill("It asks readers for their bank details.")
    page.get_by_role("button", name="Decide").click()
    page.get_by_role("status").wait_for()
    assert "Decided" in page.get_by_role("status").inner_text()
    assert page.get_by_text("Statements of reasons given to the author").count() == 1
    assert run_axe(page) == []
    assert target["id"] not in [c["id"] for c in stack.thread(url)["comments"]]
    w.assert_clean()


def test_a_signed_in_reader_opens_the_inbox(stack: Stack, browser_page: Any) -> None:
    url = stack.host.page("/posts/inbox.html", stack.api, attrs={"sso-token": sso_token("ines", "Ines")})
    w = open_widget(browser_page, url)
    page = w.page
    auth = page.locator(".rj-auth")
    auth.get_by_text("You are commenting as Ines", exact=False).wait_for()
    auth.get_by_role("link", name="Your inbox").wait_for()
    form = page.locator(".rj-leave form")
    form.get_by_label("Comment", exact=True).fill("Who else grows beans?")
    form.get_by_role("button", name="Post comment").click()
    mine = page.locator(".rj-comment", has_text="Who else grows beans?")
    mine.wait_for()
    parent = (mine.get_attribute("id") or "").removeprefix("comment-")
    stack.post(url, "I do, runner beans!", name="Bob", parent=parent)
    page.reload()
    page.wait_for_selector(READY, state="attached")
    badge = page.locator(".rj-auth").get_by_role("link", name="New replies to you: 1")
    badge.wait_for()
    assert run_axe(page) == []
    with page.context.expect_page() as opened:
        badge.click()
    inbox = opened.value
    inbox.wait_for_load_state()
    assert inbox.get_by_role("heading", name="Replies to you", exact=True).count() == 1
    assert inbox.get_by_text("Bob replied on", exact=False).count() == 1
    assert inbox.get_by_text("I do, runner beans!").count() == 1
    assert inbox.get_by_role("heading", name="Your comments", exact=True).count() == 1
    assert run_axe(inbox) == []
    page.reload()
    page.wait_for_selector(READY, state="attached")
    page.locator(".rj-auth").get_by_role("link", name="Your inbox").wait_for()  # seen: no count now
    w.assert_clean()
