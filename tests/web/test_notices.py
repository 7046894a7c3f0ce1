"""Notices of illegal content and statements of reasons (DSA Art. 16-17) over HTTP on SQLite and PostgreSQL,
against a real SMTP server on loopback: filing a notice (API and the no-JS form), its acknowledgement, the
decision in /admin with the notifier's email and the author's statement of reasons in their language, bad
input refused with nothing stored, and the transparency export (admin download and CLI)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from rejoinder.domain.identity import Profile
from rejoinder.moderation.rules import Role
from rejoinder.services import accounts
from rejoinder.store import engine as store_engine
from rejoinder.store import notices as notice_store
from tests.fixtures.admin import HTML, Admin, Sink, email_settings, open_admin
from tests.fixtures.app import ARTICLE, ORIGIN, run_cli

BROWSER = {"Origin": ORIGIN}
EXPLANATION = "This comment publishes the home address of a private person, which is unlawful here."


def legal_app(admin_db: str, sink: Sink, **sections: Any) -> Admin:
    return open_admin(
        admin_db,
        email={**email_settings(sink), "notify_pending": False},
        server={"public_url": "http://rejoinder.test"},
        **sections,
    )


def deliver(admin: Admin) -> None:
    dispatcher = admin.app.dispatcher
    assert dispatcher is not None
    admin.run(dispatcher.settle)


def notice(admin: Admin, comment_id: str, **fields: Any) -> Any:
    body = {
        "category": "privacy",
        "explanation": EXPLANATION,
        "location": f"{ARTICLE}#comment-{comment_id}",
        "name": "Nora Notifier",
        "email": "nora@example.org",
        "good_faith": True,
        **fields,
    }
    return admin.client.post(f"/api/comments/{comment_id}/legal-notice", json=body, headers=BROWSER)


def stored_notices(admin: Admin) -> list[Any]:
    async def go() -> list[Any]:
        async with store_engine.read(admin.ctx.engine) as conn:
            return await notice_store.select_notices(conn, None, open_only=False)

    found: list[Any] = admin.run(go)
    return found


def stored_statements(admin: Admin, comment_id: str) -> list[Any]:
    async def go() -> list[Any]:
        async with store_engine.read(admin.ctx.engine) as conn:
            return await notice_store.select_statements_for_comment(conn, comment_id)

    found: list[Any] = admin.run(go)
    return found


def sign_in(admin: Admin, subject: str, name: str, email: str | None) -> str:
    profile = Profile(provider="test", subject=subject, name=name, email=email, email_verified=bool(email))

    async def go() -> str:
        outcome = await accounts.sign_in_with_profile(admin.ctx, profile, label="Test")
        assert outcome.token is not None
        return outcome.token

    token: str = admin.run(go)
    return token


def test_a_notice_is_acknowledged_decided_and_the_author_told_why(admin_db: str, smtp_sink: Sink) -> None:
    admin = legal_app(admin_db, smtp_sink, subscriptions={"enabled": True})
    with admin.client:
        author = sign_in(admin, "ola", "Ola", "ola@example.org")
        bearer = {**BROWSER, "Authorization": f"Bearer {author}"}
        posted = admin.client.post(
            "/api/comments",
            json={"url": ARTICLE, "text": "Mr X lives at 12 Example Street", "author": {"name": "Ola"}},
            headers=bearer,
        )
        assert posted.status_code == 201, posted.text
        comment_id = posted.json()["id"]
        # Ola follows the thread in German: her address on the site says which language she reads.
        followed = admin.client.post(
            "/api/subscriptions", json={"url": ARTICLE, "kinds": ["thread"], "lang": "de"}, headers=bearer
        )
        assert followed.status_code == 202, followed.text

        filed = notice(admin, comment_id, lang="fr")
        assert filed.status_code == 201, filed.text
        body = filed.json()
        assert body["comment_id"] == comment_id and body["acknowledged"] is True
        [stored] = stored_notices(admin)
        assert (stored.id, stored.category.value, stored.notifier_email, stored.language) == (
            body["id"],
            "privacy",
            "nora@example.org",
            "fr",
        )
        assert stored.decided is None
        deliver(admin)
        [ack] = smtp_sink.wait_for(1)
        assert ack["To"] == "nora@example.org"
        assert ack["Subject"] == f"[blog] Nous avons reçu votre signalement {stored.id}"
        assert f"{ARTICLE}#comment-{comment_id}" in ack.get_content()

        # The moderators' queue lists it; deciding needs reasons.
        admin.login()
        queue = admin.page("/admin/notices")
        assert f"/admin/notices/{stored.id}" in queue.text and "privacy" in queue.text
        shown = admin.page(f"/admin/notices/{stored.id}")
        assert EXPLANATION in shown.text and "Nora Notifier" in shown.text
        refused = admin.submit(
            f"/admin/notices/{stored.id}", {"decision": "remove", "reasons": " "}, csrf_from="/admin/notices"
        )
        assert refused.status_code == 422, refused.text
        assert stored_notices(admin)[0].decided is None
        done = admin.submit(
            f"/admin/notices/{stored.id}",
            {"decision": "remove", "ground": "GDPR Art. 6", "reasons": "It discloses a private address."},
            csrf_from="/admin/notices",
        )
        assert done.status_code == 303, done.text
        assert admin.status_of(comment_id) == "rejected"
        [decided] = stored_notices(admin)
        assert (decided.decision.value, decided.ground, decided.reasons) == (
            "remove",
            "GDPR Art. 6",
            "It discloses a private address.",
        )
        [statement] = stored_statements(admin, comment_id)
        assert (statement.restriction.value, statement.ground_kind.value, statement.notice_id) == (
            "removed",
            "legal",
            stored.id,
        )
        assert statement.automated is False and statement.reason_code == "illegal"
        log = admin.log()
        assert log[0]["action"] == "reject" and log[0]["data"]["notice"] == str(stored.id)

        deliver(admin)
        messages = smtp_sink.wait_for(3)
        by_to = {m["To"]: m for m in messages[1:]}
        decision = by_to["nora@example.org"]
        assert decision["Subject"] == f"[blog] Décision sur votre signalement {stored.id}"
        assert "It discloses a private address." in decision.get_content()
        said = by_to["ola@example.org"]
        assert said["Subject"] == "[blog] Warum dein Kommentar eingeschränkt wurde"
        text = said.get_content()
        assert "Dein Kommentar wurde entfernt" in text and "GDPR Art. 6" in text
        assert "Meldung" in text and "außergerichtliche" in text
        assert stored_statements(admin, comment_id)[0].emailed is not None

        # Deciding again is refused; nothing changes.
        again = admin.submit(
            f"/admin/notices/{stored.id}",
            {"decision": "none", "reasons": "Changed my mind"},
            csrf_from="/admin/notices",
        )
        assert again.status_code == 409, again.text
        assert (
            stored_notices(admin)[0].decision is not None
            and stored_notices(admin)[0].decision.value == "remove"
        )


def test_an_ordinary_rejection_gives_the_author_a_statement_too(admin_db: str, smtp_sink: Sink) -> None:
    admin = legal_app(admin_db, smtp_sink, moderation={"premoderation": "all"})
    with admin.client:
        admin.login()
        comment = admin.post_comment("Buy cheap watches", author={"email": "guest@example.org"})
        approved = admin.post_comment("Fine words")
        done = admin.submit(
            f"/admin/comments/{comment['id']}", {"action": "reject", "reason": "spam", "note": "Advertising"}
        )
        assert done.status_code == 303, done.text
        assert admin.submit(f"/admin/comments/{approved['id']}", {"action": "approve"}).status_code == 303
        [statement] = stored_statements(admin, comment["id"])
        # Held by pre-moderation (an automated rule), decided by a person, on the site's terms.
        assert (statement.restriction.value, statement.action, statement.reason_code) == (
            "removed",
            "reject",
            "spam",
        )
        assert (statement.ground_kind.value, statement.facts, statement.automated) == (
            "terms",
            "Advertising",
            True,
        )
        assert stored_statements(admin, approved["id"]) == []
        deliver(admin)
        # The guest's address was never confirmed: no email, the statement waits in the record.
        assert smtp_sink.messages == []
        assert stored_statements(admin, comment["id"])[0].emailed is None


def test_bad_notices_are_refused_precisely_and_nothing_is_stored(admin_db: str, smtp_sink: Sink) -> None:
    admin = legal_app(admin_db, smtp_sink)
    with admin.client:
        comment = admin.post_comment("A comment")
        cid = comment["id"]
        cases = [
            (notice(admin, cid, category="boring"), 422, "notice-category-invalid"),
            (notice(admin, cid, explanation="bad"), 422, "notice-explanation-invalid"),
            (notice(admin, cid, explanation="x" * 5001), 422, "notice-explanation-invalid"),
            (notice(admin, cid, explanation=EXPLANATION + "\x00"), 422, "nul-byte"),
            (notice(admin, cid, location=" "), 422, "notice-location-invalid"),
            (notice(admin, cid, name=None), 422, "notice-name-invalid"),
            (notice(admin, cid, email=None), 422, "email-required"),
            (notice(admin, cid, email="not an address"), 422, "email-invalid"),
            (notice(admin, cid, good_faith=False), 422, "good-faith-required"),
            (notice(admin, "no-such-comment"), 404, "comment-not-found"),
            (
                admin.client.post(
                    f"/api/comments/{cid}/legal-notice", json={"category": "hate"}, headers=BROWSER
                ),
                400,
                None,
            ),
            (
                admin.client.post(
                    f"/api/comments/{cid}/legal-notice",
                    json={
                        "category": "hate",
                        "explanation": EXPLANATION,
                        "location": "x",
                        "good_faith": True,
                    },
                    headers={"Origin": "https://evil.example"},
                ),
                403,
                "origin-not-allowed",
            ),
        ]
        for response, status, code in cases:
            assert response.status_code == status, response.text
            assert response.headers["content-type"].startswith("application/problem+json")
            if code is not None:
                assert response.json()["code"] == code, response.json()
        assert stored_notices(admin) == []
        # Child sexual abuse material may be notified anonymously (Art. 16(2)(c)).
        anonymous = notice(admin, cid, category="csam", name=None, email=None)
        assert anonymous.status_code == 201, anonymous.text
        assert anonymous.json()["acknowledged"] is False
        [stored] = stored_notices(admin)
        assert (stored.category.value, stored.notifier_name, stored.notifier_email) == ("csam", None, None)


def test_the_no_js_form_files_a_notice(admin_db: str, smtp_sink: Sink) -> None:
    admin = legal_app(admin_db, smtp_sink)
    with admin.client:
        comment = admin.post_comment("Something awful")
        thread = admin.client.get("/thread", params={"url": ARTICLE}, headers=HTML)
        assert thread.status_code == 200
        assert f"/legal-notice?comment={comment['id']}&amp;lang=en" in thread.text
        form = admin.client.get(
            "/legal-notice", params={"comment": comment["id"], "lang": "de"}, headers=HTML
        )
        assert form.status_code == 200, form.text
        assert "Rechtswidrige Inhalte melden" in form.text
        assert f'value="{ARTICLE}#comment-{comment["id"]}"' in form.text
        fields = {
            "comment": comment["id"],
            "lang": "de",
            "category": "hate",
            "explanation": EXPLANATION,
            "location": f"{ARTICLE}#comment-{comment['id']}",
            "name": "Nora",
            "email": "nora@example.org",
        }
        missing = admin.client.post("/legal-notice", data=fields, headers=HTML)
        assert missing.status_code == 422, missing.text
        assert (
            "in gutem Glauben" in missing.text
            and "aria-invalid" not in missing.text.split("rj-good-faith")[0][-200:]
        )
        assert stored_notices(admin) == []
        sent = admin.client.post("/legal-notice", data={**fields, "good_faith": "yes"}, headers=HTML)
        assert sent.status_code == 200, sent.text
        [stored] = stored_notices(admin)
        assert f"Deine Meldung hat die Nummer {stored.id}" in sent.text
        assert (stored.category.value, stored.language, stored.notifier_name) == ("hate", "de", "Nora")
        unknown = admin.client.get("/legal-notice", params={"comment": "nope"}, headers=HTML)
        assert unknown.status_code == 404 and "comment-not-found" in unknown.text


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_notices_and_statements_export_for_the_transparency_report(
    admin_db: str, smtp_sink: Sink, fmt: str
) -> None:
    admin = legal_app(admin_db, smtp_sink)
    with admin.client:
        comment = admin.post_comment('=HYPERLINK("http://evil")')
        assert notice(admin, comment["id"], category="fraud").status_code == 201
        admin.login()
        [stored] = stored_notices(admin)
        admin.submit(
            f"/admin/notices/{stored.id}",
            {"decision": "restrict", "reasons": "=Looks like a scam"},
            csrf_from="/admin/notices",
        )
        got = admin.client.get("/admin/notices/export", params={"kind": "notices", "format": fmt})
        assert got.status_code == 200, got.text
        assert "attachment" in got.headers["content-disposition"]
        said = admin.client.get("/admin/notices/export", params={"kind": "statements", "format": fmt})
        assert said.status_code == 200
        if fmt == "csv":
            lines = got.text.splitlines()
            assert lines[0].startswith("id,site_id,comment_id,category")
            assert f"{stored.id}," in lines[1] and ",fraud," in lines[1] and ",restrict," in lines[1]
            assert "'=Looks like a scam" in lines[1]  # no formula reaches a spreadsheet
            assert "nora@example.org" not in got.text  # the notifier's personal data stays out
            assert ",restricted,hold," in said.text.splitlines()[1]
        else:
            record = json.loads(got.text.splitlines()[0])
            assert (record["id"], record["decision"], record["notifier_named"]) == (
                stored.id,
                "restrict",
                True,
            )
            assert "notifier_email" not in record
            statement = json.loads(said.text.splitlines()[0])
            assert (statement["restriction"], statement["notice_id"]) == ("restricted", stored.id)
        bad = admin.client.get(
            "/admin/notices/export", params={"kind": "people", "format": fmt}, headers=HTML
        )
        assert bad.status_code == 422
        out = run_cli(admin_db, "notices", "export", "--kind", "notices", "--format", fmt)
        assert str(stored.id) in out and "fraud" in out


def test_a_notice_on_a_comment_removed_meanwhile_is_decided_without_a_second_statement(
    admin_db: str, smtp_sink: Sink
) -> None:
    admin = legal_app(admin_db, smtp_sink)
    with admin.client:
        comment = admin.post_comment("Something a moderator will reject first")
        assert notice(admin, comment["id"], category="hate").status_code == 201
        [stored] = stored_notices(admin)
        admin.login()
        rejected = admin.submit(f"/admin/comments/{comment['id']}", {"action": "reject", "reason": "hate"})
        assert rejected.status_code == 303
        decided = admin.submit(
            f"/admin/notices/{stored.id}",
            {"decision": "remove", "reasons": "Already removed as hate speech."},
            csrf_from="/admin/notices",
        )
        assert decided.status_code == 303, decided.text
        assert admin.status_of(comment["id"]) == "rejected"
        [after] = stored_notices(admin)
        assert (after.decision is not None and after.decision.value, after.reasons) == (
            "remove",
            "Already removed as hate speech.",
        )
        [statement] = stored_statements(admin, comment["id"])  # the rejection's, not a second one
        assert (statement.notice_id, statement.reason_code) == (None, "hate")


def test_moderators_who_take_email_are_mailed_each_new_notice(admin_db: str, smtp_sink: Sink) -> None:
    admin = open_admin(
        admin_db,
        email={**email_settings(smtp_sink), "notify_pending": True},
        server={"public_url": "http://rejoinder.test", "language": "fr"},
        admin={"email": "root@example.org"},
    )
    with admin.client:
        admin.grant(admin.identity("mia", "Mia", "mia@example.org"), Role.MODERATOR, "blog")
        # another site's moderator
        admin.grant(admin.identity("ned", "Ned", "ned@example.org"), Role.MODERATOR, "news")
        comment = admin.post_comment("A comment about a neighbour")
        filed = notice(admin, comment["id"], category="defamation")
        assert filed.status_code == 201, filed.text
        deliver(admin)
        messages = smtp_sink.wait_for(3)  # the notifier's acknowledgement, root and Mia
        deliver(admin)
        assert len(smtp_sink.messages) == 3  # once per recipient, Ned not at all
        to_mods = {m["To"]: m for m in messages if m["To"] != "nora@example.org"}
        assert sorted(to_mods) == ["mia@example.org", "root@example.org"]
        said = to_mods["mia@example.org"]
        notice_id = filed.json()["id"]
        assert said["Subject"] == f"[blog] Signalement {notice_id} de contenu illicite : Diffamation"
        text = said.get_content()
        assert f"{ARTICLE}#comment-{comment['id']}" in text
        assert "> " + EXPLANATION[:40] in text
        assert f"http://rejoinder.test/admin/notices/{notice_id}" in text
        assert "nora@example.org" not in text  # the notifier's address stays in /admin
