"""Reader-written text is hostile: names, comment text, thread titles, report notes and appeals render
inert on every /admin page (escaped text, no script, no event handler, no javascript: link), and the
pages forbid inline script in their Content-Security-Policy besides."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import sqlalchemy as sa

from rejoinder.services import moderation as moderation_service
from rejoinder.store import engine as store_engine
from rejoinder.store.schema import comments
from tests.fixtures.admin import HTML, Admin
from tests.fixtures.app import ARTICLE

PAYLOADS = [
    "<script>alert('x')</script>",
    '<img src=x onerror="alert(1)">',
    '"><svg onload=alert(1)>',
    "[click](javascript:alert(1))",
    '<a href="javascript:alert(1)">y</a>',
    "</textarea><script>alert(2)</script>",
    "{{ 7*7 }} {% raw %}",
    "<iframe srcdoc='<script>alert(3)</script>'></iframe>",
]
TEXT = "Look: " + " | ".join(PAYLOADS)
NAME = '<img src=x onerror=alert("name")> "Bob"'


class Audit(HTMLParser):
    """Everything executable a page contains."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self.scripts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script":
            self.scripts.append(values.get("src") or "inline")
        if tag in ("iframe", "svg", "img", "object", "embed") and not (
            tag == "svg" and values.get("role") == "img"
        ):
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{tag} {name}")
            if tag == "link" and values.get("rel") == "icon" and value == "data:,":
                continue  # our own empty favicon, so that browsers do not ask for /favicon.ico
            if (
                name in ("href", "src", "action", "formaction")
                and value
                and value.strip().lower().startswith(("javascript:", "data:", "vbscript:"))
            ):
                self.problems.append(f"{tag} {name}={value}")


def audit(response: Any) -> None:
    assert response.status_code == 200, response.text[:500]
    found = Audit()
    found.feed(response.text)
    assert found.problems == [], found.problems
    assert all(s.startswith("/admin/static/admin.js") for s in found.scripts), found.scripts
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy


def test_hostile_comments_render_inert(admin_db: str) -> None:
    from tests.fixtures.admin import open_admin

    admin = open_admin(admin_db, moderation={"suspect_words": ["alert"], "suspect_action": "flag"})
    with admin.client:
        admin.login()
        posted = admin.post_comment(TEXT, name=NAME, title='<script>alert("title")</script>')
        reply = admin.post_comment("A reply " + PAYLOADS[1], parent=posted["id"], name=PAYLOADS[0])

        async def report_and_appeal() -> None:
            await moderation_service.report_comment(
                admin.ctx,
                posted["id"],
                "abuse",
                PAYLOADS[0],
                visitor=None,
                identity_id=None,
                ip="198.51.100.1",
            )
            async with store_engine.write(admin.ctx.engine) as conn:
                await conn.execute(
                    sa.update(comments).where(comments.c.id == posted["id"]).values(appeal=PAYLOADS[2])
                )

        admin.run(report_and_appeal)
        admin.submit(f"/admin/comments/{reply['id']}", {"action": "reject", "note": PAYLOADS[0]})
        admin.submit("/admin/bans", {"site": "blog", "ip": "198.51.100.0/24", "reason": PAYLOADS[1]})
        pages = [
            admin.page("/admin/queue/unmoderated"),
            admin.page("/admin/queue/reported"),
            admin.page("/admin/queue/rejected"),
            admin.page(f"/admin/comments/{posted['id']}"),
            admin.page("/admin/threads"),
            admin.page("/admin/bans"),
            admin.page("/admin/bans", comment=posted["id"]),
            admin.page("/admin/log"),
            admin.page("/admin"),
        ]
        for page in pages:
            audit(page)
        detail = pages[3].text
        assert "&lt;img src=x onerror=alert(&#34;name&#34;)&gt;" in detail  # the name, as text
        assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in detail  # the source, as text
        assert "&lt;script&gt;alert(&#34;title&#34;)&lt;/script&gt;" in detail  # the title
        assert "{{ 7*7 }} {% raw %}" in detail  # reader text is never a template
        # The source is text in <pre>, in paragraphs and (escaped) in the moderator's edit form's <textarea>.
        shown_as_text = r"<pre.*?</pre>|<p>.*?</p>|<textarea[^>]*>.*?</textarea>"
        assert "javascript:" not in re.sub(shown_as_text, "", detail, flags=re.S)
        assert "&lt;/textarea&gt;&lt;script&gt;" in detail  # a textarea's end in the text stays text


def test_hostile_display_names_on_the_users_page(admin: Admin) -> None:
    identity = admin.identity("evil", name=NAME)
    admin.grant(identity, moderation_role(), "blog")
    admin.login()
    page = admin.page("/admin/users")
    audit(page)
    assert "&lt;img src=x onerror=alert(&#34;name&#34;)&gt;" in page.text


def moderation_role() -> Any:
    from rejoinder.moderation.rules import Role

    return Role.MODERATOR


def test_error_pages_do_not_reflect_markup(admin: Admin) -> None:
    admin.login()
    response = admin.client.get("/admin/queue/<img src=x onerror=alert(1)>", headers=HTML)
    assert response.status_code == 404
    assert "<img" not in response.text and "&lt;img" in response.text
    response = admin.client.get("/admin/queue/pending", params={"site": "<b>x</b>"}, headers=HTML)
    assert response.status_code == 404 and "<b>x</b>" not in response.text


def test_article_links_are_only_http(admin: Admin) -> None:
    admin.login()
    posted = admin.post_comment("Fine")
    page = admin.page(f"/admin/comments/{posted['id']}").text
    assert f'href="{ARTICLE}"' in page
