"""Moderation in the widget, in real Chromium: the bot trap no person sees, the reason a held or refused
comment gives its author, the author's one appeal (a guest with the comment's edit token, also after the
edit window; a signed-in reader with the session), and the site's settings from /admin (display depth,
guests or sign-in only, required email, commenting closed). Held comments come from
`premoderation = "links"`, refusals and settings from a moderator in /admin."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

from rejoinder.services.admin_auth import hash_password
from tests.e2e.conftest import READY, Stack, open_widget, relaxed_env
from tests.e2e.hostsite import HostSite
from tests.e2e.test_widget_security import assert_inert
from tests.fixtures.app import run_cli
from tests.fixtures.browser import Watched, in_thread, run_axe
from tests.fixtures.clock import SharedClock
from tests.fixtures.servers import start_server

pytestmark = pytest.mark.e2e

WINDOW = 4  # seconds to edit: short; a test moves the clocks past it to appeal after it has closed
PASSWORD = "a patient moderator of allotments"
SSO_SECRET = "publisher-shared-secret-for-the-moderation-tests-0123"
HELD = (
    "Awaiting moderation: only you can see this comment. Comments with links are reviewed before they appear."
)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The e2e stack with links held for review, a moderator account and a publisher-SSO provider."""
    tmp = tmp_path_factory.mktemp("widget-moderation")
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
        "REJOINDER_MODERATION__PREMODERATION": "links",
        "REJOINDER_COMMENTS__EDIT_WINDOW_SECONDS": str(WINDOW),
        "REJOINDER_ADMIN__USERNAME": "chief",
        "REJOINDER_ADMIN__PASSWORD_HASH": hash_password(PASSWORD),
    }
    db_path = str(tmp / "rejoinder.db")
    try:
        in_thread(run_cli, f"sqlite:///{db_path}", "site", "add", "hostsite", "--origin", host.origin)
        clock = SharedClock(tmp / "clock")
        server = start_server(f"sqlite:///{db_path}", tmp, env=env, clock=clock)
        try:
            yield Stack(api=server.url, host=host, server=server, db_path=db_path, clock=clock)
        finally:
            server.stop()
    finally:
        host.stop()


def post_via_widget(page: Any, text: str, name: str | None = "Hana") -> Any:
    form = page.locator(".rj-leave form")
    form.get_by_label("Comment", exact=True).fill(text)
    if name is not None:
        form.get_by_label("Name", exact=True).fill(name)
    form.get_by_role("button", name="Post comment").click()
    mine = page.locator(".rj-comment", has_text=text.split("\n")[0][:20])
    mine.wait_for()
    return page.locator("#" + (mine.get_attribute("id") or ""))


def comment_id(item: Any) -> str:
    return (item.get_attribute("id") or "").removeprefix("comment-")


def edit_token(page: Any, cid: str) -> str:
    token: str = page.evaluate("(id) => JSON.parse(localStorage.getItem('rejoinder.edit'))[id][0]", cid)
    return token


def appeal_over_http(stack: Stack, cid: str, token: str) -> httpx.Response:
    return httpx.post(
        f"{stack.api}/api/comments/{cid}/appeal",
        json={"note": "Sent from my other browser."},
        headers={"Origin": stack.host.origin, "Rejoinder-Edit-Token": token},
    )


def admin_page(stack: Stack, browser_page: Any) -> Watched:
    admin: Watched = browser_page()
    page = admin.page
    page.goto(stack.api + "/admin/login")
    page.get_by_label("Name").fill("chief")
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    return admin


def reject_in_admin(stack: Stack, browser_page: Any, cid: str, reason: str) -> Watched:
    admin = admin_page(stack, browser_page)
    page = admin.page
    page.goto(f"{stack.api}/admin/comments/{cid}")
    item = page.locator(f"article#c-{cid}")
    item.locator("select[name=reason]").select_option(reason)
    with page.expect_navigation():
        item.get_by_role("button", name="Reject").click()
    return admin


@contextmanager
def site_settings(
    stack: Stack,
    browser_page: Any,
    *,
    depth: int = 3,
    guests: bool = True,
    email: bool = False,
    commenting: bool = True,
) -> Iterator[None]:
    """The site's settings as a moderator saves them in /admin, back to the defaults afterwards."""

    def save(depth: int, guests: bool, email: bool, commenting: bool) -> None:
        page = admin.page
        page.goto(stack.api + "/admin/sites/hostsite")
        page.get_by_label("Take new comments").set_checked(commenting)
        page.get_by_label("Guests may comment without signing in").set_checked(guests)
        page.get_by_label("Guests must give an email address").set_checked(email)
        page.get_by_label("Reply levels shown").fill(str(depth))
        with page.expect_navigation():
            page.get_by_role("button", name="Save settings").click()
        site = stack.thread(stack.host.origin + "/posts/any.html")["site"]
        assert (site["display_depth"], site["allow_guests"], site["require_email"], site["commenting"]) == (
            depth,
            guests,
            email,
            commenting,
        )

    admin = admin_page(stack, browser_page)
    save(depth, guests, email, commenting)
    try:
        yield
    finally:
        save(3, True, False, True)
    admin.assert_clean()


def test_the_bot_trap_is_unseen_and_refuses_a_filled_form(stack: Stack, browser_page: Any) -> None:
    url = stack.host.page("/posts/trap.html", stack.api)
    w = open_widget(browser_page, url)
    page = w.page
    bodies: list[dict[str, Any]] = []
    page.on(
        "request",
        lambda r: (
            bodies.append(json.loads(r.post_data or "{}"))
            if r.method == "POST" and r.url.endswith("/api/comments")
            else None
        ),
    )
    form = page.locator(".rj-leave form")
    wrapper = form.locator(".rj-hp")
    assert wrapper.get_attribute("aria-hidden") == "true"
    assert wrapper.locator("label").text_content() == "Leave this field empty"
    trap = wrapper.locator("input")
    assert trap.evaluate("i => [i.name, i.type, i.tabIndex, i.autocomplete, i.labels[0] !== undefined]") == [
        "homepage",
        "text",
        -1,
        "off",
        True,
    ]
    box = trap.bounding_box()
    assert box is not None and box["x"] + box["width"] < 0  # off screen, yet not display: none
    assert trap.evaluate("i => getComputedStyle(i).display") != "none"
    # The keyboard passes it by: from the Preview button, Tab goes to Name.
    form.get_by_role("button", name="Preview").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.name") == "name"
    assert run_axe(page) == []

    post_via_widget(page, "A person writes about leeks", name="Ida")
    assert "honeypot" not in bodies[0]
    assert [c["text"] for c in stack.thread(url)["comments"]] == ["A person writes about leeks"]

    # A form-filling bot fills every field it finds, the trap included.
    page.evaluate(
        "() => { document.querySelector('.rj-leave input[name=homepage]').value = 'https://cheap.example'; }"
    )
    form.get_by_label("Comment", exact=True).fill("Buy cheap leeks")
    form.get_by_role("button", name="Post comment").click()
    alert = form.locator(".rj-submit [role=alert]")
    page.wait_for_function(
        "(el) => el.textContent.includes('could not be posted')", arg=alert.element_handle()
    )
    assert bodies[1]["honeypot"] == "https://cheap.example"
    assert len(stack.thread(url)["comments"]) == 1
    assert [e for e in w.console_errors if "403" not in e] == []
    assert w.page_errors == []


def test_a_held_comment_says_why_and_its_author_appeals_once(stack: Stack, browser_page: Any) -> None:
    url = stack.host.page("/posts/held.html", stack.api)
    w = open_widget(browser_page, url)
    page = w.page
    mine = post_via_widget(page, "My compost diary is at https://diary.example/compost")
    cid = comment_id(mine)
    assert mine.locator(".rj-note").inner_text() == HELD
    assert (
        mine.get_by_role("button", name="Appeal", exact=True).count() == 1
    )  # at once, from the post's answer
    assert stack.thread(url)["comments"] == []

    page.reload()
    page.wait_for_selector(READY, state="attached")
    mine = page.locator(f"#comment-{cid}")
    assert "rj-held" in (mine.get_attribute("class") or "")
    assert mine.locator(".rj-note").inner_text() == HELD  # now from GET /api/viewer
    appeal = mine.get_by_role("button", name="Appeal", exact=True)
    appeal.click()
    assert appeal.get_attribute("aria-expanded") == "true"
    note = mine.get_by_label("Why should a moderator look at it again?")
    assert page.evaluate("() => document.activeElement.name") == "note"
    assert note.get_attribute("maxlength") == "500"
    assert run_axe(page) == []

    # An empty note: the server's reason appears at the field.
    mine.get_by_role("button", name="Send appeal").click()
    page.wait_for_selector(f"#comment-{cid} textarea[aria-invalid=true]")
    error = page.evaluate("(el) => document.getElementById(el.id + '-e').textContent", note.element_handle())
    assert "Say in a few words" in error
    # Cancel returns to the button; a second try sends it.
    mine.get_by_role("button", name="Cancel").click()
    assert page.evaluate("() => document.activeElement.textContent") == "Appeal"
    appeal.click()
    mine.get_by_label("Why should a moderator look at it again?").fill("The link is my own diary, not an ad.")
    mine.get_by_role("button", name="Send appeal").click()
    sent = mine.get_by_text("Appeal sent", exact=True)
    sent.wait_for()
    assert page.evaluate("() => document.activeElement.textContent") == "Appeal sent"
    assert (
        mine.get_by_role("button", name="Appeal", exact=True).count() == 0
        and mine.locator("form").count() == 0
    )
    page.wait_for_function(
        "() => document.querySelector('.rj-root [role=status]').textContent === 'Appeal sent'"
    )

    # The server has it: one appeal per comment.
    again = appeal_over_http(stack, cid, edit_token(page, cid))
    assert again.status_code == 409 and again.json()["code"] == "appeal-already-sent"
    page.reload()
    page.wait_for_selector(READY, state="attached")
    mine = page.locator(f"#comment-{cid}")
    assert mine.get_by_text("Appeal sent", exact=True).count() == 1
    assert mine.get_by_role("button", name="Appeal", exact=True).count() == 0
    assert [e for e in w.console_errors if "422" not in e] == []
    assert w.page_errors == [] and w.csp_violations() == []


def test_a_held_comment_says_why_in_the_readers_language(stack: Stack, browser_page: Any) -> None:
    """The note of a held comment translates the server's reason by its `reason_code` (the `reasons` of
    the locale file): right after posting, and again from GET /api/viewer after a reload."""
    held_de = (
        "Wartet auf Freigabe: Nur du siehst diesen Kommentar. "
        "Kommentare mit Links werden geprüft, bevor sie erscheinen."
    )
    url = stack.host.page("/posts/held-de.html", stack.api, lang="de")
    page = open_widget(browser_page, url).page
    page.wait_for_selector(".rj-leave form button:has-text('Kommentar senden')")
    form = page.locator(".rj-leave form")
    form.get_by_label("Kommentar", exact=True).fill("Mein Kompost-Tagebuch: https://diary.example/kompost")
    form.get_by_label("Name", exact=True).fill("Hana")
    form.get_by_role("button", name="Kommentar senden").click()
    mine = page.locator(".rj-comment", has_text="Mein Kompost-Tagebuch")
    mine.wait_for()
    assert mine.locator(".rj-note").inner_text() == held_de
    page.wait_for_function(
        "(reason) => document.querySelector('.rj-root [role=status]').textContent.includes(reason)",
        arg="Kommentare mit Links werden geprüft",
    )
    page.reload()
    page.wait_for_selector(READY, state="attached")
    assert (
        page.locator(".rj-comment", has_text="Mein Kompost-Tagebuch").locator(".rj-note").inner_text()
        == held_de
    )


HOSTILE_WEBSITE = (
    "https://evil.example/verify?account=you&next=%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E"
)


def test_a_held_comment_shows_its_website_as_text_only(stack: Stack, browser_page: Any) -> None:
    """Until a moderator publishes it, the author's own held comment gives their website as plain text:
    no link goes out from a comment nobody has checked (#10)."""
    url = stack.host.page("/posts/held-website.html", stack.api)
    w = open_widget(browser_page, url)
    page = w.page
    form = page.locator(".rj-leave form")
    form.get_by_label("Website (optional)").fill(HOSTILE_WEBSITE)
    mine = post_via_widget(page, "See my allotment blog at https://blog.example/plots", name="Vera")
    cid = comment_id(mine)
    assert "rj-held" in (mine.get_attribute("class") or "")
    stored = httpx.get(f"{stack.api}/api/viewer", params={"url": url}, headers=viewer_headers(page)).json()
    website = next(c for c in stored["own"] if c["id"] == cid)["author"]["website"]
    assert website and "evil.example" in website
    for source in ("the POST answer", "GET /api/viewer after a reload"):
        assert mine.locator("a.rj-name").count() == 0, source
        assert mine.locator(".rj-name").inner_text() == "Vera", source
        assert mine.locator(".rj-site").inner_text() == website, source
        assert mine.locator("a[href*='evil.example']").count() == 0, source
        assert page.locator("#rejoinder a[href*='evil.example']").count() == 0, source
        assert_inert(w)
        page.reload()
        page.wait_for_selector(READY, state="attached")
        mine = page.locator(f"#comment-{cid}")
        mine.wait_for()
    assert [e for e in w.console_errors if "422" not in e] == []


def viewer_headers(page: Any) -> dict[str, str]:
    visitor = page.evaluate("() => JSON.parse(localStorage.getItem('rejoinder.visitor'))")
    return {"Rejoinder-Visitor": visitor}


def test_a_refused_comment_can_be_appealed_after_the_edit_window(stack: Stack, browser_page: Any) -> None:
    url = stack.host.page("/posts/refused.html", stack.api)
    w = open_widget(browser_page, url, install_clock=True)
    page = w.page
    hostile = "Rude words <img src=x onerror=\"window.__pwned='img'\"> <script>window.__pwned=1</script>"
    mine = post_via_widget(page, hostile, name="<b onclick=alert(1)>Rex</b>")
    cid = comment_id(mine)
    admin = reject_in_admin(stack, browser_page, cid, "abuse")
    stack.advance(page, WINDOW + 1)

    page.reload()
    page.wait_for_selector(READY, state="attached")
    mine = page.locator(f"#comment-{cid}")
    assert mine.locator(".rj-note").inner_text() == "Not published: It is abusive."
    assert mine.get_by_role("button", name="Edit").count() == 0  # the edit window has closed…
    appeal = mine.get_by_role("button", name="Appeal", exact=True)  # …but the token still appeals
    assert appeal.count() == 1
    assert mine.locator(".rj-name").inner_text() == "<b onclick=alert(1)>Rex</b>"
    assert_inert(w)

    # The same reader already appealed from another browser with the token: the widget says it was sent.
    assert appeal_over_http(stack, cid, edit_token(page, cid)).status_code == 202
    appeal.click()
    mine.get_by_label("Why should a moderator look at it again?").fill("I take it back, but read it again.")
    mine.get_by_role("button", name="Send appeal").click()
    mine.get_by_text("Appeal sent", exact=True).wait_for()
    assert [e for e in w.console_errors if "409" not in e] == []
    assert w.page_errors == []
    admin.assert_clean()


def test_a_signed_in_author_appeals_with_the_session(stack: Stack, browser_page: Any) -> None:
    from tests.auth.sso_support import claims, hs_key, mint

    jwt = mint(hs_key(SSO_SECRET, "k1"), claims(sub="ines", name="Ines Signed", aud="hostsite"))
    url = stack.host.page("/posts/signed.html", stack.api, attrs={"sso-token": jwt})
    w = open_widget(browser_page, url)
    page = w.page
    page.locator(".rj-auth", has_text="You are commenting as Ines Signed").wait_for()
    mine = post_via_widget(page, "Signed, with a link: https://ines.example/beds", name=None)
    cid = comment_id(mine)
    # Another device: no edit token here, only the session.
    page.evaluate("() => localStorage.removeItem('rejoinder.edit')")
    page.reload()
    page.wait_for_selector(READY, state="attached")
    mine = page.locator(f"#comment-{cid}")
    assert mine.locator(".rj-note").inner_text() == HELD
    sent: list[dict[str, str]] = []
    page.on("request", lambda r: sent.append(r.headers) if r.url.endswith("/appeal") else None)
    mine.get_by_role("button", name="Appeal", exact=True).click()
    mine.get_by_label("Why should a moderator look at it again?").fill("It is my own garden blog.")
    mine.get_by_role("button", name="Send appeal").click()
    mine.get_by_text("Appeal sent", exact=True).wait_for()
    assert sent[0]["authorization"].startswith("Bearer rjs_")
    assert "rejoinder-edit-token" not in sent[0]
    w.assert_clean()


def sso_token(sub: str, name: str) -> str:
    from tests.auth.sso_support import claims, hs_key, mint

    return mint(hs_key(SSO_SECRET, "k1"), claims(sub=sub, name=name, aud="hostsite"))


def test_the_display_depth_comes_from_the_site(stack: Stack, browser_page: Any) -> None:
    url = stack.host.page("/posts/depth.html", stack.api)
    chain = [stack.post(url, "Level 0", name="Ada")]
    for level in range(1, 4):
        chain.append(stack.post(url, f"Level {level}", name=f"Ben{level}", parent=chain[-1]["id"]))
    with site_settings(stack, browser_page, depth=2):
        w = open_widget(browser_page, url)
        classes = [w.page.locator(f"#comment-{c['id']}").get_attribute("class") or "" for c in chain]
        assert [c.split()[1] for c in classes] == ["rj-depth-0", "rj-depth-1", "rj-depth-2", "rj-depth-2"]
        deepest = w.page.locator(f"#comment-{chain[3]['id']} .rj-context a")
        assert deepest.inner_text() == "in reply to Ben2"
        assert w.page.locator(f"#comment-{chain[2]['id']} .rj-context").count() == 0
        # data-max-depth still wins over the site's setting.
        override = stack.host.page("/posts/depth-1.html", stack.api, attrs={"url": url, "max-depth": "1"})
        o = open_widget(browser_page, override)
        assert o.page.locator(f"#comment-{chain[2]['id']}").get_attribute("class") == "rj-comment rj-depth-1"
        assert o.page.locator(f"#comment-{chain[2]['id']} .rj-context").inner_text() == "in reply to Ben1"
        w.assert_clean()
        o.assert_clean()


def test_a_site_without_guests_shows_only_sign_in(stack: Stack, browser_page: Any) -> None:
    url = stack.host.page("/posts/members.html", stack.api)
    root = stack.post(url, "Members only from now on", name="Ada")
    with site_settings(stack, browser_page, guests=False):
        w = open_widget(browser_page, url)
        page = w.page
        leave = page.locator(".rj-leave")
        auth = leave.locator(".rj-auth")
        auth.get_by_role("button", name="Sign in with Example Press").wait_for()
        assert auth.locator("p").inner_text() == "Sign in to comment:"
        assert leave.locator("textarea").is_hidden() and leave.locator("input[name=name]").is_hidden()
        assert page.get_by_role("button", name="Reply to Ada").count() == 0
        assert run_axe(page) == []
        # Signed in, the reader gets the form without the guest fields, and Reply.
        page.evaluate("jwt => window.rejoinder.sso(jwt)", sso_token("mia", "Mia Member"))
        leave.get_by_label("Comment", exact=True).wait_for()
        assert (
            leave.locator("input[name=name]").is_hidden() and leave.locator("input[name=email]").is_hidden()
        )
        page.get_by_role("button", name="Reply to Ada").click()
        reply = page.locator(f"#comment-{root['id']} form")
        reply.get_by_label("Comment", exact=True).fill("Signed in, I may reply")
        reply.get_by_role("button", name="Post reply").click()
        page.locator(".rj-comment", has_text="Signed in, I may reply").wait_for()
        assert [c["author"]["name"] for c in stack.thread(url)["comments"]] == ["Ada", "Mia Member"]
        assert run_axe(page) == []
        w.assert_clean()


def test_a_required_email_is_marked_and_checked(stack: Stack, browser_page: Any) -> None:
    url = stack.host.page("/posts/email.html", stack.api)
    with site_settings(stack, browser_page, email=True):
        w = open_widget(browser_page, url)
        page = w.page
        form = page.locator(".rj-leave form")
        email = form.get_by_label("Email (required)")
        assert email.evaluate("i => i.required") is True
        assert form.get_by_label("Email (optional)").count() == 0
        form.get_by_label("Comment", exact=True).fill("No address given")
        form.get_by_label("Name", exact=True).fill("Noa")
        form.get_by_role("button", name="Post comment").click()
        page.wait_for_selector(".rj-leave input[name=email][aria-invalid=true]")
        assert page.evaluate("() => document.activeElement.name") == "email"
        email.fill("noa@example.org")
        form.get_by_role("button", name="Post comment").click()
        page.locator(".rj-comment", has_text="No address given").wait_for()
        assert run_axe(page) == []
        assert [e for e in w.console_errors if "422" not in e] == []


def test_closed_commenting_says_so(stack: Stack, browser_page: Any) -> None:
    url = stack.host.page("/posts/closed.html", stack.api, lang="de")
    stack.post(url, "Said before the close", name="Ada")
    with site_settings(stack, browser_page, commenting=False):
        w = open_widget(browser_page, url)
        page = w.page
        leave = page.locator(".rj-leave")
        assert leave.locator(".rj-notice").inner_text() == "Die Kommentare sind geschlossen."
        assert leave.locator("form").count() == 0 and leave.locator(".rj-auth").is_hidden()
        assert page.locator(".rj-comment", has_text="Said before the close").locator(".rj-reply").count() == 0
        assert run_axe(page) == []
        w.assert_clean()
