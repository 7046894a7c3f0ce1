"""What the widget does before its first paint, and what it leaves for after: the comments are painted
without the browser's number and date formatters (building the first one loads locale data, a long task
on a slow phone), which come in idle time and then localize what was painted; the requests for the write
part, the reader's own state and the form token wait for the thread's answer instead of competing with it;
the thread is requested before anything reads localStorage.
Timing itself is measured by bench/scenarios/widget.py (docs/benchmarks.md)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.e2e.conftest import READY, Stack, open_widget

pytestmark = pytest.mark.e2e

# Records every number/date formatter built (with how many comments were in the page then) and what the
# first painted comment showed, before any later task could change it.
PROBE = """
window.__formatters = [];
window.__firstPaint = null;
for (const kind of ["NumberFormat", "RelativeTimeFormat", "DateTimeFormat"]) {
  Intl[kind] = new Proxy(Intl[kind], {
    construct(target, args) {
      window.__formatters.push([kind, document.querySelectorAll(".rj-comment").length]);
      return Reflect.construct(target, args);
    },
  });
}
new MutationObserver(() => {
  const link = document.querySelector(".rj-comment .rj-time");
  if (!link || window.__firstPaint) return;
  window.__firstPaint = {
    rel: link.querySelector(".rj-rel").textContent,
    abs: link.querySelector(".rj-abs").textContent,
    heading: document.querySelector(".rj-title").textContent,
  };
}).observe(document, {childList: true, subtree: true});
"""


def test_formatters_are_built_after_the_first_paint_and_then_localize_it(
    stack: Stack, browser_page: Any
) -> None:
    url = stack.host.page("/posts/formatters.html", stack.api)
    posted = [stack.post(url, f"Comment number {i}", name=f"Reader {i}") for i in (1, 2, 3)]
    first = posted[0]
    w = browser_page()
    page = w.page
    page.add_init_script(PROBE)
    page.goto(url)
    page.wait_for_selector(READY, state="attached")

    # Painted with stand-ins: the ISO date, plain digits.
    painted = page.evaluate("() => window.__firstPaint")
    assert painted == {"rel": first["created"][:10], "abs": first["created"][:10], "heading": "3 Responses"}
    # Each formatter built once, and only once comments were on the page.
    made: list[list[Any]] = page.evaluate("() => window.__formatters")
    assert [kind for kind, _ in made] == ["NumberFormat", "RelativeTimeFormat", "DateTimeFormat"]
    assert all(count == 3 for _, count in made), made

    # Then localized (the widget is no longer busy only once it is).
    link = page.locator(f"#comment-{first['id']} a.rj-time")
    relative = link.locator(".rj-rel").inner_text()
    assert relative in ("now", "1 minute ago"), relative  # under a minute: "now"
    full = page.evaluate(
        """(created) => new Intl.DateTimeFormat("en", {dateStyle: "long", timeStyle: "short"})
             .format(new Date(created))""",
        first["created"],
    )
    assert link.locator(".rj-abs").text_content() == full
    assert link.get_attribute("title") == full
    assert link.get_attribute("aria-label") == f"{relative}, {full}. Link to this comment"
    assert page.locator(".rj-title").inner_text() == "3 Responses"
    w.assert_clean()


def test_a_german_reader_gets_german_dates_once_the_formatters_are_built(
    stack: Stack, browser_page: Any
) -> None:
    url = stack.host.page("/posts/formatters-de.html", stack.api, lang="de")
    posted = stack.post(url, "Ein Kommentar", name="Jonas")
    w = open_widget(browser_page, url)
    link = w.page.locator(f"#comment-{posted['id']} a.rj-time")
    full = w.page.evaluate(
        """(created) => new Intl.DateTimeFormat("de", {dateStyle: "long", timeStyle: "short"})
             .format(new Date(created))""",
        posted["created"],
    )
    assert link.locator(".rj-abs").text_content() == full
    assert link.locator(".rj-rel").inner_text() in ("jetzt", "vor 1 Minute")
    assert w.page.locator(".rj-title").inner_text() == "1 Antwort"
    w.assert_clean()


def test_the_readers_requests_wait_for_the_thread_and_the_stylesheet_does_not(
    stack: Stack, browser_page: Any
) -> None:
    url = stack.host.page("/posts/request-order.html", stack.api)
    stack.post(url, "A comment to read", name="Pat")
    w = open_widget(browser_page, url)
    # requested once the first comments are painted, and not waited for by the rest of the start
    w.page.wait_for_function(
        """() => performance.getEntriesByType("resource").some((e) => e.name.includes("/api/viewer?"))"""
    )
    timings: list[list[Any]] = w.page.evaluate(
        """() => performance.getEntriesByType("resource").map(
             (e) => [new URL(e.name).pathname, e.startTime, e.responseEnd])"""
    )
    by_path = {path: (start, end) for path, start, end in timings}
    thread_start, thread_end = by_path["/api/threads"]
    assert thread_start < thread_end
    later = [p for p in by_path if p in ("/api/viewer", "/api/form-token") or p.startswith("/embed-write.")]
    assert len(later) == 3, sorted(by_path)
    for path in later:
        assert by_path[path][0] >= thread_end, (path, by_path[path], thread_end)
    (stylesheet,) = [p for p in by_path if p.startswith("/embed.") and p.endswith(".css")]
    assert by_path[stylesheet][0] < thread_end, (by_path[stylesheet], thread_start, thread_end)  # beside it
    w.assert_clean()


def test_a_translation_comes_beside_the_thread_and_its_error_texts_after_the_paint(
    stack: Stack, browser_page: Any
) -> None:
    url = stack.host.page("/posts/request-order-de.html", stack.api, lang="de")
    stack.post(url, "Ein Kommentar zum Lesen", name="Pat")
    w = open_widget(browser_page, url)
    w.page.wait_for_selector(".rj-leave form")
    timings: list[list[Any]] = w.page.evaluate(
        """() => performance.getEntriesByType("resource").map(
             (e) => [new URL(e.name).pathname, e.startTime, e.responseEnd])"""
    )
    by_path = {path: (start, end) for path, start, end in timings}
    thread_end = by_path["/api/threads"][1]
    assert by_path["/locales/de.json"][0] < thread_end  # the words the comments are painted with
    assert by_path["/locales/de.errors.json"][0] >= thread_end  # needed only when something fails
    words = httpx.get(stack.api + "/locales/de.json").json()
    errors = httpx.get(stack.api + "/locales/de.errors.json").json()
    assert "errors" not in words and list(errors) == ["errors"]
    assert errors["errors"]["text-empty"] == "Schreib etwas, bevor du sendest: der Kommentar ist leer."
    w.assert_clean()


# Records, in order, every request the page's scripts start with fetch() and every use of localStorage.
ORDER_PROBE = """
window.__order = [];
const fetchAtStart = window.fetch;
window.fetch = function (input, init) {
  window.__order.push(["fetch", new URL(String(input), location.href).pathname]);
  return fetchAtStart.call(this, input, init);
};
for (const name of ["getItem", "setItem", "removeItem"]) {
  const original = Storage.prototype[name];
  Storage.prototype[name] = function (...args) {
    if (this === window.localStorage) window.__order.push(["localStorage", `${name} ${args[0]}`]);
    return original.apply(this, args);
  };
}
"""


def test_the_thread_is_requested_before_local_storage_is_read(stack: Stack, browser_page: Any) -> None:
    url = stack.host.page("/posts/storage-order.html", stack.api)
    stack.post(url, "A comment to read", name="Pat")
    w = browser_page()
    page = w.page
    page.add_init_script(ORDER_PROBE)
    page.goto(url)
    page.wait_for_selector(READY, state="attached")
    order: list[list[str]] = page.evaluate("() => window.__order")
    # The first thing the widget does: ask for the thread. Storage (the session, the edit tokens, the visitor
    # id) comes after it, and still comes: the edit tokens are read and written back once.
    assert order[0] == ["fetch", "/api/threads"], order
    storage = [what for kind, what in order if kind == "localStorage"]
    assert storage[:3] == ["getItem rejoinder.session", "getItem rejoinder.edit", "setItem rejoinder.edit"], (
        order
    )
    # The reader's own state carries this browser's visitor id, read from storage when it is requested.
    assert "getItem rejoinder.visitor" in storage, order
    assert page.evaluate("() => localStorage.getItem('rejoinder.visitor')") is not None
    w.assert_clean()
