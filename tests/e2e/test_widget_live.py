"""Live updates in the widget, in real Chromium against a real `rejoinder serve`: two readers in two browser
contexts (one posts, the other sees "1 new comment · Show"; likes, edits, a moderator's rejection and
closing the thread reach the other at once), hostile text arriving live, and the fallback where the page
has no EventSource (the thread read again by ETag, paused while the tab is hidden). Every wait is on the
DOM or on a request, never a fixed sleep."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from rejoinder.services.admin_auth import hash_password
from tests.e2e.conftest import Stack, open_widget
from tests.e2e.test_widget_moderation import PASSWORD, admin_page
from tests.e2e.test_widget_security import PAYLOADS, assert_inert
from tests.fixtures.browser import Watched

pytestmark = pytest.mark.e2e

SERVER_ENV = {
    "REJOINDER_ADMIN__USERNAME": "chief",
    "REJOINDER_ADMIN__PASSWORD_HASH": hash_password(PASSWORD),
    "REJOINDER_LIVE__CHECK_MS": "50",
    "REJOINDER_LIVE__MAX_SECONDS": "10",  # streams end and resume often: the resume test waits for one
}
LIVE = "#rejoinder .rj-fresh[data-state=live]"
POLLING = "#rejoinder .rj-fresh[data-state=poll]"


def article(stack: Stack, name: str, **attrs: str) -> str:
    return stack.host.page(f"/posts/{name}.html", stack.api, attrs=attrs)


def following(browser_page: Any, url: str) -> Watched:
    """The widget at `url` with its live stream open."""
    w: Watched = open_widget(browser_page, url)
    w.page.wait_for_selector(LIVE, state="attached")
    return w


def card(w: Watched, comment_id: str) -> Any:
    return w.page.locator(f"#comment-{comment_id}")


def top_of(w: Watched, comment_id: str) -> float:
    box = card(w, comment_id).bounding_box()
    assert box is not None
    return float(box["y"])


def test_a_comment_posted_in_one_browser_waits_behind_show_in_the_other(
    stack: Stack, browser_page: Any
) -> None:
    url = article(stack, "live-two")
    first = stack.post(url, "The first word on the heap.", name="Ann")
    reader = following(browser_page, url)
    writer = following(browser_page, url)
    before = top_of(reader, first["id"])
    form = writer.page.locator(".rj-leave form")
    form.get_by_label("Comment", exact=True).fill("Turn it every *fortnight*.")
    form.get_by_label("Name", exact=True).fill("Bea")
    form.get_by_role("button", name="Post comment").click()
    show = reader.page.get_by_role("button", name="1 new comment · Show")
    show.wait_for()
    # Nothing moved, nothing was inserted: the reader is told, politely.
    assert top_of(reader, first["id"]) == before
    assert reader.page.locator(".rj-comment").count() == 1
    reader.page.wait_for_function(
        "() => document.querySelector('#rejoinder [role=status]').textContent === '1 new comment'"
    )
    assert reader.page.locator("#rejoinder .rj-title").inner_text() == "1 Response"
    show.click()
    mine = writer.page.locator(".rj-comment", has_text="Turn it every")
    new_id = (mine.get_attribute("id") or "").removeprefix("comment-")
    shown = card(reader, new_id)
    assert shown.locator(".rj-text").inner_html() == "<p>Turn it every <em>fortnight</em>.</p>"
    assert shown.locator(".rj-name").inner_text() == "Bea"
    assert reader.page.evaluate("() => document.activeElement.id") == f"comment-{new_id}"
    assert show.is_hidden()
    assert reader.page.locator("#rejoinder .rj-title").inner_text() == "2 Responses"
    # The writer's own comment is not offered to it again.
    assert writer.page.locator(".rj-comment", has_text="Turn it every").count() == 1
    writer.page.locator("#rejoinder .rj-fresh button").wait_for(state="hidden")
    # A like in one browser is counted in the other.
    shown.get_by_role("button", name="Like").click()
    writer.page.wait_for_function(
        "(id) => document.querySelector('#comment-' + id + ' .rj-count').textContent === '1'", arg=new_id
    )
    # An edit shows in place.
    edited = httpx.patch(
        f"{stack.api}/api/comments/{first['id']}",
        json={"text": "The first word, **corrected**."},
        headers={"Origin": stack.host.origin, "Rejoinder-Edit-Token": first["edit_token"]},
    )
    assert edited.status_code == 200, edited.text
    text = card(reader, first["id"]).locator(".rj-text")
    reader.page.wait_for_function(
        "(id) => document.querySelector('#comment-' + id + ' .rj-text').innerHTML"
        " === '<p>The first word, <strong>corrected</strong>.</p>'",
        arg=first["id"],
    )
    assert text.inner_text() == "The first word, corrected."
    assert card(reader, first["id"]).locator(".rj-edited").inner_text() == "edited"
    for w in (reader, writer):
        w.assert_clean()


def test_replies_go_under_their_parents_and_rejected_comments_go(stack: Stack, browser_page: Any) -> None:
    url = article(stack, "live-threads")
    parent = stack.post(url, "Which worms are best?", name="Cy")
    other = stack.post(url, "Unrelated: the shed door sticks.", name="Dee")
    reader = following(browser_page, url)
    reply = stack.post(url, "Red wigglers.", name="Eve", parent=parent["id"])
    deeper = stack.post(url, "Agreed, red wigglers.", name="Fay", parent=reply["id"])
    reader.page.get_by_role("button", name="2 new comments · Show").click()
    order = reader.page.eval_on_selector_all(
        "#rejoinder .rj-list > li", "(items) => items.map((li) => li.id)"
    )
    assert order == [f"comment-{c['id']}" for c in (parent, reply, deeper, other)]
    assert "rj-depth-2" in (card(reader, deeper["id"]).get_attribute("class") or "")
    mod = admin_page(stack, browser_page)
    mod.page.goto(f"{stack.api}/admin/comments/{other['id']}")
    with mod.page.expect_navigation():
        mod.page.locator(f"article#c-{other['id']}").get_by_role("button", name="Reject").click()
    card(reader, other["id"]).wait_for(state="detached")
    # A rejected comment with replies on screen stays as a placeholder, as the thread read shows it.
    mod.page.goto(f"{stack.api}/admin/comments/{reply['id']}")
    with mod.page.expect_navigation():
        mod.page.locator(f"article#c-{reply['id']}").get_by_role("button", name="Reject").click()
    placeholder = card(reader, reply["id"]).locator(".rj-placeholder")
    placeholder.wait_for()
    assert placeholder.inner_text() == "This comment was deleted."
    assert "Red wigglers" not in reader.page.locator("#rejoinder .rj-list").inner_text()
    assert card(reader, deeper["id"]).locator(".rj-text").inner_text() == "Agreed, red wigglers."
    assert reader.page.locator("#rejoinder .rj-title").inner_text() == "2 Responses"
    reader.assert_clean()


def test_closing_and_opening_the_thread_shows_at_once(stack: Stack, browser_page: Any) -> None:
    url = article(stack, "live-closing")
    stack.post(url, "Before the gate shuts.", name="Gus")
    reader = following(browser_page, url)
    form = reader.page.locator(".rj-leave form")
    form.wait_for()
    mod = admin_page(stack, browser_page)
    mod.page.goto(stack.api + "/admin/threads?site=hostsite")
    row = mod.page.locator("tr", has_text="/posts/live-closing.html")
    with mod.page.expect_navigation():
        row.get_by_role("button", name="Close").click()
    notice = reader.page.locator(".rj-leave .rj-notice")
    notice.wait_for()
    assert notice.inner_text() == "Commenting is closed."
    assert form.is_hidden()
    assert reader.page.locator(".rj-reply").first.is_hidden()
    with mod.page.expect_navigation():
        mod.page.locator("tr", has_text="/posts/live-closing.html").get_by_role("button", name="Open").click()
    notice.wait_for(state="detached")
    form.wait_for(state="visible")
    assert reader.page.locator(".rj-reply").first.is_visible()
    reader.assert_clean()


def test_hostile_text_arriving_live_is_inert(stack: Stack, browser_page: Any) -> None:
    url = article(stack, "live-hostile")
    reader = following(browser_page, url)
    for payload in PAYLOADS:
        stack.post(url, payload, name="<img src=x onerror=\"window.__pwned='live'\">")
    reader.page.get_by_role("button", name=f"{len(PAYLOADS)} new comments · Show").click()
    assert reader.page.locator(".rj-comment").count() == len(PAYLOADS)
    assert (
        reader.page.locator(".rj-name").first.inner_text() == "<img src=x onerror=\"window.__pwned='live'\">"
    )
    assert_inert(reader)
    reader.assert_clean()


def test_a_dropped_stream_resumes_from_the_last_event(stack: Stack, browser_page: Any) -> None:
    url = article(stack, "live-resume")
    reader = following(browser_page, url)
    page = reader.page
    stack.post(url, "Before the drop.", name="Kit")
    page.get_by_role("button", name="1 new comment · Show").wait_for()

    def is_live(request: Any) -> bool:
        return "/api/threads/live?" in request.url

    # The stream ends (live.max_seconds, as at a server restart) and reconnecting fails for a while.
    page.route("**/api/threads/live?*", lambda route: route.abort())
    with page.expect_request(is_live, timeout=30_000):
        pass
    missed = stack.post(url, "Posted while the reader was cut off.", name="Lou")
    page.unroute("**/api/threads/live?*")
    with page.expect_request(is_live, timeout=30_000) as resumed:
        pass
    assert resumed.value.all_headers()["last-event-id"].isdigit()
    page.get_by_role("button", name="2 new comments · Show").click()
    assert (
        card(reader, missed["id"]).locator(".rj-text").inner_text() == "Posted while the reader was cut off."
    )
    assert page.locator(LIVE).count() == 1  # never fell back to polling


def test_a_stream_too_far_behind_is_told_to_refetch_and_reads_the_thread(
    stack: Stack, browser_page: Any
) -> None:
    url = article(stack, "live-reset")
    reader = following(browser_page, url)
    page = reader.page
    live_urls = "**/api/threads/live?*"

    def is_live(request: Any) -> bool:
        return "/api/threads/live?" in request.url

    page.route(live_urls, lambda route: route.abort())  # cut off at the next end of the stream
    with page.expect_request(is_live, timeout=30_000):
        pass
    missed = stack.post(url, "Posted while the reader was away too long.", name="Max")
    page.unroute(live_urls)

    def too_old(route: Any) -> None:  # an id the server cannot resume from (as after an hour away)
        route.continue_(headers={**route.request.headers, "last-event-id": "999999999"})

    page.route(live_urls, too_old)
    # `reset`: the widget reads the pages on screen again and finds the comment it missed.
    with page.expect_request(lambda r: "/api/threads?" in r.url and "page=" in r.url, timeout=30_000):
        pass
    page.get_by_role("button", name="1 new comment · Show").click()
    assert (
        card(reader, missed["id"]).locator(".rj-text").inner_text()
        == "Posted while the reader was away too long."
    )
    reader.assert_clean()


NO_EVENTSOURCE = "delete window.EventSource;"


def test_without_eventsource_the_thread_is_revalidated(stack: Stack, browser_page: Any) -> None:
    url = article(stack, "live-fallback", **{"live-poll": "1"})
    stack.post(url, "Read by polling.", name="Hal")
    w: Watched = browser_page()
    page = w.page
    page.add_init_script(NO_EVENTSOURCE)
    reads: list[tuple[str, str | None, str | None]] = []  # url, If-None-Match sent, ETag answered

    def on_read(request: Any) -> None:
        response = request.response()
        if "/api/threads?" in request.url and "page=" in request.url and response is not None:
            reads.append(
                (request.url, request.all_headers().get("if-none-match"), response.all_headers()["etag"])
            )

    page.on("requestfinished", on_read)
    page.goto(url)
    page.wait_for_selector(POLLING, state="attached")
    with page.expect_request_finished(lambda r: "/api/threads?" in r.url and "page=" in r.url):
        pass  # the next round, a second later
    posted = stack.post(url, "Seen on the next round.", name="Ivy")
    show = page.get_by_role("button", name="1 new comment · Show")
    show.wait_for()
    show.click()
    assert card(w, posted["id"]).locator(".rj-text").inner_text() == "Seen on the next round."
    page.remove_listener("requestfinished", on_read)
    # Every read after the first is conditional on what the one before it answered (Chromium reports a
    # 304 as the cached 200, so the server is asked the same question here).
    first_url, sent, etag = reads[0]
    assert len(reads) >= 3, reads
    assert sent is None
    assert reads[1][1] == etag
    assert [r[1] for r in reads[1:]] == [r[2] for r in reads[:-1]]
    again = httpx.get(first_url, headers={"If-None-Match": reads[-1][2] or "", "Accept-Encoding": "gzip"})
    assert again.status_code == 304 and again.content == b"", reads
    w.assert_clean()


def test_polling_pauses_while_the_tab_is_hidden(stack: Stack, browser_page: Any) -> None:
    url = article(stack, "live-hidden")
    w: Watched = browser_page()
    page = w.page
    page.add_init_script(
        NO_EVENTSOURCE
        + "let hidden = false;"
        + "Object.defineProperty(document, 'hidden', {get: () => hidden});"
        + "window.setHidden = (value) => { hidden = value;"
        + " document.dispatchEvent(new Event('visibilitychange')); };"
    )
    page.clock.install()
    reads: list[str] = []
    page.on(
        "request", lambda r: reads.append(r.url) if "/api/threads?" in r.url and "page=" in r.url else None
    )
    page.goto(url)
    page.wait_for_selector(POLLING, state="attached")
    at_start = len(reads)
    with page.expect_request(lambda r: "/api/threads?" in r.url and "page=" in r.url):
        page.clock.run_for(31_000)  # the default interval: 30 s
    assert len(reads) == at_start + 1
    page.evaluate("() => setHidden(true)")
    page.clock.run_for(300_000)
    posted = stack.post(url, "Written while nobody looked.", name="Jo")
    page.clock.run_for(300_000)
    assert len(reads) == at_start + 1  # no reads while hidden
    with page.expect_request(lambda r: "/api/threads?" in r.url and "page=" in r.url):
        page.evaluate("() => setHidden(false)")  # overdue: at once
    page.get_by_role("button", name="1 new comment · Show").click()
    assert card(w, posted["id"]).locator(".rj-text").inner_text() == "Written while nobody looked."
    w.assert_clean()


# Records, before the widget's own listeners run, every `comment` and `removed` event the page's streams
# hear, and every text "N new comments · Show" ever had while shown (a MutationObserver sees each change
# before the next task, so a flash of it is caught too).
HEARD = """
window.__heard = [];
window.__offered = [];
const Source = window.EventSource;
window.EventSource = class extends Source {
  constructor(url, init) {
    super(url, init);
    for (const name of ['comment', 'removed'])
      this.addEventListener(name, (event) => window.__heard.push([name, JSON.parse(event.data).id]));
  }
};
new MutationObserver(() => {
  const button = document.querySelector('#rejoinder .rj-fresh button');
  if (button && !button.hidden) window.__offered.push(button.textContent);
}).observe(document, {subtree: true, childList: true, characterData: true, attributes: true});
"""


class Held:
    """The page's `method` requests to `pattern` reach the server at once (so that the server writes and
    announces the change), but their answers wait until `release()`."""

    def __init__(self, page: Any, pattern: str, method: str) -> None:
        self.page, self.pattern, self.method = page, pattern, method
        self.waiting: list[tuple[Any, Any]] = []
        page.route(pattern, self.handle)

    def handle(self, route: Any) -> None:
        if route.request.method != self.method:
            route.fallback()
            return
        self.waiting.append((route, route.fetch()))

    def answered(self) -> Any:
        """The server's answer to the one held request (waiting for the page to make it)."""
        while not self.waiting:  # each round trip lets Playwright run the route handler
            self.page.evaluate("() => 0")
        return self.waiting[0][1]

    def release(self) -> None:
        for route, response in self.waiting:
            route.fulfill(response=response)
        self.waiting.clear()
        self.page.unroute(self.pattern, self.handle)


def heard(w: Watched, name: str, comment_id: str) -> None:
    """Waits until the page's stream has heard event `name` for `comment_id`."""
    w.page.wait_for_function(
        "([name, id]) => window.__heard.some(([n, i]) => n === name && i === id)", arg=[name, comment_id]
    )


def test_the_readers_own_post_edit_and_delete_are_not_raced_by_their_live_events(
    stack: Stack, browser_page: Any
) -> None:
    """Each of the reader's own requests is answered only after the stream brought the change it made:
    the widget holds that event until the answer is drawn, so the reader's comment is not offered as
    "1 new comment", the open editor is not drawn over (focus goes back to Edit), and a deletion is
    counted once."""
    url = article(stack, "live-own")
    other = stack.post(url, "Someone else was here first.", name="Ned")
    w: Watched = browser_page()
    page = w.page
    page.add_init_script(HEARD)
    page.goto(url)
    page.wait_for_selector(LIVE, state="attached")

    # Post: the stream brings the new comment while the POST's answer is held.
    held = Held(page, "**/api/comments", "POST")
    form = page.locator(".rj-leave form")
    form.get_by_label("Comment", exact=True).fill("My own words, raced.")
    form.get_by_label("Name", exact=True).fill("Ora")
    form.get_by_role("button", name="Post comment").click()
    mine_id = held.answered().json()["id"]
    heard(w, "comment", mine_id)
    held.release()
    mine = card(w, mine_id)
    mine.locator(".rj-text").wait_for()
    assert page.locator(".rj-comment", has_text="My own words, raced.").count() == 1
    assert page.locator("#rejoinder .rj-title").inner_text() == "2 Responses"
    assert page.evaluate("() => window.__offered") == []

    # Edit: the stream brings the edited comment while the PATCH's answer is held.
    mine.get_by_role("button", name="Edit").click()
    mine.get_by_label("Comment", exact=True).fill("My own words, *edited*.")
    held = Held(page, f"**/api/comments/{mine_id}", "PATCH")
    mine.get_by_role("button", name="Save").click()
    held.answered()
    heard(w, "comment", mine_id)
    assert mine.get_by_label("Comment", exact=True).input_value() == "My own words, *edited*."  # still open
    held.release()
    mine.locator(".rj-text em").wait_for()
    assert mine.locator(".rj-text").inner_text() == "My own words, edited."
    assert mine.locator(".rj-edited").count() == 1
    assert page.evaluate("() => document.activeElement.textContent") == "Edit"
    assert stack.thread(url)["comments"][1]["text"] == "My own words, *edited*."

    # Delete: the stream says it was removed while the DELETE's answer is held; it is counted once.
    held = Held(page, f"**/api/comments/{mine_id}", "DELETE")
    mine.get_by_role("button", name="Delete").click()
    mine.get_by_role("group").get_by_role("button", name="Delete").click()
    held.answered()
    heard(w, "removed", mine_id)
    held.release()
    mine.wait_for(state="detached")
    page.wait_for_function(
        "() => document.querySelector('#rejoinder [role=status]').textContent === 'Your comment was deleted.'"
    )
    assert page.locator("#rejoinder .rj-title").inner_text() == "1 Response"
    assert page.evaluate("() => document.activeElement.id") == f"comment-{other['id']}"
    assert [c["id"] for c in stack.thread(url)["comments"]] == [other["id"]]
    assert page.evaluate("() => window.__offered") == []
    w.assert_clean()
