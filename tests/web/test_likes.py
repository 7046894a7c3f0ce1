"""PUT/DELETE /api/threads/like and /api/comments/{id}/like over HTTP: one like per visitor, undoable,
recent named likers, and only a keyed hash of the visitor id stored."""

from __future__ import annotations

import asyncio
from typing import Any

import sqlalchemy as sa
from litestar.testing import TestClient

from rejoinder.store import schema
from rejoinder.store.engine import create_engine
from tests.fixtures.app import ARTICLE, ORIGIN, post_comment

ANN = "visitor-ann-0000000001"
BOB = "visitor-bob-0000000002"
CY = "visitor-cy--0000000003"


def as_visitor(visitor: str) -> dict[str, str]:
    return {"Rejoinder-Visitor": visitor}


def like_article(client: TestClient[Any], visitor: str, name: str | None = None, url: str = ARTICLE) -> Any:
    kwargs: dict[str, Any] = {} if name is None else {"json": {"name": name}}
    response = client.put("/api/threads/like", params={"url": url}, headers=as_visitor(visitor), **kwargs)
    assert response.status_code == 200, response.text
    return response.json()


def unlike_article(client: TestClient[Any], visitor: str) -> Any:
    response = client.delete("/api/threads/like", params={"url": ARTICLE}, headers=as_visitor(visitor))
    assert response.status_code == 200, response.text
    return response.json()


def thread_likes(client: TestClient[Any]) -> Any:
    return client.get("/api/threads", params={"url": ARTICLE}).json()["thread"]["likes"]


def test_article_like_and_unlike(client: TestClient[Any]) -> None:
    assert like_article(client, ANN) == {"liked": True, "likes": 1}
    assert like_article(client, BOB) == {"liked": True, "likes": 2}
    assert like_article(client, ANN) == {"liked": True, "likes": 2}  # idempotent
    assert thread_likes(client)["count"] == 2
    assert unlike_article(client, ANN) == {"liked": False, "likes": 1}
    assert unlike_article(client, ANN) == {"liked": False, "likes": 1}  # idempotent too
    assert thread_likes(client)["count"] == 1
    assert client.get("/api/counts", params={"url": ARTICLE}).json()["counts"][ARTICLE]["likes"] == 1
    assert like_article(client, ANN) == {"liked": True, "likes": 2}  # liking again after undoing


def test_a_like_creates_the_thread_without_comments(client: TestClient[Any]) -> None:
    url = "https://blog.example/liked-first"
    response = client.put(
        "/api/threads/like",
        params={"url": url},
        headers=as_visitor(ANN),
        json={"title": "Liked first"},
    )
    assert response.json() == {"liked": True, "likes": 1}
    view = client.get("/api/threads", params={"url": url}).json()
    assert view["thread"]["count"] == 0
    assert view["thread"]["likes"]["count"] == 1
    assert view["thread"]["title"] == "Liked first"
    assert view["comments"] == []


def test_recent_named_likers_newest_first_anonymous_counted_only(client: TestClient[Any]) -> None:
    like_article(client, ANN, name="Ann")
    like_article(client, BOB)  # anonymous: counts, shows no name
    like_article(client, CY, name="  Cy   Young ")
    likes = thread_likes(client)
    assert likes["count"] == 3
    assert [liker["name"] for liker in likes["recent"]] == ["Cy Young", "Ann"]
    avatars = [liker["avatar"] for liker in likes["recent"]]
    assert all(a.startswith("/api/avatars/") for a in avatars) and avatars[0] != avatars[1]
    for avatar in avatars:
        assert client.get(avatar).status_code == 200
    unlike_article(client, CY)
    likes = thread_likes(client)
    assert likes["count"] == 2
    assert [liker["name"] for liker in likes["recent"]] == ["Ann"]


def test_recent_likers_are_bounded(client: TestClient[Any]) -> None:
    for i in range(15):
        like_article(client, f"visitor-many-{i:010d}", name=f"Liker {i}")
    likes = thread_likes(client)
    assert likes["count"] == 15
    names = [liker["name"] for liker in likes["recent"]]
    assert 1 <= len(names) <= 12
    assert names[0] == "Liker 14"
    assert names == [f"Liker {i}" for i in range(14, 14 - len(names), -1)]


def test_comment_like_and_unlike(client: TestClient[Any]) -> None:
    made = post_comment(client, "Like me")
    other = post_comment(client, "Not me")
    path = f"/api/comments/{made['id']}/like"
    assert client.put(path, headers=as_visitor(ANN)).json() == {"liked": True, "likes": 1}
    assert client.put(path, headers=as_visitor(ANN)).json() == {"liked": True, "likes": 1}
    assert client.put(path, headers=as_visitor(BOB)).json() == {"liked": True, "likes": 2}
    view = client.get("/api/threads", params={"url": ARTICLE}).json()
    assert {c["id"]: c["likes"] for c in view["comments"]} == {made["id"]: 2, other["id"]: 0}
    assert view["thread"]["likes"]["count"] == 0  # comment likes are not article likes
    response = client.delete(path, headers=as_visitor(ANN))
    assert response.status_code == 200
    assert response.json() == {"liked": False, "likes": 1}
    assert client.delete(path, headers=as_visitor(ANN)).json() == {"liked": False, "likes": 1}
    view = client.get("/api/threads", params={"url": ARTICLE}).json()
    assert {c["id"]: c["likes"] for c in view["comments"]} == {made["id"]: 1, other["id"]: 0}


def test_likes_from_an_allowed_origin(client: TestClient[Any]) -> None:
    made = post_comment(client, "Hi")
    response = client.put(f"/api/comments/{made['id']}/like", headers={**as_visitor(ANN), "Origin": ORIGIN})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == ORIGIN
    response = client.put(
        "/api/threads/like", params={"url": ARTICLE}, headers={**as_visitor(ANN), "Origin": ORIGIN}
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == ORIGIN


def test_only_a_keyed_hash_of_the_visitor_is_stored(client: TestClient[Any], site_db: str) -> None:
    made = post_comment(client, "Hi")
    client.put(f"/api/comments/{made['id']}/like", headers=as_visitor(ANN))
    like_article(client, ANN, name="Ann")
    client.post(
        "/api/comments",
        json={"url": ARTICLE, "text": "as a visitor", "author": {"name": "Ann"}},
        headers=as_visitor(ANN),
    )

    async def dump() -> str:
        engine = create_engine(site_db)
        try:
            async with engine.connect() as conn:
                likes = (await conn.execute(sa.select(schema.likes))).all()
                comments = (await conn.execute(sa.select(schema.comments))).all()
                return repr(likes) + repr(comments)
        finally:
            await engine.dispose()

    rows = asyncio.run(dump())
    assert ANN not in rows
    assert "ann-0000000001" not in rows
