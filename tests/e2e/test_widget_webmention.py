"""A Webmention reply in Chromium: another blog (a page on our loopback web server) replies to an article of
the host site and sends a Webmention; rejoinder verifies it in the background and holds it (premoderation);
a moderator sees its origin in /admin and approves it; the widget then shows it under the article, with its
author and a link to the source."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from rejoinder.services.admin_auth import hash_password
from tests.e2e.conftest import Stack, open_widget, relaxed_env
from tests.e2e.hostsite import HostSite
from tests.fixtures.app import run_cli
from tests.fixtures.browser import in_thread
from tests.fixtures.servers import start_server
from tests.fixtures.webmention_pages import Web

pytestmark = pytest.mark.e2e

PASSWORD = "webmentions are moderated too"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    tmp = tmp_path_factory.mktemp("widget-webmention")
    host = HostSite().start()
    env = {
        **relaxed_env(),
        "REJOINDER_MODERATION__PREMODERATION": "all",
        "REJOINDER_WEBMENTION__ALLOW_PRIVATE": "true",
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


def verified(stack: Stack, source: str, timeout: float = 30.0) -> tuple[str, str]:
    """(state, comment id) once the server has verified the mention; a bounded poll of the database (the
    verification runs in the server's background)."""
    deadline = time.monotonic() + timeout
    while True:
        with sqlite3.connect(stack.db_path) as conn:
            row = conn.execute(
                "SELECT state, comment_id FROM webmentions WHERE source = ? AND state != 'pending'", (source,)
            ).fetchone()
        if row is not None:
            return str(row[0]), str(row[1])
        assert time.monotonic() < deadline, stack.log_tail()
        time.sleep(0.05)


def test_an_approved_webmention_reply_shows_in_the_widget_with_its_source(
    stack: Stack, browser_page: Any, web: Web
) -> None:
    article = stack.host.page("/posts/webmention.html", stack.api)
    source = web.page(
        "/2026/12/my-reply",
        f"""<!doctype html><html><body><article class="h-entry">
        <a class="p-author h-card" href="https://gil.example/">Gil Blogger</a>
        <a class="u-in-reply-to" href="{article}">In reply to the compost heap</a>
        <div class="e-content"><p>My heap <em>also</em> taught me patience.</p>
        <img src=x onerror="window.__pwned = 'wm'"></div></article></body></html>""",
    )
    sent = httpx.post(stack.api + "/webmention", data={"source": source, "target": article}, timeout=10)
    assert sent.status_code == 202, sent.text
    state, cid = verified(stack, source)
    assert state == "verified"
    assert stack.thread(article)["comments"] == []  # held: premoderation = all

    admin = browser_page()
    page = admin.page
    page.goto(stack.api + "/admin/login")
    page.get_by_label("Name").fill("chief")
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    page.goto(f"{stack.api}/admin/comments/{cid}")
    item = page.locator(f"article#c-{cid}")
    origin = item.locator("a.rj-webmention-source")
    assert origin.get_attribute("href") == source
    assert "Webmention from" in item.inner_text()
    with page.expect_navigation():
        item.get_by_role("button", name="Approve").click()

    w = open_widget(browser_page, article)
    shown = w.page.locator(f"#comment-{cid}")
    shown.wait_for()
    text = shown.inner_text()
    assert "Gil Blogger" in text
    assert "My heap also taught me patience." in text
    via = shown.locator(f'a[href="{source}"]')
    assert via.inner_text() == "127.0.0.1"
    assert w.page.evaluate("() => window.__pwned") is None  # the source's markup was never taken
    assert shown.locator("img[src=x]").count() == 0
