"""Reactions and muting in real Chromium against a real server: a reader reacts to the article and to a
comment, sees the counts, takes a reaction back; a signed-in reader mutes a commenter, sees their comments
collapsed to "Comment from a muted commenter · Show", opens one, and unmutes them in the account settings.
The thread the server sends stays the same for everyone; every state is axe-clean."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest

from rejoinder.domain.identity import Profile
from rejoinder.runtime import open_context
from rejoinder.services import accounts
from tests.e2e.conftest import Stack, open_widget
from tests.fixtures.app import make_settings
from tests.fixtures.browser import in_thread, run_axe

pytestmark = pytest.mark.e2e

SITE_ARGS = ("--reaction", "love", "--reaction", "laugh", "--reaction", "clap")


def token_for(stack: Stack, subject: str, name: str) -> str:
    """A session for a reader signed in with a test provider, made in the server's own database."""

    async def go() -> str:
        async with open_context(make_settings(f"sqlite:///{stack.db_path}")) as runtime:
            profile = Profile(provider="test", subject=subject, name=name, email=None, email_verified=False)
            signed = await accounts.sign_in_with_profile(runtime.ctx, profile, label="Test")
            return signed.token

    token: str = in_thread(asyncio.run, go())
    return token


def test_react_see_the_count_and_take_it_back(stack: Stack, browser_page: Any) -> None:
    url = stack.host.page("/posts/reactions.html", stack.api)
    made = stack.post(url, "A comment worth a reaction.", name="Bo")
    before = httpx.get(stack.api + "/api/threads", params={"url": url}).content
    w = open_widget(browser_page, url)
    page = w.page
    comment = page.locator(f"#comment-{made['id']}")
    love = comment.locator('.rj-react[title="Love"]')
    love.wait_for()
    assert love.get_attribute("aria-label") == "Love, 0"
    assert love.get_attribute("aria-pressed") == "false"
    assert comment.get_by_role("group", name="Reactions").count() == 1
    # The sort offers "Most reacted" on a site with reactions.
    assert page.locator(".rj-select option[value=reacted]").inner_text() == "Most reacted"

    love.click()
    page.wait_for_function(
        f"() => document.querySelector('#comment-{made['id']} .rj-react[title=\"Love\"]')"
        "?.getAttribute('aria-pressed') === 'true'"
    )
    love = comment.locator('.rj-react[title="Love"]')
    assert love.get_attribute("aria-label") == "Love, 1"
    assert love.locator(".rj-count").inner_text() == "1"
    assert stack.thread(url)["reactions"] == {made["id"]: {"love": 1}}

    # The article's reactions: a click, the count and "1 person reacted".
    article = page.locator(".rj-article-reactions")
    article.locator('.rj-react[title="Applause"]').click()
    article.locator(".rj-like-text", has_text="1 person reacted").wait_for()
    assert stack.thread(url)["thread"]["reactions"]["kinds"] == {"clap": 1}
    assert run_axe(page) == []

    # A reload shows the reader's own reactions pressed (GET /api/viewer), then one is taken back.
    page.reload()
    page.wait_for_function(
        f"() => document.querySelector('#comment-{made['id']} .rj-react[title=\"Love\"]')"
        "?.getAttribute('aria-pressed') === 'true'"
    )
    comment.locator('.rj-react[title="Love"]').click()
    page.wait_for_function(
        f"() => document.querySelector('#comment-{made['id']} .rj-react[title=\"Love\"]')"
        "?.getAttribute('aria-label') === 'Love, 0'"
    )
    assert comment.locator('.rj-react[title="Love"]').get_attribute("aria-pressed") == "false"
    assert stack.thread(url)["reactions"] == {}
    assert before != httpx.get(stack.api + "/api/threads", params={"url": url}).content  # the counts changed
    w.assert_clean()


def test_mute_and_unmute_a_commenter(stack: Stack, browser_page: Any) -> None:
    url = stack.host.page("/posts/mute.html", stack.api)
    troll = stack.post(url, "Something unpleasant.", name="Troll")
    again = stack.post(url, "More of the same.", name="Troll")
    kind = stack.post(url, "A kind word.", name="Kim")
    token = token_for(stack, "rita", "Rita")
    shared = httpx.get(stack.api + "/api/threads", params={"url": url}).content

    w = browser_page()
    page = w.page
    page.add_init_script(f"localStorage.setItem('rejoinder.session', {json.dumps(json.dumps(token))})")
    page.goto(url)
    mute = page.locator(f"#comment-{troll['id']}").get_by_role("button", name="Mute Troll")
    mute.wait_for()
    assert page.locator(f"#comment-{kind['id']}").get_by_role("button", name="Mute Kim").count() == 1
    mute.click()
    for muted in (troll, again):
        note = page.locator(f"#comment-{muted['id']} .rj-muted")
        note.wait_for()
        assert note.inner_text().startswith("Comment from a muted commenter")
        assert not page.locator(f"#comment-{muted['id']} .rj-card").is_visible()
    assert page.locator(f"#comment-{kind['id']} .rj-card").is_visible()
    page.locator('[role="status"]', has_text="Troll is muted").wait_for(state="attached")
    assert run_axe(page) == []

    # The shared thread did not change for anyone; the mute is the reader's own.
    assert httpx.get(stack.api + "/api/threads", params={"url": url}).content == shared
    mutes = httpx.get(stack.api + "/api/mutes", headers={"Authorization": f"Bearer {token}"}).json()["mutes"]
    assert [m["name"] for m in mutes] == ["Troll"]

    # Show opens one comment for this reading only.
    page.locator(f"#comment-{again['id']} .rj-muted").get_by_role("button", name="Show").click()
    page.locator(f"#comment-{again['id']} .rj-card").wait_for()
    assert page.locator(f"#comment-{troll['id']} .rj-muted").is_visible()

    # A reload keeps the mute (GET /api/viewer), then the settings unmute.
    page.reload()
    page.locator(f"#comment-{troll['id']} .rj-muted").wait_for()
    settings = page.get_by_role("button", name="Muted commenters")
    settings.click()
    assert settings.get_attribute("aria-expanded") == "true"
    page.get_by_role("button", name="Unmute: Troll").click()
    page.get_by_text("You have not muted anyone.").wait_for()
    page.locator(f"#comment-{troll['id']} .rj-card").wait_for()
    assert page.locator(".rj-muted").count() == 0
    assert run_axe(page) == []
    empty = httpx.get(stack.api + "/api/mutes", headers={"Authorization": f"Bearer {token}"}).json()
    assert empty == {"mutes": []}
    w.assert_clean()


def test_reactions_in_one_browser_reach_the_other_live(stack: Stack, browser_page: Any) -> None:
    """Two readers in two browser contexts: what one reacts shows in the other's counts at once, in place,
    and the other's keyboard focus stays on the button it was on."""
    url = stack.host.page("/posts/reactions-live.html", stack.api)
    made = stack.post(url, "React to this live.", name="Cy")
    live = "#rejoinder .rj-fresh[data-state=live]"
    reader = open_widget(browser_page, url)
    writer = open_widget(browser_page, url)
    for w in (reader, writer):
        w.page.wait_for_selector(live, state="attached")
        w.page.locator(f"#comment-{made['id']} .rj-react").first.wait_for()
    laugh = f'#comment-{made["id"]} .rj-react[title="Laugh"]'
    reader.page.locator(laugh).focus()
    writer.page.locator(f'#comment-{made["id"]} .rj-react[title="Love"]').click()
    reader.page.wait_for_function(
        f"() => document.querySelector('#comment-{made['id']} .rj-react[title=\"Love\"]')"
        "?.getAttribute('aria-label') === 'Love, 1'"
    )
    love = reader.page.locator(f'#comment-{made["id"]} .rj-react[title="Love"]')
    assert love.locator(".rj-count").inner_text() == "1"
    assert love.get_attribute("aria-pressed") == "false"  # the other reader's reaction, not this one's
    assert reader.page.evaluate("() => document.activeElement.title") == "Laugh"
    # The article's reactions and "N people reacted".
    writer.page.locator('.rj-article-reactions .rj-react[title="Applause"]').click()
    article = reader.page.locator(".rj-article-reactions")
    article.locator(".rj-like-text", has_text="1 person reacted").wait_for()
    assert article.locator('.rj-react[title="Applause"]').get_attribute("aria-label") == "Applause, 1"
    # Taken back: the count goes back to none.
    writer.page.locator(f'#comment-{made["id"]} .rj-react[title="Love"][aria-pressed=true]').click()
    reader.page.wait_for_function(
        f"() => document.querySelector('#comment-{made['id']} .rj-react[title=\"Love\"]')"
        "?.getAttribute('aria-label') === 'Love, 0'"
    )
    assert stack.thread(url)["reactions"] == {}
    assert run_axe(reader.page) == []
    for w in (reader, writer):
        assert w.console_errors == []
