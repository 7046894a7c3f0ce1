"""No existence oracle in comment ids: every route that takes a comment's id answers an unknown id, a
deleted comment, a held one (to anyone but its author) and another site's one (to that site's pages) with
the same 404 problem, and changes nothing; a reply's `parent` gets one answer for the same cases."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from litestar.testing import TestClient

from rejoinder.app import create_app
from tests.fixtures.app import ARTICLE, ORIGIN, make_settings, post_comment, run_cli, same_answer

NEWS = "https://news.example"
VISITOR = {"Rejoinder-Visitor": "visitor-existence-00001"}
LINKS = " ".join(f"https://l{n}.example/" for n in range(6))  # more links than max_links: held

Send = Callable[[TestClient[Any], str, dict[str, str]], Any]

ROUTES: dict[str, Send] = {
    "page": lambda c, i, h: c.get(f"/api/comments/{i}/page", headers=h),
    "like": lambda c, i, h: c.put(f"/api/comments/{i}/like", headers={**VISITOR, **h}),
    "unlike": lambda c, i, h: c.delete(f"/api/comments/{i}/like", headers={**VISITOR, **h}),
    "report": lambda c, i, h: c.post(
        f"/api/comments/{i}/report", json={"reason": "spam"}, headers={**VISITOR, **h}
    ),
    "appeal": lambda c, i, h: c.post(f"/api/comments/{i}/appeal", json={"note": "Look again"}, headers=h),
    "edit": lambda c, i, h: c.patch(f"/api/comments/{i}", json={"text": "Changed"}, headers=h),
    "delete": lambda c, i, h: c.delete(f"/api/comments/{i}", headers=h),
}
# Routes where the page's Origin is checked against the comment's site on this branch.
ORIGIN_CHECKED = ("like", "unlike", "appeal", "edit", "delete")


@pytest.fixture
def two_sites(site_db: str) -> Iterator[TestClient[Any]]:
    run_cli(site_db, "site", "add", "news", "--origin", NEWS)
    app = create_app(make_settings(site_db, moderation={"rate_limits": False}))
    with TestClient(app=app, base_url="http://rejoinder.test") as client:  # type: ignore[arg-type]
        client.rejoinder = app  # type: ignore[attr-defined]
        yield client


def stored(client: TestClient[Any], comment_id: str) -> tuple[str, str, int]:
    """(status, text, likes) of a comment, read from the database."""

    async def go() -> tuple[str, str, int]:
        from rejoinder.store import comments as comment_store
        from rejoinder.store import engine as store_engine

        ctx = client.rejoinder.ctx  # type: ignore[attr-defined]
        async with store_engine.read(ctx.engine) as conn:
            found = await comment_store.select_comment(conn, comment_id)
        assert found is not None
        return found[0].status.value, found[0].text, found[0].likes

    with client.portal() as portal:
        return portal.call(go)


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_unknown_deleted_held_and_other_site_ids_answer_alike(two_sites: TestClient[Any], route: str) -> None:
    client = two_sites
    send = ROUTES[route]
    unknown = send(client, "doesnotexist1", {"Rejoinder-Edit-Token": "x" * 32})
    assert unknown.status_code == 404 and unknown.json()["code"] == "comment-not-found", unknown.text

    gone = post_comment(client, "Soon deleted")
    assert (
        client.delete(
            f"/api/comments/{gone['id']}", headers={"Rejoinder-Edit-Token": gone["edit_token"]}
        ).status_code
        == 204
    )
    held = post_comment(client, f"Held for its links {LINKS}")
    assert held["status"] == "pending"
    public = post_comment(client, "Public on the blog")

    cases = {
        "deleted": (gone["id"], {"Rejoinder-Edit-Token": "x" * 32}),
        "deleted, with its own token": (gone["id"], {"Rejoinder-Edit-Token": gone["edit_token"]}),
        "held, not its author": (held["id"], {"Rejoinder-Edit-Token": "x" * 32}),
    }
    if route in ORIGIN_CHECKED:
        # Even with the right edit token: a page of another site is not told the comment exists.
        cases["another site's, from its page"] = (
            public["id"],
            {"Origin": NEWS, "Rejoinder-Edit-Token": public["edit_token"]},
        )
    before = {c: stored(client, c) for c in (held["id"], public["id"])}
    for name, (comment_id, headers) in cases.items():
        answer = send(client, comment_id, headers)
        assert same_answer(answer, unknown), name
    assert {c: stored(client, c) for c in before} == before  # nothing changed

    # Its author (the edit token) still reaches a held comment, from the site's own pages.
    if route in ("edit", "appeal", "delete"):
        mine = send(client, held["id"], {"Rejoinder-Edit-Token": held["edit_token"], "Origin": ORIGIN})
        assert mine.status_code == {"edit": 200, "appeal": 202, "delete": 204}[route], mine.text


def test_a_reply_to_an_unknown_hidden_or_foreign_parent_gets_one_answer(two_sites: TestClient[Any]) -> None:
    client = two_sites
    held = post_comment(client, f"Held parent {LINKS}")
    gone = post_comment(client, "Deleted parent")
    client.delete(f"/api/comments/{gone['id']}", headers={"Rejoinder-Edit-Token": gone["edit_token"]})
    elsewhere = post_comment(client, "On the news", url=NEWS + "/story")
    other_article = post_comment(client, "Another article", url=ORIGIN + "/2026/11/other")

    def reply(parent: str) -> Any:
        body = {"url": ARTICLE, "text": "A reply", "author": {"name": "Ann"}, "parent": parent}
        return client.post("/api/comments", json=body)

    unknown = reply("doesnotexist1")
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["code"] == "parent-not-public"
    for parent in (held["id"], gone["id"], elsewhere["id"], other_article["id"]):
        assert same_answer(reply(parent), unknown), parent
    ids = [c["id"] for c in client.get("/api/threads", params={"url": ARTICLE}).json()["comments"]]
    assert all(
        c["text"] != "A reply" for c in client.get("/api/threads", params={"url": ARTICLE}).json()["comments"]
    ), ids
