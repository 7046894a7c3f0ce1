"""Passkeys through the real widget in Chromium (virtual authenticator): a reader signed in with the
loopback OpenID provider (over HTTP) chooses Change → Add a passkey, then logs out and signs in with "Passkey" alone,
as the same identity; in another browser profile holding the same passkey, too.

Popups are turned off on the article (window.open returns null), so the widget takes its redirect path
and the passkey page runs in the article's own tab, where the test's virtual authenticator lives.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.auth.flows import provider_url, result
from tests.auth.test_passkeys_browser import authenticator
from tests.e2e.conftest import READY, relaxed_env
from tests.e2e.hostsite import HostSite
from tests.e2e.test_widget_signin import session_token
from tests.fixtures.app import run_cli
from tests.fixtures.browser import in_thread
from tests.fixtures.oidc import OpenIdProvider, op_login
from tests.fixtures.servers import Server, free_port, start_server

pytestmark = pytest.mark.e2e

NO_POPUPS = "window.open = function () { return null; };"


@dataclass
class Site:
    api: str
    local: str
    host: HostSite
    server: Server

    def session(self, login: str) -> str:
        """A session through the loopback OpenID provider, without a browser."""
        with httpx.Client(base_url=self.local, headers={"Accept": "text/html"}) as http:
            query = {"site": "hostsite", "origin": self.host.origin, "mode": "popup"}
            back = op_login(provider_url(http.get("/auth/op/start", params=query)), login, stop_at=self.api)
            message = result(http.get(back.replace(self.api, self.local, 1)))
        assert message["type"] == "rejoinder:session", message
        token: str = message["token"]
        return token

    def me(self, token: str | None) -> dict[str, Any]:
        response = httpx.get(self.local + "/api/me", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, openid_provider: OpenIdProvider) -> Iterator[Site]:
    tmp = tmp_path_factory.mktemp("passkeys-widget")
    port = free_port()
    api = f"http://localhost:{port}"  # WebAuthn wants a domain as RP ID; localhost is a secure context
    client = httpx.post(
        openid_provider.issuer + "/reg",
        json={
            "redirect_uris": [f"{api}/auth/op/callback"],
            "grant_types": ["authorization_code"],
            "response_types": ["code"],
            "token_endpoint_auth_method": "client_secret_basic",
        },
    ).json()
    (tmp / "rejoinder.toml").write_text(
        f'[server]\npublic_url = "{api}"\n\n'
        f'[auth.providers.op]\npreset = "oidc"\nlabel = "Loopback ID"\nissuer = "{openid_provider.issuer}"\n'
        f'client_id = "{client["client_id"]}"\nclient_secret_env = "REJOINDER_TEST_OP_SECRET"\n\n'
        '[auth.providers.passkey]\npreset = "passkey"\n'
    )
    env = {
        **relaxed_env(),
        "REJOINDER_CONFIG": str(tmp / "rejoinder.toml"),
        "REJOINDER_TEST_OP_SECRET": client["client_secret"],
    }
    db_url = f"sqlite:///{tmp / 'rejoinder.db'}"
    host = HostSite().start()
    try:
        in_thread(run_cli, db_url, "site", "add", "hostsite", "--origin", host.origin)
        server = start_server(db_url, tmp, env=env, port=port)
        try:
            yield Site(api=api, local=server.url, host=host, server=server)
        finally:
            server.stop()
    finally:
        host.stop()


def open_article(browser_page: Any, url: str) -> Any:
    watched = browser_page()
    watched.page.context.add_init_script(NO_POPUPS)
    return watched


def load(page: Any, url: str) -> None:
    page.goto(url)
    page.wait_for_selector(READY, state="attached")
    page.wait_for_selector(".rj-auth button")


def wait_for_who(page: Any, text: str) -> None:
    page.wait_for_function(
        "(text) => document.querySelector('.rj-auth')?.textContent.includes(text)", arg=text
    )


def test_add_a_passkey_in_the_widget_and_sign_in_with_it(site: Site, browser_page: Any) -> None:
    url = site.host.page("/passkeys/widget.html", site.api)
    watched = open_article(browser_page, url)
    page = watched.page
    cdp, auth_id = authenticator(page)
    load(page, url)

    # Signed in with the OpenID provider (its pages driven over HTTP: they load fonts from the internet).
    page.evaluate("(t) => localStorage.setItem('rejoinder.session', JSON.stringify(t))", site.session("gina"))
    load(page, url)
    wait_for_who(page, "(via Loopback ID)")
    identity = site.me(session_token(page))["identity"]["id"]

    page.get_by_role("button", name="Change").click()
    page.get_by_role("button", name="Add a passkey", exact=True).click()
    page.wait_for_selector("#rj-passkey-go")
    assert page.text_content("h1") == "Add a passkey"
    page.click("#rj-passkey-go")
    page.wait_for_url(url)
    wait_for_who(page, "(via Passkey)")
    assert (
        page.locator(".rj-auth")
        .inner_text()
        .startswith("You are commenting as User gina (via Passkey) · Log out · Change")
    )
    me = site.me(session_token(page))
    assert me["identity"]["id"] == identity
    assert sorted(c["kind"] for c in me["credentials"]) == ["oidc", "passkey"]

    page.get_by_role("button", name="Log out").click()
    page.get_by_role("button", name="Sign in with Passkey", exact=True).click()
    page.wait_for_selector("#rj-passkey-go")
    page.click("#rj-passkey-go")
    page.wait_for_url(url)
    wait_for_who(page, "(via Passkey)")
    assert site.me(session_token(page))["identity"]["id"] == identity
    watched.assert_clean()
    # Taken after its last use: a copy with an older signature counter would be refused as a clone.
    [credential] = cdp.send("WebAuthn.getCredentials", {"authenticatorId": auth_id})["credentials"]

    # Another browser profile with the same passkey (synced, say): no other sign-in needed.
    other = open_article(browser_page, url)
    authenticator(other.page, credential)
    load(other.page, url)
    other.page.get_by_role("button", name="Sign in with Passkey", exact=True).click()
    other.page.click("#rj-passkey-go")
    other.page.wait_for_url(url)
    wait_for_who(other.page, "(via Passkey)")
    assert site.me(session_token(other.page))["identity"]["id"] == identity
    other.assert_clean()
