"""The widget on the page a newcomer sees first: `rejoinder demo`'s sample article (a real process on a free
port with a fresh data directory), its seeded discussion, and axe-core on it in both themes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import READY
from tests.fixtures.browser import run_axe
from tests.fixtures.servers import free_port, wait_until_responsive

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data = tmp_path_factory.mktemp("demo")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("REJOINDER_")}
    log = data / "demo.log"
    with log.open("wb") as fh:
        proc = subprocess.Popen(
            [sys.executable, "-m", "rejoinder", "demo", "--port", str(port), "--data", str(data)],
            stdout=fh,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=data,
            start_new_session=True,
        )
    try:
        try:
            wait_until_responsive(f"http://127.0.0.1:{port}/healthz", timeout=60, proc=proc)
        except Exception:
            raise RuntimeError(f"rejoinder demo did not start:\n{log.read_text(errors='replace')}") from None
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def open_demo(browser_page: Any, base: str, **options: Any) -> Any:
    w = browser_page(**options)
    missing: list[str] = []
    w.page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
    w.page.goto(base + "/demo/")
    w.page.wait_for_selector(READY, state="attached")
    w.page.wait_for_load_state("load")
    w.missing = missing
    w.favicon_missing = httpx.get(base + "/favicon.ico").status_code == 404
    return w


def assert_clean(w: Any) -> None:
    """As Watched.assert_clean, except that the browser's own /favicon.ico probe may 404 (the demo serves
    none; the browser logs that as an error, and the page's response events do not show it)."""
    assert w.missing == []
    if w.favicon_missing:
        w.console_errors[:] = [e for e in w.console_errors if "status of 404 (Not Found)" not in e]
    w.assert_clean()


def test_demo_page_shows_the_seeded_discussion(demo: str, browser_page: Any) -> None:
    w = open_demo(browser_page, demo)
    page = w.page
    url = page.evaluate(
        "() => document.getElementById('rejoinder').dataset.url"
        " || document.querySelector('link[rel=canonical]')?.href || location.href.split('#')[0]"
    )
    seeded = httpx.get(demo + "/api/threads", params={"url": url}).json()
    count = seeded["thread"]["count"]
    assert count >= 3
    assert page.locator(".rj-title").inner_text() == f"{count} Responses"
    shown = page.eval_on_selector_all(".rj-comment:not(.rj-deleted) .rj-text", "els => els.length")
    assert shown == len([c for c in seeded["comments"] if not c["deleted"]])
    assert page.locator(".rj-comment:not(.rj-depth-0)").count() >= 1  # replies are threaded
    likes = seeded["thread"]["likes"]
    assert likes["count"] >= 1
    assert page.locator(".rj-like-text").inner_text().startswith(f"{likes['count']} ")
    assert page.locator(".rj-likers img").count() == len(likes["recent"])
    assert_clean(w)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_demo_page_has_no_wcag_violations(demo: str, browser_page: Any, scheme: str) -> None:
    w = open_demo(browser_page, demo, color_scheme=scheme)
    w.page.locator(".rj-comment .rj-actions button[aria-label^='Reply to']").first.click()
    violations = run_axe(w.page)
    summary = [(v["id"], [n["target"] for n in v["nodes"]][:5]) for v in violations]
    assert summary == []
    assert_clean(w)
