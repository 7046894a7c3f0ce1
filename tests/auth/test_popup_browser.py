"""The sign-in popup in real Chromium: an article page on its own origin opens rejoinder's popup, the
reader logs in at the loopback OpenID provider, and the page receives the session by postMessage (and,
with popups blocked, by the redirect back to the article). Uses a minimal host script, not the widget."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.e2e.hostsite import HostSite
from tests.fixtures.app import run_cli
from tests.fixtures.browser import in_thread
from tests.fixtures.oidc import OpenIdProvider
from tests.fixtures.servers import Server, free_port, start_server

pytestmark = pytest.mark.e2e

HOST_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Article</title></head>
<body><main><h1>Article</h1><button id="go">Sign in</button><pre id="out"></pre></main>
<script>
  const API = %(api)s;
  window.rjResult = null;
  window.rjOthers = [];
  addEventListener("message", (event) => {
    if (event.origin !== API) { window.rjOthers.push(event.origin); return; }  // only rejoinder's answer
    window.rjResult = event.data;
    document.getElementById("out").textContent = JSON.stringify(event.data);
  });
  document.getElementById("go").addEventListener("click", () => {
    const q = new URLSearchParams({site: "hostsite", origin: location.origin, mode: "popup"});
    window.open(API + "/auth/op/start?" + q, "rejoinder-signin", "popup,width=520,height=640");
  });
</script></body></html>"""


@dataclass
class SignInStack:
    api: str
    host: HostSite
    server: Server


@pytest.fixture(scope="module")
def signin_stack(
    tmp_path_factory: pytest.TempPathFactory, openid_provider: OpenIdProvider
) -> Iterator[SignInStack]:
    tmp = tmp_path_factory.mktemp("signin")
    port = free_port()
    api = f"http://127.0.0.1:{port}"
    client = httpx.post(  # RFC 7591: a client for this server's callback URL
        openid_provider.issuer + "/reg",
        json={
            "redirect_uris": [f"{api}/auth/op/callback"],
            "grant_types": ["authorization_code"],
            "response_types": ["code"],
            "token_endpoint_auth_method": "client_secret_basic",
        },
    ).json()
    config = tmp / "rejoinder.toml"
    config.write_text(
        f'[server]\npublic_url = "{api}"\n\n[auth.providers.op]\npreset = "oidc"\nlabel = "Loopback ID"\n'
        f'issuer = "{openid_provider.issuer}"\nclient_id = "{client["client_id"]}"\n'
        'client_secret_env = "REJOINDER_TEST_OP_SECRET"\n'
    )
    db_url = f"sqlite:///{tmp / 'rejoinder.db'}"
    host = HostSite().start()
    try:
        in_thread(run_cli, db_url, "site", "add", "hostsite", "--origin", host.origin)
        host.pages["/article.html"] = (HOST_PAGE.replace("%(api)s", json.dumps(api)).encode(), {})
        env = {"REJOINDER_CONFIG": str(config), "REJOINDER_TEST_OP_SECRET": client["client_secret"]}
        server = start_server(db_url, tmp, env=env, port=port)
        try:
            yield SignInStack(api=api, host=host, server=server)
        finally:
            server.stop()
    finally:
        host.stop()


def _log_in_at_provider(popup: Any, login: str) -> None:
    """node-oidc-provider's development login form, then its consent form."""
    popup.wait_for_selector("input[name=login]")
    popup.fill("input[name=login]", login)
    popup.fill("input[name=password]", "any password")
    popup.click("button[type=submit]")
    popup.wait_for_selector("button[type=submit]")  # consent
    popup.click("button[type=submit]")


def test_popup_posts_the_session_to_the_article_page(signin_stack: SignInStack, browser_page: Any) -> None:
    watched = browser_page()
    page = watched.page
    page.goto(signin_stack.host.origin + "/article.html")
    with page.context.expect_page() as opened:
        page.click("#go")
    popup = opened.value
    popup.wait_for_load_state()
    _log_in_at_provider(popup, "alice")
    page.wait_for_function("window.rjResult !== null")
    result = page.evaluate("window.rjResult")
    assert result["type"] == "rejoinder:session"
    assert result["identity"]["display_name"] == "User alice"
    assert result["provider"] == {"name": "op", "label": "Loopback ID"}
    if not popup.is_closed():  # the popup closes itself (perhaps already)
        popup.wait_for_event("close")
    me = page.evaluate(
        """async ([api, token]) => {
             const r = await fetch(api + "/api/me", {headers: {Authorization: "Bearer " + token}});
             return [r.status, await r.json()];
           }""",
        [signin_stack.api, result["token"]],
    )
    assert me[0] == 200 and me[1]["identity"]["display_name"] == "User alice"
    assert page.evaluate("window.rjOthers") == []
    watched.assert_clean()


def test_redirect_mode_returns_to_the_article(signin_stack: SignInStack, browser_page: Any) -> None:
    page = browser_page().page
    article = signin_stack.host.origin + "/article.html"
    start = (
        f"{signin_stack.api}/auth/op/start?site=hostsite&origin={signin_stack.host.origin}"
        f"&mode=redirect&return={article}"
    )
    page.goto(start)
    _log_in_at_provider(page, "bob")
    page.wait_for_url(article + "#rejoinder-session=*")
    token = page.url.split("#rejoinder-session=", 1)[1]
    r = httpx.get(signin_stack.api + "/api/me", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200 and r.json()["identity"]["display_name"] == "User bob"


def test_a_foreign_page_gets_nothing(signin_stack: SignInStack, browser_page: Any) -> None:
    page = browser_page().page
    response = page.goto(
        f"{signin_stack.api}/auth/op/start?site=hostsite&origin=http://evil.example&mode=popup"
    )
    assert response is not None and response.status == 403
    assert page.text_content("#rj-code") == "origin-not-allowed"
