"""Statements of reasons for automated restrictions (DSA Art. 17(3)(c)) over HTTP on SQLite and PostgreSQL,
against a real SMTP server on loopback: a check holding a new or an edited comment, and the report
threshold, each write a statement saying that automated means decided (which check and why, in the
author's language); it reaches the inbox and a confirmed address; a moderator's approval marks it
reversed; a published comment, and a hold by pre-moderation, write none."""

from __future__ import annotations

import json
from typing import Any

from tests.fixtures.admin import HTML, Admin, Sink
from tests.fixtures.app import ARTICLE
from tests.web.test_notices import BROWSER, deliver, legal_app, sign_in, stored_statements


def post(admin: Admin, text: str, headers: dict[str, str]) -> Any:
    body = {"url": ARTICLE, "text": text, "author": {"name": "Ola"}}
    response = admin.client.post("/api/comments", json=body, headers={**BROWSER, **headers})
    assert response.status_code == 201, response.text
    return response.json()


def test_a_check_that_holds_a_comment_writes_a_statement_reversed_on_approval(
    admin_db: str, smtp_sink: Sink
) -> None:
    admin = legal_app(
        admin_db,
        smtp_sink,
        subscriptions={"enabled": True},
        moderation={"suspect_words": ["swindle"], "suspect_action": "hold"},
    )
    with admin.client:
        bearer = {"Authorization": f"Bearer {sign_in(admin, 'ola', 'Ola', 'ola@example.org')}"}
        published = post(admin, "A perfectly ordinary remark", bearer)
        assert published["status"] == "published"
        # Ola follows the thread in German: her address on the site says which language she reads.
        followed = admin.client.post(
            "/api/subscriptions",
            json={"url": ARTICLE, "kinds": ["thread"], "lang": "de"},
            headers={**BROWSER, **bearer},
        )
        assert followed.status_code == 202, followed.text
        assert stored_statements(admin, published["id"]) == []  # published comments pay nothing

        held = post(admin, "What a swindle this article is", bearer)
        assert held["status"] == "pending" and held["reason_code"] == "suspect-word"
        [statement] = stored_statements(admin, held["id"])
        assert (statement.restriction.value, statement.action, statement.reason_code) == (
            "restricted",
            "hold",
            "suspect-word",
        )
        assert (statement.automated, statement.automated_check, statement.ground_kind.value) == (
            True,
            "words",
            "terms",
        )
        assert statement.identity_id is not None and statement.reversed is None

        deliver(admin)
        [mail] = smtp_sink.wait_for(1)
        assert mail["To"] == "ola@example.org"
        assert mail["Subject"] == "[blog] Warum dein Kommentar eingeschränkt wurde"
        text = " ".join(mail.get_content().split())
        assert "automatisch über deinen Kommentar getroffen" in text  # decided by automated means
        assert "ohne dass ein Mensch entschieden hat" in text
        assert "Wort" in text  # which check: the suspect-word reason, in German
        assert "außergerichtliche" in text  # how to appeal
        assert stored_statements(admin, held["id"])[0].emailed is not None

        # The inbox shows it; a moderator's approval marks it reversed, and the inbox says so.
        path = admin.client.get("/api/me/inbox", headers=bearer).json()["path"]
        page = admin.client.get(path, params={"lang": "en"}, headers=HTML)
        assert page.status_code == 200, page.text
        assert "an automated check held the comment by itself" in page.text
        assert "Reversed" not in page.text
        admin.login()
        assert admin.submit(f"/admin/comments/{held['id']}", {"action": "approve"}).status_code == 303
        [after] = stored_statements(admin, held["id"])
        assert after.reversed is not None
        page = admin.client.get(path, params={"lang": "en"}, headers=HTML)
        assert "Reversed" in page.text and "the restriction was lifted" in page.text
        # The transparency export counts it as decided by automated means, and reversed.
        said = admin.client.get("/admin/notices/export", params={"kind": "statements", "format": "json"})
        assert said.status_code == 200, said.text
        [record] = [json.loads(line) for line in said.text.splitlines()]
        assert (record["comment_id"], record["automated"], record["automated_check"]) == (
            held["id"],
            True,
            "words",
        )
        assert record["reversed"] is not None and record["reversed"].startswith("20")


def test_premoderation_holds_write_no_statement(admin_db: str, smtp_sink: Sink) -> None:
    admin = legal_app(admin_db, smtp_sink, moderation={"premoderation": "all"})
    with admin.client:
        held = admin.post_comment("Every comment waits here")
        assert admin.status_of(held["id"]) == "pending"
        assert stored_statements(admin, held["id"]) == []  # a site policy, not a judgement of the content


def test_an_edit_held_by_a_check_writes_a_statement(admin_db: str, smtp_sink: Sink) -> None:
    admin = legal_app(
        admin_db, smtp_sink, moderation={"suspect_words": ["swindle"], "suspect_action": "hold"}
    )
    with admin.client:
        bearer = {"Authorization": f"Bearer {sign_in(admin, 'ola', 'Ola', None)}"}
        made = post(admin, "Nice article", bearer)
        bearer["Rejoinder-Edit-Token"] = made["edit_token"]
        edited = admin.client.patch(
            f"/api/comments/{made['id']}", json={"text": "Nice swindle"}, headers={**BROWSER, **bearer}
        )
        assert edited.status_code == 200, edited.text
        assert edited.json()["status"] == "pending"
        [statement] = stored_statements(admin, made["id"])
        assert (statement.automated_check, statement.reason_code, statement.restriction.value) == (
            "words",
            "suspect-word",
            "restricted",
        )
        # Editing the held comment again restricts nothing more: no second statement.
        again = admin.client.patch(
            f"/api/comments/{made['id']}",
            json={"text": "Nice swindle, really"},
            headers={**BROWSER, **bearer},
        )
        assert again.status_code == 200, again.text
        assert len(stored_statements(admin, made["id"])) == 1


def test_the_report_threshold_writes_an_automated_statement(admin_db: str, smtp_sink: Sink) -> None:
    admin = legal_app(admin_db, smtp_sink, moderation={"reports_to_hold": 2})
    with admin.client:
        target = admin.post_comment("A comment some readers dislike", author={"email": "gus@example.org"})
        for n in (1, 2):
            reported = admin.client.post(
                f"/api/comments/{target['id']}/report",
                json={"reason": "spam"},
                headers={**BROWSER, "Rejoinder-Visitor": f"visitor-000000000000000{n}"},
            )
            assert reported.status_code == 201, reported.text
        assert admin.status_of(target["id"]) == "pending"
        [statement] = stored_statements(admin, target["id"])
        assert (statement.automated_check, statement.reason_code, statement.action) == (
            "reports",
            "reports",
            "hold",
        )
        assert statement.automated is True and statement.identity_id is None
        deliver(admin)
        assert smtp_sink.messages == []  # the guest's address was never confirmed: recorded, not mailed
