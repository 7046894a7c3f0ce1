"""Every flow of the widget by keyboard alone, in real Chromium: read (permalinks), like, reply, edit, report,
sign in, and appeal a held comment, with Tab, Shift+Tab, Enter, Space and the arrow keys only; focus always
lands where the reader continues, and the live region announces what happened (posted, held, updated,
reported). axe-core finds nothing in light and dark with the forms open.

One server with the loopback OpenID provider and links held for review (`premoderation = "links"`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import READY, relaxed_env
from tests.e2e.hostsite import HostSite
from tests.e2e.test_widget_signin import SignInSite, _register, log_in_at_provider
from tests.fixtures.app import run_cli
from tests.fixtures.browser import in_thread, run_axe
from tests.fixtures.oidc import OpenIdProvider
from tests.fixtures.servers import free_port, start_server

pytestmark = pytest.mark.e2e

HELD = (
    "Awaiting moderation: only you can see this comment. Comments with links are reviewed before they appear."
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, openid_provider: OpenIdProvider) -> Iterator[SignInSite]:
    tmp = tmp_path_factory.mktemp("widget-keyboard")
    port = free_port()
    api = f"http://127.0.0.1:{port}"
    client = _register(openid_provider, api, "op")
    (tmp / "rejoinder.toml").write_text(
        f'[server]\npublic_url = "{api}"\n\n[auth.providers.op]\npreset = "oidc"\nlabel = "Loopback ID"\n'
        f'issuer = "{openid_provider.issuer}"\nclient_id = "{client["client_id"]}"\n'
        'client_secret_env = "REJOINDER_TEST_OP_SECRET"\n'
    )
    env = {
        **relaxed_env(),
        "REJOINDER_CONFIG": str(tmp / "rejoinder.toml"),
        "REJOINDER_TEST_OP_SECRET": client["client_secret"],
        "REJOINDER_MODERATION__PREMODERATION": "links",
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


class Keys:
    """The keyboard, and where the focus is."""

    def __init__(self, page: Any) -> None:
        self.page = page

    def focused(self, selector: str) -> bool:
        return bool(self.page.evaluate("(s) => !!document.activeElement?.matches(s)", selector))

    def tab_to(self, selector: str, *, back: bool = False, limit: int = 120) -> None:
        for _ in range(limit):
            self.page.keyboard.press("Shift+Tab" if back else "Tab")
            if self.focused(selector):
                return
        raise AssertionError(f"{'Shift+Tab' if back else 'Tab'} never reached {selector}")

    def wait_focus(self, selector: str) -> None:
        self.page.wait_for_function("(s) => !!document.activeElement?.matches(s)", arg=selector)

    def wait_said(self, text: str) -> None:
        self.page.wait_for_function(
            "(t) => document.querySelector('.rj-root [role=status]').textContent === t", arg=text
        )


def post(site: SignInSite, url: str, text: str, name: str, **fields: Any) -> dict[str, Any]:
    body = {"url": url, "text": text, "author": {"name": name}, **fields}
    r = httpx.post(site.api + "/api/comments", json=body, headers={"Origin": site.host.origin})
    assert r.status_code == 201, r.text
    data: dict[str, Any] = r.json()
    return data


def test_read_like_reply_edit_report_and_sign_in_by_keyboard(site: SignInSite, browser_page: Any) -> None:
    url = site.article("/keyboard/flows.html")
    first = post(site, url, "The first word on compost", name="Ada")
    second = post(site, url, "A second opinion, worth reporting", name="Bo")
    w = browser_page()
    page = w.page
    page.goto(url)
    page.wait_for_selector(READY, state="attached")
    page.wait_for_selector(".rj-auth button")
    keys = Keys(page)

    # Read: a comment's time is its permalink; Enter highlights the comment and moves focus to it.
    keys.tab_to(f"#comment-{second['id']} a.rj-time")
    page.keyboard.press("Enter")
    keys.wait_focus(f"#comment-{second['id']}.rj-target")

    # Like: Space on the first comment's like button.
    keys.tab_to(f"#comment-{first['id']} .rj-actions button[aria-pressed]", back=True)
    page.keyboard.press("Space")
    page.wait_for_selector(f"#comment-{first['id']} .rj-actions button[aria-pressed=true]")
    assert page.locator(f"#comment-{first['id']} .rj-count").inner_text() == "1"

    # Reply: Enter opens the form with focus in it; Ctrl+Enter posts; focus and the live region follow.
    keys.tab_to(f"#comment-{first['id']} button[aria-label='Reply to Ada']")
    page.keyboard.press("Enter")
    keys.wait_focus(f"#comment-{first['id']} textarea")
    page.keyboard.type("Agreed, by keyboard")
    keys.tab_to(f"#comment-{first['id']} input[name=name]")
    page.keyboard.type("Kai")
    keys.tab_to(f"#comment-{first['id']} textarea", back=True)
    page.keyboard.press("Control+Enter")
    reply = page.locator(".rj-comment", has_text="Agreed, by keyboard")
    reply.wait_for()
    reply_id = reply.get_attribute("id") or ""
    keys.wait_focus(f"#{reply_id}")
    keys.wait_said("Your reply was posted.")

    # Edit: Tab to Edit, change the text, Ctrl+Enter saves; focus returns to Edit.
    keys.tab_to(f"#{reply_id} .rj-own button:first-child")
    page.keyboard.press("Enter")
    keys.wait_focus(f"#{reply_id} textarea")
    page.keyboard.press("End")
    page.keyboard.type(" (edited)")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector(f"#{reply_id} .rj-text >> text=Agreed, by keyboard (edited)")
    keys.wait_focus(f"#{reply_id} .rj-own button:first-child")
    keys.wait_said("Your comment was updated.")

    # Report: Enter opens the form on the first reason; arrows choose another; the note; Enter sends.
    keys.tab_to(f"#comment-{second['id']} .rj-report")
    page.keyboard.press("Enter")
    keys.wait_focus(f"#comment-{second['id']} input[type=radio][value=spam]")
    assert page.locator(f"#comment-{second['id']} .rj-report").get_attribute("aria-expanded") == "true"
    page.keyboard.press("ArrowDown")
    assert keys.focused("input[type=radio][value=abuse]:checked")
    assert run_axe(page) == []
    keys.tab_to(f"#comment-{second['id']} textarea[name=note]")
    page.keyboard.type("Rude to the committee.")
    keys.tab_to(f"#comment-{second['id']} button[type=submit]")
    page.keyboard.press("Enter")
    done = "Thank you: the moderators will look at this comment."
    keys.wait_focus(f"#comment-{second['id']} .rj-left")
    assert page.locator(f"#comment-{second['id']} .rj-left").inner_text() == done
    keys.wait_said(done)
    visitor = page.evaluate("() => JSON.parse(localStorage.getItem('rejoinder.visitor'))")
    again = httpx.post(
        f"{site.api}/api/comments/{second['id']}/report",
        json={"reason": "abuse"},
        headers={"Origin": site.host.origin, "Rejoinder-Visitor": visitor},
    )
    assert again.status_code == 200 and again.json() == {"reported": False}  # this reader's report is in

    # Sign in: Tab to the provider's button, Enter opens the popup; afterwards focus is in the comment box.
    page.context.clear_cookies()
    with page.context.expect_page() as opened:
        keys.tab_to(".rj-auth button")
        page.keyboard.press("Enter")
    log_in_at_provider(opened.value, "kim")
    page.wait_for_function("() => document.querySelector('.rj-auth p')?.textContent.startsWith('You are')")
    keys.wait_said("You are commenting as User kim (via Loopback ID)")
    assert run_axe(page) == []
    page.evaluate("() => document.getElementById('rejoinder').setAttribute('data-theme', 'dark')")
    page.wait_for_selector("#rejoinder.rj-dark")
    # The highlights fade (a CSS transition): measure the colours once they have settled.
    page.wait_for_function("() => document.getAnimations().every((a) => a.playState !== 'running')")
    assert run_axe(page) == []
    w.assert_clean()


def test_a_held_comment_is_announced_and_appealed_by_keyboard(site: SignInSite, browser_page: Any) -> None:
    url = site.article("/keyboard/held.html")
    post(site, url, "Something to read first", name="Ada")
    w = browser_page()
    page = w.page
    page.goto(url)
    page.wait_for_selector(READY, state="attached")
    keys = Keys(page)
    keys.tab_to(".rj-leave textarea")
    page.keyboard.type("My plot diary: https://diary.example/plot-7")
    keys.tab_to(".rj-leave input[name=name]")
    page.keyboard.type("Hana")
    keys.tab_to(".rj-leave button[type=submit]")
    page.keyboard.press("Enter")
    mine = page.locator(".rj-comment.rj-held")
    mine.wait_for()
    mine_id = mine.get_attribute("id") or ""
    keys.wait_focus(f"#{mine_id}")
    keys.wait_said(f"Your comment was posted. {HELD}")

    keys.tab_to(f"#{mine_id} .rj-actions button:not([hidden])")
    assert page.evaluate("() => document.activeElement.textContent") == "Appeal"
    page.keyboard.press("Enter")
    keys.wait_focus(f"#{mine_id} textarea[name=note]")
    page.keyboard.type("The link is my own diary.")
    assert run_axe(page) == []
    keys.tab_to(f"#{mine_id} button[type=submit]")
    page.keyboard.press("Enter")
    keys.wait_focus(f"#{mine_id} .rj-left")
    keys.wait_said("Appeal sent")
    assert [e for e in w.console_errors if "422" not in e] == []
    assert w.page_errors == [] and w.csp_violations() == []
