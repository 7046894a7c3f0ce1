"""Comments imported from a hostile WordPress export, shown by the widget in Chromium: threaded, and inert."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import Stack, open_widget
from tests.e2e.test_widget_security import assert_inert
from tests.fixtures.app import run_cli
from tests.fixtures.browser import in_thread

pytestmark = pytest.mark.e2e

HOSTILE_HTML = (
    "<script>window.__pwned = 'script'</script><p onclick=\"window.__pwned = 'p'\">Imported "
    "<a href=\"javascript:window.__pwned='link'\">click</a></p><img src=x onerror=\"window.__pwned = 'img'\">"
    '<svg onload="window.__pwned = \'svg\'"></svg><iframe src="javascript:alert(1)"></iframe>'
)


def wxr_for(url: str) -> bytes:
    def comment(cid: str, parent: str, author: str, content: str, website: str) -> str:
        return (
            f"<wp:comment><wp:comment_id>{cid}</wp:comment_id><wp:comment_author><![CDATA[{author}]]>"
            f"</wp:comment_author><wp:comment_author_url><![CDATA[{website}]]></wp:comment_author_url>"
            "<wp:comment_date_gmt>2020-05-01 10:00:00</wp:comment_date_gmt>"
            f"<wp:comment_content><![CDATA[{content}]]></wp:comment_content>"
            "<wp:comment_approved>1</wp:comment_approved><wp:comment_type></wp:comment_type>"
            f"<wp:comment_parent>{parent}</wp:comment_parent></wp:comment>"
        )

    comments = comment("2", "1", "Replier", "A reply that came first", "https://ok.example/") + comment(
        "1", "0", "<img src=x onerror=\"window.__pwned='name'\">", HOSTILE_HTML, "javascript:alert(1)"
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
        'xmlns:wp="http://wordpress.org/export/1.2/"><channel>'
        f"<item><title>Imported</title><link>{url}</link>{comments}</item></channel></rss>"
    ).encode()


def test_imported_hostile_comments_are_threaded_and_inert(
    stack: Stack, browser_page: Any, tmp_path: Path
) -> None:
    url = stack.host.page("/posts/imported.html", stack.api)
    export = tmp_path / "export.xml"
    export.write_bytes(wxr_for(url))
    output = in_thread(
        run_cli, f"sqlite:///{stack.db_path}", "import", "wxr", str(export), "--site", "hostsite"
    )
    assert "Comments: 2 new (approved 2), 0 updated, 0 unchanged" in output
    shown = stack.thread(url)["comments"]
    assert [(c["author"]["name"], c["parent"]) for c in shown] == [
        ("<img src=x onerror=\"window.__pwned='name'\">", None),  # a name is text, shown as text
        ("Replier", shown[0]["id"]),
    ]
    w = open_widget(browser_page, url)
    page = w.page
    ids = page.eval_on_selector_all(".rj-list > li.rj-comment", "els => els.map(e => e.id)")
    assert ids == [f"comment-{shown[0]['id']}", f"comment-{shown[1]['id']}"]
    root = page.locator(f"#comment-{shown[0]['id']}")
    assert "Imported click" in root.inner_text()
    assert "window.__pwned='name'" in root.inner_text()
    assert "A reply that came first" in page.locator(f"#comment-{shown[1]['id']}").inner_text()
    assert_inert(w)


def remark42_for(url: str) -> bytes:
    """A Remark42 backup whose Markdown (`orig`) is hostile: raw HTML, a javascript: link, a data: image."""
    import json

    def comment(cid: str, pid: str, name: str, orig: str) -> str:
        return json.dumps(
            {
                "id": cid,
                "pid": pid,
                "text": "<p>ignored: orig wins</p>",
                "orig": orig,
                "user": {"name": name, "id": f"github_{cid}", "picture": "javascript:alert(1)"},
                "locator": {"site": "remark", "url": url},
                "time": "2020-05-01T10:00:00Z",
            }
        )

    lines = [
        json.dumps({"version": 1, "users": [], "posts": []}),
        comment("r2", "r1", "Replier", "A reply that came first"),
        comment(
            "r1",
            "",
            "<svg onload=\"window.__pwned='name'\">",
            "<script>window.__pwned='script'</script> [click](javascript:window.__pwned='link') "
            "![img](data:text/html,<script>window.__pwned='img'</script>) <b onclick=\"window.__pwned='b'\">x</b>",
        ),
    ]
    return ("\n".join(lines) + "\n").encode()


def test_imported_hostile_markdown_from_remark42_is_inert(
    stack: Stack, browser_page: Any, tmp_path: Path
) -> None:
    url = stack.host.page("/posts/remark42.html", stack.api)
    export = tmp_path / "backup.jsonl"
    export.write_bytes(remark42_for(url))
    output = in_thread(
        run_cli, f"sqlite:///{stack.db_path}", "import", "remark42", str(export), "--site", "hostsite"
    )
    assert "Comments: 2 new (published 2), 0 updated, 0 unchanged" in output
    shown = stack.thread(url)["comments"]
    assert [(c["author"]["name"], c["parent"]) for c in shown] == [
        ("<svg onload=\"window.__pwned='name'\">", None),
        ("Replier", shown[0]["id"]),
    ]
    assert "<script" not in shown[0]["html"] and 'href="javascript' not in shown[0]["html"]
    w = open_widget(browser_page, url)
    root = w.page.locator(f"#comment-{shown[0]['id']}")
    assert "<script>window.__pwned='script'</script>" in root.inner_text()  # shown as text
    body = root.locator(".rj-text").first
    assert body.evaluate("el => [...el.querySelectorAll('*')].map(e => e.tagName)") == ["P"]  # text only
    assert root.locator("a[href^='javascript'], a[href^='data']").count() == 0
    assert "A reply that came first" in w.page.locator(f"#comment-{shown[1]['id']}").inner_text()
    assert_inert(w)
