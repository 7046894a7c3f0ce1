"""Long conversations in the widget: the thread API bounds the replies of each conversation
(`more_replies` on a top-level comment of GET /api/threads), and "Show N more replies" at the end of a
cut conversation appends the next batch in place (GET /api/comments/{id}/replies?offset=K), by keyboard
too, announced in the live region; a permalink to a reply beyond the cut loads its batch (`reply_offset`
of GET /api/comments/{id}/page).

The contract is the server's (docs/api.md). Where the server under test does not cut these
conversations (before the bound existed, or with a bound above REPLIES), `ContractServer` cuts them in
the browser's network layer exactly as the contract says, from the real comments, so the widget's side
is tested either way; where the server cuts them itself, its answers go through untouched."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.e2e.conftest import READY, Stack, open_widget

pytestmark = pytest.mark.e2e

REPLIES = 7  # replies of the long conversation
SHOWN = 2  # replies per conversation on the thread page, where ContractServer cuts
BATCH = 3  # replies per GET /replies answer, where ContractServer answers


class ContractServer:
    """Applies the replies contract to the real server's answers when the server does not (see above)."""

    def __init__(self, stack: Stack, url: str) -> None:
        self.stack = stack
        self.url = url
        self.replies: dict[str, list[dict[str, Any]]] = {}  # top-level id → its replies, display order
        self.stubbed = False
        self.requests: list[str] = []

    def install(self, page: Any) -> None:
        page.route(re.compile(r".*/api/threads\?.*"), self.thread)
        page.route(re.compile(r".*/api/comments/[^/]+/replies\?.*"), self.more)
        page.route(re.compile(r".*/api/comments/[^/]+/page\?.*"), self.page)

    def thread(self, route: Any) -> None:
        response = route.fetch()
        data = response.json()
        if "limit=1" in route.request.url or any(c.get("more_replies") for c in data["comments"]):
            route.fulfill(response=response)
            return
        self.stubbed = True
        kept, root, count = [], None, 0
        for comment in data["comments"]:
            if comment["parent"] is None:
                root, count = comment, 0
                comment["more_replies"] = 0
                self.replies[comment["id"]] = []
                kept.append(comment)
                continue
            assert root is not None
            self.replies[root["id"]].append(comment)
            count += 1
            if count <= SHOWN:
                kept.append(comment)
            else:
                root["more_replies"] += 1
        data["comments"] = kept
        route.fulfill(response=response, body=json.dumps(data))

    def more(self, route: Any) -> None:
        self.requests.append(route.request.url)
        if not self.stubbed:
            route.fallback()
            return
        root = route.request.url.split("/api/comments/")[1].split("/")[0]
        offset = int(parse_qs(urlsplit(route.request.url).query)["offset"][0])
        replies = self.replies[root]
        batch = replies[offset : offset + BATCH]
        body = {"comments": batch, "more": max(0, len(replies) - offset - len(batch))}
        route.fulfill(status=200, content_type="application/json", body=json.dumps(body))

    def page(self, route: Any) -> None:
        response = route.fetch()
        if not self.stubbed:
            route.fulfill(response=response)
            return
        data = response.json()
        wanted = route.request.url.split("/api/comments/")[1].split("/")[0]
        for replies in self.replies.values():
            ids = [c["id"] for c in replies]
            if wanted in ids and ids.index(wanted) >= SHOWN:
                data["reply_offset"] = ids.index(wanted)
        route.fulfill(response=response, body=json.dumps(data))


def long_conversation(stack: Stack, path: str) -> tuple[str, dict[str, Any], list[dict[str, Any]]]:
    url = stack.host.page(path, stack.api)
    root = stack.post(url, "A question with many answers", name="Ruth")
    replies = [stack.post(url, f"Answer number {i}", name=f"R{i}", parent=root["id"]) for i in range(REPLIES)]
    stack.post(url, "A conversation of its own", name="Otto")
    return url, root, replies


def test_more_replies_by_keyboard_appends_the_next_batch_in_place(stack: Stack, browser_page: Any) -> None:
    url, root, replies = long_conversation(stack, "/posts/long-conversation.html")
    w = browser_page()
    contract = ContractServer(stack, url)
    contract.install(w.page)
    page = w.page
    page.goto(url)
    page.wait_for_selector(READY, state="attached")
    button = page.locator(".rj-more-replies")
    assert button.count() == 1
    hidden = REPLIES - SHOWN
    assert button.inner_text() == f"Show {hidden} more replies"
    # The button ends the conversation: right after its last shown reply, before the next conversation.
    order = page.eval_on_selector_all(".rj-list > li", "els => els.map(e => e.id || e.className)")
    assert order == [
        f"comment-{root['id']}",
        *(f"comment-{r['id']}" for r in replies[:SHOWN]),
        "rj-more-item",
        order[-1],
    ]
    # Keyboard only: Tab to the button, Enter.
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.classList.contains('rj-more-replies')"):
            break
    else:
        raise AssertionError("Tab never reached the button")
    page.keyboard.press("Enter")
    first_new = page.locator(f"#comment-{replies[SHOWN]['id']}")
    first_new.wait_for()
    page.wait_for_function("(id) => document.activeElement.id === id", arg=f"comment-{replies[SHOWN]['id']}")
    page.wait_for_function(
        "() => document.querySelector('.rj-root [role=status]').textContent === '3 more replies shown'"
    )
    assert button.inner_text() == f"Show {hidden - BATCH} more replies"
    assert contract.requests[-1].endswith(f"/api/comments/{root['id']}/replies?offset={SHOWN}")
    # Again, by keyboard: the rest, then the button goes.
    button.focus()
    page.keyboard.press("Enter")
    page.locator(f"#comment-{replies[-1]['id']}").wait_for()
    assert page.locator(".rj-more-replies").count() == 0
    ids = page.eval_on_selector_all(".rj-list > li.rj-comment", "els => els.map(e => e.id)")
    assert ids[: REPLIES + 1] == [f"comment-{root['id']}", *(f"comment-{r['id']}" for r in replies)]
    # The replies are real comments: they can be liked and answered like the others.
    reply = page.locator(f"#comment-{replies[-1]['id']}")
    assert reply.locator("button[aria-label='Reply to R6']").count() == 1
    assert "Answer number 6" in reply.inner_text()
    w.assert_clean()


def test_a_permalink_beyond_the_cut_loads_its_batch(stack: Stack, browser_page: Any) -> None:
    url, _root, replies = long_conversation(stack, "/posts/long-permalink.html")
    target = replies[-1]
    w = browser_page()
    ContractServer(stack, url).install(w.page)
    page = w.page
    page.goto(url)
    page.wait_for_selector(READY, state="attached")
    assert page.locator(f"#comment-{target['id']}").count() == 0
    page.evaluate("(id) => { location.hash = 'comment-' + id; }", target["id"])
    page.wait_for_function(
        "(id) => document.querySelector('#comment-' + id + '.rj-target') && document.activeElement.id === 'comment-' + id",
        arg=target["id"],
    )
    w.assert_clean()


def test_a_thread_without_cut_conversations_has_no_button(stack: Stack, browser_page: Any) -> None:
    url = stack.host.page("/posts/short-conversation.html", stack.api)
    root = stack.post(url, "Short and sweet", name="Ann")
    stack.post(url, "Agreed", name="Ben", parent=root["id"])
    w = open_widget(browser_page, url)
    assert w.page.locator(".rj-comment").count() == 2
    assert w.page.locator(".rj-more-replies").count() == 0
    w.assert_clean()
