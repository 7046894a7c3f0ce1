"""How the widget looks and reads: a phone-sized viewport, light and dark themes, axe-core's WCAG 2.x
A/AA rules in both themes, and the screenshots in docs/screenshots/ (docs/embedding.md shows them)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from rejoinder.i18n import LANGUAGES, LOCALES_DIR
from tests.e2e.conftest import Stack, open_widget
from tests.fixtures.browser import run_axe

pytestmark = pytest.mark.e2e

# A fixed secret makes the identicons, and so the screenshots, the same on every run: the committed PNGs
# only change when the widget's looks do. The screenshot test runs first, before other tests like things.
SERVER_ENV = {"REJOINDER_SECURITY__SECRET_KEY": "screenshots-stay-the-same-from-run-to-run"}
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
LIGHT_BG = "rgb(255, 255, 255)"
DARK_BG = "rgb(21, 24, 28)"


# Avatars are loading="lazy": make every one load (and fonts settle) before a picture is taken.
LOAD_IMAGES = """async () => {
  await document.fonts.ready;
  await Promise.all(Array.from(document.querySelectorAll('#rejoinder img')).map((img) => {
    img.loading = 'eager';
    return img.decode().catch(() => null);
  }));
}"""


def ago(minutes: int) -> int:
    return (time.time_ns() // 1000) - minutes * 60 * 1_000_000


@pytest.fixture(scope="module")
def discussion(stack: Stack) -> str:
    """A small, realistic discussion (written for these tests): nesting, a deleted comment kept as a
    placeholder, Markdown, an edited comment, likes, and times spread over the last hours."""
    url = stack.host.origin + "/posts/compost.html"
    marta = stack.post(
        url,
        "We ran the same trial at the Elm Road plots two years ago and saw the same thing: the "
        "cooked-food bay ran about 8 °C hotter by week three. Did you turn yours, or leave it?",
        name="Marta Okafor",
        author={"website": "https://elm-road.example"},
    )
    jon = stack.post(
        url,
        "We turned both bays every Saturday. The camera caught one rat in week two and none after "
        "we added the **mesh floor**.",
        name="Jon (committee)",
        parent=marta["id"],
    )
    again = stack.post(
        url,
        "The mesh floor is the part people skip. Worth a line in the write-up.",
        name="Marta Okafor",
        parent=jon["id"],
    )
    priya = stack.post(
        url,
        "Could you share the spreadsheet? I'd like to line it up with our `temp_log.csv` from "
        "last summer.\n\n> The results surprised almost everyone\n\nThey surprised me too.",
        name="Priya N.",
    )
    gone = stack.post(url, "(withdrawn)", name="Luis")
    tom = stack.post(
        url,
        "For what it's worth, the smell complaints stopped once the lids went on.",
        name="Tom Berg",
        parent=gone["id"],
    )
    r = httpx.delete(
        f"{stack.api}/api/comments/{gone['id']}",
        headers={"Rejoinder-Edit-Token": gone["edit_token"], "Origin": stack.host.origin},
    )
    assert r.status_code == 204, r.text
    ana = stack.post(url, "Lovely write-up. Bookmarked for our spring meeting.", name="Ana")
    r = httpx.patch(
        f"{stack.api}/api/comments/{ana['id']}",
        json={"text": "Lovely write-up, thank you. Bookmarked for our spring meeting."},
        headers={"Rejoinder-Edit-Token": ana["edit_token"], "Origin": stack.host.origin},
    )
    assert r.status_code == 200, r.text
    for minutes, c in [(190, marta), (150, jon), (122, again), (95, priya), (60, gone), (41, tom), (7, ana)]:
        stack.sql("UPDATE comments SET created = ? WHERE id = ?", ago(minutes), c["id"])
    for i, name in enumerate(["Hana", "Marta Okafor", "Jon", "Priya N.", "Luis"]):
        stack.like(url, f"looks-visitor-{i:012d}", name=name)
    for i in range(3):
        r = httpx.put(
            f"{stack.api}/api/comments/{marta['id']}/like",
            headers={"Rejoinder-Visitor": f"looks-visitor-{i:012d}", "Origin": stack.host.origin},
        )
        assert r.status_code == 200, r.text
    return url


def page_for(stack: Stack, discussion: str, path: str, **attrs: str) -> str:
    return stack.host.page(path, stack.api, attrs={"url": discussion, **attrs})


def root_bg(page: Any) -> str:
    bg: str = page.evaluate("() => getComputedStyle(document.querySelector('.rj-root')).backgroundColor")
    return bg


def test_screenshots_for_the_docs(stack: Stack, discussion: str, browser_page: Any) -> None:
    """Light and dark at desktop width and light on a phone, written to docs/screenshots/. The viewport
    is taller than the widget: comments off screen are not painted (content-visibility: auto)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for name, options in [
        ("widget-light.png", {"color_scheme": "light", "viewport": {"width": 860, "height": 2000}}),
        ("widget-dark.png", {"color_scheme": "dark", "viewport": {"width": 860, "height": 2000}}),
    ]:
        w = open_widget(browser_page, page_for(stack, discussion, f"/posts/{name}.html"), **options)
        w.page.locator(".rj-comment").last.wait_for()
        w.page.evaluate(LOAD_IMAGES)
        w.page.locator("#rejoinder").screenshot(path=str(SHOTS / name), animations="disabled")
        w.assert_clean()
    phone = open_widget(
        browser_page,
        page_for(stack, discussion, "/posts/phone-shot.html"),
        viewport={"width": 375, "height": 812},
        device_scale_factor=2,
        color_scheme="light",
    )
    phone.page.evaluate(LOAD_IMAGES)
    phone.page.evaluate("() => document.getElementById('rejoinder').scrollIntoView()")
    phone.page.screenshot(path=str(SHOTS / "widget-mobile.png"), animations="disabled")
    phone.assert_clean()
    for name in ("widget-light.png", "widget-dark.png", "widget-mobile.png"):
        data = (SHOTS / name).read_bytes()
        assert data.startswith(b"\x89PNG") and len(data) > 10_000


def test_phone_viewport_has_no_horizontal_scroll(stack: Stack, discussion: str, browser_page: Any) -> None:
    url = stack.host.page("/posts/phone.html", stack.api)
    stack.post(url, "A short one first, to reply to.", name="Marta Okafor")
    stack.post(
        url,
        "A long address: https://example.org/" + "a-very-long-path-segment-" * 6 + "\n\n"
        "```\n" + "wide_code_line = " + "x" * 120 + "\n```",
        name="Long" * 15,
    )
    w = open_widget(browser_page, url, viewport={"width": 375, "height": 812}, device_scale_factor=2)
    page = w.page
    first = page.locator(".rj-comment.rj-depth-0").first
    first.get_by_role("button", name="Reply to Marta Okafor").click()
    page.locator(".rj-slot").get_by_role("button", name="Preview").click()
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], width
    # Nothing inside the widget sticks out either (a <pre> scrolls on its own).
    sticking_out = page.evaluate(
        """() => Array.from(document.querySelectorAll('#rejoinder *'))
             .filter((el) => !el.closest('pre') && el.getBoundingClientRect().right > window.innerWidth + 0.5)
             .map((el) => el.className || el.tagName)"""
    )
    assert sticking_out == []
    w.assert_clean()


def test_dark_mode_follows_the_system_or_the_site(stack: Stack, discussion: str, browser_page: Any) -> None:
    auto = open_widget(browser_page, page_for(stack, discussion, "/posts/auto.html"), color_scheme="dark")
    assert root_bg(auto.page) == DARK_BG
    assert (
        auto.page.evaluate("() => getComputedStyle(document.querySelector('.rj-root')).colorScheme") == "dark"
    )
    light_site = open_widget(
        browser_page,
        page_for(stack, discussion, "/posts/forced-light.html", theme="light"),
        color_scheme="dark",
    )
    assert root_bg(light_site.page) == LIGHT_BG
    dark_site = open_widget(
        browser_page,
        page_for(stack, discussion, "/posts/forced-dark.html", theme="dark"),
        color_scheme="light",
    )
    assert root_bg(dark_site.page) == DARK_BG
    # A site that toggles its own theme at run time updates the container's data-theme.
    dark_site.page.evaluate("() => { document.getElementById('rejoinder').dataset.theme = 'light'; }")
    dark_site.page.wait_for_function(
        "() => getComputedStyle(document.querySelector('.rj-root')).backgroundColor === 'rgb(255, 255, 255)'"
    )
    for w in (auto, light_site, dark_site):
        w.assert_clean()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_wcag_violations(stack: Stack, discussion: str, browser_page: Any, scheme: str) -> None:
    w = open_widget(
        browser_page, page_for(stack, discussion, f"/posts/axe-{scheme}.html"), color_scheme=scheme
    )
    page = w.page
    assert root_bg(page) == (DARK_BG if scheme == "dark" else LIGHT_BG)
    # Open everything that only appears on interaction: a reply form with its preview, and form errors.
    page.locator(".rj-comment.rj-depth-0").first.get_by_role("button", name="Reply to Marta Okafor").click()
    page.locator(".rj-slot textarea").fill("A *draft*")
    page.locator(".rj-slot").get_by_role("button", name="Preview").click()
    page.locator(".rj-leave").get_by_role("button", name="Post comment").click()
    page.wait_for_selector(".rj-leave textarea[aria-invalid=true]")
    page.get_by_role("button", name="Like this article").click()
    page.wait_for_function("() => document.querySelector('.rj-like').getAttribute('aria-pressed') === 'true'")
    violations = run_axe(page)
    summary = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:5], v["nodes"][0].get("failureSummary", ""))
        for v in violations
    ]
    assert summary == []


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "en"])
def test_each_language_reads_in_its_direction_and_is_axe_clean(
    stack: Stack, discussion: str, browser_page: Any, lang: str
) -> None:
    """Every language of rejoinder.i18n.LANGUAGES is built into the widget: its words come from
    /locales/<lang>.json, Arabic's root is dir="rtl" (the others ltr), and each comment's text and name
    keep their own direction (the discussion is in English: dir="auto" reads it left to right inside the
    Arabic layout). axe-core's rules hold in every language (a visible label inside the accessible name)."""
    words = json.loads((LOCALES_DIR / f"{lang}.json").read_text(encoding="utf-8"))
    url = stack.host.page(f"/posts/lang-{lang}.html", stack.api, lang=lang, attrs={"url": discussion})
    watched = open_widget(browser_page, url)
    page = watched.page
    page.wait_for_function(
        "(word) => document.querySelector('#rejoinder').textContent.includes(word)", arg=words["leave"]
    )
    rtl = lang == "ar"
    assert page.locator(".rj-root").get_attribute("dir") == ("rtl" if rtl else None)
    assert page.evaluate("() => getComputedStyle(document.querySelector('.rj-root')).direction") == (
        "rtl" if rtl else "ltr"
    )
    shown = page.locator("#rejoinder").inner_text()
    assert words["oldest"] in shown and "Leave a Reply" not in shown and "Oldest" not in shown
    texts = page.locator(".rj-text")
    assert texts.count() > 0
    assert {texts.nth(i).get_attribute("dir") for i in range(texts.count())} == {"auto"}
    marta = page.locator(".rj-name", has_text="Marta Okafor").first
    assert marta.get_attribute("dir") == "auto"
    assert marta.evaluate("(e) => getComputedStyle(e).direction") == "ltr"
    violations = run_axe(page)
    assert [(v["id"], [n["target"] for n in v["nodes"]][:5]) for v in violations] == []
    watched.assert_clean()
