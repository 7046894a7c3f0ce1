"""Widget timing in headless Chromium: navigation → first comment painted → whole first page painted.

A script injected before navigation watches the DOM (and any shadow root the widget attaches) with a
MutationObserver. When nodes matching the widget's comment selector are added, it stamps
performance.now() after the next animation frame plus a task (the usual approximation of "painted").
The page counts as complete when no comment has been added for SETTLE_MS. performance.now() starts at
navigation, so every time includes fetching the host page, the embed script and the thread.

Long tasks (over 50 ms, PerformanceObserver "longtask") are recorded from navigation until the first page
is painted; the 10- and 1,000-comment threads are timed again with the CPU throttled 4x through the Chrome
DevTools Protocol (Emulation.setCPUThrottlingRate), as a slow phone.
"""

from __future__ import annotations

import json
import statistics
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from corpus import ORIGIN, SIZES, read_path
from servers import log

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SETTLE_MS = 2000
THROTTLED = (10, 1000)  # thread sizes timed again with the CPU throttled
CPU_SLOWDOWN = 4

OBSERVER = """
(() => {
  const sel = %(selector)s;
  const st = { first: null, last: null, lastAdd: null, count: 0, scriptStart: null, tasks: [] };
  window.__bench = st;
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) st.tasks.push([Math.round(e.startTime), Math.round(e.duration)]);
    }).observe({ type: "longtask", buffered: true });
  } catch (e) { st.tasks = null; }
  const roots = [document];
  const stamp = (key) => requestAnimationFrame(() => setTimeout(() => { st[key] = performance.now(); }, 0));
  const count = () => roots.reduce((n, r) => n + r.querySelectorAll(sel).length, 0);
  const onMutations = (records) => {
    let added = false;
    for (const rec of records) {
      for (const node of rec.addedNodes) {
        if (node.nodeType === 1 && (node.matches(sel) || node.querySelector(sel))) { added = true; break; }
      }
      if (added) break;
    }
    if (!added) return;
    st.lastAdd = performance.now();
    st.count = count();
    if (st.first === null) { st.first = -1; stamp("first"); }
    stamp("last");
  };
  const observe = (root) => new MutationObserver(onMutations).observe(root, { childList: true, subtree: true });
  observe(document);
  const attach = Element.prototype.attachShadow;
  Element.prototype.attachShadow = function (init) {
    const root = attach.call(this, init);
    roots.push(root);
    observe(root);
    return root;
  };
  window.__benchCount = count;
})();
"""

# Where the time before the first comment went: the page's own milestones and each request's start/end.
WATERFALL = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const r = (x) => Math.round(x);
  return {
    dom_content_loaded_ms: nav ? r(nav.domContentLoadedEventEnd) : null,
    requests: performance.getEntriesByType("resource").map(
      (e) => [e.name.replace(location.origin, "").slice(0, 120), r(e.startTime), r(e.responseEnd)]),
  };
}"""

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><article><h1>{title}</h1>
<p>A benchmark article. The comment section below is what is timed.</p></article>
{embed}</main></body></html>
"""


def rejoinder_embed(api: str, size: int) -> str:
    return (
        f'<div id="rejoinder" data-url="{ORIGIN}{read_path(size)}"></div>\n'
        f'<script src="{api}/embed.js" async></script>'
    )


def isso_embed(api: str, size: int) -> str:
    return (
        f'<script data-isso="{api}/" src="{api}/js/embed.min.js" async></script>\n'
        f'<section id="isso-thread" data-isso-id="{read_path(size)}"></section>'
    )


WIDGETS = {
    "rejoinder": (".rj-comment", "/embed.js", rejoinder_embed),
    # Isso's postbox holds a hidden preview `.isso-comment`: count only the ones in the thread.
    "isso": ("#isso-root .isso-comment", "/js/embed.min.js", isso_embed),
}


def available(base: str, path: str) -> bool:
    try:
        with urllib.request.urlopen(base + path, timeout=10) as resp:
            return resp.status == 200 and len(resp.read()) > 0
    except (urllib.error.URLError, OSError):
        return False


def write_pages(www: Path, apis: dict[str, str]) -> None:
    pages = www / "pages"
    pages.mkdir(parents=True, exist_ok=True)
    for name, api in apis.items():
        embed = WIDGETS[name][2]
        for size in SIZES:
            html = PAGE.format(title=f"{name}: {size:,} comments", embed=embed(api, size))
            (pages / f"{name}-t{size}.html").write_text(html, encoding="utf-8")


def _one(browser: Any, url: str, selector: str, timeout_s: float, cpu: int = 1) -> dict[str, Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        if cpu > 1:
            context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": cpu})
        pending: set[Any] = set()
        streaming = {"eventsource", "websocket"}  # live updates stay open: not part of the first page
        page.on("request", lambda r: r.resource_type in streaming or pending.add(r))
        page.on("requestfinished", lambda r: pending.discard(r))
        page.on("requestfailed", lambda r: pending.discard(r))
        page.add_init_script(OBSERVER % {"selector": json.dumps(selector)})
        page.goto(url, wait_until="commit")
        deadline = time.monotonic() + timeout_s
        st: dict[str, Any] = {}
        while time.monotonic() < deadline:
            page.wait_for_timeout(250)
            st = page.evaluate("() => ({...window.__bench, now: performance.now()})")
            quiet = st["lastAdd"] is not None and st["now"] - st["lastAdd"] > SETTLE_MS
            if st.get("last") and quiet and not pending:
                break
        else:
            return {"error": f"no settled comment list within {timeout_s:.0f}s", "count": st.get("count", 0)}
        count = page.evaluate("() => window.__benchCount()")
        timeline = page.evaluate(WATERFALL)
        tasks = st.get("tasks")
        painting = None if tasks is None else [d for start, d in tasks if start <= st["last"]]
        return {
            "first_ms": round(st["first"], 1),
            "page_ms": round(st["last"], 1),
            "count": count,
            "long_tasks": tasks,
            "longest_task_ms": None if painting is None else max(painting, default=0),
            **timeline,
        }
    finally:
        context.close()


def run(page_base: str, apis: dict[str, str], www: Path, *, reps: int) -> dict[str, Any]:
    """Time each available widget on each thread size; `apis` maps widget name → its server's base URL."""
    if not Path(CHROMIUM).exists():
        return {"available": False, "reason": f"{CHROMIUM} is not installed"}
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return {"available": False, "reason": "playwright is not installed in .venv"}
    present = {}
    missing = {}
    for name, api in apis.items():
        if available(api, WIDGETS[name][1]):
            present[name] = api
        else:
            missing[name] = f"{api}{WIDGETS[name][1]} is not served (widget not built yet?)"
    write_pages(www, present)
    results: dict[str, Any] = {"available": True, "missing": missing, "rows": []}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            cases = [(size, 1) for size in SIZES] + [(size, CPU_SLOWDOWN) for size in THROTTLED]
            for size, cpu in cases:
                for name in present:
                    selector = WIDGETS[name][0]
                    url = f"{page_base}/pages/{name}-t{size}.html"
                    timeout = (180 if size >= 10000 else 60) * cpu
                    if name != "isso" or size < 10000:
                        # untimed warm-up: a popular article's thread is in rejoinder's cache; Isso has
                        # none (one warm-up load of its 10,000-comment thread would take ~30 s: skipped)
                        _one(browser, url, selector, timeout, cpu)
                    runs = [_one(browser, url, selector, timeout, cpu) for _ in range(reps)]
                    ok = [r for r in runs if "error" not in r]
                    row: dict[str, Any] = {"widget": name, "size": size, "cpu": cpu, "runs": runs}
                    if ok:
                        row["first_ms"] = statistics.median(r["first_ms"] for r in ok)
                        row["page_ms"] = statistics.median(r["page_ms"] for r in ok)
                        row["count"] = ok[0]["count"]
                        longest = [r["longest_task_ms"] for r in ok if r.get("longest_task_ms") is not None]
                        row["longest_task_ms"] = max(longest) if longest else None
                    log(
                        f"widget {name} t{size} cpu/{cpu}: {row.get('first_ms')} / {row.get('page_ms')} ms, "
                        f"{row.get('count')}, longest task {row.get('longest_task_ms')} ms"
                    )
                    results["rows"].append(row)
        finally:
            browser.close()
    return results
