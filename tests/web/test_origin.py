"""The server-side Origin check on writes that name a comment by id (comment likes, PATCH and DELETE of a
comment), the same as POST /api/comments and article likes: a page another site owns, or no site at all,
changes nothing and gets the 404 of an unknown id (a comment of another site does not exist for it: no
existence oracle, no site name); requests without an Origin (servers, scripts) are unaffected."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import TestClient

from tests.fixtures.app import ARTICLE, ORIGIN, new_client, post_comment, run_cli, same_answer

NEWS = "https://news.example"  # allowed by the other site, so CORS alone lets its pages through
EVIL = "https://evil.example"  # allowed by no site
VISITOR = {"Rejoinder-Visitor": "visitor-origin-000000001"}


@pytest.fixture
def two_sites(site_db: str) -> Iterator[TestClient[Any]]:
    run_cli(site_db, "site", "add", "news", "--origin", NEWS)
    with new_client(site_db) as client:
        yield client


def comment_state(client: TestClient[Any], comment_id: str) -> dict[str, Any]:
    view = client.get("/api/threads", params={"url": ARTICLE}).json()
    [found] = [c for c in view["comments"] if c["id"] == comment_id]
    return {"text": found["text"], "likes": found["likes"], "deleted": found["deleted"]}


def assert_refused(response: Any, origin: str) -> None:
    """A page of another site is refused as if the comment did not exist (the same problem as an unknown
    id); a page that no site allows is refused before any handler (web/guard.py)."""
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    if origin == EVIL:
        assert response.status_code == 403, response.text
        assert problem["code"] == "origin-not-allowed"
        assert (
            problem["detail"]
            == f"Pages on {origin} may not write here: no site on this server allows that origin"
        )
        return
    assert response.status_code == 404, response.text
    assert problem["code"] == "comment-not-found" and problem["status"] == 404
    assert problem["detail"] == "There is no comment with this id"
    assert origin not in response.text and "blog" not in response.text


WRITES = ["like", "unlike", "edit", "delete"]
WRITE_STATUS = {
    "like": 200,
    "unlike": 200,
    "edit": 200,
    "delete": 204,
}  # what each answers when it goes through


def send(client: TestClient[Any], write: str, made: dict[str, Any], origin: str | None) -> Any:
    headers = {**VISITOR, "Rejoinder-Edit-Token": made["edit_token"]}
    if origin is not None:
        headers["Origin"] = origin
    path = f"/api/comments/{made['id']}"
    if write == "like":
        return client.put(path + "/like", headers=headers)
    if write == "unlike":
        return client.delete(path + "/like", headers=headers)
    if write == "edit":
        return client.patch(path, json={"text": "Changed"}, headers=headers)
    return client.delete(path, headers=headers)


@pytest.mark.parametrize("write", WRITES)
@pytest.mark.parametrize("origin", [NEWS, EVIL, "null"])
def test_a_foreign_origin_is_refused_and_changes_nothing(
    two_sites: TestClient[Any], write: str, origin: str
) -> None:
    client = two_sites
    made = post_comment(client, "Original")
    if write == "unlike":
        assert send(client, "like", made, ORIGIN).status_code == 200
    before = comment_state(client, made["id"])
    response = send(client, write, made, origin)
    if origin == "null":  # an opaque origin proves nothing: refused everywhere (defect 1 of #10)
        assert response.status_code == 403 and response.json()["code"] == "origin-not-allowed"
        assert response.json()["detail"].startswith("Requests from an opaque origin (Origin: null")
    else:
        assert_refused(response, origin)
    assert comment_state(client, made["id"]) == before


@pytest.mark.parametrize("write", WRITES)
@pytest.mark.parametrize("origin", [None, ORIGIN], ids=["no-origin", "site-origin"])
def test_no_origin_or_the_site_origin_goes_through(
    two_sites: TestClient[Any], write: str, origin: str | None
) -> None:
    """Like POST /api/comments: non-browser clients send no Origin."""
    client = two_sites
    made = post_comment(client, "Original")
    response = send(client, write, made, origin)
    assert response.status_code == WRITE_STATUS[write], response.text
    after = comment_state(client, made["id"]) if write != "delete" else None
    if write == "like":
        assert after is not None and after["likes"] == 1
    elif write == "edit":
        assert after is not None and after["text"] == "Changed"
    elif write == "delete":
        ids = [c["id"] for c in client.get("/api/threads", params={"url": ARTICLE}).json()["comments"]]
        assert made["id"] not in ids


def test_the_check_matches_the_one_on_new_comments(two_sites: TestClient[Any]) -> None:
    """The same origin is refused on POST /api/comments (the page names the article: a precise 403) and on
    a like of a comment there (the page names only an id: the 404 of an unknown id)."""
    client = two_sites
    made = post_comment(client, "Original")
    posted = client.post(
        "/api/comments",
        json={"url": ARTICLE, "text": "From news", "author": {"name": "Nat"}},
        headers={"Origin": NEWS},
    )
    assert posted.status_code == 403 and posted.json()["code"] == "origin-not-allowed"
    liked = send(client, "like", made, NEWS)
    unknown = client.put("/api/comments/doesnotexist/like", headers={**VISITOR, "Origin": NEWS})
    assert same_answer(liked, unknown)
    # A news comment liked from the news site is fine: the check is per site, not "blog only".
    story = post_comment(client, "On the news", url=NEWS + "/story")
    assert send(client, "like", story, NEWS).status_code == 200
    assert_refused(send(client, "like", story, ORIGIN), ORIGIN)


def test_an_unknown_comment_is_still_a_404(two_sites: TestClient[Any]) -> None:
    response = two_sites.put("/api/comments/doesnotexist/like", headers={**VISITOR, "Origin": NEWS})
    assert response.status_code == 404 and response.json()["code"] == "comment-not-found"
