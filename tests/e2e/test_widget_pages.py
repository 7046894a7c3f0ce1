"""Long threads in the widget: pages, "Load more", permalinks into later pages, sorting, and a thread of
thousands of comments that renders in slices instead of freezing the tab."""

from __future__ import annotations

import asyncio
import itertools
import secrets
from typing import Any

import pytest

from rejoinder.domain.threads import MAX_PAGE_COMMENTS
from tests.e2e.conftest import READY, Stack, open_widget
from tests.fixtures.browser import in_thread

pytestmark = pytest.mark.e2e


def seed_roots(stack: Stack, url: str, n: int) -> list[dict[str, Any]]:
    return [stack.post(url, f"Root comment number {i}", name=f"Reader {i}") for i in range(1, n + 1)]


def roots_shown(page: Any) -> list[str]:
    texts: list[str] = page.eval_on_selector_all(
        ".rj-comment.rj-depth-0 .rj-text", "els => els.map(e => e.textContent.trim())"
    )
    return texts


def test_load_more_pages(stack: Stack, browser_page: Any) -> None:
    url = stack.host.page("/posts/pages.html", stack.api, attrs={"page-size": "3"})
    seed_roots(stack, url, 8)
    w = open_widget(browser_page, url)
    page = w.page
    assert page.locator(".rj-title").inner_text() == "8 Responses"
    assert roots_shown(page) == [f"Root comment number {i}" for i in (1, 2, 3)]
    more = page.get_by_role("button", name="Load more comments")
    more.click()
    page.wait_for_function("() => document.querySelectorAll('.rj-comment').length === 6")
    assert page.evaluate("() => document.activeElement.textContent").startswith("Reader 4")
    more.click()
    page.wait_for_function("() => document.querySelectorAll('.rj-comment').length === 8")
    assert roots_shown(page) == [f"Root comment number {i}" for i in range(1, 9)]
    assert more.is_hidden()
    assert page.get_by_role("button", name="Show earlier comments").is_hidden()
    w.assert_clean()


def test_sort_orders(stack: Stack, browser_page: Any) -> None:
    url = stack.host.page("/posts/sorted.html", stack.api)
    made = seed_roots(stack, url, 3)
    w = open_widget(browser_page, url)
    page = w.page
    page.locator(f"#comment-{made[1]['id']}").get_by_role("button", name="Like").click()
    page.wait_for_function(
        f"() => document.querySelector('#comment-{made[1]['id']} .rj-count').textContent === '1'"
    )
    sort = page.get_by_label("Sort by")
    sort.select_option("newest")
    page.wait_for_function("() => document.querySelector('.rj-text').textContent.includes('number 3')")
    assert roots_shown(page) == [f"Root comment number {i}" for i in (3, 2, 1)]
    sort.select_option("top")
    page.wait_for_function("() => document.querySelector('.rj-text').textContent.includes('number 2')")
    assert roots_shown(page)[0] == "Root comment number 2"
    w.assert_clean()


def test_permalink_to_a_comment_on_a_later_page(stack: Stack, browser_page: Any) -> None:
    url = stack.host.page("/posts/permalink.html", stack.api, attrs={"page-size": "3"})
    made = seed_roots(stack, url, 8)
    target = stack.post(url, "The reply somebody linked to", name="Linked", parent=made[6]["id"])
    w = open_widget(browser_page, f"{url}#comment-{target['id']}")
    page = w.page
    item = page.locator(f"#comment-{target['id']}")
    page.wait_for_function(
        f"() => document.activeElement && document.activeElement.id === 'comment-{target['id']}'"
    )
    assert "rj-target" in (item.get_attribute("class") or "")
    box = item.bounding_box()
    viewport = page.viewport_size
    assert box is not None and viewport is not None
    assert box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"]
    # Page 3 of 3 is shown (roots 7 and 8); the earlier pages can be brought back.
    assert roots_shown(page) == ["Root comment number 7", "Root comment number 8"]
    earlier = page.get_by_role("button", name="Show earlier comments")
    earlier.click()
    page.wait_for_function("() => document.querySelectorAll('.rj-comment.rj-depth-0').length === 5")
    assert roots_shown(page)[0] == "Root comment number 4"
    assert page.get_by_role("button", name="Load more comments").is_hidden()

    # Following a permalink to a comment that is not loaded fetches its page.
    page.evaluate(f"() => {{ location.hash = 'comment-{made[0]['id']}'; }}")
    page.wait_for_function(
        f"() => document.activeElement && document.activeElement.id === 'comment-{made[0]['id']}'"
    )
    assert roots_shown(page) == [f"Root comment number {i}" for i in (1, 2, 3)]
    w.assert_clean()


def test_a_permalink_to_a_missing_comment_shows_the_first_page(stack: Stack, browser_page: Any) -> None:
    url = stack.host.page("/posts/permalink-missing.html", stack.api, attrs={"page-size": "3"})
    seed_roots(stack, url, 4)
    w = browser_page()
    w.page.goto(f"{url}#comment-doesnotexist")
    w.page.wait_for_selector(READY, state="attached")
    assert roots_shown(w.page)[0] == "Root comment number 1"
    assert [e for e in w.console_errors if "404" not in e] == []


async def _add_replies(db_url: str, root: dict[str, Any], replies: int, *, as_roots: bool = False) -> None:
    """Bulk-insert replies to `root` in one statement (what POST does per comment, minus validation and
    rendering, which the other tests cover): posting thousands of comments one by one would take minutes.
    With `as_roots`, top-level comments of its thread instead."""
    import sqlalchemy as sa

    from rejoinder.store import engine as store_engine
    from rejoinder.store import threads as thread_store
    from rejoinder.store.comments import select_comment
    from rejoinder.store.schema import comments

    engine = store_engine.create_engine(db_url, sqlite_synchronous="OFF")
    try:
        async with store_engine.write(engine) as conn:
            found = await select_comment(conn, root["id"])
            assert found is not None
            parent = found[0]
            rows = [
                {
                    "id": secrets.token_urlsafe(9),
                    "thread_id": parent.thread_id,
                    "parent_id": None if as_roots else parent.id,
                    "depth": 0 if as_roots else 1,
                    "status": "published",
                    "text": f"Reply {i} of many",
                    "html": f"<p>Reply {i} of many</p>",
                    "author_name": f"Crowd {i}",
                    "author_key": f"{i:020x}",
                    "created": parent.created + 1000 * (i + 1),
                    "likes": 0,
                }
                for i in range(replies)
            ]
            await conn.execute(sa.insert(comments), rows)
            await thread_store.add_to_thread_counts(conn, parent.thread_id, comments=replies)
    finally:
        await engine.dispose()


TOTAL = MAX_PAGE_COMMENTS  # the largest page since #10: a conversation's replies beyond 100 come in batches


def test_a_page_of_thousands_renders_in_slices(stack: Stack, browser_page: Any) -> None:
    """A page of 1,000 comments (the most a page holds): the first comments appear at once and the rest
    arrive in several tasks, with input handled in between, instead of one long freeze."""
    url = stack.host.page("/posts/huge.html", stack.api, attrs={"page-size": str(TOTAL)})
    root = stack.post(url, "The root of a huge thread", name="Starter")
    in_thread(lambda: asyncio.run(_add_replies("sqlite:///" + stack.db_path, root, TOTAL - 1, as_roots=True)))
    w = browser_page()
    page = w.page
    page.add_init_script(
        """
        window.__batches = [];
        new MutationObserver(() => {
          const list = document.querySelector('.rj-list');
          if (list) window.__batches.push(list.children.length);
        }).observe(document, {childList: true, subtree: true});
        """
    )
    page.goto(url)
    page.wait_for_function(
        "() => document.querySelectorAll('.rj-comment').length === " + str(TOTAL), timeout=60_000
    )
    batches: list[int] = page.evaluate("() => Array.from(new Set(window.__batches))")
    assert batches[0] == 6, batches  # the first screenful (900 px) came alone
    # The rest in slices of at most 250 (fewer on a slow machine): at least 256, 506 and 756 on the way.
    steps = [b - a for a, b in itertools.pairwise(batches)]
    assert len([b for b in batches if 0 < b < TOTAL]) >= 4, batches
    assert max(steps) <= 250, batches
    # Painted as "1000 Responses"; grouped in the reader's language once the formatters are built.
    page.wait_for_selector(READY, state="attached")
    assert page.locator(".rj-title").inner_text() == "1,000 Responses"
    w.assert_clean()
