"""Signing in through the widget, in real Chromium against the loopback OpenID provider (node-oidc-provider):
the popup, "You are commenting as … · Log out · Change · Muted commenters · Your inbox", posting as the identity, logging out (the session is
revoked on the server), changing account, adding a sign-in method, link offers, the redirect fallback, the
fragment leaving the address bar, other tabs following along, and what a hostile page or name cannot do."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.auth.flows import provider_url, result
from tests.e2e.conftest import READY, relaxed_env
from tests.e2e.hostsite import HostSite
from tests.e2e.test_widget_security import assert_inert
from tests.fixtures.app import run_cli
from tests.fixtures.browser import in_thread, run_axe
from tests.fixtures.oidc import OpenIdProvider, op_login
from tests.fixtures.servers import Server, free_port, start_server

pytestmark = pytest.mark.e2e

LABELS = {"op": "Loopback ID", "op2": "Second ID"}
WHO = ".rj-auth > p:first-child"


@dataclass
class SignInSite:
    api: str
    host: HostSite
    server: Server

    def article(self, path: str, **options: Any) -> str:
        return self.host.page(path, self.api, **options)

    def token_for(self, login: str, provider: str = "op") -> dict[str, Any]:
        """A session for `login` without the widget: the popup's pages driven over HTTP."""
        with httpx.Client(base_url=self.api, headers={"Accept": "text/html"}) as client:
            start = client.get(
                f"/auth/{provider}/start",
                params={"site": "hostsite", "origin": self.host.origin, "mode": "popup"},
            )
            back = op_login(provider_url(start), login, stop_at=self.api)
            data = result(client.get(back))
        assert data["type"] == "rejoinder:session", data
        return data

    def me(self, token: str) -> httpx.Response:
        return httpx.get(self.api + "/api/me", headers={"Authorization": f"Bearer {token}"})


def _register(op: OpenIdProvider, api: str, name: str) -> dict[str, Any]:
    client: dict[str, Any] = httpx.post(  # RFC 7591: a client for this server's callback URL
        op.issuer + "/reg",
        json={
            "redirect_uris": [f"{api}/auth/{name}/callback"],
            "grant_types": ["authorization_code"],
            "response_types": ["code"],
            "token_endpoint_auth_method": "client_secret_basic",
        },
    ).json()
    return client


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, openid_provider: OpenIdProvider) -> Iterator[SignInSite]:
    tmp = tmp_path_factory.mktemp("widget-signin")
    port = free_port()
    api = f"http://127.0.0.1:{port}"
    config = f'[server]\npublic_url = "{api}"\n'
    env = relaxed_env()
    for name, label in LABELS.items():
        client = _register(openid_provider, api, name)
        config += (
            f'\n[auth.providers.{name}]\npreset = "oidc"\nlabel = "{label}"\n'
            f'issuer = "{openid_provider.issuer}"\nclient_id = "{client["client_id"]}"\n'
            f'client_secret_env = "REJOINDER_TEST_{name.upper()}_SECRET"\n'
        )
        env[f"REJOINDER_TEST_{name.upper()}_SECRET"] = client["client_secret"]
    (tmp / "rejoinder.toml").write_text(config)
    env["REJOINDER_CONFIG"] = str(tmp / "rejoinder.toml")
    db_url = f"sqlite:///{tmp / 'rejoinder.db'}"
    host = HostSite().start()
    try:
        in_thread(run_cli, db_url, "site", "add", "hostsite", "--origin", host.origin)
        server = start_server(db_url, tmp, env=env, port=port)
        try:
            yield SignInSite(api=api, host=host, server=server)
        finally:
            server.stop()
    finally:
        host.stop()


def open_article(browser_page: Any, url: str, **options: Any) -> Any:
    w = browser_page(**options)
    w.page.goto(url)
    w.page.wait_for_selector(READY, state="attached")
    w.page.wait_for_selector(".rj-auth button")  # the provider buttons arrive after the thread
    return w


def log_in_at_provider(popup: Any, login: str) -> None:
    """node-oidc-provider's development login form, then its consent form."""
    popup.wait_for_selector("input[name=login]")
    popup.fill("input[name=login]", login)
    popup.fill("input[name=password]", "any password")
    popup.click("button[type=submit]")
    popup.wait_for_selector("button[type=submit]")  # consent
    popup.click("button[type=submit]")


def sign_in_by_popup(page: Any, button: str, login: str) -> None:
    """Click a provider button, log in in the popup, and wait until the popup has closed itself."""
    page.context.clear_cookies()  # a fresh login at the provider, whoever signed in there before
    with page.context.expect_page() as opened:
        page.get_by_role("button", name=button, exact=True).click()
    popup = opened.value
    log_in_at_provider(popup, login)
    if not popup.is_closed():
        popup.wait_for_event("close")


def who(page: Any) -> str:
    """The account line, once its inbox link (fetched after the line is drawn) is there."""
    page.locator(WHO).locator(".rj-inbox").wait_for()
    text: str = page.locator(WHO).inner_text()
    return text


def session_token(page: Any) -> str | None:
    raw = page.evaluate("() => localStorage.getItem('rejoinder.session')")
    return json.loads(raw) if raw else None


def test_popup_sign_in_comment_as_the_identity_and_log_out(site: SignInSite, browser_page: Any) -> None:
    url = site.article("/signin/popup.html")
    w = open_article(browser_page, url)
    page = w.page
    auth = page.locator(".rj-auth")
    assert auth.locator("p").first.inner_text() == "or sign in with …"
    buttons = auth.get_by_role("button")
    assert buttons.count() == 2
    button = page.get_by_role("button", name="Sign in with Loopback ID", exact=True)
    assert button.inner_text() == "Loopback ID"
    icon = button.locator("img")
    assert icon.get_attribute("alt") == ""
    assert icon.get_attribute("src") == site.api + "/auth/icons/openid.svg"
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=icon.element_handle())
    assert page.get_by_label("Name", exact=True).is_visible()
    assert run_axe(page) == []  # the guest form with the provider buttons

    page.context.clear_cookies()
    starts: list[str] = []
    page.context.on("request", lambda r: starts.append(r.url) if "/auth/op/start" in r.url else None)
    with page.context.expect_page() as opened:
        button.click()
    popup = opened.value
    assert page.locator(".rj-leave > .rj-hint").inner_text() == "Connecting to Loopback ID…"
    log_in_at_provider(popup, "alice")
    assert len(starts) == 1 and starts[0].startswith(site.api + "/auth/op/start?")
    sent = httpx.QueryParams(starts[0].split("?", 1)[1])
    assert sent["mode"] == "popup" and sent["site"] == "hostsite" and sent["return"] == url
    assert sent["origin"] == site.host.origin and sent["lang"] == "en"
    page.wait_for_function(f"() => document.querySelector('{WHO}')?.textContent.startsWith('You are')")
    assert (
        who(page)
        == "You are commenting as User alice (via Loopback ID) · Log out · Change · Muted commenters · Your inbox"
    )
    assert page.locator(".rj-leave > .rj-hint").inner_text() == ""
    page.wait_for_function("() => document.activeElement.name === 'text'")  # on to the comment box
    assert not page.get_by_label("Name", exact=True).is_visible()  # guest fields hidden
    token = session_token(page)
    assert token and token.startswith("rjs_")
    assert site.me(token).json()["identity"]["display_name"] == "User alice"

    page.get_by_label("Comment", exact=True).fill("Signed in, and saying so.")
    page.get_by_role("button", name="Post comment").click()
    mine = page.locator(".rj-comment", has_text="Signed in, and saying so.")
    mine.wait_for()
    assert mine.locator(".rj-name").inner_text() == "User alice"
    thread = httpx.get(site.api + "/api/threads", params={"url": url}).json()
    assert [c["author"]["name"] for c in thread["comments"]] == ["User alice"]

    assert run_axe(page) == []  # signed in
    page.get_by_role("button", name="Log out").click()
    page.get_by_role("button", name="Sign in with Loopback ID").wait_for()
    assert page.locator(".rj-leave > .rj-hint").inner_text() == "You are logged out."
    assert page.get_by_label("Name", exact=True).is_visible()
    assert session_token(page) is None
    gone = site.me(token)
    assert gone.status_code == 401 and gone.json()["code"] == "session-revoked"
    w.assert_clean()


def test_change_to_another_account_and_add_a_sign_in_method(site: SignInSite, browser_page: Any) -> None:
    w = open_article(browser_page, site.article("/signin/change.html"))
    page = w.page
    sign_in_by_popup(page, "Sign in with Loopback ID", "carol")
    page.wait_for_function(f"() => document.querySelector('{WHO}')?.textContent.includes('User carol')")
    carol = session_token(page)
    assert carol

    change = page.get_by_role("button", name="Change")
    assert change.get_attribute("aria-expanded") == "false"
    change.click()
    assert change.get_attribute("aria-expanded") == "true"
    menu = page.locator("#" + str(change.get_attribute("aria-controls")))
    assert menu.is_visible()
    assert menu.get_by_role("button").all_inner_texts() == [
        "Sign in with another account",
        "Loopback ID",
        "Second ID",
        "Download my data",  # tests/e2e/test_widget_data_rights.py
        "Delete my account",
    ]
    assert menu.get_by_role("button", name="Add sign-in with Second ID").is_visible()
    assert run_axe(page) == []  # the signed-in form with the Change menu open

    menu.get_by_role("button", name="Sign in with another account").click()
    page.get_by_role("button", name="Sign in with Loopback ID").wait_for()
    assert (
        page.evaluate("() => document.activeElement.getAttribute('aria-label')") == "Sign in with Loopback ID"
    )
    assert site.me(carol).status_code == 401  # logged out on the server too
    sign_in_by_popup(page, "Sign in with Loopback ID", "dave")
    page.wait_for_function(f"() => document.querySelector('{WHO}')?.textContent.includes('User dave')")
    dave = session_token(page)
    assert dave and dave != carol

    page.get_by_role("button", name="Change").click()
    sign_in_by_popup(page, "Add sign-in with Second ID", "dave-elsewhere")
    page.wait_for_function(f"() => document.querySelector('{WHO}')?.textContent.includes('(via Second ID)')")
    assert who(page).startswith("You are commenting as User dave (via Second ID)")  # the same identity
    me = site.me(str(session_token(page))).json()
    assert sorted(c["provider"] for c in me["credentials"]) == ["op", "op2"]
    w.assert_clean()


def test_a_link_offer_is_accepted_by_signing_in_to_the_existing_account(
    site: SignInSite, browser_page: Any
) -> None:
    site.token_for("frank")  # frank@example.test, verified, signs in with Loopback ID
    w = open_article(browser_page, site.article("/signin/offer.html"))
    page = w.page
    sign_in_by_popup(page, "Sign in with Second ID", "frank")  # the same verified address elsewhere
    note = page.locator(".rj-leave > .rj-hint")
    note.get_by_role("button", name="Sign in to that account").wait_for()
    assert note.inner_text().startswith("An account with this email address already exists.")
    assert "That account signs in with Loopback ID." in note.inner_text()
    assert session_token(page) is None

    sign_in_by_popup(page, "Sign in to that account", "frank")
    page.wait_for_function(f"() => document.querySelector('{WHO}')?.textContent.includes('User frank')")
    assert note.inner_text() == "The sign-in method was added to your account."
    me = site.me(str(session_token(page))).json()
    assert sorted(c["provider"] for c in me["credentials"]) == ["op", "op2"]
    w.assert_clean()


def test_keeping_the_accounts_apart_signs_in_a_new_identity(site: SignInSite, browser_page: Any) -> None:
    first = site.token_for("gina")
    w = open_article(browser_page, site.article("/signin/apart.html"))
    page = w.page
    sign_in_by_popup(page, "Sign in with Second ID", "gina")
    page.get_by_role("button", name="Keep them apart").click()
    page.wait_for_function(f"() => document.querySelector('{WHO}')?.textContent.includes('User gina')")
    assert who(page).startswith("You are commenting as User gina (via Second ID)")
    me = site.me(str(session_token(page))).json()
    assert me["identity"]["id"] != first["identity"]["id"]
    w.assert_clean()


def test_redirect_fallback_when_the_popup_is_blocked(
    site: SignInSite, browser_page: Any, openid_provider: OpenIdProvider
) -> None:
    url = site.article("/signin/redirect.html")
    w = browser_page()
    page = w.page
    page.add_init_script("window.open = () => null;")  # what a popup blocker does to window.open
    # The provider's pages, shown in this tab on the way, name no icon: Chromium asks for its /favicon.ico
    # (a 404 in the console, unless an earlier test of the session had it cached: not ours to test).
    provider = httpx.URL(openid_provider.issuer)
    page.route(f"{provider.scheme}://{provider.netloc.decode()}/favicon.ico", lambda r: r.fulfill(status=204))
    page.goto(url)
    page.wait_for_selector(".rj-auth button")
    starts: list[str] = []
    page.on("request", lambda r: starts.append(r.url) if "/auth/op/start" in r.url else None)
    page.get_by_role("button", name="Sign in with Loopback ID").click()
    log_in_at_provider(page, "erin")  # in the article's own tab
    assert len(starts) == 1 and starts[0].startswith(site.api + "/auth/op/start?")
    sent = httpx.QueryParams(starts[0].split("?", 1)[1])
    assert sent["mode"] == "redirect" and sent["return"] == url and sent["origin"] == site.host.origin
    page.wait_for_url(url)
    page.wait_for_function(f"() => document.querySelector('{WHO}')?.textContent.includes('User erin')")
    assert (
        who(page)
        == "You are commenting as User erin (via Loopback ID) · Log out · Change · Muted commenters · Your inbox"
    )
    assert page.url == url and page.evaluate("() => location.hash") == ""  # the token left the address bar
    # The provider's own pages, shown in this tab on the way, may ask for things not on loopback.
    w.console_errors[:] = [e for e in w.console_errors if "ERR_NAME_NOT_RESOLVED" not in e]
    w.assert_clean()


def test_an_error_fragment_is_shown_translated_and_removed(site: SignInSite, browser_page: Any) -> None:
    url = site.article("/signin/error.html", lang="de")
    w = browser_page()
    page = w.page
    page.goto(url + "#rejoinder-error=provider-denied")
    note = page.locator(".rj-leave > .rj-hint")
    page.wait_for_function("() => document.querySelector('.rj-leave > .rj-hint')?.textContent")
    assert note.inner_text() == (
        "Die Anmeldung wurde nicht abgeschlossen: Die Anmeldung wurde beim Anbieter abgebrochen."
    )
    assert page.url == url
    assert page.get_by_role("button", name="Anmelden mit Loopback ID").is_visible()
    w.assert_clean()


def test_a_cancelled_redirect_sign_in_says_so_in_words(site: SignInSite, browser_page: Any) -> None:
    """Redirect mode brings back only a code: English fetches its sentences from /locales/en.errors.json."""
    url = site.article("/signin/cancelled.html")
    w = browser_page()
    page = w.page
    page.add_init_script("window.open = () => null;")  # a popup blocker: the page itself goes
    page.goto(url)
    page.wait_for_selector(".rj-auth button")
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(r.url) if "/locales/" in r.url else None)
    errors_at: list[str] = []
    page.on("console", lambda m: errors_at.append(m.location["url"]) if m.type == "error" else None)
    page.context.clear_cookies()
    page.get_by_role("button", name="Sign in with Loopback ID").click()
    page.get_by_role("link", name="[ Cancel ]").click()  # the provider's own page: the reader says no
    page.wait_for_url(url)
    note = page.locator(".rj-leave > .rj-hint")
    page.wait_for_function("() => document.querySelector('.rj-leave > .rj-hint')?.textContent")
    assert note.inner_text() == (
        "Sign-in did not complete. You cancelled at the provider, or did not allow the sign-in. "
        "Start again if that was not intended."
    )
    assert "provider-denied" not in note.inner_text() and page.evaluate("() => location.hash") == ""
    assert fetched == [site.api + "/locales/en.errors.json"]
    # Only the provider's own pages, shown in this tab on the way, had console errors (a web font that is
    # not on loopback, its missing favicon).
    assert not [u for u in errors_at if u.startswith((site.api, site.host.origin))], errors_at
    w.console_errors.clear()
    w.assert_clean()


@pytest.mark.parametrize(
    ("lang", "code", "said"),
    [
        (
            "en",
            "browser-mismatch",
            "Sign-in did not complete. It was started in another browser. Start again in this one.",
        ),
        ("en", "something-new", "Sign-in did not complete. Something went wrong on the way. Try again."),
        (
            "de",
            "sign-in-link-used",
            "Die Anmeldung wurde nicht abgeschlossen: Dieser Anmeldelink wurde schon benutzt. Fordere einen neuen an.",
        ),
        ("fr", "flow-expired", "La connexion n’a pas abouti : La connexion a pris trop de temps. Réessayez."),
        (
            "es",
            "provider-unreachable",
            "No se completó el inicio de sesión: No se pudo contactar con el proveedor. Inténtalo de nuevo en un momento.",
        ),
        ("pt", "something-new", "A entrada não foi concluída: Algo deu errado no caminho. Tente de novo."),
    ],
)
def test_sign_in_error_codes_read_as_sentences(
    site: SignInSite, browser_page: Any, lang: str, code: str, said: str
) -> None:
    url = site.article(f"/signin/codes-{lang}-{code}.html", lang=lang)
    w = browser_page()
    page = w.page
    page.goto(url + "#rejoinder-error=" + code)
    page.wait_for_function("() => document.querySelector('.rj-leave > .rj-hint')?.textContent")
    assert page.locator(".rj-leave > .rj-hint").inner_text() == said
    assert page.url == url
    w.assert_clean()


def test_a_message_from_another_origin_is_ignored(site: SignInSite, browser_page: Any) -> None:
    real = site.token_for("henry")
    w = open_article(browser_page, site.article("/signin/foreign.html"))
    page = w.page
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if "/api/me" in r.url else None)
    # The host page (not rejoinder's origin) posts a perfectly shaped session message to itself.
    page.evaluate("data => window.postMessage(data, '*')", real)
    page.wait_for_timeout(500)
    assert session_token(page) is None and asked == []
    assert page.get_by_label("Name", exact=True).is_visible()
    assert page.locator(WHO).inner_text() == "or sign in with …"
    # The same message from rejoinder's origin is taken: the origin check alone kept it out.
    page.evaluate(
        "([data, origin]) => window.dispatchEvent(new MessageEvent('message', {data, origin}))",
        [real, site.api],
    )
    page.wait_for_function(f"() => document.querySelector('{WHO}')?.textContent.includes('User henry')")
    assert session_token(page) == real["token"]
    w.assert_clean()


def test_other_tabs_follow_sign_in_and_log_out(site: SignInSite, browser_page: Any) -> None:
    url = site.article("/signin/tabs.html")
    w = open_article(browser_page, url)
    first = w.page
    second = first.context.new_page()
    second.goto(url)
    second.wait_for_selector(".rj-auth button")
    sign_in_by_popup(first, "Sign in with Loopback ID", "iris")
    second.wait_for_function(f"() => document.querySelector('{WHO}')?.textContent.includes('User iris')")
    assert not second.get_by_label("Name", exact=True).is_visible()
    first.wait_for_load_state("networkidle")  # the widget has asked for this session's state
    first.get_by_role("button", name="Log out").click()
    second.get_by_role("button", name="Sign in with Loopback ID").wait_for()
    assert second.get_by_label("Name", exact=True).is_visible()
    w.assert_clean()


def test_a_stored_session_that_was_revoked_falls_back_to_the_guest_form(
    site: SignInSite, browser_page: Any
) -> None:
    data = site.token_for("jack")
    httpx.post(site.api + "/api/logout", headers={"Authorization": f"Bearer {data['token']}"})
    url = site.article("/signin/revoked.html")
    w = browser_page()
    page = w.page
    page.add_init_script(
        f"localStorage.setItem('rejoinder.session', {json.dumps(json.dumps(data['token']))})"
    )
    page.goto(url)
    page.wait_for_selector(".rj-auth button")
    assert page.get_by_label("Name", exact=True).is_visible()
    assert session_token(page) is None
    # Chromium reports the 401 of GET /api/me on the console; nothing else may appear.
    assert all("401" in e for e in w.console_errors), w.console_errors
    assert w.page_errors == []


def test_a_session_revoked_while_reading_ends_at_the_next_request(
    site: SignInSite, browser_page: Any
) -> None:
    data = site.token_for("lars")
    w = browser_page()
    page = w.page
    page.add_init_script(
        f"localStorage.setItem('rejoinder.session', {json.dumps(json.dumps(data['token']))})"
    )
    page.goto(site.article("/signin/ended.html"))
    page.wait_for_function(f"() => document.querySelector('{WHO}')?.textContent.includes('User lars')")
    page.wait_for_load_state("networkidle")
    httpx.post(site.api + "/api/logout", headers={"Authorization": f"Bearer {data['token']}"})  # elsewhere
    page.get_by_role("button", name="Like this article").click()
    page.get_by_role("button", name="Sign in with Loopback ID").wait_for()
    assert page.locator(".rj-leave > .rj-hint").inner_text() == (
        "Your sign-in has ended. Sign in again to comment under your name."
    )
    assert page.get_by_label("Name", exact=True).is_visible() and session_token(page) is None
    assert all("401" in e for e in w.console_errors), w.console_errors
    assert w.page_errors == []


def test_a_hostile_display_name_stays_text(site: SignInSite, browser_page: Any) -> None:
    name = '<img src=x onerror="window.__pwned=\'me\'"> & "><script>window.__pwned=1</script>'
    data = site.token_for("kate")
    bearer = {"Authorization": f"Bearer {data['token']}", "Origin": site.host.origin}
    r = httpx.patch(site.api + "/api/me", json={"display_name": name}, headers=bearer)
    assert r.status_code == 200, r.text
    url = site.article("/signin/hostile.html")
    posted = httpx.post(site.api + "/api/comments", json={"url": url, "text": "hello"}, headers=bearer)
    assert posted.status_code == 201, posted.text
    w = browser_page()
    page = w.page
    page.add_init_script(
        f"localStorage.setItem('rejoinder.session', {json.dumps(json.dumps(data['token']))})"
    )
    page.goto(url)
    page.wait_for_function(f"() => document.querySelector('{WHO}')?.textContent.startsWith('You are')")
    stored = r.json()["identity"]["display_name"]
    assert page.locator(WHO + " strong").inner_text() == stored
    assert page.locator(f"#comment-{posted.json()['id']} .rj-name").inner_text() == stored
    page.get_by_role("button", name="Change").click()
    assert_inert(w)
    w.assert_clean()


# --- passkeys: "Add a passkey" in the Change menu, then "Sign in with Passkey" --------------------------

AUTHENTICATOR = {  # the DevTools virtual authenticator: a platform authenticator with resident keys
    "protocol": "ctap2",
    "transport": "internal",
    "hasResidentKey": True,
    "hasUserVerification": True,
    "isUserVerified": True,
    "automaticPresenceSimulation": True,
}


@pytest.fixture(scope="module")
def passkey_site(
    tmp_path_factory: pytest.TempPathFactory, openid_provider: OpenIdProvider
) -> Iterator[SignInSite]:
    """rejoinder at http://localhost:PORT: WebAuthn wants a domain as RP ID (localhost is a secure context)."""
    tmp = tmp_path_factory.mktemp("widget-passkey")
    port = free_port()
    api = f"http://localhost:{port}"
    client = _register(openid_provider, api, "op")
    (tmp / "rejoinder.toml").write_text(
        f'[server]\npublic_url = "{api}"\n\n[auth.providers.op]\npreset = "oidc"\nlabel = "Loopback ID"\n'
        f'issuer = "{openid_provider.issuer}"\nclient_id = "{client["client_id"]}"\n'
        'client_secret_env = "REJOINDER_TEST_OP_SECRET"\n\n[auth.providers.passkey]\npreset = "passkey"\n'
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
            yield SignInSite(api=api, host=host, server=server)
        finally:
            server.stop()
    finally:
        host.stop()


def passkey_popup(page: Any, button: str, *credentials: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    """Click a passkey button in the widget; give the popup a virtual authenticator and press its button.
    Returns the popup's heading and a list that receives the credentials the authenticator creates (the
    popup closes itself when done, and its authenticator with it)."""
    with page.context.expect_page() as opened:
        page.get_by_role("button", name=button, exact=True).click()
    popup = opened.value
    popup.wait_for_selector("#rj-passkey-go")
    cdp = page.context.new_cdp_session(popup)
    cdp.send("WebAuthn.enable", {"enableUI": False})
    found = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": AUTHENTICATOR})
    created: list[dict[str, Any]] = []
    cdp.on("WebAuthn.credentialAdded", lambda event: created.append(event["credential"]))
    for credential in credentials:
        cdp.send(
            "WebAuthn.addCredential", {"authenticatorId": found["authenticatorId"], "credential": credential}
        )
    heading = str(popup.text_content("h1"))
    popup.click("#rj-passkey-go")
    return heading, created


def test_add_a_passkey_from_the_change_menu_and_sign_in_with_it(
    passkey_site: SignInSite, browser_page: Any
) -> None:
    local = passkey_site.server.url  # the same server, for this test's own requests
    w = open_article(browser_page, passkey_site.article("/signin/passkey.html"))
    page = w.page
    assert page.get_by_role("button", name="Sign in with Passkey").is_visible()
    sign_in_by_popup(page, "Sign in with Loopback ID", "lena")
    page.wait_for_function(f"() => document.querySelector('{WHO}')?.textContent.includes('User lena')")
    first = str(session_token(page))
    identity = httpx.get(local + "/api/me", headers={"Authorization": f"Bearer {first}"}).json()["identity"]

    page.get_by_role("button", name="Change").click()
    assert page.locator(".rj-menu").get_by_role("button").all_inner_texts() == [
        "Sign in with another account",
        "Loopback ID",
        "Add a passkey",
        "Download my data",
        "Delete my account",
    ]
    heading, created = passkey_popup(page, "Add a passkey")
    assert heading == "Add a passkey"
    page.wait_for_function(f"() => document.querySelector('{WHO}')?.textContent.includes('(via Passkey)')")
    assert who(page).startswith("You are commenting as User lena (via Passkey)")
    [credential] = created

    page.wait_for_load_state("networkidle")  # the widget has asked for this session's state
    page.get_by_role("button", name="Log out").click()
    heading, _ = passkey_popup(page, "Sign in with Passkey", credential)
    assert heading == "Sign in with a passkey"
    page.wait_for_function(f"() => document.querySelector('{WHO}')?.textContent.includes('User lena')")
    me = httpx.get(local + "/api/me", headers={"Authorization": f"Bearer {session_token(page)}"}).json()
    assert me["identity"]["id"] == identity["id"] and me["provider"]["name"] == "passkey"
    w.assert_clean()


# --- publisher SSO: data-sso-token, window.rejoinder, the publisher's login page ------------------------

SSO_SECRET = "publisher-shared-secret-for-the-widget-tests-0123456789"


@pytest.fixture(scope="module")
def sso_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SignInSite]:
    tmp = tmp_path_factory.mktemp("widget-sso")
    host = HostSite().start()
    config = (
        '[auth.providers.press]\npreset = "sso"\nlabel = "Example Press"\n'
        f'login_url = "{host.origin}/login.html"\n'
        '[[auth.providers.press.keys]]\nkid = "k1"\nsecret_env = "REJOINDER_TEST_SSO_SECRET"\n'
    )
    (tmp / "rejoinder.toml").write_text(config)
    env = {
        **relaxed_env(),
        "REJOINDER_CONFIG": str(tmp / "rejoinder.toml"),
        "REJOINDER_TEST_SSO_SECRET": SSO_SECRET,
    }
    db_url = f"sqlite:///{tmp / 'rejoinder.db'}"
    try:
        in_thread(run_cli, db_url, "site", "add", "hostsite", "--origin", host.origin)
        server = start_server(db_url, tmp, env=env)
        try:
            yield SignInSite(api=server.url, host=host, server=server)
        finally:
            server.stop()
    finally:
        host.stop()


def publisher_token(sub: str, name: str, secret: str = SSO_SECRET) -> str:
    """What the publisher's backend signs for its logged-in user (HS256, key id k1)."""
    from tests.auth.sso_support import claims, hs_key, mint

    return mint(hs_key(secret, "k1"), claims(sub=sub, name=name, aud="hostsite"))


def test_data_sso_token_signs_the_publishers_user_in_once(sso_site: SignInSite, browser_page: Any) -> None:
    exchanges: list[str] = []
    w = browser_page()
    page = w.page
    page.on("request", lambda r: exchanges.append(r.url) if r.url.endswith("/api/auth/sso") else None)
    url = sso_site.article("/sso/attr.html", attrs={"sso-token": publisher_token("u-1", "Nora Reader")})
    page.goto(url)
    page.wait_for_function(f"() => document.querySelector('{WHO}')?.textContent.includes('Nora Reader')")
    assert (
        who(page)
        == "You are commenting as Nora Reader (via Example Press) · Log out · Change · Muted commenters · Your inbox"
    )
    assert len(exchanges) == 1
    page.get_by_label("Comment", exact=True).fill("Through the publisher's own login.")
    page.get_by_role("button", name="Post comment").click()
    page.locator(".rj-comment .rj-name", has_text="Nora Reader").wait_for()

    # The next page view carries a fresh token for the same user: the kept session is used, no exchange.
    url = sso_site.article("/sso/attr2.html", attrs={"sso-token": publisher_token("u-1", "Nora Reader")})
    page.goto(url)
    page.wait_for_function(f"() => document.querySelector('{WHO}')?.textContent.includes('Nora Reader')")
    assert len(exchanges) == 1
    # Another user logged in at the publisher: the widget follows.
    url = sso_site.article("/sso/attr3.html", attrs={"sso-token": publisher_token("u-2", "Otto Other")})
    page.goto(url)
    page.wait_for_function(f"() => document.querySelector('{WHO}')?.textContent.includes('Otto Other')")
    assert len(exchanges) == 2
    w.assert_clean()


def test_window_rejoinder_sso_and_logout(sso_site: SignInSite, browser_page: Any) -> None:
    w = browser_page()
    page = w.page
    page.goto(sso_site.article("/sso/js.html"))
    page.wait_for_function("() => window.rejoinder && document.querySelector('.rj-auth')")
    identity = page.evaluate("jwt => window.rejoinder.sso(jwt)", publisher_token("u-3", "Pia Script"))
    assert identity["display_name"] == "Pia Script"
    page.wait_for_function(f"() => document.querySelector('{WHO}')?.textContent.includes('Pia Script')")
    token = session_token(page)
    assert token and sso_site.me(token).status_code == 200
    page.evaluate("() => window.rejoinder.logout()")
    assert session_token(page) is None
    assert page.get_by_label("Name", exact=True).is_visible()
    assert sso_site.me(token).status_code == 401
    refused = page.evaluate(
        "jwt => window.rejoinder.sso(jwt).then(() => 'taken', (e) => e.p.code)",
        publisher_token("u-3", "Pia Script", secret="not-the-publishers-secret-0123456789abcdef"),
    )
    assert refused == "sso-signature-invalid"
    assert session_token(page) is None
    # Chromium reports the refused exchange's 401 on the console; nothing else may appear.
    assert all("401" in e for e in w.console_errors), w.console_errors
    assert w.page_errors == []


# The host page logs its user out as soon as embed.js has run: on the script element's `load` event, while
# the page is still loading and the widget is still starting.
LOGOUT_ON_LOAD = """
window.__loggedOut = null;
document.addEventListener('load', (event) => {
  if (!(event.target.src || '').includes('/embed.js')) return;
  window.rejoinder.logout().then(() => { window.__loggedOut = 'settled'; }, (e) => { window.__loggedOut = String(e); });
}, true);
"""


def test_logout_right_after_embed_js_ran_settles(sso_site: SignInSite, browser_page: Any) -> None:
    w = browser_page()
    page = w.page
    page.goto(sso_site.article("/sso/early.html"))
    page.wait_for_function("() => window.rejoinder && document.querySelector('.rj-auth')")
    page.evaluate("jwt => window.rejoinder.sso(jwt)", publisher_token("u-4", "Quin Early"))
    token = session_token(page)
    assert token and sso_site.me(token).status_code == 200
    page.add_init_script(LOGOUT_ON_LOAD)
    page.goto(sso_site.article("/sso/early2.html"))
    page.wait_for_function("() => window.__loggedOut !== null")
    assert page.evaluate("() => window.__loggedOut") == "settled"
    assert session_token(page) is None
    assert sso_site.me(token).status_code == 401
    page.get_by_label("Name", exact=True).wait_for()  # the guest form is back
    # The logout waited for the inbox count asked with the session: no 401, nothing logged.
    w.assert_clean()


def test_the_publishers_login_page_is_a_button(sso_site: SignInSite, browser_page: Any) -> None:
    url = sso_site.article("/sso/button.html")
    sso_site.host.add("/login.html", "<!doctype html><title>Log in</title><p>The publisher's login</p>")
    w = open_article(browser_page, url)
    page = w.page
    button = page.get_by_role("button", name="Sign in with Example Press")
    assert button.locator("img").get_attribute("src") == sso_site.api + "/auth/icons/sso.svg"
    button.click()
    page.wait_for_url(sso_site.host.origin + "/login.html?*")
    assert httpx.QueryParams(page.url.split("?", 1)[1])["return"] == url
    w.assert_clean()


def test_the_popup_is_asked_for_in_the_widgets_language(site: SignInSite, browser_page: Any) -> None:
    """The widget passes its language to /auth/NAME/start (`lang`), so the sign-in pages, and a sign-in
    email, speak it too (tests/auth/test_signin_i18n.py checks the pages themselves)."""
    url = site.article("/signin/popup-pl.html", lang="pl")
    page = open_article(browser_page, url).page
    button = page.get_by_role("button", name="Zaloguj się przez Loopback ID", exact=True)
    starts: list[str] = []
    page.context.on("request", lambda r: starts.append(r.url) if "/auth/op/start" in r.url else None)
    with page.context.expect_page() as opened:
        button.click()
    popup = opened.value
    assert page.locator(".rj-leave > .rj-hint").inner_text() == "Łączenie z Loopback ID…"
    log_in_at_provider(popup, "alice")
    assert len(starts) == 1
    sent = httpx.QueryParams(starts[0].split("?", 1)[1])
    assert sent["lang"] == "pl" and sent["mode"] == "popup" and sent["return"] == url
    page.wait_for_function(f"() => document.querySelector('{WHO}')?.textContent.includes('alice')")
