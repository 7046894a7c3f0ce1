"""store/authors.py on SQLite and PostgreSQL: a Gravatar hash is remembered once per author key with its
fetched image; an identity's provider picture is marked while downloading, saved, and on a failed download
kept or dropped as asked."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from rejoinder.domain.sites import SiteOptions
from rejoinder.store import authors as store
from rejoinder.store import engine as store_engine
from rejoinder.store import sites as site_store
from rejoinder.store.authors import AvatarRow
from tests.store.contract import run

PNG = b"\x89PNG\r\n\x1a\nfake"


def test_a_gravatar_hash_is_remembered_once_with_its_image(db_url: str) -> None:
    async def work(engine: AsyncEngine) -> dict[str, object]:
        async with store_engine.write(engine) as conn:
            site = await site_store.insert_site(conn, "blog", [], SiteOptions(), now=1)
            new = await store.upsert_author_hash(conn, "k1", site.id, "md5-a")
            known = await store.upsert_author_hash(conn, "k1", site.id, "md5-b")
        async with store_engine.read(engine) as conn:
            before = await store.select_avatar(conn, "k1")
        async with store_engine.write(engine) as conn:
            await store.update_author_image(conn, "k1", PNG, "image/png", now=7)
        async with store_engine.read(engine) as conn:
            after = await store.select_avatar(conn, "k1")
            unknown = await store.select_avatar(conn, "nobody")
        return {"upserts": (new, known), "before": before, "after": after, "unknown": unknown}

    assert run(db_url, work) == {
        "upserts": (True, False),
        "before": AvatarRow(image=None, image_type=None, email_md5="md5-a", fetched=None),
        "after": AvatarRow(image=PNG, image_type="image/png", email_md5="md5-a", fetched=7),
        "unknown": None,
    }


def test_a_provider_picture_is_marked_saved_kept_or_dropped(db_url: str) -> None:
    async def work(engine: AsyncEngine) -> list[AvatarRow | None]:
        seen: list[AvatarRow | None] = []

        async def step(action: object) -> None:
            async with store_engine.write(engine) as conn:
                await action(conn)  # type: ignore[operator]
            async with store_engine.read(engine) as conn:
                seen.append(await store.select_avatar(conn, "id-key"))

        async with store_engine.write(engine) as conn:
            site_id = (await site_store.insert_site(conn, "blog", [], SiteOptions(), now=1)).id
        await step(lambda c: store.mark_picture_downloading(c, "id-key", site_id))
        await step(
            lambda c: store.save_identity_picture(
                c, "id-key", site_id, (PNG, "image/png"), 5, keep_previous=True
            )
        )
        await step(lambda c: store.mark_picture_downloading(c, "id-key", site_id))
        await step(lambda c: store.save_identity_picture(c, "id-key", site_id, None, 6, keep_previous=True))
        await step(lambda c: store.save_identity_picture(c, "id-key", site_id, None, 8, keep_previous=False))
        return seen

    assert run(db_url, work) == [
        AvatarRow(image=None, image_type=None, email_md5=None, fetched=None),  # downloading
        AvatarRow(image=PNG, image_type="image/png", email_md5=None, fetched=5),  # saved
        AvatarRow(image=PNG, image_type="image/png", email_md5=None, fetched=None),  # downloading again: kept
        AvatarRow(image=PNG, image_type="image/png", email_md5=None, fetched=6),  # failed, previous kept
        AvatarRow(image=None, image_type=None, email_md5=None, fetched=8),  # failed, dropped: identicon
    ]
