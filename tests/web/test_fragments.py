"""Rebuilding an invalidated thread reuses the encodings of unchanged comments, and never serves a stale one."""

from __future__ import annotations

from typing import Any

from litestar.testing import TestClient

from rejoinder.app import create_app
from tests.fixtures.app import ARTICLE, make_settings, post_comment


def test_rebuild_reuses_unchanged_comments_and_reencodes_changed_ones(site_db: str) -> None:
    app = create_app(make_settings(site_db))
    memo = app.litestar.state["fragments"]  # white-box on purpose: a silent miss here made reads 3x slower
    with TestClient(app=app, base_url="http://rejoinder.test") as client:  # type: ignore[arg-type]
        _scenario(client, memo)


def _scenario(client: Any, memo: Any) -> None:
    first = post_comment(client, "first")
    second = post_comment(client, "second")
    client.get("/api/threads", params={"url": ARTICLE})
    cached = dict(memo._items)
    assert set(cached) == {first["id"], second["id"]}

    client.patch(
        f"/api/comments/{first['id']}",
        json={"text": "first, edited"},
        headers={"Rejoinder-Edit-Token": first["edit_token"]},
    )
    client.put(f"/api/comments/{second['id']}/like", headers={"Rejoinder-Visitor": "v" * 20})
    third = post_comment(client, "third")
    body = client.get("/api/threads", params={"url": ARTICLE}).json()
    texts = {c["id"]: (c["text"], c["likes"]) for c in body["comments"]}
    assert texts == {
        first["id"]: ("first, edited", 0),
        second["id"]: ("second", 1),
        third["id"]: ("third", 0),
    }
    assert memo._items[first["id"]] is not cached[first["id"]]

    # nothing changed: the next rebuild (after an unrelated write elsewhere) reuses every encoding as is
    before = dict(memo._items)
    post_comment(client, "elsewhere", url="https://blog.example/another")
    client.get("/api/threads", params={"url": ARTICLE, "sort": "newest"})
    assert all(memo._items[k] is before[k] for k in before)
