"""What the inboxes refuse, and that a refused activity leaves nothing behind: unsigned, wrongly signed,
a forged `actor`, an activity about another site, an oversize body, a replayed old Date, a changed body
(Digest), a blocked instance; and a rotated key, which is refetched once. The senders are actors served
by a loopback server in the test, which signs as a hostile peer would (docs/federation.md). For contrast,
a Like and its Undo are taken."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from litestar.testing import TestClient

from rejoinder.federation.activitypub import message_signatures
from rejoinder.federation.activitypub import signatures as sig
from rejoinder.services.activitypub.inbox import REFETCH_COOLDOWN_SECONDS
from rejoinder.services.context import Context
from rejoinder.store import activitypub as ap_store
from rejoinder.store import engine as store_engine
from rejoinder.store.schema import ap_actors, events
from tests.fixtures.app import ARTICLE, advance_clock, new_client, run_cli
from tests.fixtures.fedify import Actors
from tests.moderation.test_pipeline import call

BASE = "http://rejoinder.test"
INBOX = "/ap/sites/blog/inbox"


@pytest.fixture
def fed(db_url: str) -> Iterator[TestClient[Any]]:
    run_cli(db_url, "site", "add", "blog", "--origin", "https://blog.example")
    run_cli(db_url, "site", "add", "other", "--origin", "https://other.example")
    with new_client(
        db_url, server={"public_url": BASE}, activitypub={"allow_private": True, "max_body_bytes": 4096}
    ) as client:
        yield client


def note_reply(actor: str, site: str = "blog") -> dict[str, Any]:
    return {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{actor}/notes/1/create",
        "type": "Create",
        "actor": actor,
        "object": {
            "id": f"{actor}/notes/1",
            "type": "Note",
            "attributedTo": actor,
            "inReplyTo": f"{BASE}/ap/sites/{site}/article?url={quote(ARTICLE, safe='')}",
            "content": "<p>hi</p>",
        },
    }


def send(
    client: TestClient[Any],
    activity: Any,
    *,
    signer: str | None,
    key: str | None = None,
    path: str = INBOX,
    now_us: int | None = None,
    body: bytes | None = None,
    tamper: bytes | None = None,
    rfc9421: bool = False,
) -> Any:
    raw = body if body is not None else json.dumps(activity).encode()
    headers = {"content-type": "application/activity+json"}
    now = now_us if now_us is not None else ctx_of(client).clock()
    if signer is not None and rfc9421:  # as Fedify signs first
        assert key is not None
        headers |= message_signatures.sign(
            "POST",
            f"{BASE}{path}",
            key_id=f"{signer}#main-key",
            private_pem=key,
            now_us=now,
            body=raw,
            headers={"host": "rejoinder.test", "date": sig.http_date(now)},
        )
    elif signer is not None:
        assert key is not None
        headers |= sig.sign(
            "post",
            "rejoinder.test",
            path,
            key_id=f"{signer}#main-key",
            private_pem=key,
            now_us=now_us if now_us is not None else ctx_of(client).clock(),
            body=raw,
        )
    return client.post(path, content=tamper if tamper is not None else raw, headers=headers)


def ctx_of(client: TestClient[Any]) -> Context:
    ctx = client.rejoinder.ctx  # type: ignore[attr-defined]
    assert isinstance(ctx, Context)
    return ctx


def received(client: TestClient[Any]) -> int:
    async def go(ctx: Context) -> int:
        async with store_engine.read(ctx.engine) as conn:
            query = (
                sa.select(sa.func.count()).select_from(events).where(events.c.kind == "activitypub.received")
            )
            return int((await conn.execute(query)).scalar() or 0)

    return call(client, go)


def refused(response: Any, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == code


def test_a_well_signed_activity_is_accepted(fed: TestClient[Any], actors: Actors) -> None:
    mallory = actors.add("mallory")
    response = send(fed, note_reply(mallory), signer=mallory, key=actors.keys[mallory])
    assert response.status_code == 202, response.text
    assert received(fed) == 1


def test_an_rfc9421_signature_is_verified(fed: TestClient[Any], actors: Actors) -> None:
    """RFC 9421 (Signature-Input, Signature, Content-Digest), as Fedify signs first: a good signature is
    taken; a wrong key, a changed body, an old `created` and a signature that leaves the body out are not."""
    mallory, eve = actors.add("mallory"), actors.add("eve")
    good = send(fed, note_reply(mallory), signer=mallory, key=actors.keys[mallory], rfc9421=True)
    assert good.status_code == 202, good.text
    refused(
        send(fed, note_reply(mallory), signer=mallory, key=actors.keys[eve], rfc9421=True),
        401,
        "signature-invalid",
    )
    activity = note_reply(mallory)
    changed = json.dumps({**activity, "id": activity["id"] + "x"}).encode()
    refused(
        send(fed, activity, signer=mallory, key=actors.keys[mallory], tamper=changed, rfc9421=True),
        401,
        "digest-mismatch",
    )
    two_hours_ago = ctx_of(fed).clock() - 2 * 3600 * 1_000_000
    old = send(fed, activity, signer=mallory, key=actors.keys[mallory], now_us=two_hours_ago, rfc9421=True)
    refused(old, 401, "signature-expired")
    # a signature that does not cover the body's digest, and headers that cannot be read
    raw = json.dumps(activity).encode()
    now = ctx_of(fed).clock()
    headers = message_signatures.sign(
        "POST",
        f"{BASE}{INBOX}",
        key_id=f"{mallory}#main-key",
        private_pem=actors.keys[mallory],
        now_us=now,
        body=None,
        headers={"host": "rejoinder.test", "date": sig.http_date(now)},
    )
    headers |= {"content-type": "application/activity+json", "content-digest": "sha-256=:x:"}
    refused(fed.post(INBOX, content=raw, headers=headers), 401, "signature-invalid")
    assert "content-digest" in fed.post(INBOX, content=raw, headers=headers).json()["detail"]
    for bad in ('sig1=("@method";x=1)', "sig1=(", 'sig1=("@method");alg="hmac-sha256";keyid="k"', "=", ""):
        broken = {**headers, "signature-input": bad}
        refused(fed.post(INBOX, content=raw, headers=broken), 401, "signature-invalid")
    assert received(fed) == 1


def test_an_activity_with_a_long_id_is_taken(fed: TestClient[Any], actors: Actors) -> None:
    """Activity ids are often long (a status URL and a fragment): longer than an event's subject column,
    they are still taken (on PostgreSQL too, which enforces the column's length), not answered 500."""
    mallory = actors.add("mallory")
    activity = {**note_reply(mallory), "id": f"{mallory}/statuses/{'9' * 120}#updates/1700000000"}
    response = send(fed, activity, signer=mallory, key=actors.keys[mallory])
    assert response.status_code == 202, response.text
    assert received(fed) == 1


def test_unsigned_and_wrongly_signed_are_refused(fed: TestClient[Any], actors: Actors) -> None:
    mallory, eve = actors.add("mallory"), actors.add("eve")
    refused(send(fed, note_reply(mallory), signer=None), 401, "signature-invalid")
    # signed with eve's key but naming mallory's key
    refused(send(fed, note_reply(mallory), signer=mallory, key=actors.keys[eve]), 401, "signature-invalid")
    # a body changed after signing: the Digest no longer matches
    activity = note_reply(mallory)
    changed = json.dumps({**activity, "id": activity["id"] + "x"}).encode()
    refused(
        send(fed, activity, signer=mallory, key=actors.keys[mallory], tamper=changed), 401, "digest-mismatch"
    )
    assert received(fed) == 0


def test_a_forged_actor_is_refused(fed: TestClient[Any], actors: Actors) -> None:
    mallory, eve = actors.add("mallory"), actors.add("eve")
    # eve signs, correctly, an activity that claims to be mallory's
    refused(send(fed, note_reply(mallory), signer=eve, key=actors.keys[eve]), 401, "actor-mismatch")
    assert received(fed) == 0


def test_a_replayed_old_request_is_refused(fed: TestClient[Any], actors: Actors) -> None:
    mallory = actors.add("mallory")
    two_hours_ago = ctx_of(fed).clock() - 2 * 3600 * 1_000_000
    refused(
        send(fed, note_reply(mallory), signer=mallory, key=actors.keys[mallory], now_us=two_hours_ago),
        401,
        "signature-expired",
    )
    assert received(fed) == 0


def test_an_oversize_body_is_refused(fed: TestClient[Any], actors: Actors) -> None:
    mallory = actors.add("mallory")
    big = note_reply(mallory)
    big["object"]["content"] = "x" * 5000
    refused(send(fed, big, signer=mallory, key=actors.keys[mallory]), 413, "body-too-large")
    assert received(fed) == 0 and actors.fetches == 0  # refused before any fetch


def test_an_activity_for_another_site_is_refused(fed: TestClient[Any], actors: Actors) -> None:
    mallory = actors.add("mallory")
    refused(
        send(fed, note_reply(mallory, site="other"), signer=mallory, key=actors.keys[mallory]),
        403,
        "activity-not-for-this-site",
    )
    refused(
        send(fed, note_reply(mallory), signer=mallory, key=actors.keys[mallory], path="/ap/sites/nope/inbox"),
        404,
        "site-not-found",
    )
    assert received(fed) == 0


def test_a_blocked_instance_is_refused(fed: TestClient[Any], actors: Actors) -> None:
    mallory = actors.add("mallory")

    async def block(ctx: Context) -> None:
        async with store_engine.write(ctx.engine) as conn:
            await ap_store.insert_blocked_domain(conn, "127.0.0.1", reason="spam", by="test", now=ctx.clock())

    call(fed, block)
    refused(send(fed, note_reply(mallory), signer=mallory, key=actors.keys[mallory]), 403, "instance-blocked")
    assert received(fed) == 0 and actors.fetches == 0


def test_a_rotated_key_is_refetched_once(fed: TestClient[Any], actors: Actors) -> None:
    mallory = actors.add("mallory")
    assert send(fed, note_reply(mallory), signer=mallory, key=actors.keys[mallory]).status_code == 202
    assert actors.fetches == 1
    actors.rotate(mallory)
    advance_clock(fed, REFETCH_COOLDOWN_SECONDS + 1)  # the key was fetched longer ago than the cooldown
    activity = {**note_reply(mallory), "id": f"{mallory}/notes/2/create"}
    assert send(fed, activity, signer=mallory, key=actors.keys[mallory]).status_code == 202
    assert actors.fetches == 2  # the cached key failed: fetched again, once
    assert received(fed) == 2

    async def stored_key(ctx: Context) -> str:
        async with store_engine.read(ctx.engine) as conn:
            return str((await conn.execute(sa.select(ap_actors.c.public_pem))).scalar())

    assert stored_key_is_new(call(fed, stored_key), actors, mallory)


def test_a_flood_of_forged_requests_refetches_the_key_once_per_cooldown(
    fed: TestClient[Any], actors: Actors
) -> None:
    """Forged signatures naming a known actor's key make rejoinder wonder whether the key rotated; it asks
    the actor's server again at most once per cooldown, however many forgeries come."""
    mallory, eve = actors.add("mallory"), actors.add("eve")
    assert send(fed, note_reply(mallory), signer=mallory, key=actors.keys[mallory]).status_code == 202
    assert actors.fetches == 1
    advance_clock(fed, REFETCH_COOLDOWN_SECONDS + 1)
    before = actors.fetches
    for n in range(20):  # eve signs with her key, naming mallory's
        forged = {**note_reply(mallory), "id": f"{mallory}/notes/f{n}/create"}
        refused(send(fed, forged, signer=mallory, key=actors.keys[eve]), 401, "signature-invalid")
    assert actors.fetches == before + 1  # one refetch for the whole flood
    advance_clock(fed, REFETCH_COOLDOWN_SECONDS - 5)  # still within the cooldown of that refetch
    refused(send(fed, note_reply(mallory), signer=mallory, key=actors.keys[eve]), 401, "signature-invalid")
    assert actors.fetches == before + 1
    advance_clock(fed, 10)  # past it: the next forgery may refetch once more
    for _ in range(3):
        refused(
            send(fed, note_reply(mallory), signer=mallory, key=actors.keys[eve]), 401, "signature-invalid"
        )
    assert actors.fetches == before + 2
    # mallory's own, well-signed requests are taken all along
    good = {**note_reply(mallory), "id": f"{mallory}/notes/9/create"}
    assert send(fed, good, signer=mallory, key=actors.keys[mallory]).status_code == 202
    assert received(fed) == 2


def stored_key_is_new(pem: str, actors: Actors, uri: str) -> bool:
    return bool(pem == actors.docs[uri.removeprefix(actors.url)]["publicKey"]["publicKeyPem"])


def test_a_like_and_its_undo_count_once(fed: TestClient[Any], actors: Actors) -> None:
    """Accepted activities for contrast: a Like counts once however often it is delivered; its Undo takes it
    back."""
    mallory = actors.add("mallory")
    article = f"{BASE}/ap/sites/blog/article?url={quote(ARTICLE, safe='')}"
    like = {"id": f"{mallory}/likes/1", "type": "Like", "actor": mallory, "object": article}
    for _ in range(2):  # a redelivery changes nothing
        assert send(fed, like, signer=mallory, key=actors.keys[mallory]).status_code == 202
        settle(fed)
    assert fed.get("/api/threads", params={"url": ARTICLE}).json()["thread"]["likes"]["count"] == 1
    undo = {"id": f"{mallory}/likes/1/undo", "type": "Undo", "actor": mallory, "object": like}
    assert send(fed, undo, signer=mallory, key=actors.keys[mallory]).status_code == 202
    settle(fed)
    assert fed.get("/api/threads", params={"url": ARTICLE}).json()["thread"]["likes"]["count"] == 0
    assert received(fed) == 3


def settle(client: TestClient[Any]) -> None:
    """Wait until the outbox delivered everything committed (the activities' processing)."""

    async def go(ctx: Context) -> None:
        dispatcher = client.rejoinder.dispatcher  # type: ignore[attr-defined]
        await dispatcher.settle()

    call(client, go)
