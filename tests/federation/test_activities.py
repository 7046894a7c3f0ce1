"""What an accepted activity does, where delivery can repeat it: the comment a remote Note becomes and the
record of that Note are stored in one transaction, so that a crash between them, or two deliveries of the
same Create processed at once, cannot leave two comments for one Note."""

from __future__ import annotations

import asyncio
from typing import Any

import sqlalchemy as sa
from litestar.testing import TestClient

from rejoinder.errors import Conflict
from rejoinder.services.activitypub.activities import Process
from rejoinder.services.context import Context
from rejoinder.store import activitypub as ap_store
from rejoinder.store import engine as store_engine
from rejoinder.store.schema import ap_objects, comments
from tests.federation.test_inbox_refusals import fed, note_reply, send, settle  # noqa: F401
from tests.fixtures.fedify import Actors
from tests.moderation.test_pipeline import call

ARTICLE_OBJECT = note_reply("x")["object"]["inReplyTo"]  # the article's object: mallory likes it first


def stored(client: TestClient[Any]) -> tuple[int, int]:
    async def go(ctx: Context) -> tuple[int, int]:
        async with store_engine.read(ctx.engine) as conn:
            made = (await conn.execute(sa.select(sa.func.count()).select_from(comments))).scalar()
            linked = (await conn.execute(sa.select(sa.func.count()).select_from(ap_objects))).scalar()
            return int(made or 0), int(linked or 0)

    return call(client, go)


def test_one_note_delivered_twice_at_once_is_one_comment(fed: TestClient[Any], actors: Actors) -> None:  # noqa: F811
    mallory = actors.add("mallory")
    note = note_reply(mallory)["object"]

    async def twice(ctx: Context) -> None:
        async with store_engine.read(ctx.engine) as conn:
            actor = await ap_store.select_actor(conn, uri=mallory)
        assert actor is not None
        # both pass the "already stored?" check before either writes; the second one's link fails
        await asyncio.gather(Process(ctx).create(actor, note), Process(ctx).create(actor, note))

    like = {"id": f"{mallory}/likes/1", "type": "Like", "actor": mallory, "object": ARTICLE_OBJECT}
    assert send(fed, like, signer=mallory, key=actors.keys[mallory]).status_code == 202  # mallory is known
    settle(fed)
    call(fed, twice)
    assert stored(fed) == (1, 1)
    # and a redelivery through the inbox changes nothing
    assert send(fed, note_reply(mallory), signer=mallory, key=actors.keys[mallory]).status_code == 202
    settle(fed)
    assert stored(fed) == (1, 1)


def test_a_failure_after_the_comment_is_stored_leaves_nothing_behind(
    fed: TestClient[Any],  # noqa: F811
    actors: Actors,
) -> None:
    """A Note whose record cannot be written (its actor row vanished under it: a failure at the very point
    where a crash would have left a comment without its Note) rolls its comment back with it; processing it
    again (the outbox redelivering the event) stores both, once."""
    mallory = actors.add("mallory")
    note = note_reply(mallory)["object"]
    like = {"id": f"{mallory}/likes/1", "type": "Like", "actor": mallory, "object": ARTICLE_OBJECT}
    assert send(fed, like, signer=mallory, key=actors.keys[mallory]).status_code == 202
    settle(fed)

    async def ghost(ctx: Context) -> None:
        async with store_engine.read(ctx.engine) as conn:
            actor = await ap_store.select_actor(conn, uri=mallory)
        assert actor is not None
        gone = ap_store.RemoteActor(**{**{f: getattr(actor, f) for f in actor.__struct_fields__}, "id": -1})
        try:
            await Process(ctx).create(gone, note)
        except Conflict:
            pass  # the write failed as a whole
        else:
            raise AssertionError("the record of the Note was written for an unknown actor")
        async with store_engine.read(ctx.engine) as conn:
            assert (await conn.execute(sa.select(sa.func.count()).select_from(comments))).scalar() == 0
        await Process(ctx).create(actor, note)  # the retry

    call(fed, ghost)
    assert stored(fed) == (1, 1)


def test_a_delivery_that_looked_before_the_other_stored_is_quiet(
    fed: TestClient[Any],  # noqa: F811
    actors: Actors,
    monkeypatch: Any,
) -> None:
    """The other order of two deliveries at once: the second looked ("stored already?") before the first
    stored the Note, and is judged after the first committed, so the "repeats" check refuses it as the same
    author's same text. It is the same Note: the second delivery ends quietly, with one comment."""
    mallory = actors.add("mallory")
    note = note_reply(mallory)["object"]
    like = {"id": f"{mallory}/likes/1", "type": "Like", "actor": mallory, "object": ARTICLE_OBJECT}
    assert send(fed, like, signer=mallory, key=actors.keys[mallory]).status_code == 202
    settle(fed)
    looked: list[str] = []
    real_select = ap_store.select_object

    async def looked_too_early(conn: Any, **key: Any) -> Any:
        if key.get("uri") == note["id"]:
            looked.append(key["uri"])
            if len(looked) == 1:
                return None
        return await real_select(conn, **key)

    async def in_turn(ctx: Context) -> None:
        async with store_engine.read(ctx.engine) as conn:
            actor = await ap_store.select_actor(conn, uri=mallory)
        assert actor is not None
        await Process(ctx).create(actor, note)  # the first delivery, whole
        monkeypatch.setattr(ap_store, "select_object", looked_too_early)
        await Process(ctx).create(actor, note)  # the second: its look came before the first's write

    call(fed, in_turn)
    assert looked == [note["id"], note["id"]]  # it looked, was refused, and looked again
    assert stored(fed) == (1, 1)
