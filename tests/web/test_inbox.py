"""A signed-in reader's inbox over HTTP on SQLite and PostgreSQL: GET /api/me/inbox counts new replies per
reader (the shared thread read stays byte for byte the same), the inbox page lists replies, decisions with
their statement of reasons and the appeal, and the reader's own comments; forged and expired links."""

from __future__ import annotations

from typing import Any

from rejoinder.store import engine as store_engine
from rejoinder.store import moderation as moderation_store
from tests.fixtures.admin import HTML, Admin, open_admin
from tests.fixtures.app import ARTICLE, ORIGIN
from tests.fixtures.clock import ManualClock
from tests.web.test_notices import sign_in

BROWSER = {"Origin": ORIGIN}


def post(admin: Admin, text: str, headers: dict[str, str], parent: str | None = None) -> Any:
    body: dict[str, Any] = {"url": ARTICLE, "text": text, "author": {"name": "Someone"}}
    if parent:
        body["parent"] = parent
    response = admin.client.post("/api/comments", json=body, headers={**BROWSER, **headers})
    assert response.status_code == 201, response.text
    return response.json()


def inbox(admin: Admin, bearer: dict[str, str]) -> Any:
    response = admin.client.get("/api/me/inbox", headers=bearer)
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    return response.json()


def test_replies_decisions_and_history_reach_the_readers_inbox(admin_db: str) -> None:
    clock = ManualClock()
    admin = open_admin(admin_db, clock=clock)
    with admin.client:
        ola = {"Authorization": f"Bearer {sign_in(admin, 'ola', 'Ola', None)}"}
        ben = {"Authorization": f"Bearer {sign_in(admin, 'ben', 'Ben', None)}"}
        mine = post(admin, "My first thought", ola)
        doomed = post(admin, "Something the moderators will reject", ola)
        post(admin, "Talking to myself", ola, parent=mine["id"])  # not a reply *to* Ola
        clock.advance(1)
        thread_before = admin.client.get("/api/threads", params={"url": ARTICLE}).content
        assert inbox(admin, ola)["new_replies"] == 0
        reply = post(admin, "Ben **answers** <script>x</script>", ben, parent=mine["id"])
        guest = admin.client.post(
            "/api/comments",
            json={
                "url": ARTICLE,
                "text": "A guest answers too",
                "author": {"name": "Gus"},
                "parent": mine["id"],
            },
            headers=BROWSER,
        )
        assert guest.status_code == 201
        summary = inbox(admin, ola)
        assert summary["new_replies"] == 2 and summary["path"].startswith("/inbox/")
        assert inbox(admin, ben)["new_replies"] == 0  # per reader
        admin.login()
        admin.submit(
            f"/admin/comments/{doomed['id']}",
            {"action": "reject", "reason": "off-topic", "note": "Not about the article"},
        )

        page = admin.client.get(summary["path"], params={"lang": "fr"}, headers=HTML)
        assert page.status_code == 200, page.text
        assert page.headers["referrer-policy"] == "no-referrer"
        text = page.text
        assert "Votre boîte de réception" in text
        assert "Ben a répondu" in text and "<strong>answers</strong>" in text and "<script>" not in text
        assert "Gus a répondu" in text and f"{ARTICLE}#comment-{reply['id']}" in text
        assert "Votre commentaire a été supprimé" in text and "Not about the article" in text
        assert "règles de discussion" in text  # the terms ground
        assert "Talking to myself" in text and "My first thought" in text  # the history
        assert "Statut : refusé" in text  # in the reader's language
        assert f'name="comment" value="{doomed["id"]}"' in text  # the appeal form
        assert inbox(admin, ola)["new_replies"] == 0  # opening it marked them seen

        # The appeal from the inbox: the same one appeal as from the widget.
        empty = admin.client.post(
            f"{summary['path']}/appeal", data={"comment": doomed["id"], "note": " "}, headers=HTML
        )
        assert empty.status_code == 422, empty.text
        assert 'aria-invalid="true"' in empty.text
        sent = admin.client.post(
            f"{summary['path']}/appeal",
            data={"comment": doomed["id"], "note": "It was about the article", "lang": "fr"},
            headers=HTML,
            follow_redirects=False,
        )
        assert sent.status_code == 303, sent.text

        async def stored() -> Any:
            async with store_engine.read(admin.ctx.engine) as conn:
                return await moderation_store.select_moderated(conn, doomed["id"])

        comment = admin.run(stored)
        assert comment.appeal == "It was about the article" and comment.appealed is not None
        after = admin.client.get(sent.headers["location"].removeprefix("http://rejoinder.test"), headers=HTML)
        assert "Votre appel a été envoyé" in after.text
        assert f'name="comment" value="{doomed["id"]}"' not in after.text
        # Someone else's comment cannot be appealed with Ola's link.
        other = admin.client.post(
            f"{summary['path']}/appeal", data={"comment": reply["id"], "note": "mine?"}, headers=HTML
        )
        assert other.status_code == 403, other.text
        # The shared thread read does not depend on who is signed in, nor on anyone's inbox.
        reads = [admin.client.get("/api/threads", params={"url": ARTICLE}, headers=h) for h in ({}, ola, ben)]
        assert [r.status_code for r in reads] == [200, 200, 200]
        assert reads[0].content == reads[1].content == reads[2].content
        assert reads[0].content != thread_before  # it did change: the replies are in it


def test_inbox_links_are_checked(admin_db: str) -> None:
    clock = ManualClock()
    admin = open_admin(admin_db, clock=clock)
    with admin.client:
        ola = {"Authorization": f"Bearer {sign_in(admin, 'ola', 'Ola', None)}"}
        path = inbox(admin, ola)["path"]
        identity, seconds, signature = path.removeprefix("/inbox/").split(".")
        forged = admin.client.get(f"/inbox/{identity}.{int(seconds) + 9999}.{signature}", headers=HTML)
        assert forged.status_code == 403 and "inbox-link-invalid" in forged.text
        other = admin.client.get(f"/inbox/someoneelse.{seconds}.{signature}")
        assert other.status_code == 403 and other.json()["code"] == "inbox-link-invalid"
        unsigned = admin.client.get("/api/me/inbox")
        assert unsigned.status_code == 401
        assert unsigned.headers["content-type"].startswith("application/problem+json")
        clock.advance(3601)
        expired = admin.client.get(path)
        assert expired.status_code == 410 and expired.json()["code"] == "inbox-link-expired"
