"""The widget on hostile ground: a strict Content-Security-Policy, a host origin the site does not allow,
and attack payloads in text, name and website that must stay inert."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import READY, Stack, open_widget
from tests.e2e.hostsite import HostSite

pytestmark = pytest.mark.e2e

PAYLOADS = [
    "<script>window.__pwned = 'script'</script>",
    "<img src=x onerror=\"window.__pwned = 'img'; alert(1)\">",
    "[click me](javascript:window.__pwned='link')",
    "<svg onload=\"window.__pwned = 'svg'\"></svg>",
    '<a href="#" onclick="window.__pwned = \'a\'">a</a> <iframe src="javascript:alert(1)"></iframe>',
    "`<b onmouseover=alert(1)>code</b>` and <style>body{display:none}</style>",
]
BAD_NAMES = ["<img src=x onerror=\"window.__pwned='name'\">", '"><script>alert(1)</script>']
# Quotes and angle brackets are refused by the server (test below); this is the worst that gets through.
BAD_WEBSITE = "https://evil.example/x?onmouseover=window.__pwned=1&javascript:alert(1)#%22%3E%3Cscript%3E"


def strict_csp(api: str) -> str:
    return (
        f"default-src 'self'; script-src {api}; style-src {api}; img-src {api}; connect-src {api}; "
        "object-src 'none'; base-uri 'none'; form-action 'self'"
    )


def assert_inert(w: Any) -> None:
    page = w.page
    assert page.evaluate("() => window.__pwned") is None
    assert w.dialogs == []
    found = page.evaluate(
        """() => {
          const root = document.getElementById('rejoinder');
          const bad = [];
          for (const el of root.querySelectorAll('*')) {
            if (['SCRIPT', 'IFRAME', 'STYLE', 'OBJECT', 'EMBED'].includes(el.tagName)) bad.push(el.tagName);
            for (const a of el.attributes) {
              if (/^on/i.test(a.name)) bad.push(el.tagName + ' ' + a.name);
              if (a.name === 'style') bad.push(el.tagName + ' style');
              if (['href', 'src'].includes(a.name) && !/^(https?:|#|\\/)/i.test(a.value)) bad.push(a.value);
            }
          }
          return bad;
        }"""
    )
    assert found == []


def test_strict_csp_page_works_without_violations(stack: Stack, browser_page: Any) -> None:
    url = stack.host.page(
        "/posts/csp.html",
        stack.api,
        lang="fr",
        styled=False,
        headers={"Content-Security-Policy": strict_csp(stack.api)},
    )
    root = stack.post(url, "Un premier commentaire", name="Zoé")
    w = open_widget(browser_page, url)
    page = w.page
    assert page.evaluate("() => location.origin") == stack.host.origin != stack.api
    assert page.locator(".rj-title").inner_text() == "1 réponse"  # fr.json came through connect-src
    # The stylesheet applied (from the API origin, through the <link> the widget put first in <head>).
    assert page.evaluate("() => document.head.firstElementChild.href").startswith(stack.api + "/embed.")
    assert page.evaluate("() => getComputedStyle(document.querySelector('.rj-like')).borderRadius") == "999px"
    # The avatar is lazy and decoded asynchronously: wait for it to load, then check it decoded (img-src).
    avatar = page.locator(f"#comment-{root['id']} img.rj-avatar")
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=avatar.element_handle(), timeout=10_000
    )
    assert avatar.evaluate("img => img.naturalWidth") == 48  # the generated avatar is 48 px wide

    page.get_by_role("button", name="J’aime cet article").click()
    page.wait_for_function("() => document.querySelector('.rj-like-text').textContent.startsWith('1 ')")
    item = page.locator(f"#comment-{root['id']}")
    item.get_by_role("button", name="Répondre à Zoé").click()
    item.get_by_label("Commentaire", exact=True).fill("Une **réponse** sous CSP")
    item.get_by_role("button", name="Aperçu").click()
    assert item.locator(".rj-preview strong").inner_text() == "réponse"
    item.get_by_label("Nom", exact=True).fill("Yann")
    item.get_by_role("button", name="Publier la réponse").click()
    page.wait_for_function("() => document.querySelector('.rj-title').textContent === '2 réponses'")
    assert page.locator(".rj-comment.rj-depth-1 .rj-text strong").inner_text() == "réponse"
    w.assert_clean()


def test_origin_not_allowed_shows_a_clear_message(stack: Stack, browser_page: Any) -> None:
    stranger = HostSite().start()
    try:
        url = stranger.page("/posts/elsewhere.html", stack.api)
        w = browser_page()
        w.page.goto(url)
        notice = w.page.locator("#rejoinder .rj-notice")
        notice.wait_for()
        assert notice.inner_text() == (
            "Comments are not enabled for this website: its address is not registered with the comment server."
        )
        assert w.page.locator("#rejoinder form").count() == 0
        assert w.page.get_attribute("#rejoinder", "aria-busy") is None
        explained = [e for e in w.console_errors if e.startswith("[rejoinder]")]
        assert explained and stranger.origin in explained[0] and "rejoinder site add" in explained[0]
        assert w.page_errors == [] and w.dialogs == []
    finally:
        stranger.stop()


def test_unreachable_api_shows_a_message_and_retry(stack: Stack, browser_page: Any) -> None:
    w = browser_page()
    w.page.route(f"{stack.api}/api/threads*", lambda route: route.abort())
    w.page.goto(stack.host.page("/posts/flaky.html", stack.api))
    notice = w.page.locator("#rejoinder .rj-notice")
    notice.wait_for()
    assert notice.inner_text().startswith("The comment server could not be reached.")
    w.page.unroute(f"{stack.api}/api/threads*")
    notice.get_by_role("button", name="Try again").click()
    w.page.wait_for_selector(READY, state="attached")
    assert w.page.locator(".rj-title").inner_text() == "0 Responses"
    assert w.page_errors == [] and w.dialogs == []


def test_attack_payloads_render_inert(stack: Stack, browser_page: Any) -> None:
    url = stack.host.page("/posts/attacks.html", stack.api)
    first = stack.post(url, PAYLOADS[0], name=BAD_NAMES[0], author={"website": BAD_WEBSITE})
    for i, text in enumerate(PAYLOADS[1:], 1):
        stack.post(url, text, name=BAD_NAMES[i % 2], parent=first["id"] if i % 2 else None)
    w = open_widget(browser_page, url)
    page = w.page
    assert page.locator(".rj-comment").count() == len(PAYLOADS)
    # The raw text shows as text: what an attacker typed is visible and harmless.
    assert "<script>" in page.locator(f"#comment-{first['id']} .rj-text").inner_text()
    name = page.locator(f"#comment-{first['id']} .rj-name")
    assert name.inner_text() == BAD_NAMES[0]
    assert (name.get_attribute("href") or "").startswith("https://evil.example/")
    # Move over and into everything an event handler could have been attached to.
    for el in page.locator("#rejoinder .rj-text *, #rejoinder .rj-name, #rejoinder img").all():
        el.hover()
    page.locator(f"#comment-{first['id']}").get_by_role("button", name=f"Reply to {BAD_NAMES[0]}").click()
    page.locator(".rj-slot textarea").fill(PAYLOADS[1])
    page.locator(".rj-slot").get_by_role("button", name="Preview").click()
    page.locator(".rj-slot input[name=name]").fill(BAD_NAMES[1])
    page.locator(".rj-slot input[name=website]").fill('https://evil.example/"onmouseover="alert(1)')
    page.locator(".rj-slot").get_by_role("button", name="Post reply").click()
    page.wait_for_function("() => document.querySelector('.rj-slot input[name=website][aria-invalid=true]')")
    page.locator(".rj-slot input[name=website]").fill(BAD_WEBSITE)
    page.locator(".rj-slot").get_by_role("button", name="Post reply").click()
    page.locator(".rj-comment .rj-name", has_text=BAD_NAMES[1]).last.wait_for()
    page.wait_for_timeout(300)
    assert_inert(w)
    assert w.page_errors == []
    assert w.csp_violations() == []
    # Also with the host's strict CSP off, what the widget produced would not have run.
    open_widget(browser_page, url).page.wait_for_timeout(200)
    assert w.page.evaluate("() => window.__pwned") is None


def test_page_title_and_options_are_never_markup(stack: Stack, browser_page: Any) -> None:
    evil = '"><img src=x onerror="window.__pwned=1">'
    url = stack.host.page(
        "/posts/evil-title.html",
        stack.api,
        title=evil,
        attrs={
            "title": evil,
            "lang": evil,
            "sort": evil,
            "page-size": evil,
            "max-depth": evil,
            "theme": evil,
        },
    )
    w = open_widget(browser_page, url)
    page = w.page
    form = page.locator(".rj-leave form")
    form.get_by_label("Comment", exact=True).fill("Still works")
    form.get_by_label("Name", exact=True).fill("Val")
    form.get_by_role("button", name="Post comment").click()
    page.locator(".rj-comment", has_text="Still works").wait_for()
    assert_inert(w)
    w.assert_clean()
