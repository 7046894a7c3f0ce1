"""Passkeys in real Chromium with the DevTools WebAuthn virtual authenticator (CTAP2, resident keys, user
verification): a reader signed in through the loopback OpenID provider adds a passkey on rejoinder's page,
then signs in with it in a fresh page's popup and gets a session for the same identity. The passkey moves
between pages as an authenticator's exported credential, as it would between two tabs of one browser.

rejoinder runs as a real server at http://localhost:PORT (WebAuthn needs a domain as RP ID, not an IP
address; localhost is a secure context over http). The article is on another origin (127.0.0.1).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from tests.auth.flows import provider_url, result
from tests.e2e.hostsite import HostSite
from tests.fixtures.app import run_cli
from tests.fixtures.browser import in_thread, run_axe
from tests.fixtures.oidc import OpenIdProvider, op_login
from tests.fixtures.servers import Server, free_port, start_server

pytestmark = pytest.mark.e2e

HOST_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Article</title></head>
<body><main><h1>Article</h1><button id="go">Sign in with a passkey</button></main>
<script>
  const API = %(api)s;
  window.rjResult = null;
  addEventListener("message", (event) => {
    if (event.origin === API) window.rjResult = event.data;
  });
  document.getElementById("go").addEventListener("click", () => {
    const q = new URLSearchParams({site: "hostsite", origin: location.origin, mode: "popup",
                                   return: location.href.split("#")[0]});
    window.open(API + "/auth/passkey/start?" + q, "rejoinder-signin", "popup,width=520,height=640");
  });
</script></body></html>"""

AUTHENTICATOR = {
    "protocol": "ctap2",
    "transport": "internal",
    "hasResidentKey": True,
    "hasUserVerification": True,
    "isUserVerified": True,
    "automaticPresenceSimulation": True,
}


@dataclass
class Stack:
    api: str  # what the browser uses: http://localhost:PORT (= server.public_url)
    local: str  # the same server for the test's own HTTP calls: http://127.0.0.1:PORT
    host: HostSite
    server: Server

    @property
    def article(self) -> str:
        return self.host.origin + "/article.html"

    def me(self, token: str) -> dict[str, Any]:
        response = httpx.get(self.local + "/api/me", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory, openid_provider: OpenIdProvider) -> Iterator[Stack]:
    tmp = tmp_path_factory.mktemp("passkeys")
    port = free_port()
    api = f"http://localhost:{port}"
    client = httpx.post(  # RFC 7591: a client at the loopback provider for this server's callback URL
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
        f'[server]\npublic_url = "{api}"\n\n'
        f'[auth.providers.op]\npreset = "oidc"\nlabel = "Loopback ID"\nissuer = "{openid_provider.issuer}"\n'
        f'client_id = "{client["client_id"]}"\nclient_secret_env = "REJOINDER_TEST_OP_SECRET"\n\n'
        '[auth.providers.passkey]\npreset = "passkey"\n'
    )
    db_url = f"sqlite:///{tmp / 'rejoinder.db'}"
    host = HostSite().start()
    try:
        in_thread(run_cli, db_url, "site", "add", "hostsite", "--origin", host.origin)
        host.pages["/article.html"] = (HOST_PAGE.replace("%(api)s", json.dumps(api)).encode(), {})
        env = {"REJOINDER_CONFIG": str(config), "REJOINDER_TEST_OP_SECRET": client["client_secret"]}
        server = start_server(db_url, tmp, env=env, port=port)
        try:
            yield Stack(api=api, local=server.url, host=host, server=server)
        finally:
            server.stop()
    finally:
        host.stop()


def sign_in_with_op(stack: Stack, login: str) -> str:
    """A session through the loopback OpenID provider, over HTTP (the flow test_popup_browser.py shows
    in the browser): start page, provider's login and consent, callback."""
    with httpx.Client(base_url=stack.local, headers={"Accept": "text/html"}) as http:
        query = {"site": "hostsite", "origin": stack.host.origin, "mode": "popup"}
        start = http.get("/auth/op/start", params=query)
        back = op_login(provider_url(start), login, stop_at=stack.api)
        done = http.get(back.replace(stack.api, stack.local, 1))
        message = result(done)
    assert message["type"] == "rejoinder:session", message
    token: str = message["token"]
    return token


def link_ticket(stack: Stack, token: str) -> str:
    response = httpx.post(stack.local + "/api/me/link-ticket", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 201, response.text
    ticket: str = response.json()["ticket"]
    return ticket


def authenticator(page: Any, *credentials: dict[str, Any]) -> tuple[Any, str]:
    """A virtual authenticator on this page's target, holding `credentials` (exported from another)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable", {"enableUI": False})
    found = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": AUTHENTICATOR})
    for credential in credentials:
        cdp.send(
            "WebAuthn.addCredential", {"authenticatorId": found["authenticatorId"], "credential": credential}
        )
    return cdp, found["authenticatorId"]


def start_url(stack: Stack, **params: str) -> str:
    query = {"site": "hostsite", "origin": stack.host.origin, "return": stack.article, **params}
    return f"{stack.api}/auth/passkey/start?{urlencode(query)}"


def register_in_page(stack: Stack, page: Any, token: str) -> tuple[str, dict[str, Any]]:
    """Add a passkey in redirect mode on `page`; returns the new session and the exported credential."""
    cdp, auth_id = authenticator(page)
    page.goto(start_url(stack, mode="redirect", link=link_ticket(stack, token)))
    assert page.text_content("h1") == "Add a passkey"
    assert run_axe(page) == []
    page.click("#rj-passkey-go")
    page.wait_for_url(stack.article + "#rejoinder-session=*")
    session = page.url.split("#rejoinder-session=", 1)[1]
    [credential] = cdp.send("WebAuthn.getCredentials", {"authenticatorId": auth_id})["credentials"]
    assert credential["isResidentCredential"] is True and credential["rpId"] == "localhost"
    return session, credential


def test_add_a_passkey_then_sign_in_with_it_in_a_fresh_page(stack: Stack, browser_page: Any) -> None:
    token = sign_in_with_op(stack, "alice")
    identity = stack.me(token)["identity"]["id"]

    adding = browser_page()
    session, credential = register_in_page(stack, adding.page, token)
    assert stack.me(session)["identity"]["id"] == identity
    kinds = sorted(c["kind"] for c in stack.me(token)["credentials"])
    assert kinds == ["oidc", "passkey"]
    assert credential["userHandle"]  # a discoverable credential knows whose account it is
    assert adding.csp_violations() == [] and adding.page_errors == []

    # A fresh page of the article: its popup signs in with the passkey alone.
    watched = browser_page()
    page = watched.page
    page.goto(stack.article)
    with page.context.expect_page() as opened:
        page.click("#go")
    popup = opened.value
    popup.wait_for_load_state()
    authenticator(popup, credential)
    assert popup.text_content("h1") == "Sign in with a passkey"
    assert popup.evaluate("window.__cspViolations") == []
    popup.click("#rj-passkey-go")
    page.wait_for_function("window.rjResult !== null")
    message = page.evaluate("window.rjResult")
    assert message["type"] == "rejoinder:session", message
    assert message["identity"]["id"] == identity
    assert message["provider"] == {"name": "passkey", "label": "Passkey"}
    me = stack.me(message["token"])
    assert me["identity"]["id"] == identity and me["provider"]["name"] == "passkey"
    watched.assert_clean()

    # The same credential with its counter set back (a copied passkey) is refused.
    cloned = browser_page().page
    authenticator(cloned, {**credential, "signCount": 0})
    cloned.goto(start_url(stack, mode="redirect"))
    cloned.click("#rj-passkey-go")
    cloned.wait_for_url(stack.article + "#rejoinder-error=*")
    assert cloned.url.endswith("#rejoinder-error=passkey-sign-count")


def test_without_a_passkey_the_page_explains_how_to_add_one(stack: Stack, browser_page: Any) -> None:
    watched = browser_page()
    page = watched.page
    authenticator(page)  # an authenticator with no passkey for this site
    page.goto(start_url(stack, mode="redirect"))
    assert run_axe(page) == []
    assert page.is_hidden("#rj-none")
    assert "Add a passkey" in page.text_content("#rj-how")
    page.click("#rj-passkey-go")
    page.wait_for_selector("#rj-none", state="visible")
    assert "No passkey was used" in page.text_content("#rj-none")
    assert page.is_enabled("#rj-passkey-go")  # the reader can try again
    assert page.url.startswith(stack.api)  # nothing was sent; the reader is still on the page
    assert run_axe(page) == []  # with the explanation shown
    watched.assert_clean()
