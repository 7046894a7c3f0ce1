"""What goes out after a local comment was delivered to the fediverse, and how remote actors are fetched:

- an edit of the comment is delivered as a signed `Update` of its Note, its deletion as a signed `Delete` of a
  Tombstone, both to the inboxes its `Create` reached (and not to an actor who joined the thread later);
- a peer in secure mode ("authorized fetch", as Mastodon's) answers only signed GETs: rejoinder signs its
  fetch of the sender's actor with the site actor's key, and the peer checks that signature.

The peers are actors served by a loopback server in the test (tests/fixtures/fedify.Actors), whose inboxes
record what they are sent; every delivery's signature is checked here with the key the site actor publishes."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from litestar.testing import TestClient

from rejoinder.federation.activitypub import signatures as sig
from rejoinder.services.context import Context
from rejoinder.store import engine as store_engine
from rejoinder.store.schema import ap_deliveries
from tests.federation.test_inbox_refusals import INBOX, fed, note_reply, received, send  # noqa: F401
from tests.fixtures.app import ARTICLE
from tests.fixtures.fedify import Actors
from tests.moderation.test_pipeline import call

ACTOR = "http://rejoinder.test/ap/sites/blog"


def settle(client: TestClient[Any]) -> None:
    async def go(ctx: Context) -> None:
        app = client.rejoinder  # type: ignore[attr-defined]
        assert app.dispatcher is not None
        await app.dispatcher.settle()

    call(client, go)


def site_key(client: TestClient[Any]) -> str:
    doc = client.get("/ap/sites/blog", headers={"accept": "application/activity+json"}).json()
    assert doc["publicKey"]["id"] == f"{ACTOR}#main-key"
    return str(doc["publicKey"]["publicKeyPem"])


def signed_by_site(headers: dict[str, str], path: str, key: str) -> bool:
    params = sig.parse_signature(headers.get("signature"))
    return params.key_id == f"{ACTOR}#main-key" and sig.verify(params, "POST", path, headers, key)


def delivered_to(client: TestClient[Any], comment_id: str) -> list[int]:
    async def go(ctx: Context) -> list[int]:
        async with store_engine.read(ctx.engine) as conn:
            rows = await conn.execute(
                sa.select(ap_deliveries.c.actor_id).where(ap_deliveries.c.comment_id == comment_id)
            )
            return [int(r[0]) for r in rows]

    return call(client, go)


def test_an_edit_and_a_deletion_follow_the_create_to_the_same_inboxes(
    fed: TestClient[Any],  # noqa: F811
    actors: Actors,
) -> None:
    mallory = actors.add("mallory")
    assert send(fed, note_reply(mallory), signer=mallory, key=actors.keys[mallory]).status_code == 202
    settle(fed)  # mallory's reply is a comment: mallory takes part in the thread
    made = fed.post("/api/comments", json={"url": ARTICLE, "text": "First", "author": {"name": "Ann"}})
    assert made.status_code == 201, made.text
    comment = made.json()
    settle(fed)
    key = site_key(fed)
    [(path, headers, create)] = actors.delivered
    assert path == "/users/mallory/inbox" and signed_by_site(headers, path, key)
    note_id = f"http://rejoinder.test/ap/comments/{comment['id']}"
    assert create["type"] == "Create" and create["object"]["id"] == note_id
    assert len(delivered_to(fed, comment["id"])) == 1  # recorded: its Update and Delete go there too

    # eve joins the thread after the Create: she was not sent it, so she is sent neither its Update nor Delete
    eve = actors.add("eve")
    eve_reply = {**note_reply(eve), "id": f"{eve}/notes/1/create"}
    assert send(fed, eve_reply, signer=eve, key=actors.keys[eve]).status_code == 202
    settle(fed)
    assert received(fed) == 2

    token = {"Rejoinder-Edit-Token": comment["edit_token"]}
    edited = fed.patch(f"/api/comments/{comment['id']}", json={"text": "First, *fixed*"}, headers=token)
    assert edited.status_code == 200, edited.text
    settle(fed)
    [(path, headers, update)] = actors.delivered[1:]
    assert path == "/users/mallory/inbox" and signed_by_site(headers, path, key)
    assert update["type"] == "Update" and update["actor"] == ACTOR
    assert update["id"] != create["id"] and update["id"].startswith(note_id + "#update-")
    assert update["object"]["id"] == note_id and update["object"]["type"] == "Note"
    assert "<em>fixed</em>" in update["object"]["content"] and update["object"]["updated"]

    assert fed.delete(f"/api/comments/{comment['id']}", headers=token).status_code == 204
    settle(fed)
    [(path, headers, delete)] = actors.delivered[2:]
    assert path == "/users/mallory/inbox" and signed_by_site(headers, path, key)
    assert delete["type"] == "Delete" and delete["actor"] == ACTOR
    assert delete["object"] == {"id": note_id, "type": "Tombstone"}
    assert all(p == "/users/mallory/inbox" for p, _, _ in actors.delivered)  # never eve's


def test_a_comment_never_delivered_sends_no_update_or_delete(fed: TestClient[Any], actors: Actors) -> None:  # noqa: F811
    made = fed.post("/api/comments", json={"url": ARTICLE, "text": "Alone", "author": {"name": "Ann"}})
    comment = made.json()
    settle(fed)  # no remote participant yet: nothing is delivered
    mallory = actors.add("mallory")
    assert send(fed, note_reply(mallory), signer=mallory, key=actors.keys[mallory]).status_code == 202
    settle(fed)
    token = {"Rejoinder-Edit-Token": comment["edit_token"]}
    assert fed.patch(
        f"/api/comments/{comment['id']}", json={"text": "Alone, edited"}, headers=token
    ).is_success
    assert fed.delete(f"/api/comments/{comment['id']}", headers=token).status_code == 204
    settle(fed)
    assert actors.delivered == [] and delivered_to(fed, comment["id"]) == []


def test_a_peer_in_secure_mode_gets_a_signed_fetch(fed: TestClient[Any], actors: Actors) -> None:  # noqa: F811
    actors.require_signed_by = site_key(fed)  # the peer answers only GETs the site actor signed
    mallory = actors.add("mallory")
    assert send(fed, note_reply(mallory), signer=mallory, key=actors.keys[mallory]).status_code == 202
    assert actors.signed_fetches == [f"{ACTOR}#main-key"] and received(fed) == 1
    # A fetch signed by a key the peer does not accept is refused: without the site's signature, no key.
    actors.require_signed_by = sig.new_key_pair()[0]
    eve = actors.add("eve")
    response = send(fed, note_reply(eve), signer=eve, key=actors.keys[eve])
    assert response.status_code == 401 and response.json()["code"] == "signature-key-unavailable"
    assert received(fed) == 1


def test_actors_that_share_an_inbox_get_one_delivery_there(fed: TestClient[Any], actors: Actors) -> None:  # noqa: F811
    """Two participants on one server that names a shared inbox, and one on a server without: a comment's
    Create goes once to the shared inbox (naming both) and once to the other's own inbox; its Update and
    Delete follow the same way."""
    mallory, trent = actors.add("mallory", shared_inbox=True), actors.add("trent", shared_inbox=True)
    eve = actors.add("eve")
    for n, who in enumerate((mallory, trent, eve)):
        reply = {**note_reply(who), "id": f"{who}/notes/{n}/create"}
        reply["object"] = {**reply["object"], "id": f"{who}/notes/{n}"}
        assert send(fed, reply, signer=who, key=actors.keys[who]).status_code == 202
    settle(fed)
    made = fed.post("/api/comments", json={"url": ARTICLE, "text": "To all", "author": {"name": "Ann"}})
    assert made.status_code == 201, made.text
    comment = made.json()
    settle(fed)
    key = site_key(fed)
    creates = sorted(actors.delivered, key=lambda d: d[0])
    assert [path for path, _, _ in creates] == ["/inbox", "/users/eve/inbox"]
    for path, headers, activity in creates:
        assert activity["type"] == "Create" and signed_by_site(headers, path, key)
        assert {mallory, trent, eve} <= set(activity["cc"])  # the Note names every participant
    assert len(delivered_to(fed, comment["id"])) == 3  # recorded for each actor, shared inbox or not

    token = {"Rejoinder-Edit-Token": comment["edit_token"]}
    assert fed.patch(f"/api/comments/{comment['id']}", json={"text": "To all!"}, headers=token).is_success
    settle(fed)
    updates = sorted(actors.delivered[2:], key=lambda d: d[0])
    assert [(p, a["type"]) for p, _, a in updates] == [("/inbox", "Update"), ("/users/eve/inbox", "Update")]
    assert fed.delete(f"/api/comments/{comment['id']}", headers=token).status_code == 204
    settle(fed)
    deletes = sorted(actors.delivered[4:], key=lambda d: d[0])
    assert [(p, a["type"]) for p, _, a in deletes] == [("/inbox", "Delete"), ("/users/eve/inbox", "Delete")]
    assert set(deletes[0][2]["cc"]) == {mallory, trent}
