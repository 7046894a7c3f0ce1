"""The no-JS form's bot traps over HTTP, on SQLite and PostgreSQL: the hidden honeypot field and the
form-age token are rendered, and a filled honeypot, a forged token or a too-fast post is refused with
one generic message and no captcha."""

from __future__ import annotations

import re
from typing import Any

from litestar.testing import TestClient

from rejoinder.moderation.rules import REFUSED
from tests.fixtures.app import ARTICLE, advance_clock, new_client
from tests.web.test_pages import page, parse, submit, the_form


def thread_count(client: TestClient[Any]) -> int:
    body = client.get("/api/threads", params={"url": ARTICLE}).json()
    return int(body["thread"]["count"]) if body["thread"] else 0


def assert_refused(response: Any, typed: str) -> None:
    """A 403 page that says the generic refusal, keeps what was typed, and asks nothing more."""
    assert response.status_code == 403, response.text
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert "Your comment was not posted" in html and REFUSED in html
    assert "captcha" not in html.lower()
    again = the_form(html)
    assert again["text"] == typed
    assert again["homepage"] == ""  # the trap is rendered empty again


def test_the_form_renders_the_trap_and_the_form_age_token(site_db: str) -> None:
    with new_client(site_db) as client:
        html = page(client).text
        fields = the_form(html)
        assert "homepage" in fields and fields["homepage"] == ""
        trap = next(a for tag, a in parse(html).tags if tag == "input" and a.get("name") == "homepage")
        assert trap["tabindex"] == "-1" and trap["autocomplete"] == "off" and trap["type"] == "text"
        wrapper = re.search(r'<div class="rj-hp" aria-hidden="true">\s*<label for="rj-homepage">', html)
        assert wrapper, "the trap sits in an aria-hidden wrapper with its own label"
        css = client.get("/static/noscript.css").text
        rule = re.search(r"\.rj-hp \{([^}]*)\}", css)
        assert (
            rule and "position: absolute" in rule.group(1) and "inset-inline-start: -10000px" in rule.group(1)
        )
        # The token is the one GET /api/form-token hands the widget: the API accepts it as form_token.
        issued, _, mac = fields["form_token"].partition(".")
        assert issued.isdigit() and mac and fields["form_token"] != fields["token"]
        posted = client.post(
            "/api/comments",
            json={
                "url": ARTICLE,
                "text": "Via the API",
                "author": {"name": "Ann"},
                "form_token": fields["form_token"],
            },
        )
        assert posted.status_code == 201, posted.text


def test_a_filled_honeypot_is_refused_without_a_captcha(site_db: str) -> None:
    with new_client(site_db) as client:
        fields = the_form(page(client).text)
        trapped = submit(client, fields, text="Buy now", name="Bot", homepage="http://seo.example")
        assert_refused(trapped, "Buy now")
        assert thread_count(client) == 0
        # the same form with the trap left empty posts
        fine = submit(client, fields, text="A person", name="Ann")
        assert fine.status_code == 303, fine.text
        assert thread_count(client) == 1


def test_a_too_fast_post_is_refused_and_the_same_form_posts_later(site_db: str) -> None:
    with new_client(site_db, moderation={"min_seconds": 1}) as client:
        fields = the_form(page(client).text)
        fast = submit(client, fields, text="Quick!", name="Bot")
        assert_refused(fast, "Quick!")
        assert thread_count(client) == 0
        advance_clock(client, 1.1)
        slow = submit(client, fields, text="After reading", name="Ann")
        assert slow.status_code == 303, slow.text
        assert thread_count(client) == 1


def test_forged_or_missing_form_age_tokens(site_db: str) -> None:
    with new_client(site_db, moderation={"min_seconds": 1, "require_form_token": True}) as client:
        fields = the_form(page(client).text)
        advance_clock(client, 1.1)
        issued = fields["form_token"].split(".")[0]
        for bad in (f"{issued}.not-a-real-mac", "1700000000000.AAAA", "x.y"):
            assert_refused(submit(client, {**fields, "form_token": bad}, text="Forged", name="Bot"), "Forged")
        missing = {k: v for k, v in fields.items() if k != "form_token"}
        assert_refused(submit(client, missing, text="No token", name="Bot"), "No token")
        assert thread_count(client) == 0
        assert submit(client, fields, text="Real", name="Ann").status_code == 303


def test_the_json_api_takes_the_same_fields_the_widget_sends(site_db: str) -> None:
    """What docs/moderation.md tells the widget to send: `honeypot` ("" or left out when empty) and
    `form_token` from GET /api/form-token."""
    with new_client(site_db, moderation={"min_seconds": 1}) as client:
        token = client.get("/api/form-token").json()["token"]

        def send(text: str, **fields: str) -> Any:
            body = {"url": ARTICLE, "text": text, "author": {"name": "Ann"}, "form_token": token, **fields}
            return client.post("/api/comments", json=body)

        fast = send("Too quick", honeypot="")
        assert fast.status_code == 403 and fast.json()["code"] == "comment-refused"
        advance_clock(client, 1.1)
        trapped = send("Filled the trap", honeypot="http://seo.example")
        assert trapped.status_code == 403 and trapped.json()["code"] == "comment-refused"
        assert trapped.json()["detail"] == fast.json()["detail"] == REFUSED
        assert send("Empty trap", honeypot="").status_code == 201
        assert send("No trap field at all").status_code == 201
        assert thread_count(client) == 2
