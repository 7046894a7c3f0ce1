"""The widget on a host page of another origin: reading, posting, replying, likes and field errors."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import READY, Stack, open_widget

pytestmark = pytest.mark.e2e


def leave_form(page: Any) -> Any:
    return page.locator(".rj-leave form")


def error_of(field: Any) -> str:
    """The text of the error element that belongs to a field (inside the field's own wrapper)."""
    text: str = field.locator("xpath=..").locator(".rj-error").inner_text()
    return text


def test_guest_posts_a_comment(stack: Stack, browser_page: Any) -> None:
    url = stack.host.page("/posts/guest.html", stack.api)
    w = open_widget(browser_page, url)
    page = w.page
    assert page.locator(".rj-title").inner_text() == "0 Responses"
    bodies: list[Any] = []
    page.on("request", lambda r: bodies.append(r.post_data_json) if r.method == "POST" else None)
    form = leave_form(page)
    form.get_by_label("Comment", exact=True).fill(
        "Cooked food **did** attract rats, but only the first week."
    )
    form.get_by_label("Name", exact=True).fill("Ann Example")
    form.get_by_label("Email (optional)").fill("ann@example.org")
    form.get_by_label("Website (optional)").fill("https://ann.example")
    form.get_by_role("button", name="Post comment").click()

    comment = page.locator(".rj-comment", has_text="attract rats")
    comment.wait_for()
    assert page.locator(".rj-title").inner_text() == "1 Response"
    assert comment.locator("strong").inner_text() == "did"
    focused = page.evaluate("() => document.activeElement.id")
    assert focused == comment.get_attribute("id")
    page.wait_for_function(
        "() => document.querySelector('.rj-root [role=status]').textContent.includes('posted')"
    )
    link = comment.locator("a.rj-name")
    assert link.inner_text() == "Ann Example"
    assert link.get_attribute("href") == "https://ann.example/"
    assert link.get_attribute("rel") == "nofollow ugc noopener"
    assert form.get_by_label("Comment", exact=True).input_value() == ""
    sent = bodies[0]
    assert (
        sent["url"] == url and sent["parent"] is None and sent["title"] == "What the compost heap taught us"
    )
    assert sent["author"] == {
        "name": "Ann Example",
        "email": "ann@example.org",
        "website": "https://ann.example",
    }
    if httpx.get(stack.api + "/api/form-token").status_code == 200:
        assert sent["form_token"]  # the moderation's "form shown at" token

    # What the server stored is what a second reader sees; the email is never shown.
    other = open_widget(browser_page, url)
    again = other.page.locator(".rj-comment", has_text="attract rats")
    assert again.count() == 1
    assert "ann@example.org" not in other.page.content()
    time = again.locator("time")
    assert time.get_attribute("datetime", timeout=1000).endswith("Z")
    assert "now" in time.inner_text() or "second" in time.inner_text()
    again.locator("a.rj-time").hover()
    assert any(ch.isdigit() for ch in again.locator(".rj-abs").inner_text())
    assert again.locator("img.rj-avatar").get_attribute("src").startswith(stack.api + "/api/avatars/")
    w.assert_clean()
    other.assert_clean()


def test_double_submit_posts_once(stack: Stack, browser_page: Any) -> None:
    url = stack.host.page("/posts/double.html", stack.api)
    w = open_widget(browser_page, url)
    posts: list[str] = []
    w.page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    form = leave_form(w.page)
    form.get_by_label("Comment", exact=True).fill("Only once, please")
    form.get_by_label("Name", exact=True).fill("Bo")
    # Two submits in the same task: the second must find the form busy.
    w.page.evaluate(
        "() => { const f = document.querySelector('.rj-leave form'); f.requestSubmit(); f.requestSubmit(); }"
    )
    w.page.locator(".rj-comment", has_text="Only once").wait_for()
    assert posts == [stack.api + "/api/comments"]
    assert stack.thread(url)["thread"]["count"] == 1
    w.assert_clean()


def test_reply_inline_and_focus(stack: Stack, browser_page: Any) -> None:
    url = stack.host.page("/posts/reply.html", stack.api)
    root = stack.post(url, "Did anyone weigh the bays?", name="Cem")
    later = stack.post(url, "A later, unrelated comment", name="Dee")
    w = open_widget(browser_page, url)
    page = w.page
    parent = page.locator(f"#comment-{root['id']}")
    reply_button = parent.get_by_role("button", name="Reply to Cem")
    reply_button.click()
    assert reply_button.get_attribute("aria-expanded") == "true"
    textarea = parent.get_by_label("Comment", exact=True)
    assert page.evaluate("() => document.activeElement.tagName") == "TEXTAREA"
    # Cancel closes the form and gives focus back to the Reply button.
    parent.get_by_role("button", name="Cancel").click()
    assert textarea.count() == 0
    assert page.evaluate("() => document.activeElement.getAttribute('aria-label')") == "Reply to Cem"

    reply_button.click()
    parent.get_by_label("Comment", exact=True).fill("Yes: 41 kg against 38 kg.")
    parent.get_by_label("Name", exact=True).fill("Eve")
    parent.get_by_role("button", name="Post reply").click()
    reply = page.locator(".rj-comment", has_text="41 kg")
    reply.wait_for()
    ids = page.eval_on_selector_all(".rj-comment", "els => els.map(e => e.id)")
    reply_id = reply.get_attribute("id")
    assert ids.index(reply_id) == ids.index(f"comment-{root['id']}") + 1
    assert ids.index(reply_id) < ids.index(f"comment-{later['id']}")
    assert "rj-depth-1" in (reply.get_attribute("class") or "")
    assert page.evaluate("() => document.activeElement.id") == reply_id
    assert reply_button.get_attribute("aria-expanded") == "false"
    assert page.locator(".rj-title").inner_text() == "3 Responses"
    stored = stack.thread(url)["comments"]
    assert [c["parent"] for c in stored if "41 kg" in c["text"]] == [root["id"]]
    w.assert_clean()


def test_replies_past_the_display_depth_stay_flat(stack: Stack, browser_page: Any) -> None:
    url = stack.host.page("/posts/deep.html", stack.api, attrs={"max-depth": "3"})
    chain = [stack.post(url, "Level 0", name="Root Author")]
    for level in range(1, 4):
        chain.append(stack.post(url, f"Level {level}", name=f"Author {level}", parent=chain[-1]["id"]))
    w = open_widget(browser_page, url)
    page = w.page
    for level, c in enumerate(chain):
        assert f"rj-depth-{level}" in (page.locator(f"#comment-{c['id']}").get_attribute("class") or "")
    deepest = page.locator(f"#comment-{chain[3]['id']}")
    deepest.get_by_role("button", name="Reply to Author 3").click()
    deepest.get_by_label("Comment", exact=True).fill("Level 4, from the browser")
    deepest.get_by_label("Name", exact=True).fill("Fay")
    deepest.get_by_role("button", name="Post reply").click()
    four = page.locator(".rj-comment", has_text="Level 4, from the browser")
    four.wait_for()
    assert "rj-depth-3" in (four.get_attribute("class") or "")
    context = four.locator(".rj-context a")
    assert context.inner_text() == "in reply to Author 3"
    assert context.get_attribute("href") == f"#comment-{chain[3]['id']}"
    # The server stored the real depth; a fresh page renders it flat the same way.
    other = open_widget(browser_page, url)
    again = other.page.locator(".rj-comment", has_text="Level 4, from the browser")
    assert "rj-depth-3" in (again.get_attribute("class") or "")
    assert again.locator(".rj-context").inner_text() == "in reply to Author 3"
    # Indentation grows to the display depth and then stops.
    left = [other.page.locator(f"#comment-{c['id']} > .rj-card").bounding_box()["x"] for c in chain]
    assert left[0] < left[1] < left[2] < left[3]
    assert again.locator(".rj-card").bounding_box()["x"] == left[3]
    w.assert_clean()


def test_like_and_unlike_article_and_comment(stack: Stack, browser_page: Any) -> None:
    url = stack.host.page("/posts/likes.html", stack.api)
    c = stack.post(url, "Worth liking", name="Gus")
    stack.like(url, "other-visitor-0000000001", name="Hana")
    w = open_widget(browser_page, url)
    page = w.page
    page.evaluate(
        "() => localStorage.setItem('rejoinder.author', JSON.stringify({name: 'Ivo', email: null, website: null}))"
    )
    like = page.get_by_role("button", name="Like this article")
    assert like.get_attribute("aria-pressed") == "false"
    assert page.locator(".rj-like-text").inner_text() == "1 person likes this"
    like.click()
    # The count may change first through the live stream (its event can beat the PUT's answer): wait for both.
    page.wait_for_function(
        "() => document.querySelector('.rj-like-text').textContent === '2 people like this'"
    )
    expect(like).to_have_attribute("aria-pressed", "true")
    assert page.locator(".rj-likers img[alt='Ivo']").count() == 1
    assert page.locator(".rj-likers img[alt='Hana']").count() == 1
    assert stack.thread(url)["thread"]["likes"]["count"] == 2

    comment_like = page.locator(f"#comment-{c['id']}").get_by_role("button", name="Like")
    comment_like.click()
    page.wait_for_function(
        f"() => document.querySelector('#comment-{c['id']} .rj-count').textContent === '1'"
    )
    expect(comment_like).to_have_attribute("aria-pressed", "true")

    # The visitor id lives in localStorage: a reload remembers both likes. What this reader liked comes
    # from GET /api/viewer, asked after the first paint: wait for it to be shown.
    page.reload()
    page.wait_for_selector(READY, state="attached")
    like = page.get_by_role("button", name="Like this article")
    expect(like).to_have_attribute("aria-pressed", "true")
    comment_like = page.locator(f"#comment-{c['id']}").get_by_role("button", name="Like")
    expect(comment_like).to_have_attribute("aria-pressed", "true")

    like.click()
    # As above, the live stream's count can come before the DELETE's answer: wait for both.
    page.wait_for_function(
        "() => document.querySelector('.rj-like-text').textContent === '1 person likes this'"
    )
    expect(like).to_have_attribute("aria-pressed", "false")
    expect(page.locator(".rj-likers img[alt='Ivo']")).to_have_count(0)
    comment_like.click()
    page.wait_for_function(f"() => document.querySelector('#comment-{c['id']} .rj-count').textContent === ''")
    expect(comment_like).to_have_attribute("aria-pressed", "false")
    assert stack.thread(url)["comments"][0]["likes"] == 0
    w.assert_clean()


def test_server_errors_appear_next_to_their_fields(stack: Stack, browser_page: Any) -> None:
    url = stack.host.page("/posts/errors.html", stack.api)
    w = open_widget(browser_page, url)
    page = w.page
    form = leave_form(page)
    text = form.get_by_label("Comment", exact=True)
    name = form.get_by_label("Name", exact=True)
    email = form.get_by_label("Email (optional)")
    website = form.get_by_label("Website (optional)")
    submit = form.get_by_role("button", name="Post comment")

    submit.click()
    page.wait_for_selector(".rj-leave textarea[aria-invalid=true]")
    assert error_of(text) == "Write something before posting: the comment is empty"
    assert page.evaluate("() => document.activeElement.tagName") == "TEXTAREA"
    described = text.get_attribute("aria-describedby") or ""
    assert page.locator(f"#{described.split()[-1]}").inner_text() == error_of(text)

    text.fill("x" * 10001)
    submit.click()
    page.wait_for_function(
        "() => document.querySelector('.rj-leave .rj-error').textContent.includes('10001')"
    )
    assert "limit is 10000" in error_of(text)

    text.fill("A fine comment")
    email.fill("not-an-email")
    website.fill("javascript:alert(1)")
    submit.click()
    page.wait_for_selector(".rj-leave input[name=name][aria-invalid=true]")
    assert text.get_attribute("aria-invalid") is None
    assert error_of(text) == ""
    assert error_of(name) == "Enter a name to comment as a guest"
    assert error_of(email) == "Enter a valid email address, like ann@example.org"
    assert error_of(website) == "website must be an http:// or https:// address"
    assert page.evaluate("() => document.activeElement.name") == "name"

    name.fill("Jo")
    email.fill("")
    website.fill("")
    submit.click()
    page.locator(".rj-comment", has_text="A fine comment").wait_for()
    assert page.locator(".rj-leave [aria-invalid=true]").count() == 0
    assert stack.thread(url)["thread"]["count"] == 1
    # The refused posts were logged by the browser as failed requests (422), nothing else.
    assert all("422" in e for e in w.console_errors), w.console_errors
    assert w.page_errors == [] and w.dialogs == []


def test_keyboard_only_posting_and_replying(stack: Stack, browser_page: Any) -> None:
    url = stack.host.page("/posts/keyboard.html", stack.api)
    stack.post(url, "Start here", name="Kim")
    w = open_widget(browser_page, url)
    page = w.page

    def tab_to(selector: str, limit: int = 60) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate(f"() => document.activeElement.matches({selector!r})"):
                return
        raise AssertionError(f"Tab never reached {selector}")

    tab_to(".rj-leave textarea")
    page.keyboard.type("Typed without a mouse")
    tab_to(".rj-leave input[name=name]", limit=3)
    page.keyboard.type("Lee")
    tab_to(".rj-leave button[type=submit]")
    page.keyboard.press("Enter")
    mine = page.locator(".rj-comment", has_text="Typed without a mouse")
    mine.wait_for()
    assert page.evaluate("() => document.activeElement.id") == mine.get_attribute("id")

    # From the new comment, Tab reaches its Reply button; Enter opens the form with focus in it.
    tab_to(f"#{mine.get_attribute('id')} button[aria-label='Reply to Lee']")
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.tagName") == "TEXTAREA"
    page.keyboard.type("And a reply, also by keyboard")
    tab_to(f"#{mine.get_attribute('id')} input[name=name]")
    page.keyboard.type("Lee")
    page.keyboard.press("Shift+Tab")
    for _ in range(3):  # back to the text area (name ← preview toggle ← text)
        if page.evaluate("() => document.activeElement.tagName") == "TEXTAREA":
            break
        page.keyboard.press("Shift+Tab")
    page.keyboard.press("Control+Enter")
    reply = page.locator(".rj-comment", has_text="And a reply, also by keyboard")
    reply.wait_for()
    assert page.evaluate("() => document.activeElement.id") == reply.get_attribute("id")
    assert len(stack.thread(url)["comments"]) == 3
    w.assert_clean()


def test_every_control_has_an_accessible_name(stack: Stack, browser_page: Any) -> None:
    url = stack.host.page("/posts/names.html", stack.api)
    c = stack.post(url, "Named controls", name="Mo")
    stack.post(url, "A reply", name="Ny", parent=c["id"])
    w = open_widget(browser_page, url)
    w.page.locator(".rj-comment").first.get_by_role("button", name="Reply to Mo").click()
    unnamed = w.page.evaluate(
        """() => {
          const els = document.querySelectorAll('#rejoinder button, #rejoinder input, #rejoinder textarea, #rejoinder select, #rejoinder a');
          return Array.from(els).filter((el) => {
            const label = el.labels && el.labels.length ? el.labels[0].textContent : '';
            return !(el.getAttribute('aria-label') || label || el.textContent.trim());
          }).map((el) => el.outerHTML);
        }"""
    )
    assert unnamed == []
    w.assert_clean()


def test_preview_is_built_from_text_only(stack: Stack, browser_page: Any) -> None:
    url = stack.host.page("/posts/preview.html", stack.api)
    w = open_widget(browser_page, url)
    page = w.page
    form = leave_form(page)
    form.get_by_label("Comment", exact=True).fill(
        '**Bold** and `code` <img src=x onerror="window.__pwned=1">\n\n> quoted [link](https://example.org)'
    )
    toggle = form.get_by_role("button", name="Preview")
    toggle.click()
    preview = form.locator(".rj-preview")
    assert toggle.get_attribute("aria-pressed") == "true"
    assert preview.locator("strong").inner_text() == "Bold"
    assert preview.locator("code").inner_text() == "code"
    assert preview.locator("blockquote a").get_attribute("href") == "https://example.org"
    assert preview.locator("img").count() == 0
    assert "<img src=x" in preview.inner_text()
    assert page.evaluate("() => window.__pwned") is None
    w.assert_clean()


def test_remember_me_keeps_author_in_local_storage_only(stack: Stack, browser_page: Any) -> None:
    url = stack.host.page("/posts/remember.html", stack.api)
    w = open_widget(browser_page, url)
    page = w.page
    form = leave_form(page)
    form.get_by_label("Comment", exact=True).fill("Remember me")
    form.get_by_label("Name", exact=True).fill("Pia")
    form.get_by_label("Email (optional)").fill("pia@example.org")
    form.get_by_label("Remember my name, email and website in this browser").check()
    form.get_by_role("button", name="Post comment").click()
    page.locator(".rj-comment", has_text="Remember me").wait_for()
    page.reload()
    page.wait_for_selector(READY, state="attached")
    form = leave_form(page)
    assert form.get_by_label("Name", exact=True).input_value() == "Pia"
    assert form.get_by_label("Email (optional)").input_value() == "pia@example.org"
    assert page.context.cookies() == []
    stored = page.evaluate("() => Object.keys(localStorage).sort()")
    assert stored == ["rejoinder.author", "rejoinder.edit", "rejoinder.visitor"]
    w.assert_clean()


def test_held_comment_is_shown_to_its_author_only(stack: Stack, browser_page: Any) -> None:
    url = stack.host.page("/posts/held.html", stack.api)
    w = open_widget(browser_page, url)
    page = w.page
    form = leave_form(page)
    form.get_by_label("Comment", exact=True).fill("Please check this first")
    form.get_by_label("Name", exact=True).fill("Quinn")
    form.get_by_role("button", name="Post comment").click()
    mine = page.locator(".rj-comment", has_text="Please check this first")
    mine.wait_for()
    comment_id = (mine.get_attribute("id") or "").removeprefix("comment-")
    # A moderator holds it (the moderation queue is not built yet, so the status is set directly).
    stack.sql("UPDATE comments SET status = 'pending' WHERE id = ?", comment_id)
    assert stack.thread(url)["comments"] == []

    page.reload()
    page.wait_for_selector(READY, state="attached")
    held = page.locator(f"#comment-{comment_id}")
    assert "rj-held" in (held.get_attribute("class") or "")
    assert "Awaiting moderation" in held.inner_text()
    assert held.get_by_role("button", name="Reply to Quinn").count() == 0

    stranger = open_widget(browser_page, url)
    assert stranger.page.locator(f"#comment-{comment_id}").count() == 0
    w.assert_clean()
    stranger.assert_clean()


def test_widget_answers_in_the_page_language(stack: Stack, browser_page: Any) -> None:
    url = stack.host.page("/posts/deutsch.html", stack.api, lang="de-AT")
    stack.post(url, "Eins", name="Uli")
    w = open_widget(browser_page, url)
    page = w.page
    assert page.locator(".rj-title").inner_text() == "1 Antwort"
    assert page.locator(".rj-leave h3").inner_text() == "Schreib eine Antwort"
    form = leave_form(page)
    form.get_by_role("button", name="Kommentar senden").click()
    page.wait_for_selector(".rj-leave textarea[aria-invalid=true]")
    assert (
        error_of(form.get_by_label("Kommentar", exact=True))
        == "Schreib etwas, bevor du sendest: der Kommentar ist leer."
    )
    for lang, heading in [
        ("fr", "1 réponse"),
        ("es", "1 respuesta"),
        ("pt", "1 resposta"),
        ("en", "1 Response"),
    ]:
        other = stack.host.page(f"/posts/deutsch-{lang}.html", stack.api, attrs={"url": url, "lang": lang})
        o = open_widget(browser_page, other)
        assert o.page.locator(".rj-title").inner_text() == heading
        o.assert_clean()
    assert httpx.get(stack.api + "/locales/de.json").json()["responses"]["other"] == "{n} Antworten"


def test_comments_paint_before_the_readers_own_state_arrives(stack: Stack, browser_page: Any) -> None:
    """The reader's state (/api/viewer) and the form token are fetched as soon as the thread is answered;
    the comments do not wait for the reader's state, which is merged in when it comes (likes pressed, held
    comments placed)."""
    url = stack.host.page("/posts/first-paint.html", stack.api)
    other = stack.post(url, "A public comment to like", name="Pat")
    w = open_widget(browser_page, url)
    page = w.page
    form = leave_form(page)
    form.get_by_label("Comment", exact=True).fill("Mine, soon held")
    form.get_by_label("Name", exact=True).fill("Quinn")
    form.get_by_role("button", name="Post comment").click()
    mine = page.locator(".rj-comment", has_text="Mine, soon held")
    mine.wait_for()
    mine_id = (mine.get_attribute("id") or "").removeprefix("comment-")
    page.locator(f"#comment-{other['id']}").get_by_role("button", name="Like").click()
    page.wait_for_selector(f"#comment-{other['id']} .rj-act[aria-pressed=true]")
    stack.sql("UPDATE comments SET status = 'pending' WHERE id = ?", mine_id)

    # The same reader opens the article again; the answer about them is held back.
    again = page.context.new_page()
    held: list[Any] = []
    again.route("**/api/viewer?*", lambda route: held.append(route))  # answered only when released below
    started: list[str] = []
    again.on("request", lambda r: started.append(r.url.split("?")[0].removeprefix(stack.api)))
    again.goto(url)
    again.wait_for_selector(READY, state="attached")
    assert len(held) == 1  # asked for, not answered: the comments did not wait
    assert {"/api/threads", "/api/viewer", "/api/form-token"} <= set(started)
    public = again.locator(f"#comment-{other['id']}")
    assert public.locator(".rj-text").inner_text() == "A public comment to like"
    assert public.get_by_role("button", name="Like").get_attribute("aria-pressed") == "false"
    assert again.locator(f"#comment-{mine_id}").count() == 0

    held[0].continue_()
    again.locator(f"#comment-{mine_id}").wait_for()
    assert "Awaiting moderation" in again.locator(f"#comment-{mine_id} .rj-note").inner_text()
    assert public.get_by_role("button", name="Like").get_attribute("aria-pressed") == "true"
    assert again.locator(".rj-comment").count() == 2
    w.assert_clean()
