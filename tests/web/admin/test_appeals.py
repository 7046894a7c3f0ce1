"""The author's appeal over HTTP, on SQLite and PostgreSQL: POST /api/comments/{id}/appeal by the edit token
or the signed-in author, once, only while held or rejected; what the author then sees in /api/viewer; and
what moderators see in /admin (the marker, the filter, the note, the log)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from rejoinder.domain.identity import Profile
from rejoinder.moderation.appeals import NOTE_LIMIT
from rejoinder.services import accounts
from tests.fixtures.admin import HTML, NEWS_ORIGIN, Admin, open_admin
from tests.fixtures.app import ARTICLE, ORIGIN, same_answer

VISITOR = "appeal-visitor-0001"
BROWSER = {"Origin": ORIGIN}


@pytest.fixture
def held(admin_db: str) -> Iterator[Admin]:
    """Every comment waits for a moderator (premoderation = all)."""
    found = open_admin(admin_db, moderation={"premoderation": "all"})
    with found.client:
        yield found


def post(admin: Admin, text: str = "Please let this through", **headers: str) -> Any:
    response = admin.client.post(
        "/api/comments",
        json={"url": ARTICLE, "text": text, "author": {"name": "Ann"}},
        headers={**BROWSER, "Rejoinder-Visitor": VISITOR, **headers},
    )
    assert response.status_code == 201, response.text
    return response.json()


def appeal(admin: Admin, comment_id: str, note: Any = "I was quoting the article", **headers: str) -> Any:
    return admin.client.post(
        f"/api/comments/{comment_id}/appeal", json={"note": note}, headers={**BROWSER, **headers}
    )


def token_of(comment: Any) -> dict[str, str]:
    return {"Rejoinder-Edit-Token": comment["edit_token"]}


def viewer(admin: Admin, **headers: str) -> Any:
    response = admin.client.get(
        "/api/viewer", params={"url": ARTICLE}, headers={"Rejoinder-Visitor": VISITOR, **headers}
    )
    assert response.status_code == 200, response.text
    return response.json()


def reader_session(admin: Admin, subject: str, name: str) -> tuple[str, dict[str, str]]:
    profile = Profile(provider="test", subject=subject, name=name, email=None, email_verified=False)

    async def go() -> accounts.Outcome:
        return await accounts.sign_in_with_profile(admin.ctx, profile, label="Test")

    outcome = admin.run(go)
    assert outcome.identity is not None and outcome.token
    return outcome.identity.id, {"Authorization": f"Bearer {outcome.token}"}


def problem(response: Any, status: int, code: str) -> Any:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == code, body
    return body


def test_the_author_appeals_a_held_comment_once(held: Admin) -> None:
    comment = post(held)
    assert comment["status"] == "pending"
    [own] = viewer(held)["own"]
    assert own["id"] == comment["id"] and own["can_appeal"] is True and own["appealed"] is None
    assert own["reason"] == "Comments here are reviewed before they appear."

    sent = appeal(held, comment["id"], "  I was   quoting\nthe article  ", **token_of(comment))
    assert sent.status_code == 202, sent.text
    body = sent.json()
    assert body["id"] == comment["id"] and body["status"] == "pending"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", body["appealed"])
    assert sent.headers["cache-control"] == "no-store"

    [own] = viewer(held)["own"]
    assert own["appealed"] == body["appealed"] and own["can_appeal"] is False  # "Appeal sent"

    again = appeal(held, comment["id"], "Please?", **token_of(comment))
    problem(again, 409, "appeal-already-sent")
    assert held.status_of(comment["id"]) == "pending"  # an appeal decides nothing by itself

    [entry] = [e for e in held.log() if e["action"] == "appeal"]
    assert entry["target_id"] == comment["id"] and entry["actor"] == "author"
    assert entry["note"] == "I was quoting the article" and entry["reason_code"] == "premoderated"


def test_only_the_author_may_appeal(held: Admin) -> None:
    comment = post(held)
    other = post(held, "Someone else's comment")
    # A held comment does not exist for anyone but its author: the answer of an unknown id, to the byte.
    unknown = appeal(held, "no-such-comment")
    problem(unknown, 404, "comment-not-found")
    for headers in (
        {},  # no token, not signed in
        {"Rejoinder-Edit-Token": "not-the-token"},
        token_of(other),
        reader_session(held, "stranger", "Stranger")[1],
    ):
        refused = appeal(held, comment["id"], **headers)
        problem(refused, 404, "comment-not-found")
        assert same_answer(refused, unknown)
    forged = appeal(held, comment["id"], **{"Authorization": "Bearer rjs_forged"})
    assert forged.status_code == 401, forged.text
    assert not [e for e in held.log() if e["action"] == "appeal"]
    assert viewer(held)["own"][0]["can_appeal"] is True
    # a page of another site may not send it, even with the token
    foreign = held.client.post(
        f"/api/comments/{comment['id']}/appeal",
        json={"note": "From elsewhere"},
        headers={"Origin": NEWS_ORIGIN, **token_of(comment)},
    )
    problem(foreign, 404, "comment-not-found")  # another site's comment does not exist for its pages
    assert same_answer(foreign, unknown)
    assert appeal(held, comment["id"], **token_of(comment)).status_code == 202


def test_a_signed_in_author_appeals_without_the_edit_token(held: Admin) -> None:
    identity, session = reader_session(held, "ann", "Ann Example")
    comment = post(held, "Signed-in words", **session)
    # the signed-in author sees it from any device (no visitor id needed)
    own = held.client.get("/api/viewer", params={"url": ARTICLE}, headers=session).json()["own"]
    assert [o["id"] for o in own] == [comment["id"]]
    sent = appeal(held, comment["id"], "Context matters", **session)
    assert sent.status_code == 202, sent.text
    [entry] = [e for e in held.log() if e["action"] == "appeal"]
    assert entry["actor"] == identity


def test_only_held_or_rejected_comments_can_be_appealed(admin: Admin) -> None:
    published = admin.post_comment("Already public")
    body = problem(appeal(admin, published["id"], **token_of(published)), 409, "comment-not-appealable")
    assert "published" in body["detail"]
    gone = admin.post_comment("Soon gone")
    assert admin.client.delete(f"/api/comments/{gone['id']}", headers=token_of(gone)).status_code == 204
    problem(appeal(admin, gone["id"], **token_of(gone)), 404, "comment-not-found")
    # A stranger is told a public comment is not theirs (anyone sees it exists), never more.
    problem(appeal(admin, published["id"]), 403, "not-comment-author")
    problem(appeal(admin, "no-such-comment", **token_of(gone)), 404, "comment-not-found")


def test_the_note_is_required_and_short(held: Admin) -> None:
    comment = post(held)
    for note in (None, "", "   \n "):
        body = problem(appeal(held, comment["id"], note, **token_of(comment)), 422, "appeal-note-required")
        assert body["errors"][0]["field"] == "note"
    long = problem(
        appeal(held, comment["id"], "x" * (NOTE_LIMIT + 1), **token_of(comment)), 422, "appeal-too-long"
    )
    assert long["errors"][0]["field"] == "note"
    problem(appeal(held, comment["id"], "a\x00b", **token_of(comment)), 422, "nul-byte")
    wrong_type = held.client.post(
        f"/api/comments/{comment['id']}/appeal", json={"note": 5}, headers={**BROWSER, **token_of(comment)}
    )
    assert wrong_type.status_code == 400 and wrong_type.json()["code"] == "invalid-request", wrong_type.text
    not_json = held.client.post(
        f"/api/comments/{comment['id']}/appeal", content=b"{", headers={**BROWSER, **token_of(comment)}
    )
    # sent without a Content-Type, as a form would be
    assert not_json.status_code == 415 and not_json.json()["code"] == "unsupported-media-type", not_json.text
    # none of that used up the one appeal
    assert appeal(held, comment["id"], "x" * NOTE_LIMIT, **token_of(comment)).status_code == 202


def test_a_rejected_comment_is_appealed_and_moderators_see_it(admin: Admin) -> None:
    comment = post(admin, "Rejected words")
    quiet = post(admin, "Rejected without appeal")
    admin.moderator()
    for c in (comment, quiet):
        done = admin.submit(
            f"/admin/comments/{c['id']}", {"action": "reject", "reason": "off-topic", "back": "/admin"}
        )
        assert done.status_code == 303, done.text
    refused = viewer(admin)["refused"]
    assert [r["id"] for r in refused] == [comment["id"], quiet["id"]]
    assert (
        refused[0]["status"] == "rejected" and refused[0]["reason"] == "It is off topic for this discussion."
    )
    assert viewer(admin)["own"] == []
    assert (
        appeal(admin, comment["id"], "It answers the <b>question</b>", **token_of(comment)).status_code == 202
    )
    assert viewer(admin)["refused"][0]["can_appeal"] is False

    queue = admin.page("/admin/queue/rejected").text
    item = queue[queue.index(f'id="c-{comment["id"]}"') :]
    item = item[: item.index("</article>")]
    assert '<span class="rj-tag rj-appealed">appealed</span>' in item
    assert "It answers the &lt;b&gt;question&lt;/b&gt;" in item  # the note, inert
    other = queue[queue.index(f'id="c-{quiet["id"]}"') :]
    assert "rj-appealed" not in other[: other.index("</article>")]

    # as the filter form sends it: an empty thread number, the box ticked
    only = admin.page("/admin/queue/rejected", site="", thread="", appealed="1").text
    assert f'id="c-{comment["id"]}"' in only and f'id="c-{quiet["id"]}"' not in only
    assert 'name="appealed" value="1" checked' in only
    bad = admin.client.get("/admin/queue/rejected", params={"appealed": "yes"}, headers=HTML)
    assert bad.status_code == 422

    detail = admin.page(f"/admin/comments/{comment['id']}").text
    assert "The author appeals" in detail and "It answers the &lt;b&gt;question&lt;/b&gt;" in detail

    # the moderator answers: approving takes it out of the appealed filter and marks the appeal answered
    done = admin.submit(f"/admin/comments/{comment['id']}", {"action": "approve", "back": "/admin"})
    assert done.status_code == 303, done.text
    assert f'id="c-{comment["id"]}"' not in admin.page("/admin/queue/approved", appealed="1").text
    approved = admin.page("/admin/queue/approved").text
    assert "appeal answered" in approved
    assert [r["id"] for r in viewer(admin)["refused"]] == [quiet["id"]]
