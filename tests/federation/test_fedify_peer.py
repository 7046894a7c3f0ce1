"""ActivityPub against an independent implementation: a Fedify peer (tests/fixtures/fedify.py) finds the
site actor by WebFinger, follows it (and gets a signed Accept), replies to an article, likes, edits and
deletes its reply, and receives a local reply, whose HTTP signature Fedify verifies, then its edit (an Update)
and its deletion (a Delete), signed, on both databases. Fedify signs with RFC 9421 first: rejoinder takes
those at the first try."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from rejoinder.services.admin_auth import hash_password
from tests.fixtures.admin import csrf_of
from tests.fixtures.app import ARTICLE, ORIGIN, run_cli
from tests.fixtures.fedify import SITE, FedifyPeer, federation_env, wait_for
from tests.fixtures.servers import Server, free_port, start_server


def thread(server: Server) -> dict[str, Any]:
    response = httpx.get(f"{server.url}/api/threads", params={"url": ARTICLE}, timeout=10)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def article_id(server: Server) -> str:
    return f"{server.url}/ap/sites/{SITE}/article?url={quote(ARTICLE, safe='')}"


def site_actor(server: Server) -> str:
    return f"{server.url}/ap/sites/{SITE}"


def test_discovery_documents(federated_server: Server) -> None:
    host = federated_server.url.removeprefix("http://")
    finger = httpx.get(
        f"{federated_server.url}/.well-known/webfinger", params={"resource": f"acct:{SITE}@{host}"}
    )
    assert finger.status_code == 200
    assert finger.headers["content-type"].startswith("application/jrd+json")
    assert finger.json()["links"][0]["href"] == site_actor(federated_server)
    actor = httpx.get(site_actor(federated_server), headers={"accept": "application/activity+json"})
    assert actor.headers["content-type"].startswith("application/activity+json")
    doc = actor.json()
    assert doc["inbox"] == f"{site_actor(federated_server)}/inbox"
    assert doc["endpoints"]["sharedInbox"] == f"{federated_server.url}/ap/inbox"
    assert doc["publicKey"]["publicKeyPem"].startswith("-----BEGIN PUBLIC KEY-----")
    assert "PRIVATE" not in actor.text
    again = httpx.get(site_actor(federated_server)).json()
    assert again["publicKey"] == doc["publicKey"]  # generated once, stored
    links = httpx.get(f"{federated_server.url}/.well-known/nodeinfo").json()["links"]
    info = httpx.get(links[0]["href"]).json()
    assert info["software"]["name"] == "rejoinder" and info["protocols"] == ["activitypub"]
    article = httpx.get(article_id(federated_server)).json()
    assert (
        article["type"] == "Article"
        and article["url"] == ARTICLE
        and article["id"] == article_id(federated_server)
    )
    unknown = httpx.get(
        f"{federated_server.url}/.well-known/webfinger", params={"resource": f"acct:nobody@{host}"}
    )
    assert unknown.status_code == 404
    assert unknown.json()["code"] == "actor-not-found"


def test_follow_reply_like_edit_delete_and_a_local_reply(
    federated_server: Server, fedify_peer: FedifyPeer
) -> None:
    server, peer = federated_server, fedify_peer
    followed = peer.control("follow", actor=site_actor(server))
    assert followed["actor"] == site_actor(server)
    accept = wait_for(
        lambda: [r for r in peer.received() if r["type"] == "Accept"], "the signed Accept of the Follow"
    )
    assert accept[0]["signedBy"] == site_actor(server)
    assert accept[0]["activity"]["object"]["id"] == followed["id"]
    followers = httpx.get(f"{site_actor(server)}/followers").json()
    assert followers["totalItems"] == 1
    # Fedify signed its Follow with RFC 9421 first, and rejoinder took it at the first try: Fedify remembers
    # that spec for this server (after a refusal it would remember draft-cavage, which it falls back to).
    assert peer.spec(server.url) == "rfc9421"

    reply = peer.control(
        "reply",
        to=site_actor(server),
        inReplyTo=article_id(server),
        content="<p>Hello from the <b>fediverse</b> <script>alert(1)</script><img src=x onerror=alert(2)></p>",
    )
    comments = wait_for(lambda: thread(server)["comments"], "the reply under the article")
    (comment,) = comments
    assert comment["author"]["name"] == "Alice <b>Fedify</b>"  # plain text as in AP (escaped when shown)
    assert comment["author"]["website"] == f"{peer.url}/@alice"
    assert comment["author"]["avatar"].startswith(f"{server.url}/api/avatars/")  # served by rejoinder
    assert (
        "script" not in comment["html"] and "onerror" not in comment["html"] and "<b>" not in comment["html"]
    )
    assert "Hello from the fediverse" in comment["html"]
    assert comment["status"] == "published"
    wait_for(lambda: peer.avatar_fetches() >= 1, "rejoinder fetching the remote avatar")
    avatar = httpx.get(comment["author"]["avatar"])
    assert avatar.status_code == 200

    peer.control("like", to=site_actor(server), object=article_id(server))
    wait_for(lambda: thread(server)["thread"]["likes"]["count"] == 1, "the like on the article")

    peer.control(
        "update", to=site_actor(server), id=reply["id"], inReplyTo=article_id(server), content="<p>Edited</p>"
    )
    wait_for(lambda: thread(server)["comments"][0]["text"] == "Edited", "the edit")

    # A local reply to the remote comment goes back to alice, signed by the site actor.
    local = httpx.post(
        f"{server.url}/api/comments",
        json={"url": ARTICLE, "text": "Thanks, *Alice*!", "parent": comment["id"], "author": {"name": "Bob"}},
        headers={"origin": ORIGIN},
    )
    assert local.status_code == 201, local.text
    created = wait_for(
        lambda: [r for r in peer.received() if r["type"] == "Create"], "the local reply at the peer"
    )
    note = created[0]["activity"]["object"]
    assert created[0]["signedBy"] == site_actor(server)
    assert note["inReplyTo"] == reply["id"]
    assert "<em>Alice</em>" in note["content"] and "Bob" in note["content"]
    assert httpx.get(note["id"]).json()["id"] == note["id"]  # the Note resolves

    # Bob edits his reply: an Update of the Note reaches alice, signed; he deletes it: a Delete.
    token = {"Rejoinder-Edit-Token": local.json()["edit_token"], "origin": ORIGIN}
    edited = httpx.patch(
        f"{server.url}/api/comments/{local.json()['id']}",
        json={"text": "Thanks, *Alice*, fixed"},
        headers=token,
    )
    assert edited.status_code == 200, edited.text
    updated = wait_for(lambda: [r for r in peer.received() if r["type"] == "Update"], "the edit at the peer")
    assert updated[0]["signedBy"] == site_actor(server)
    assert updated[0]["activity"]["object"]["id"] == note["id"]
    assert "fixed" in updated[0]["activity"]["object"]["content"]
    gone = httpx.delete(f"{server.url}/api/comments/{local.json()['id']}", headers=token)
    assert gone.status_code == 204, gone.text
    deleted = wait_for(
        lambda: [r for r in peer.received() if r["type"] == "Delete"], "the deletion at the peer"
    )
    assert deleted[0]["signedBy"] == site_actor(server)
    tombstone = deleted[0]["activity"]["object"]
    assert (tombstone if isinstance(tombstone, str) else tombstone["id"]) == note["id"]

    peer.control("delete", to=site_actor(server), id=reply["id"])
    # Bob's reply is gone: once deleted, the remote comment leaves no placeholder (or shows as deleted).
    wait_for(
        lambda: all(c["deleted"] for c in thread(server)["comments"] if c["id"] == comment["id"]),
        "the remote comment deleted",
    )


PASSWORD = "a careful federated moderator"


@pytest.fixture
def followers_server(db_url: str, tmp_path: Path) -> Iterator[Server]:
    """A federating server that holds every comment for review and delivers to the site's followers."""
    run_cli(db_url, "site", "add", SITE, "--origin", ORIGIN)
    port = free_port()
    env = federation_env(
        port,
        REJOINDER_ACTIVITYPUB__DELIVER_TO_FOLLOWERS="true",
        REJOINDER_MODERATION__PREMODERATION="all",
        REJOINDER_ADMIN__USERNAME="chief",
        REJOINDER_ADMIN__PASSWORD_HASH=hash_password(PASSWORD),
    )
    server = start_server(db_url, tmp_path, port=port, env=env)
    try:
        yield server
    finally:
        server.stop()


def approve(server: Server, comment_id: str) -> None:
    """Approve a comment in /admin over HTTP, as a moderator's browser would."""
    with httpx.Client(base_url=server.url, headers={"accept": "text/html", "origin": server.url}) as browser:
        page = browser.get("/admin/login")
        browser.post(
            "/admin/login",
            data={"csrf": csrf_of(page.text), "username": "chief", "password": PASSWORD, "next": "/admin"},
        )
        detail = browser.get(f"/admin/comments/{comment_id}")
        assert detail.status_code == 200, detail.text
        done = browser.post(
            f"/admin/comments/{comment_id}", data={"csrf": csrf_of(detail.text), "action": "approve"}
        )
        assert done.status_code == 303, done.text  # back to the page, which says "Approved."


def test_an_approved_local_comment_reaches_the_followers(
    followers_server: Server, fedify_peer: FedifyPeer
) -> None:
    server, peer = followers_server, fedify_peer
    peer.control("follow", actor=site_actor(server))
    wait_for(lambda: [r for r in peer.received() if r["type"] == "Accept"], "the Accept")
    local = httpx.post(
        f"{server.url}/api/comments",
        json={"url": ARTICLE, "text": "A first thought", "author": {"name": "Bob"}},
        headers={"origin": ORIGIN},
    )
    assert local.status_code == 201 and local.json()["status"] == "pending", local.text
    comment_id = local.json()["id"]
    assert httpx.get(f"{server.url}/ap/comments/{comment_id}").status_code == 404  # not public: no Note
    approve(server, comment_id)
    created = wait_for(
        lambda: [r for r in peer.received() if r["type"] == "Create"], "the approved comment at the follower"
    )
    note = created[0]["activity"]["object"]
    assert created[0]["signedBy"] == site_actor(server)
    assert note["id"] == f"{server.url}/ap/comments/{comment_id}"
    assert note["inReplyTo"] == article_id(server)
    assert "A first thought" in note["content"]
