"""GET /api/viewer over HTTP: what is particular to one reader (likes, own non-public comments); never shared."""

from __future__ import annotations

from typing import Any

from litestar.testing import TestClient

from tests.fixtures.app import ARTICLE, post_comment

ANN = "visitor-ann-0000000001"
BOB = "visitor-bob-0000000002"


def viewer(client: TestClient[Any], visitor: str | None, url: str = ARTICLE) -> Any:
    headers = {} if visitor is None else {"Rejoinder-Visitor": visitor}
    response = client.get("/api/viewer", params={"url": url}, headers=headers)
    assert response.status_code == 200, response.text
    cache_control = response.headers["cache-control"]
    assert "no-store" in cache_control and "private" in cache_control
    assert "public" not in cache_control and "s-maxage" not in cache_control
    assert "Rejoinder-Visitor" in response.headers.get("vary", "")
    return response.json()


def test_viewer_state_follows_likes(client: TestClient[Any]) -> None:
    empty = {"liked_thread": False, "liked": [], "own": [], "refused": [], "reacted": {}, "muted": []}
    assert viewer(client, ANN) == empty  # unknown thread
    posted = client.post(
        "/api/comments",
        json={"url": ARTICLE, "text": "first", "author": {"name": "Ann"}},
        headers={"Rejoinder-Visitor": ANN},
    )
    assert posted.status_code == 201
    first = posted.json()
    second = post_comment(client, "second")
    third = post_comment(client, "third")
    assert viewer(client, ANN) == empty
    for comment in (third, first):
        liked = client.put(f"/api/comments/{comment['id']}/like", headers={"Rejoinder-Visitor": ANN})
        assert liked.status_code == 200
    assert client.put(
        "/api/threads/like", params={"url": ARTICLE}, headers={"Rejoinder-Visitor": ANN}
    ).is_success
    state = viewer(client, ANN)
    assert state["liked_thread"] is True
    assert sorted(state["liked"]) == sorted([first["id"], third["id"]])
    assert second["id"] not in state["liked"]
    assert state["own"] == []  # published comments are in the thread, not repeated here
    assert viewer(client, BOB) == empty  # another reader
    assert viewer(client, None) == empty  # no visitor id: nothing particular
    client.delete("/api/threads/like", params={"url": ARTICLE}, headers={"Rejoinder-Visitor": ANN})
    client.delete(f"/api/comments/{third['id']}/like", headers={"Rejoinder-Visitor": ANN})
    assert viewer(client, ANN) == {**empty, "liked": [first["id"]]}


def test_viewer_is_per_thread(client: TestClient[Any]) -> None:
    other = "https://blog.example/other"
    assert client.put(
        "/api/threads/like", params={"url": other}, headers={"Rejoinder-Visitor": ANN}
    ).is_success
    assert viewer(client, ANN, url=other)["liked_thread"] is True
    assert viewer(client, ANN)["liked_thread"] is False


def test_viewer_by_key(client: TestClient[Any]) -> None:
    made = post_comment(client, "keyed", key="post-7")
    assert client.put(f"/api/comments/{made['id']}/like", headers={"Rejoinder-Visitor": BOB}).is_success
    response = client.get(
        "/api/viewer", params={"key": "post-7", "site": "blog"}, headers={"Rejoinder-Visitor": BOB}
    )
    assert response.status_code == 200
    assert response.json()["liked"] == [made["id"]]
