"""`rejoinder demo` as a newcomer runs it, in Chromium: the whole comment form with no outside account.
A sign-in link asked for in the widget arrives on the demo's mailbox page and signs in; the reader comments
as that identity, adds a passkey (the DevTools virtual authenticator), logs out, signs back in with the
passkey and comments again; "Change" offers the other ways. The moderator account printed at start-up signs
in to /admin."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from rejoinder import demo
from tests.e2e.test_widget_signin import AUTHENTICATOR, WHO, session_token
from tests.fixtures.servers import free_port, wait_until_responsive

pytestmark = pytest.mark.e2e

READY = "#rejoinder:not([aria-busy]) .rj-list"


@dataclass
class Demo:
    site: str  # http://localhost:PORT, as the demo prints it
    local: str  # http://127.0.0.1:PORT, for this test's own requests
    port: int
    output: str
    data: Path

    def thread(self) -> dict[str, Any]:
        r = httpx.get(self.local + "/api/threads", params={"url": demo.article_url(self.port)}, timeout=10)
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        return body


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    tmp = tmp_path_factory.mktemp("demo-signin")
    port = free_port()
    log = tmp / "demo.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("REJOINDER_")}
    # The posts come from one address within seconds: the per-network limits are for real readers.
    env["REJOINDER_MODERATION__RATE_LIMITS"] = "false"
    env["REJOINDER_MODERATION__MIN_SECONDS"] = "0"
    with log.open("wb") as fh:
        proc = subprocess.Popen(
            [sys.executable, "-m", "rejoinder", "demo", "--port", str(port), "--data", str(tmp / "data")],
            stdout=fh,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=tmp,
            start_new_session=True,
        )
    try:
        wait_until_responsive(f"http://127.0.0.1:{port}/livez", timeout=60, proc=proc)
        yield Demo(
            f"http://localhost:{port}", f"http://127.0.0.1:{port}", port, log.read_text(), tmp / "data"
        )
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)


def test_start_up_prints_where_to_go_and_a_moderator(running: Demo) -> None:
    out = running.output
    assert f"open {running.site}/demo/ in a browser" in out
    assert f"sign-in emails arrive at {running.site}/demo/mailbox" in out
    found = re.search(rf"moderate at {re.escape(running.site)}/admin/ as (\S+) with the password (\S+)", out)
    assert found, out
    username, password = found.groups()
    with httpx.Client(base_url=running.site, timeout=10) as client:
        form = client.get("/admin/login")
        assert form.status_code == 200
        fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.text))
        wrong = client.post(
            "/admin/login",
            data={**fields, "username": username, "password": password + "x"},
            headers={"Origin": running.site},
        )
        assert wrong.status_code == 401
        signed = client.post(
            "/admin/login",
            data={**fields, "username": username, "password": password},
            headers={"Origin": running.site},
        )
        assert signed.status_code == 303, signed.text[:2000]
        dashboard = client.get(signed.headers["location"])
        assert dashboard.status_code == 200 and "Sign out" in dashboard.text, dashboard.text[:2000]
        assert str(dashboard.url).startswith(running.site + "/admin")


def test_the_article_explains_each_part_and_links_the_mailbox(running: Demo, browser_page: Any) -> None:
    w = open_demo(browser_page, running.site + "/demo/")
    w.page.wait_for_selector(READY, state="attached")
    guide = w.page.locator(".demo-guide")
    terms = guide.locator("dt").all_inner_texts()
    assert terms == [
        "Comments and likes",
        "Sign in with Email",
        "Passkeys",
        "Other sign-in icons",
        "Moderation",
    ]
    assert guide.get_by_role("link", name="demo mailbox").get_attribute("href") == "/demo/mailbox"
    w.page.wait_for_selector(".rj-auth button")
    auth = w.page.locator(".rj-auth")
    for name in ("Sign in with Email", "Sign in with Passkey"):
        assert auth.get_by_role("button", name=name, exact=True).is_visible(), name
    assert_clean(w)


def open_demo(browser_page: Any, url: str) -> Any:
    """The demo page in a fresh context; the browser's own /favicon.ico probe may 404 (the demo serves
    none, as in test_widget_demo), any other 404 is an error."""
    w = browser_page()
    w.missing = []
    w.page.on("response", lambda r: w.missing.append(r.url) if r.status == 404 else None)
    w.page.goto(url)
    return w


def assert_clean(w: Any) -> None:
    assert all(u.endswith("/favicon.ico") for u in w.missing), w.missing
    w.console_errors[:] = [e for e in w.console_errors if "status of 404 (Not Found)" not in e]
    w.assert_clean()


def ask_for_link(page: Any, address: str, name: str) -> None:
    with page.context.expect_page() as opened:
        page.get_by_role("button", name="Sign in with Email", exact=True).click()
    popup = opened.value
    popup.fill("#rj-email", address)
    popup.fill("#rj-name", name)
    popup.get_by_role("button", name="Email me a link").click()
    popup.wait_for_selector("h1[role=status]")
    assert "inbox" in str(popup.text_content("h1")).lower()
    popup.close()


def passkey_popup(page: Any, button: str, authenticator: dict[str, Any] | None) -> list[dict[str, Any]]:
    """As in test_widget_signin, but the same virtual authenticator's credentials go to the next popup."""
    with page.context.expect_page() as opened:
        page.get_by_role("button", name=button, exact=True).click()
    popup = opened.value
    popup.wait_for_selector("#rj-passkey-go")
    cdp = page.context.new_cdp_session(popup)
    cdp.send("WebAuthn.enable", {"enableUI": False})
    found = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": AUTHENTICATOR})
    created: list[dict[str, Any]] = []
    cdp.on("WebAuthn.credentialAdded", lambda event: created.append(event["credential"]))
    if authenticator is not None:
        cdp.send(
            "WebAuthn.addCredential",
            {"authenticatorId": found["authenticatorId"], "credential": authenticator},
        )
    popup.click("#rj-passkey-go")
    if not popup.is_closed():
        popup.wait_for_event("close")
    return created


def post(page: Any, text: str) -> None:
    form = page.locator(".rj-leave form")
    form.get_by_label("Comment", exact=True).fill(text)
    form.get_by_role("button", name="Post comment").click()
    page.locator(".rj-comment", has_text=text).wait_for()


def test_email_link_from_the_mailbox_then_a_passkey(running: Demo, browser_page: Any) -> None:
    w = open_demo(browser_page, running.site + "/demo/")
    page = w.page
    page.wait_for_selector(".rj-auth button")

    # 1. An emailed link: asked for in the widget, delivered to the mailbox page, opened there.
    ask_for_link(page, "wren@example.org", "Wren Example")
    page.goto(running.site + "/demo/mailbox")
    mail = page.locator(".demo-mail").first
    assert "wren@example.org" in mail.locator(".demo-mail-to").inner_text()
    mail.locator("a[href*='/auth/email/verify']").click()
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector(READY, state="attached")
    page.wait_for_function(f"() => document.querySelector('{WHO}')?.textContent.includes('Wren Example')")
    post(page, "Signed in from the demo mailbox.")
    stored = [c for c in running.thread()["comments"] if c["text"] == "Signed in from the demo mailbox."]
    assert [c["author"]["name"] for c in stored] == ["Wren Example"]
    token = session_token(page)
    me = httpx.get(running.local + "/api/me", headers={"Authorization": f"Bearer {token}"}, timeout=10).json()
    identity = me["identity"]["id"]

    # 2. A passkey added through "Change", then signing in with it after logging out.
    page.get_by_role("button", name="Change").click()
    menu = page.locator(".rj-menu").get_by_role("button").all_inner_texts()
    assert "Add a passkey" in menu and "Sign in with another account" in menu
    [credential] = passkey_popup(page, "Add a passkey", None)
    page.wait_for_function(f"() => document.querySelector('{WHO}')?.textContent.includes('(via Passkey)')")
    page.wait_for_load_state("networkidle")
    token = session_token(page)  # the passkey's popup handed over a new session
    page.get_by_role("button", name="Log out").click()
    page.get_by_role("button", name="Sign in with Passkey", exact=True).wait_for()
    assert session_token(page) is None
    revoked = httpx.get(running.local + "/api/me", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert revoked.status_code == 401 and revoked.json()["code"] == "session-revoked"

    passkey_popup(page, "Sign in with Passkey", credential)
    page.wait_for_function(f"() => document.querySelector('{WHO}')?.textContent.includes('Wren Example')")
    again = session_token(page)
    me = httpx.get(running.local + "/api/me", headers={"Authorization": f"Bearer {again}"}, timeout=10).json()
    assert me["identity"]["id"] == identity and me["provider"]["name"] == "passkey"
    post(page, "And back with a passkey.")
    stored = [c for c in running.thread()["comments"] if c["text"] == "And back with a passkey."]
    assert [c["author"]["name"] for c in stored] == ["Wren Example"]
    assert_clean(w)
