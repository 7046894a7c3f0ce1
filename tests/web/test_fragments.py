"""Rebuilding an invalidated thread reuses the encodings of unchanged comments, and never serves a stale one;
the fast encoder of a first read gives the same bytes as the rebuilt read and the POST answer."""

from __future__ import annotations

import random
from typing import Any

import msgspec
from litestar.testing import TestClient

from rejoinder.app import create_app
from rejoinder.domain.comments import Author, Comment, CommentStatus
from rejoinder.web.fragments import Timestamps, encode_comments
from rejoinder.web.wire import AuthorOut, CommentOut, TopLevelCommentOut, build_comment, rfc3339
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


def _body(client: Any, **params: Any) -> bytes:
    response = client.get(
        "/api/threads", params={"url": ARTICLE, **params}, headers={"Accept-Encoding": "identity"}
    )
    assert response.status_code == 200, response.text
    return bytes(response.content)


def test_a_first_read_and_a_rebuilt_read_are_the_same_bytes(site_db: str) -> None:
    """A thread the worker has not seen is read with its text in one query and encoded by the fast encoder;
    later rebuilds assemble kept fragments. Both must give exactly the bytes of the comment object that
    POST answers (web/wire.comment_out), deleted placeholders, edits, likes and replies included."""
    # No response cache: every read rebuilds. Two replies per conversation: the root's third is left out.
    settings = make_settings(site_db, cache={"max_entries": 0}, comments={"replies_per_page": 2})
    with TestClient(app=create_app(settings), base_url="http://rejoinder.test") as client:  # type: ignore[arg-type]
        root = post_comment(client, "A *root* with [a link](https://example.org) and `code`")
        reply = post_comment(client, "A reply", parent=root["id"])
        gone = post_comment(client, "Soon deleted", parent=root["id"])
        post_comment(client, "A reply to the deleted one", parent=gone["id"])
        late = post_comment(client, 'Quotes " and \\ and ünïcödé and \u2028')
        client.patch(
            f"/api/comments/{reply['id']}",
            json={"text": "A reply, edited"},
            headers={"Rejoinder-Edit-Token": reply["edit_token"]},
        )
        client.delete(f"/api/comments/{gone['id']}", headers={"Rejoinder-Edit-Token": gone["edit_token"]})
        client.put(f"/api/comments/{root['id']}/like", headers={"Rejoinder-Visitor": "v" * 20})
        for sort in ("oldest", "newest", "top"):
            with TestClient(app=create_app(settings), base_url="http://rejoinder.test") as fresh:  # type: ignore[arg-type]
                first = _body(fresh, sort=sort)  # nothing seen: one query with the text
                rebuilt = _body(fresh, sort=sort)  # stubs + the kept fragments
            assert first == rebuilt, sort
            assert first == _body(client, sort=sort), sort
    comments = {c["id"]: c for c in msgspec.json.decode(first)["comments"]}
    assert comments[gone["id"]]["deleted"] is True and comments[gone["id"]]["author"]["name"] == ""
    assert comments[reply["id"]]["edited"] is not None and comments[reply["id"]]["text"] == "A reply, edited"
    assert comments[root["id"]]["likes"] == 1
    # the POST answer and the thread's encoding agree on every field they share
    # (and a top-level comment adds `more_replies`, which replies do not have)
    posted = {k: v for k, v in late.items() if k in comments[late["id"]]}
    assert {k: v for k, v in comments[late["id"]].items() if k != "more_replies"} == posted
    # `images` is left out of a comment without images (docs/api.md#images)
    assert set(comments[late["id"]]) == set(TopLevelCommentOut.__struct_fields__) - {"images"}
    assert set(comments[reply["id"]]) == set(CommentOut.__struct_fields__) - {"images"}
    assert [comments[x["id"]]["more_replies"] for x in (root, late)] == [1, 0]


def test_a_top_level_comment_is_its_wire_object_plus_more_replies() -> None:
    """The fast encoder writes `more_replies` where wire.build_comment puts it, for any count: the thread
    body's top-level comments are exactly TopLevelCommentOut, replies exactly CommentOut."""
    author = Author(name="Ann", email=None, website="https://ann.example/", key="k" * 16)
    made = Comment(
        id="c1",
        thread_id=1,
        parent=None,
        text='Quotes " and \\ and \u2028',
        html="<p>x</p>",
        author=author,
        status=CommentStatus.PUBLISHED,
        created=1_764_091_680_123_456,
        edited=None,
        likes=3,
        depth=0,
    )
    base = "https://c.example/api/avatars/"
    for more in (0, 1, 2900):
        (fast,) = encode_comments([made], base, {"c1": more})
        wire = build_comment(made, base, rfc3339, more_replies=more)
        assert isinstance(wire, TopLevelCommentOut)
        assert wire == TopLevelCommentOut(  # every field where it belongs (the builder is positional)
            id="c1",
            parent=None,
            text=made.text,
            html="<p>x</p>",
            author=AuthorOut(name="Ann", website="https://ann.example/", avatar=base + "k" * 16),
            created=rfc3339(made.created),
            edited=None,
            status="published",
            likes=3,
            deleted=False,
            depth=0,
            staff=False,
            pinned=False,
            featured=False,
            moderator_edited=False,
            moderator_note=None,
            more_replies=more,
        )
        assert fast == msgspec.json.encode(wire)
        assert fast.endswith(b',"more_replies":%d}' % more)
    (reply,) = encode_comments([made], base, {})
    assert reply == msgspec.json.encode(build_comment(made, base, rfc3339))
    assert b"more_replies" not in reply


def test_timestamps_match_the_wire_format() -> None:
    stamps = Timestamps(max_entries=64)  # small, so the cache also empties itself during the test
    rng = random.Random(7)
    values = [0, 1, 999_999, 1_000_000, 1_764_091_680_000_000, 1_764_091_680_123_456, 4_102_444_799_999_999]
    values += [rng.randrange(0, 4_102_444_800_000_000) for _ in range(2000)]
    values += [1_764_091_680_000_000 + rng.randrange(0, 10_000_000) for _ in range(2000)]
    for us in values:
        assert stamps(us) == rfc3339(us), us
