"""The basic round trip over HTTP: post, read, reply, like, counts."""

from __future__ import annotations

from typing import Any

from litestar.testing import TestClient

from tests.fixtures.app import ARTICLE, post_comment


def test_post_then_read_thread(client: TestClient[Any]) -> None:
    first = post_comment(client, "First **post**", title="A post")
    reply = post_comment(client, "A reply", parent=first["id"])
    body = client.get("/api/threads", params={"url": ARTICLE}).json()
    assert body["thread"]["count"] == 2
    assert body["thread"]["title"] == "A post"
    assert [c["id"] for c in body["comments"]] == [first["id"], reply["id"]]
    assert body["comments"][0]["html"] == "<p>First <strong>post</strong></p>"
    assert body["comments"][1]["parent"] == first["id"]
