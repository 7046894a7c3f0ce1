"""Moderation of fediverse comments: a reply that came through an inbox waits in /admin's queue like any
held comment, shown with its origin (the remote author's @user@server and the Note's address), and its
author, an identity like any other, can be banned: their next reply is refused."""

from __future__ import annotations

import sqlalchemy as sa

from rejoinder.moderation.actions import Actor
from rejoinder.services.moderation import bans
from rejoinder.store import engine as store_engine
from rejoinder.store.schema import ap_actors, comments
from tests.federation.test_inbox_refusals import note_reply, send
from tests.fixtures.admin import HTML, open_admin
from tests.fixtures.fedify import Actors

BASE = "http://rejoinder.test"


def test_a_remote_reply_shows_its_origin_and_its_author_can_be_banned(admin_db: str, actors: Actors) -> None:
    admin = open_admin(
        admin_db,
        server={"public_url": BASE},
        activitypub={"allow_private": True},
        moderation={"premoderation": "all"},
    )
    admin.client.rejoinder = admin.app  # type: ignore[attr-defined]  # send() reads the app's clock
    with admin.client:
        mallory = actors.add("mallory")
        first = note_reply(mallory)
        first["object"]["url"] = f"{mallory}/notes/1.html"
        assert send(admin.client, first, signer=mallory, key=actors.keys[mallory]).status_code == 202

        async def settle() -> None:
            assert admin.app.dispatcher is not None
            await admin.app.dispatcher.settle()

        admin.run(settle)

        async def stored() -> list[tuple[str, str, str | None]]:
            async with store_engine.read(admin.ctx.engine) as conn:
                rows = await conn.execute(sa.select(comments.c.id, comments.c.status, comments.c.identity_id))
                return [tuple(r) for r in rows]  # type: ignore[misc]

        ((comment_id, status, identity_id),) = admin.run(stored)
        assert status == "pending" and identity_id is not None

        admin.login()
        page = admin.page("/admin/queue/pending")
        assert page.status_code == 200
        assert "fediverse" in page.text
        assert "@mallory@127.0.0.1" in page.text
        assert f'href="{mallory}/notes/1.html"' in page.text
        detail = admin.client.get(f"/admin/comments/{comment_id}", headers=HTML)
        assert "@mallory@127.0.0.1" in detail.text

        admin.run(lambda: bans.ban(admin.ctx, Actor.of_system("cli"), site_id=None, identity_id=identity_id))
        second = {**note_reply(mallory), "id": f"{mallory}/notes/2/create"}
        second["object"] = {**second["object"], "id": f"{mallory}/notes/2"}
        assert send(admin.client, second, signer=mallory, key=actors.keys[mallory]).status_code == 202
        admin.run(settle)
        assert [row[0] for row in admin.run(stored)] == [comment_id]  # the banned author's reply: refused

        async def actor_identity() -> str | None:
            async with store_engine.read(admin.ctx.engine) as conn:
                return (await conn.execute(sa.select(ap_actors.c.identity_id))).scalar()

        assert admin.run(actor_identity) == identity_id
