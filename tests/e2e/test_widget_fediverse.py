"""A reply written on the fediverse appears in the widget, in real Chromium, after a moderator approved it:
the Fedify peer (tests/fixtures/fedify.py) replies to the article's ActivityPub object, the reply waits in
/admin's queue marked as from the fediverse, the moderator approves it, and the widget shows it with the
remote author's name and an avatar served by rejoinder (no remote media in the reader's page)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest

from rejoinder.services.admin_auth import hash_password
from tests.e2e.conftest import Stack, open_widget, relaxed_env
from tests.e2e.hostsite import HostSite
from tests.fixtures.app import run_cli
from tests.fixtures.browser import in_thread
from tests.fixtures.fedify import FedifyPeer, federation_env, wait_for
from tests.fixtures.servers import free_port, start_server

pytestmark = pytest.mark.e2e

PASSWORD = "a moderator of the fediverse"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The e2e stack, every comment held for review, federating on loopback (public URL = its address)."""
    tmp = tmp_path_factory.mktemp("widget-fediverse")
    host = HostSite().start()
    port = free_port()
    env = {
        **relaxed_env(),
        **federation_env(port),
        "REJOINDER_MODERATION__PREMODERATION": "all",
        "REJOINDER_ADMIN__USERNAME": "chief",
        "REJOINDER_ADMIN__PASSWORD_HASH": hash_password(PASSWORD),
    }
    db_path = str(tmp / "rejoinder.db")
    try:
        in_thread(run_cli, f"sqlite:///{db_path}", "site", "add", "hostsite", "--origin", host.origin)
        server = start_server(f"sqlite:///{db_path}", tmp, env=env, port=port)
        try:
            yield Stack(api=server.url, host=host, server=server, db_path=db_path)
        finally:
            server.stop()
    finally:
        host.stop()


def held(stack: Stack) -> list[str]:
    with sqlite3.connect(stack.db_path) as conn:
        return [row[0] for row in conn.execute("SELECT id FROM comments WHERE status = 'pending'")]


def test_a_fediverse_reply_appears_in_the_widget_after_approval(
    stack: Stack, fedify_peer: FedifyPeer, browser_page: Any
) -> None:
    url = stack.host.page("/posts/fediverse.html", stack.api)
    article = f"{stack.api}/ap/sites/hostsite/article?url={quote(url, safe='')}"
    fedify_peer.control(
        "reply",
        to=f"{stack.api}/ap/sites/hostsite",
        inReplyTo=article,
        content="<p>Greetings from the fediverse, compost friends</p>",
    )
    (comment_id,) = wait_for(lambda: held(stack), "the fediverse reply held for review")
    assert stack.thread(url)["comments"] == []  # not public before a moderator approves it

    watched = browser_page()
    page = watched.page
    page.goto(stack.api + "/admin/queue/pending?site=hostsite")
    page.get_by_label("Name").fill("chief")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(stack.api + "/admin/queue/pending?site=hostsite")
    entry = page.locator(f"article#c-{comment_id}")
    assert "fediverse" in entry.inner_text() and "@alice@127.0.0.1" in entry.inner_text()
    page.wait_for_function(
        "(id) => document.activeElement && document.activeElement.id === 'c-' + id", arg=comment_id
    )
    with page.expect_navigation():
        page.keyboard.press("a")
    assert page.get_by_role("status").inner_text() == "Approved."

    reader = open_widget(browser_page, url)
    reader.page.wait_for_selector(f"#comment-{comment_id}")
    text = reader.page.locator("#rejoinder").inner_text()
    assert "Greetings from the fediverse, compost friends" in text
    assert "Alice <b>Fedify</b>" in text  # the remote name as text, never as markup
    sources = reader.page.eval_on_selector_all("#rejoinder img", "els => els.map(e => e.src)")
    assert sources and all(s.startswith(stack.api + "/api/avatars/") for s in sources), sources
    reader.assert_clean()  # no console error, page error or CSP violation
