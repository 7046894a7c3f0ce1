"""A signed-in reader's data rights over HTTP, on SQLite and PostgreSQL: GET /api/me/data holds everything
about them and no secret; DELETE /api/me erases the account, removing or anonymising their comments, with
threads intact, counts right and events written."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from litestar.testing import TestClient

from rejoinder.moderation.actions import ModAction
from rejoinder.services import admin_desk
from rejoinder.services import moderation as service
from rejoinder.services.context import Context
from rejoinder.store import engine as store_engine
from rejoinder.store import subscriptions as subscription_store
from rejoinder.store.schema import (
    comment_edits,
    comment_revisions,
    commenter_notes,
    commenter_warnings,
    comments,
    credentials,
    email_addresses,
    events,
    identities,
    legal_notices,
    likes,
    moderation_log,
    notifications,
    premoderated_commenters,
    reports,
    sessions,
    sites,
    statements,
    subscriptions,
    suppressions,
)
from tests.auth.helpers import bearer, sign_in
from tests.fixtures.app import ARTICLE, ORIGIN
from tests.fixtures.follow import NOW, follow
from tests.moderation.test_pipeline import SYSTEM, call, moderated_client

BROWSER = {"Origin": ORIGIN, "X-Forwarded-For": "198.51.100.7"}


def rows(client: TestClient[Any], query: sa.Select[Any]) -> list[tuple[Any, ...]]:
    async def go(ctx: Context) -> list[tuple[Any, ...]]:
        async with store_engine.read(ctx.engine) as conn:
            return [tuple(r) for r in (await conn.execute(query)).all()]

    return call(client, go)


def thread(client: TestClient[Any]) -> dict[str, Any]:
    response = client.get("/api/threads", params={"url": ARTICLE})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


class Scene:
    """Alice (signed in) wrote a comment with a reply from Bob and one without replies, edited the first,
    liked Bob's reply and the article, and reported Bob's reply; a moderator approved her first comment."""

    def __init__(self, client: TestClient[Any]) -> None:
        me = sign_in(client, "alice-sub", name="Alice", email="alice@example.org", verified=True)
        assert me.token is not None and me.identity is not None
        self.token, self.identity = me.token, me.identity.id
        auth = {**BROWSER, **bearer(self.token)}

        def post(body: dict[str, Any], headers: dict[str, str]) -> Any:
            return client.post("/api/comments", json={"url": ARTICLE, **body}, headers=headers)

        first = post({"text": "Gardens need rain."}, auth)
        assert first.status_code == 201, first.text
        self.first, self.edit_token = first.json()["id"], first.json()["edit_token"]
        edited = client.patch(
            f"/api/comments/{self.first}",
            json={"text": "Gardens need rain, and patience."},
            headers={**auth, "Rejoinder-Edit-Token": self.edit_token},
        )
        assert edited.status_code == 200, edited.text
        self.second = post({"text": "Also: compost."}, auth).json()["id"]
        reply = post(
            {
                "text": "Agreed, Alice.",
                "parent": self.first,
                "author": {"name": "Bob", "email": "bob@example.org"},
            },
            {**BROWSER, "Rejoinder-Visitor": "bob-visitor-0123456789"},
        )
        assert reply.status_code == 201, reply.text
        self.reply = reply.json()["id"]
        assert client.put(f"/api/comments/{self.reply}/like", headers=auth).json() == {
            "liked": True,
            "likes": 1,
        }
        liked = client.put("/api/threads/like", params={"url": ARTICLE}, headers=auth)
        assert liked.json() == {"liked": True, "likes": 1}
        filed = client.post(
            f"/api/comments/{self.reply}/report", json={"reason": "off-topic", "note": "meh"}, headers=auth
        )
        assert filed.status_code == 201, filed.text
        call(client, lambda ctx: service.decide(ctx, SYSTEM, self.first, ModAction.APPROVE))


@pytest.fixture
def scene(site_db: str) -> Iterator[tuple[TestClient[Any], Scene]]:
    with moderated_client(site_db) as client:
        yield client, Scene(client)


def test_download_holds_everything_about_the_reader_and_no_secret(
    scene: tuple[TestClient[Any], Scene],
) -> None:
    client, s = scene
    response = client.get("/api/me/data", headers=bearer(s.token))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    assert (
        response.headers["content-disposition"] == f'attachment; filename="rejoinder-data-{s.identity}.json"'
    )
    assert response.headers["cache-control"] == "private, no-store"
    data = response.json()
    assert (data["format"], data["version"], data["subject"]) == (
        "rejoinder-personal-data",
        1,
        {"identity": s.identity},
    )
    assert {k: data["identity"][k] for k in ("id", "display_name", "email", "show_in_likes")} == {
        "id": s.identity,
        "display_name": "Alice",
        "email": "alice@example.org",
        "show_in_likes": False,
    }
    assert [
        (c["kind"], c["provider"], c["subject"], c["email"], c["email_verified"]) for c in data["credentials"]
    ] == [("oidc", "test", "alice-sub", "alice@example.org", True)]
    assert [(x["provider"], x["label"], x["revoked"]) for x in data["sessions"]] == [("test", "Test", None)]
    by_id = {c["id"]: c for c in data["comments"]}
    assert list(by_id) == [s.first, s.second]
    first = by_id[s.first]
    assert (first["text"], first["status"], first["site"], first["thread_url"], first["ip"]) == (
        "Gardens need rain, and patience.",
        "approved",
        "blog",
        ARTICLE,
        "198.51.100.0/24",
    )
    assert [(r["revision"], r["text"]) for r in first["revisions"]] == [
        (0, "Gardens need rain."),
        (1, "Gardens need rain, and patience."),
    ]
    assert sorted((lk["comment_id"], lk["thread_url"]) for lk in data["likes"]) == sorted(
        [("", ARTICLE), (s.reply, ARTICLE)]
    )
    assert [(r["comment_id"], r["reason"], r["note"]) for r in data["reports_filed"]] == [
        (s.reply, "off-topic", "meh")
    ]
    assert [(e["action"], e["target_id"]) for e in data["moderation"]["log"]] == [("approve", s.first)]
    assert data["moderation"]["reports_about_your_comments"] == []
    # Nothing secret: no session token, edit token, credential data, keyed hash or actor of a decision.
    raw = response.text
    for secret in (s.token, s.edit_token):
        assert secret not in raw
    for key in ("token_hash", "edit_token_hash", "visitor_hash", "liker", "reporter", "data", "actor"):
        assert f'"{key}"' not in raw, key


def test_download_needs_a_session(scene: tuple[TestClient[Any], Scene]) -> None:
    client, _ = scene
    response = client.get("/api/me/data")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "session-required"


def test_delete_with_comments_removed_keeps_the_thread_whole(scene: tuple[TestClient[Any], Scene]) -> None:
    client, s = scene
    assert thread(client)["thread"]["count"] == 3
    response = client.delete("/api/me", params={"comments": "remove"}, headers={**BROWSER, **bearer(s.token)})
    assert response.status_code == 200, response.text
    assert response.json() == {
        "comments_removed": 2,
        "comments_anonymised": 0,
        "likes_removed": 2,
        "account_deleted": True,
    }
    body = thread(client)
    assert body["thread"]["count"] == 1
    assert body["thread"]["likes"] == {"count": 0, "recent": []}
    # The second comment is gone; the first stays as the placeholder Bob's reply depends on.
    assert [
        (c["id"], c["deleted"], c["text"], c["author"]["name"], c["likes"]) for c in body["comments"]
    ] == [
        (s.first, True, "", "", 0),
        (s.reply, False, "Agreed, Alice.", "Bob", 0),
    ]
    # Stored state: nothing of Alice is left but an entry in the moderation log saying it was erased.
    for table in (identities, credentials, sessions, likes):
        assert rows(
            client,
            sa.select(sa.func.count())
            .select_from(table)
            .where(table.c.id == s.identity if table is identities else table.c.identity_id == s.identity),
        ) == [(0,)]
    assert rows(
        client,
        sa.select(comments.c.text, comments.c.author_email, comments.c.ip, comments.c.identity_id).where(
            comments.c.id.in_([s.first, s.second])
        ),
    ) == [("", None, None, None), ("", None, None, None)]
    assert (
        rows(client, sa.select(comment_revisions.c.id).where(comment_revisions.c.comment_id == s.first)) == []
    )
    assert rows(client, sa.select(reports.c.identity_id, reports.c.reason)) == [(None, "off-topic")]
    [erase] = rows(
        client,
        sa.select(moderation_log.c.actor, moderation_log.c.data).where(moderation_log.c.action == "erase"),
    )
    assert erase[0] == s.identity
    assert erase[1] == {"comments": "remove", "count": 2, "likes": 2, "sites": [erase[1]["sites"][0]]}
    kinds = [k for (k,) in rows(client, sa.select(events.c.kind).order_by(events.c.id))][-4:]
    assert kinds == ["comment.deleted", "comment.deleted", "like.removed", "like.removed"]
    # The session is gone with the account.
    assert client.get("/api/me", headers=bearer(s.token)).json()["code"] == "session-invalid"


def test_delete_with_comments_anonymised_keeps_their_text(scene: tuple[TestClient[Any], Scene]) -> None:
    client, s = scene
    response = client.delete(
        "/api/me", params={"comments": "anonymise"}, headers={**BROWSER, **bearer(s.token)}
    )
    assert response.status_code == 200, response.text
    assert response.json() == {
        "comments_removed": 0,
        "comments_anonymised": 2,
        "likes_removed": 2,
        "account_deleted": True,
    }
    body = thread(client)
    assert body["thread"]["count"] == 3
    shown = {c["id"]: c for c in body["comments"]}
    assert (shown[s.first]["text"], shown[s.first]["author"]["name"]) == (
        "Gardens need rain, and patience.",
        "Deleted user",
    )
    assert shown[s.second]["author"]["name"] == "Deleted user"
    assert shown[s.first]["author"]["avatar"] != shown[s.second]["author"]["avatar"]  # nothing groups them
    assert rows(
        client,
        sa.select(
            comments.c.author_email, comments.c.author_website, comments.c.ip, comments.c.identity_id
        ).where(comments.c.id.in_([s.first, s.second])),
    ) == [(None, None, None, None), (None, None, None, None)]
    [(changed,)] = rows(client, sa.select(events.c.data).where(events.c.kind == "thread.changed"))
    assert changed == {"reason": "author-erased", "uri": ARTICLE, "key": None}


@pytest.mark.parametrize("params", [{}, {"comments": "keep"}, {"comments": ""}])
def test_delete_needs_a_choice_for_the_comments(
    scene: tuple[TestClient[Any], Scene], params: dict[str, str]
) -> None:
    client, s = scene
    response = client.delete("/api/me", params=params, headers={**BROWSER, **bearer(s.token)})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "invalid-request"
    assert client.get("/api/me", headers=bearer(s.token)).status_code == 200  # nothing was erased


def test_delete_needs_a_session(scene: tuple[TestClient[Any], Scene]) -> None:
    client, _ = scene
    response = client.delete("/api/me", params={"comments": "remove"}, headers=BROWSER)
    assert response.status_code == 401
    assert response.json()["code"] == "session-required"


def test_subscriptions_are_in_the_download_and_go_with_the_account(
    scene: tuple[TestClient[Any], Scene],
) -> None:
    client, s = scene

    async def subscribe(ctx: Context) -> None:
        async with store_engine.write(ctx.engine) as conn:
            site_id = int(
                (await conn.execute(sa.select(sites.c.id).where(sites.c.name == "blog"))).scalar_one()
            )
            await follow(conn, site_id, "alice@example.org", thread_uri=ARTICLE)
            replies = await follow(conn, site_id, "alice@example.org", thread_uri=ARTICLE, comment_id=s.first)
            await subscription_store.insert_notification(conn, replies, s.reply, due=NOW, now=NOW)
            await follow(conn, site_id, "carol@example.org", thread_uri=ARTICLE)  # someone else's
            await subscription_store.suppress(conn, "alice@example.org", "550 no such user", now=NOW)

    call(client, subscribe)
    data = client.get("/api/me/data", headers=bearer(s.token)).json()
    when = "2023-11-14T22:13:20.000000Z"
    assert data["email_addresses"] == [
        {"site": "blog", "email": "alice@example.org", "language": "en", "confirmed": when, "created": when}
    ]
    common = {"site": "blog", "email": "alice@example.org", "thread_url": ARTICLE, "thread_key": None}
    assert [{k: v for k, v in x.items() if k != "thread_title"} for x in data["subscriptions"]] == [
        {
            **common,
            "kind": "thread",
            "comment_id": None,
            "mode": "immediate",
            "state": "active",
            "created": when,
            "waiting": 0,
        },
        {
            **common,
            "kind": "replies",
            "comment_id": s.first,
            "mode": "immediate",
            "state": "active",
            "created": when,
            "waiting": 1,
        },
    ]
    assert '"target"' not in client.get("/api/me/data", headers=bearer(s.token)).text

    response = client.delete("/api/me", params={"comments": "remove"}, headers={**BROWSER, **bearer(s.token)})
    assert response.status_code == 200, response.text
    # Alice's address, what it followed and the mail waiting for it are gone; Carol's stay; so does the
    # suppression (it is what keeps mail from an address whose server refused it).
    assert rows(client, sa.select(email_addresses.c.email)) == [("carol@example.org",)]
    assert rows(
        client,
        sa.select(subscriptions.c.kind, email_addresses.c.email).select_from(
            subscriptions.join(email_addresses)
        ),
    ) == [("thread", "carol@example.org")]
    assert rows(client, sa.select(sa.func.count()).select_from(notifications)) == [(0,)]
    assert rows(client, sa.select(suppressions.c.email)) == [("alice@example.org",)]


def desk_and_statement(client: TestClient[Any], s: Scene) -> None:
    """A moderator rejects Alice's second comment with facts (a statement of reasons is written), warns
    her, notes her and holds her comments; Bob (a guest) is warned and noted too."""

    async def go(ctx: Context) -> None:
        await service.decide(
            ctx, SYSTEM, s.second, ModAction.REJECT, reason="privacy", note="Gave Carol's home address"
        )
        await admin_desk.edit_comment(ctx, SYSTEM, s.first, "Gardens need rain.", note="Trimmed")
        await admin_desk.warn(ctx, SYSTEM, s.first, "Keep other people's addresses out")
        await admin_desk.add_note(ctx, SYSTEM, s.first, "Alice knows Carol offline")
        await admin_desk.set_premoderation(ctx, SYSTEM, s.first, on=True)
        await admin_desk.warn(ctx, SYSTEM, s.reply, "Bob: stay on topic")
        await admin_desk.add_note(ctx, SYSTEM, s.reply, "Bob is new")

    call(client, go)


def test_statements_and_desk_rows_are_in_the_download(scene: tuple[TestClient[Any], Scene]) -> None:
    client, s = scene
    desk_and_statement(client, s)
    response = client.get("/api/me/data", headers=bearer(s.token))
    assert response.status_code == 200, response.text
    moderation = response.json()["moderation"]
    [statement] = moderation["statements"]
    assert {k: statement[k] for k in ("site", "comment_id", "restriction", "action", "reason_code")} == {
        "site": "blog",
        "comment_id": s.second,
        "restriction": "removed",
        "action": "reject",
        "reason_code": "privacy",
    }
    assert (statement["facts"], statement["ground_kind"], statement["automated"]) == (
        "Gave Carol's home address",
        "terms",
        False,
    )
    assert statement["created"].endswith("Z")
    first = next(c for c in response.json()["comments"] if c["id"] == s.first)
    assert [(e["previous_text"], e["text"], e["note"]) for e in first["moderator_edits"]] == [
        ("Gardens need rain, and patience.", "Gardens need rain.", "Trimmed")
    ]
    assert [(w["site"], w["message"], w["acknowledged"]) for w in moderation["warnings"]] == [
        ("blog", "Keep other people's addresses out", None)
    ]
    assert [(n["site"], n["text"]) for n in moderation["notes"]] == [("blog", "Alice knows Carol offline")]
    assert [p["site"] for p in moderation["premoderated"]] == ["blog"]
    assert "Bob" not in response.text  # nothing about the other commenter
    # nor which moderator wrote what
    assert [sorted(w) for w in moderation["warnings"]] == [["acknowledged", "created", "message", "site"]]
    assert [sorted(n) for n in moderation["notes"]] == [["created", "site", "text"]]
    assert [sorted(e) for e in first["moderator_edits"]] == [["created", "note", "previous_text", "text"]]


def test_erasure_keeps_statements_without_the_person_and_drops_desk_rows(
    scene: tuple[TestClient[Any], Scene],
) -> None:
    client, s = scene
    desk_and_statement(client, s)
    response = client.delete("/api/me", params={"comments": "remove"}, headers={**BROWSER, **bearer(s.token)})
    assert response.status_code == 200, response.text
    assert response.json()["account_deleted"] is True
    assert rows(
        client,
        sa.select(
            statements.c.comment_id,
            statements.c.identity_id,
            statements.c.facts,
            statements.c.restriction,
            statements.c.action,
            statements.c.reason_code,
            statements.c.ground_kind,
        ),
    ) == [(s.second, None, None, "removed", "reject", "privacy", "terms")]
    assert rows(client, sa.select(commenter_warnings.c.message)) == [("Bob: stay on topic",)]
    assert rows(client, sa.select(commenter_notes.c.text)) == [("Bob is new",)]
    assert rows(client, sa.select(premoderated_commenters.c.id)) == []
    assert rows(client, sa.select(comment_edits.c.text)) == []  # the old text went with the comment


def file_notice(client: TestClient[Any], comment_id: str, name: str, email: str) -> int:
    body = {
        "category": "defamation",
        "explanation": f"{name} says this comment spreads lies about a named neighbour.",
        "location": f"{ARTICLE}#comment-{comment_id}",
        "name": name,
        "email": email,
        "good_faith": True,
    }
    filed = client.post(f"/api/comments/{comment_id}/legal-notice", json=body, headers=BROWSER)
    assert filed.status_code == 201, filed.text
    notice_id: int = filed.json()["id"]
    return notice_id


def test_notices_the_reader_filed_are_in_the_download_and_lose_the_notifier_on_erasure(
    scene: tuple[TestClient[Any], Scene],
) -> None:
    client, s = scene
    mine = file_notice(client, s.reply, "Alice", "ALICE@example.org")  # the account's email, any case
    other = file_notice(client, s.reply, "Nora", "nora@example.org")
    response = client.get("/api/me/data", headers=bearer(s.token))
    assert response.status_code == 200, response.text
    [notice] = response.json()["legal_notices_filed"]
    assert (notice["id"], notice["comment_id"], notice["category"], notice["notifier_name"]) == (
        mine,
        s.reply,
        "defamation",
        "Alice",
    )
    assert notice["explanation"].startswith("Alice says") and notice["created"].endswith("Z")
    assert notice["decided"] is None and "decided_by" not in notice
    assert "Nora" not in response.text  # another notifier's notice is theirs

    erased = client.delete("/api/me", params={"comments": "remove"}, headers={**BROWSER, **bearer(s.token)})
    assert erased.status_code == 200, erased.text
    # The notices stay for the transparency record and the decision still due; Alice is gone from hers.
    left = rows(
        client,
        sa.select(
            legal_notices.c.id,
            legal_notices.c.notifier_name,
            legal_notices.c.notifier_email,
            legal_notices.c.category,
        ).order_by(legal_notices.c.id),
    )
    assert left == [(mine, None, None, "defamation"), (other, "Nora", "nora@example.org", "defamation")]
