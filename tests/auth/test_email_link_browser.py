"""Email sign-in in real Chromium against a real `rejoinder serve` and a loopback SMTP server: the popup's
address page, "Check your inbox", and the emailed link opened in another tab, whose button brings that tab
back to the article (another origin) signed in. This is the step a Content-Security-Policy `form-action`
would silently break, which only a browser shows. Uses a minimal host page, not the widget."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.admin.conftest import Sink
from tests.admin.conftest import smtp_sink as smtp_sink  # the loopback SMTP server fixture
from tests.e2e.hostsite import HostSite
from tests.fixtures.app import run_cli
from tests.fixtures.browser import Watched, in_thread, run_axe
from tests.fixtures.servers import Server, free_port, start_server

pytestmark = pytest.mark.e2e

HOST_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Article</title></head>
<body><main><h1>Article</h1><button id="go">Sign in with Email</button><p id="hash"></p></main>
<script>
  const API = %(api)s;
  window.rjHash = location.hash;  // what the emailed link's button hands back
  document.getElementById("hash").textContent = location.hash;
  document.getElementById("go").addEventListener("click", () => {
    const q = new URLSearchParams({site: "hostsite", origin: location.origin, mode: "popup",
                                   return: location.href.split("#")[0]});
    window.open(API + "/auth/email/start?" + q, "rejoinder-signin", "popup,width=520,height=640");
  });
</script></body></html>"""


def link_in(message: Any) -> str:
    found = re.search(r"(http://\S+/auth/email/verify\?token=[A-Za-z0-9_-]+)", message.get_content())
    assert found, message.get_content()
    return found.group(1)


@dataclass
class EmailStack:
    api: str
    host: HostSite
    server: Server
    sink: Sink


@pytest.fixture
def email_stack(tmp_path_factory: pytest.TempPathFactory, smtp_sink: Sink) -> Iterator[EmailStack]:
    tmp = tmp_path_factory.mktemp("email-signin")
    port = free_port()
    api = f"http://127.0.0.1:{port}"
    config = tmp / "rejoinder.toml"
    config.write_text(
        f'[server]\npublic_url = "{api}"\n\n'
        f'[email]\nhost = "127.0.0.1"\nport = {smtp_sink.port}\nsender = "comments@rejoinder.test"\n'
        "starttls = false\n\n"
        '[auth.providers.email]\npreset = "email"\n'
    )
    db_url = f"sqlite:///{tmp / 'rejoinder.db'}"
    host = HostSite().start()
    try:
        in_thread(run_cli, db_url, "site", "add", "hostsite", "--origin", host.origin)
        host.pages["/article.html"] = (HOST_PAGE.replace("%(api)s", json.dumps(api)).encode(), {})
        server = start_server(db_url, tmp, env={"REJOINDER_CONFIG": str(config)}, port=port)
        try:
            yield EmailStack(api=api, host=host, server=server, sink=smtp_sink)
        finally:
            server.stop()
    finally:
        host.stop()


def test_the_emailed_link_signs_in_and_returns_to_the_article(
    email_stack: EmailStack, browser_page: Callable[..., Watched]
) -> None:
    watched = browser_page()
    page = watched.page
    article = email_stack.host.origin + "/article.html"
    page.goto(article)
    with page.context.expect_page() as opened:
        page.click("#go")
    popup = opened.value
    popup.wait_for_load_state()
    assert run_axe(popup) == []
    popup.get_by_label("Your email address").fill("ann@example.org")
    popup.get_by_label("Your name, shown with your comments (optional)").fill("Ann Example")
    popup.get_by_role("button", name="Email me a link").click()
    popup.get_by_role("status").filter(has_text="Check your inbox").wait_for()
    assert run_axe(popup) == []

    [message] = in_thread(email_stack.sink.wait_for, 1)
    url = link_in(message)
    assert url.startswith(email_stack.api + "/auth/email/verify?token=")

    # The reader opens the link from their mail program: a new tab of the same browser.
    tab = page.context.new_page()
    tab.goto(url)
    host = email_stack.host.origin.split("://", 1)[1]
    assert tab.get_by_role("heading").text_content() == f"Sign in to comment on {host}?"
    assert run_axe(tab) == []
    tab.get_by_role("button", name="Sign in").click()
    tab.wait_for_url(article + "#rejoinder-session=*")
    handed = tab.evaluate("window.rjHash")
    assert handed.startswith("#rejoinder-session=rjs_")
    violations = tab.evaluate("() => window.__cspViolations || []")
    assert violations == []
    token = handed.split("=", 1)[1]
    me = httpx.get(email_stack.api + "/api/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200, me.text
    assert me.json()["identity"]["display_name"] == "Ann Example"
    assert me.json()["email"] == "ann@example.org"
    watched.assert_clean()


def test_the_link_works_in_another_browser_once(
    email_stack: EmailStack, browser_page: Callable[..., Watched]
) -> None:
    """Asked for in one browser (here by the API), opened in another: it signs in there, once."""
    article = email_stack.host.origin + "/article.html"
    sent = httpx.post(
        email_stack.api + "/api/auth/email/send",
        json={"site": "hostsite", "email": "bo@example.org", "return": article},
    )
    assert sent.status_code == 202, sent.text
    [message] = in_thread(email_stack.sink.wait_for, 1)
    url = link_in(message)
    page = browser_page().page  # type: ignore[operator]
    page.goto(url)
    assert "another browser" in (page.text_content("main") or "")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(article + "#rejoinder-session=*")
    page.go_back()  # the link's page again, from the history: its button no longer signs in
    page.goto(url)
    assert page.text_content("#rj-code") == "sign-in-link-used"
