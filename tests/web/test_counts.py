"""GET /api/counts over HTTP: comment and like counts for many URLs at once, keyed by the URLs as given."""

from __future__ import annotations

import time
from typing import Any

from litestar.testing import TestClient

from tests.fixtures.app import ARTICLE, post_comment, run_cli

OTHER = "https://blog.example/2026/11/another-post"


def counts(client: TestClient[Any], *urls: str) -> Any:
    response = client.get("/api/counts", params={"url": list(urls)})
    assert response.status_code == 200, response.text
    return response.json()["counts"]


def test_counts_for_many_urls_keyed_as_given(client: TestClient[Any]) -> None:
    first = post_comment(client, "one")
    post_comment(client, "two", parent=first["id"])
    post_comment(client, "three")
    post_comment(client, "elsewhere", url=OTHER)
    liked = client.put("/api/threads/like", params={"url": OTHER}, headers={"Rejoinder-Visitor": "v" * 20})
    assert liked.status_code == 200
    asked = [
        ARTICLE,
        ARTICLE + "#comments",  # the same thread, under the URL as the page gave it
        ARTICLE.replace("blog.example", "BLOG.EXAMPLE") + "?utm_source=feed",
        OTHER,
        "https://blog.example/never-commented",
        "https://no-site.example/page",  # an origin no site allows: zero, not an error
    ]
    got = counts(client, *asked)
    assert list(got) == asked
    assert got == {
        asked[0]: {"comments": 3, "likes": 0},
        asked[1]: {"comments": 3, "likes": 0},
        asked[2]: {"comments": 3, "likes": 0},
        asked[3]: {"comments": 1, "likes": 1},
        asked[4]: {"comments": 0, "likes": 0},
        asked[5]: {"comments": 0, "likes": 0},
    }


def test_counts_follow_deletes(client: TestClient[Any]) -> None:
    root = post_comment(client, "root")
    reply = post_comment(client, "reply", parent=root["id"])
    assert counts(client, ARTICLE)[ARTICLE]["comments"] == 2
    gone = client.delete(f"/api/comments/{root['id']}", headers={"Rejoinder-Edit-Token": root["edit_token"]})
    assert gone.status_code == 204
    assert counts(client, ARTICLE)[ARTICLE]["comments"] == 1  # a placeholder does not count
    gone = client.delete(
        f"/api/comments/{reply['id']}", headers={"Rejoinder-Edit-Token": reply["edit_token"]}
    )
    assert gone.status_code == 204
    assert counts(client, ARTICLE)[ARTICLE]["comments"] == 0


def test_counts_for_two_hundred_urls(client: TestClient[Any]) -> None:
    post_comment(client, "x", url="https://blog.example/p/7")
    urls = [f"https://blog.example/p/{i}" for i in range(200)]
    got = counts(client, *urls)
    assert len(got) == 200
    assert got["https://blog.example/p/7"] == {"comments": 1, "likes": 0}
    assert sum(c["comments"] for c in got.values()) == 1


def test_repeated_url_appears_once(client: TestClient[Any]) -> None:
    post_comment(client, "x")
    assert counts(client, ARTICLE, ARTICLE) == {ARTICLE: {"comments": 1, "likes": 0}}


def test_counts_of_a_site_added_later_are_not_stuck_at_zero(client: TestClient[Any], site_db: str) -> None:
    story = "https://news.example/story"
    assert counts(client, story, ARTICLE)[story] == {"comments": 0, "likes": 0}  # no site allows it yet
    run_cli(site_db, "site", "add", "news", "--origin", "https://news.example")
    deadline = time.monotonic() + 5  # the running app picks the new site up on its next miss (≤ 1 s)
    while (
        posted := client.post("/api/comments", json={"url": story, "text": "x", "author": {"name": "A"}})
    ).status_code == 403:
        assert time.monotonic() < deadline, posted.text
        time.sleep(0.1)
    assert posted.status_code == 201
    assert counts(client, story, ARTICLE)[story] == {"comments": 1, "likes": 0}
