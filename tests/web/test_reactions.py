"""Reactions and mutes over HTTP, on SQLite and PostgreSQL: one of each kind per reader, undoable, counted in
the shared thread read (the same bytes for every reader, whatever they reacted or muted), named reactors
only when they agreed, the "most reacted" sort, mutes kept per signed-in reader, and precise refusals."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from litestar.testing import TestClient

from rejoinder.app import create_app
from rejoinder.domain.identity import Profile
from rejoinder.services import accounts
from rejoinder.store import schema
from rejoinder.store.engine import create_engine
from tests.fixtures.app import ARTICLE, ORIGIN, make_settings, post_comment, run_cli
from tests.moderation.test_pipeline import call

ANN = "visitor-ann-0000000001"
BOB = "visitor-bob-0000000002"
PLAIN = {"Accept-Encoding": "identity"}


@pytest.fixture
def reacting_db(db_url: str) -> str:
    """A site offering three reactions, Like kept beside them."""
    run_cli(
        db_url,
        "site",
        "add",
        "blog",
        "--origin",
        ORIGIN,
        *["--reaction", "love", "--reaction", "laugh", "--reaction", "clap"],
    )
    return db_url


@pytest.fixture
def client(reacting_db: str) -> Iterator[TestClient[Any]]:
    app = create_app(make_settings(reacting_db, database={"auto_migrate": False}))
    with TestClient(app=app, base_url="http://rejoinder.test") as c:  # type: ignore[arg-type]
        c.rejoinder = app  # type: ignore[attr-defined]  # the app behind the client (tests' `call`)
        yield c


def visitor(v: str) -> dict[str, str]:
    return {"Rejoinder-Visitor": v}


def signed_in(client: TestClient[Any], subject: str, name: str) -> dict[str, str]:
    profile = Profile(provider="test", subject=subject, name=name, email=None, email_verified=False)
    signed = call(client, lambda ctx: accounts.sign_in_with_profile(ctx, profile, label="Test"))
    return {"Authorization": f"Bearer {signed.token}"}


def stored(db_url: str, table: sa.Table) -> list[Any]:
    async def go() -> list[Any]:
        engine = create_engine(db_url)
        try:
            async with engine.connect() as conn:
                return list((await conn.execute(sa.select(table).order_by(table.c.id))).mappings())
        finally:
            await engine.dispose()

    return asyncio.run(go())


def thread(client: TestClient[Any], **params: Any) -> Any:
    response = client.get("/api/threads", params={"url": ARTICLE, **params}, headers=PLAIN)
    assert response.status_code == 200, response.text
    return response.json()


def test_the_site_says_which_reactions_it_offers(client: TestClient[Any]) -> None:
    site = thread(client)["site"]
    assert site["reactions"] == [
        {"kind": "love", "emoji": "\u2764\ufe0f"},
        {"kind": "laugh", "emoji": "\U0001f602"},
        {"kind": "clap", "emoji": "\U0001f44f"},
    ]
    assert site["like_button"] is True


def test_react_to_a_comment_once_per_kind_and_take_it_back(client: TestClient[Any], reacting_db: str) -> None:
    made = post_comment(client, "Hello")
    path = f"/api/comments/{made['id']}/reactions"
    assert client.put(f"{path}/love", headers=visitor(ANN)).json() == {"reacted": True, "count": 1}
    assert client.put(f"{path}/love", headers=visitor(ANN)).json() == {"reacted": True, "count": 1}  # once
    assert client.put(f"{path}/laugh", headers=visitor(ANN)).json() == {"reacted": True, "count": 1}
    assert client.put(f"{path}/love", headers=visitor(BOB)).json() == {"reacted": True, "count": 2}
    assert thread(client)["reactions"] == {made["id"]: {"love": 2, "laugh": 1}}
    rows = stored(reacting_db, schema.reactions)
    assert sorted((r["comment_id"], r["kind"]) for r in rows) == [
        (made["id"], "laugh"),
        (made["id"], "love"),
        (made["id"], "love"),
    ]
    assert all(ANN not in repr(r) and BOB not in repr(r) for r in rows)  # keyed hashes only
    assert client.delete(f"{path}/love", headers=visitor(ANN)).json() == {"reacted": False, "count": 1}
    assert client.delete(f"{path}/love", headers=visitor(ANN)).json() == {"reacted": False, "count": 1}
    assert thread(client)["reactions"] == {made["id"]: {"love": 1, "laugh": 1}}
    assert len(stored(reacting_db, schema.reactions)) == 2
    viewer = client.get("/api/viewer", params={"url": ARTICLE}, headers=visitor(ANN)).json()
    assert viewer["reacted"] == {made["id"]: ["laugh"]}
    kinds = [e["kind"] for e in stored(reacting_db, schema.events) if e["kind"].startswith("reaction.")]
    assert kinds == ["reaction.added"] * 3 + ["reaction.removed"]  # only changes are events


def test_article_reactions_name_only_readers_who_agreed(client: TestClient[Any], reacting_db: str) -> None:
    url = {"url": ARTICLE}
    answer = client.put("/api/threads/reactions/love", params=url, headers=visitor(ANN), json={"name": "Ann"})
    assert answer.json() == {"reacted": True, "count": 1}
    client.put("/api/threads/reactions/clap", params=url, headers=visitor(ANN), json={"name": "Ann"})
    client.put("/api/threads/reactions/love", params=url, headers=visitor(BOB))  # anonymous
    rita = signed_in(client, "rita", "Rita")  # does not show in likes
    client.put("/api/threads/reactions/laugh", params=url, headers=rita)
    sam = signed_in(client, "sam", "Sam")
    assert client.patch("/api/me", json={"show_in_likes": True}, headers=sam).is_success
    client.put("/api/threads/reactions/laugh", params=url, headers=sam)
    reactions = thread(client)["thread"]["reactions"]
    assert reactions["kinds"] == {"love": 2, "laugh": 2, "clap": 1}  # in the site's order
    assert reactions["count"] == 4  # Ann twice counts once
    assert [p["name"] for p in reactions["recent"]] == ["Sam", "Ann"]
    names = {r["name"] for r in stored(reacting_db, schema.reactions)}
    assert names == {"Ann", "Sam", None}
    mine = client.get("/api/viewer", params=url, headers={**visitor(ANN), **PLAIN}).json()
    assert mine["reacted"] == {"": ["clap", "love"]}


def test_the_cached_thread_is_the_same_for_every_reader(client: TestClient[Any]) -> None:
    made = post_comment(client, "Hello")
    other = post_comment(client, "Hi", author={"name": "Bo"})
    rita = signed_in(client, "rita", "Rita")
    sam = signed_in(client, "sam", "Sam")
    assert client.put(f"/api/comments/{made['id']}/reactions/clap", headers=rita).is_success
    assert client.put("/api/mutes", json={"comment": other["id"]}, headers=rita).is_success
    assert client.put(f"/api/comments/{other['id']}/reactions/love", headers=visitor(ANN)).is_success
    first = client.get("/api/threads", params={"url": ARTICLE}, headers={**rita, **PLAIN})
    second = client.get("/api/threads", params={"url": ARTICLE}, headers={**sam, **PLAIN})
    third = client.get("/api/threads", params={"url": ARTICLE}, headers={**visitor(BOB), **PLAIN})
    assert first.content == second.content == third.content
    assert first.headers["etag"] == second.headers["etag"]
    assert "private" not in first.headers["cache-control"]
    assert first.json()["reactions"] == {made["id"]: {"clap": 1}, other["id"]: {"love": 1}}
    # What differs lives in the reader's own, private answer.
    rita_view = client.get("/api/viewer", params={"url": ARTICLE}, headers=rita).json()
    sam_view = client.get("/api/viewer", params={"url": ARTICLE}, headers=sam).json()
    assert rita_view["muted"] == [other["author"]["avatar"].rsplit("/", 1)[1]]
    assert rita_view["reacted"] == {made["id"]: ["clap"]}
    assert sam_view["muted"] == [] and sam_view["reacted"] == {}


def test_most_reacted_sort(client: TestClient[Any]) -> None:
    quiet = post_comment(client, "Quiet")
    loud = post_comment(client, "Loud")
    middle = post_comment(client, "Middle")
    for v, kind in [(ANN, "love"), (BOB, "love"), (ANN, "clap")]:
        client.put(f"/api/comments/{loud['id']}/reactions/{kind}", headers=visitor(v))
    client.put(f"/api/comments/{middle['id']}/reactions/laugh", headers=visitor(ANN))
    view = thread(client, sort="reacted")
    assert view["sort"] == "reacted"
    assert [c["id"] for c in view["comments"]] == [loud["id"], middle["id"], quiet["id"]]
    paged = thread(client, sort="reacted", limit=1, page=2)
    assert [c["id"] for c in paged["comments"]] == [middle["id"]]
    assert paged["reactions"] == {middle["id"]: {"laugh": 1}}  # only the page's comments
    located = client.get(f"/api/comments/{quiet['id']}/page", params={"sort": "reacted", "limit": 1}).json()
    assert located["page"] == 3


def test_mute_list_and_unmute(client: TestClient[Any], reacting_db: str) -> None:
    mine = post_comment(client, "Mine")  # a guest's comment: another author than Rita
    rita = signed_in(client, "rita", "Rita")
    muted = client.put("/api/mutes", json={"comment": mine["id"]}, headers=rita)
    assert muted.status_code == 200, muted.text
    assert muted.headers["cache-control"] == "private, no-store"
    key = mine["author"]["avatar"].rsplit("/", 1)[1]
    assert muted.json()["key"] == key and muted.json()["name"] == "Ann"
    assert client.put("/api/mutes", json={"comment": mine["id"]}, headers=rita).is_success  # idempotent
    listed = client.get("/api/mutes", headers=rita).json()["mutes"]
    assert [(m["key"], m["name"]) for m in listed] == [(key, "Ann")]
    assert [(r["author_key"], r["name"]) for r in stored(reacting_db, schema.mutes)] == [(key, "Ann")]
    assert client.delete(f"/api/mutes/{key}", headers=rita).status_code == 204
    assert client.get("/api/mutes", headers=rita).json() == {"mutes": []}
    assert stored(reacting_db, schema.mutes) == []
    gone = client.delete(f"/api/mutes/{key}", headers=rita)
    assert (gone.status_code, gone.json()["code"]) == (404, "mute-not-found")


def test_one_cannot_mute_oneself(client: TestClient[Any], reacting_db: str) -> None:
    rita = signed_in(client, "rita", "Rita")
    own = client.post("/api/comments", json={"url": ARTICLE, "text": "Mine"}, headers=rita)
    assert own.status_code == 201, own.text
    refused = client.put("/api/mutes", json={"comment": own.json()["id"]}, headers=rita)
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["code"] == "mute-self"
    assert stored(reacting_db, schema.mutes) == []


def test_bad_requests_are_precise_problems_and_change_nothing(
    client: TestClient[Any], reacting_db: str
) -> None:
    made = post_comment(client, "Hello")
    rita = signed_in(client, "rita", "Rita")
    cases = [
        (
            client.put(f"/api/comments/{made['id']}/reactions/wow", headers=visitor(ANN)),
            422,
            "reaction-not-offered",
        ),
        (client.put(f"/api/comments/{made['id']}/reactions/love"), 422, "visitor-required"),
        (
            client.put(f"/api/comments/{made['id']}/reactions/love", headers=visitor("short")),
            422,
            "visitor-invalid",
        ),
        (client.put("/api/comments/nope/reactions/love", headers=visitor(ANN)), 404, "comment-not-found"),
        (
            client.put(f"/api/comments/{made['id']}/reactions/{'x' * 17}", headers=visitor(ANN)),
            400,
            "invalid-request",
        ),
        (
            client.put("/api/threads/reactions/sad", params={"url": ARTICLE}, headers=visitor(ANN)),
            422,
            "reaction-not-offered",
        ),
        (
            client.put(
                f"/api/comments/{made['id']}/reactions/love",
                headers={**visitor(ANN), "Origin": "https://evil.example"},
            ),
            403,
            "origin-not-allowed",
        ),
        (client.get("/api/mutes"), 401, None),
        (client.put("/api/mutes", json={"comment": made["id"]}), 401, None),
        (client.put("/api/mutes", json={}, headers=rita), 400, "invalid-request"),
        (client.put("/api/mutes", json={"comment": "nope"}, headers=rita), 404, "comment-not-found"),
        (client.delete(f"/api/mutes/{'k' * 41}", headers=rita), 400, "invalid-request"),
    ]
    for response, status, code in cases:
        assert response.status_code == status, (response.request.url, response.text)
        assert response.headers["content-type"].startswith("application/problem+json"), response.text
        if code:
            assert response.json()["code"] == code, response.text
    assert stored(reacting_db, schema.reactions) == []
    assert stored(reacting_db, schema.mutes) == []


def test_a_site_without_reactions_offers_none(db_url: str) -> None:
    run_cli(db_url, "site", "add", "blog", "--origin", ORIGIN)
    app = create_app(make_settings(db_url, database={"auto_migrate": False}))
    with TestClient(app=app, base_url="http://rejoinder.test") as client:  # type: ignore[arg-type]
        made = post_comment(client, "Hello")
        view = thread(client)
        assert view["site"]["reactions"] == [] and view["site"]["like_button"] is True
        assert view["thread"]["reactions"] == {"kinds": {}, "count": 0, "recent": []}
        refused = client.put(f"/api/comments/{made['id']}/reactions/love", headers=visitor(ANN))
        assert (refused.status_code, refused.json()["code"]) == (422, "reaction-not-offered")


def test_replies_batches_carry_their_reactions(reacting_db: str) -> None:
    settings = make_settings(reacting_db, database={"auto_migrate": False}, comments={"replies_per_page": 1})
    with TestClient(app=create_app(settings), base_url="http://rejoinder.test") as client:  # type: ignore[arg-type]
        root = post_comment(client, "Root")
        post_comment(client, "First reply", parent=root["id"])
        second = post_comment(client, "Second reply", parent=root["id"])
        client.put(f"/api/comments/{second['id']}/reactions/clap", headers=visitor(ANN))
        batch = client.get(f"/api/comments/{root['id']}/replies", params={"offset": 1}).json()
        assert [c["id"] for c in batch["comments"]] == [second["id"]]
        assert batch["reactions"] == {second["id"]: {"clap": 1}}


def test_a_readers_data_download_and_erasure_include_reactions_and_mutes(
    client: TestClient[Any], reacting_db: str
) -> None:
    made = post_comment(client, "Hello")
    rita = signed_in(client, "rita", "Rita")
    assert client.put(f"/api/comments/{made['id']}/reactions/love", headers=rita).is_success
    assert client.put("/api/mutes", json={"comment": made["id"]}, headers=rita).is_success
    assert thread(client)["reactions"] == {made["id"]: {"love": 1}}
    data = client.get("/api/me/data", headers=rita).json()
    assert [(r["comment_id"], r["kind"]) for r in data["reactions"]] == [(made["id"], "love")]
    assert [m["name"] for m in data["mutes"]] == ["Ann"]
    erased = client.delete("/api/me", params={"comments": "remove"}, headers={**rita, "Origin": ORIGIN})
    assert erased.status_code == 200, erased.text
    assert stored(reacting_db, schema.reactions) == [] and stored(reacting_db, schema.mutes) == []
    assert thread(client)["reactions"] == {}  # the cached read was rebuilt
