"""store/classifier.py on SQLite and PostgreSQL: a decision is stored once per event, read back oldest first
(bounded, up to a row id), counted past a model's last row; a model record only moves to a newer version;
and a deleted site takes its rows with it."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from rejoinder.domain.sites import SiteOptions
from rejoinder.store import classifier as store
from rejoinder.store import engine as store_engine
from rejoinder.store import sites as site_store
from rejoinder.store.schema import classifier_decisions, classifier_models
from tests.store.test_events import run


async def new_site(engine: AsyncEngine, name: str) -> int:
    async with store_engine.write(engine) as conn:
        return (await site_store.insert_site(conn, name, [], SiteOptions(), 1)).id


async def decide(engine: AsyncEngine, site_id: int, uid: str, comment: str, label: str, now: int) -> bool:
    async with store_engine.write(engine) as conn:
        return await store.insert_decision(
            conn,
            site_id=site_id,
            event_uid=uid,
            comment_id=comment,
            label=label,
            text=f"text of {comment}",
            author_name="Ann",
            website="",
            now=now,
        )


def test_a_decision_is_stored_once_per_event_and_read_oldest_first(db_url: str) -> None:
    async def go(engine: AsyncEngine) -> tuple[list[bool], list[store.StoredDecision], int]:
        site = await new_site(engine, "blog")
        other = await new_site(engine, "news")
        added = [
            await decide(engine, site, "e1", "c1", "ham", 10),
            await decide(engine, site, "e1", "c1", "ham", 11),  # the same event delivered again
            await decide(engine, site, "e2", "c2", "spam", 12),
            await decide(engine, other, "e3", "c3", "abuse", 13),
            await decide(engine, site, "e4", "c1", "spam", 14),  # a later decision on c1
        ]
        async with store_engine.read(engine) as conn:
            rows = await store.select_decisions(conn, site)
            count = (
                await conn.execute(sa.select(sa.func.count()).select_from(classifier_decisions))
            ).scalar()
        return added, rows, int(count or 0)

    added, rows, count = run(db_url, go)
    assert added == [True, False, True, True, True]
    assert count == 4
    assert [(r.comment_id, r.label, r.text, r.author_name, r.website, r.created) for r in rows] == [
        ("c1", "ham", "text of c1", "Ann", "", 10),
        ("c2", "spam", "text of c2", "Ann", "", 12),
        ("c1", "spam", "text of c1", "Ann", "", 14),
    ]
    assert rows[0].id < rows[1].id < rows[2].id


def test_reads_are_bounded_by_row_id_and_limit_and_counted_past_a_row(db_url: str) -> None:
    async def go(engine: AsyncEngine) -> tuple[list[str], list[str], list[int]]:
        site = await new_site(engine, "blog")
        for n in range(5):
            await decide(engine, site, f"e{n}", f"c{n}", "ham", n)
        async with store_engine.read(engine) as conn:
            every = await store.select_decisions(conn, site)
            up_to = await store.select_decisions(conn, site, up_to=every[2].id)
            latest = await store.select_decisions(conn, site, limit=2)
            counts = [await store.count_decisions_after(conn, site, after) for after in (0, every[2].id)]
        return [r.comment_id for r in up_to], [r.comment_id for r in latest], counts

    up_to, latest, counts = run(db_url, go)
    assert up_to == ["c0", "c1", "c2"]
    assert latest == ["c3", "c4"]
    assert counts == [5, 2]


def test_a_model_record_only_moves_to_a_newer_version(db_url: str) -> None:
    async def go(engine: AsyncEngine) -> tuple[list[bool], store.ModelRecord | None, list[store.ModelRecord]]:
        site = await new_site(engine, "blog")
        other = await new_site(engine, "news")

        def record(site_id: int, version: int, seen: int) -> store.ModelRecord:
            return store.ModelRecord(
                site_id=site_id,
                version=version,
                decisions_seen=seen,
                trained_at=100 + version,
                feature_version=3,
            )

        async with store_engine.write(engine) as conn:
            written = [
                await store.upsert_model(conn, record(site, 1, 30)),
                await store.upsert_model(conn, record(site, 2, 40)),
                await store.upsert_model(conn, record(site, 2, 45)),  # another host trained v2 too
                await store.upsert_model(conn, record(site, 1, 50)),  # a late, older training
                await store.upsert_model(conn, record(other, 1, 7)),
            ]
        async with store_engine.read(engine) as conn:
            return written, await store.select_model(conn, site), await store.select_models(conn)

    written, model, every = run(db_url, go)
    assert written == [True, True, False, False, True]
    assert model is not None
    assert (model.version, model.decisions_seen, model.trained_at, model.feature_version) == (2, 40, 102, 3)
    assert [(m.version, m.decisions_seen) for m in every] == [(2, 40), (1, 7)]


def test_a_deleted_site_takes_its_decisions_and_model_along(db_url: str) -> None:
    async def go(engine: AsyncEngine) -> tuple[int, int, store.ModelRecord | None]:
        site = await new_site(engine, "blog")
        keep = await new_site(engine, "news")
        await decide(engine, site, "e1", "c1", "ham", 1)
        await decide(engine, keep, "e2", "c2", "ham", 2)
        async with store_engine.write(engine) as conn:
            await store.upsert_model(conn, store.ModelRecord(site, 1, 1, 5, 3))
            await site_store.delete_site(conn, site)
        async with store_engine.read(engine) as conn:
            decisions = (
                await conn.execute(sa.select(sa.func.count()).select_from(classifier_decisions))
            ).scalar()
            models = (await conn.execute(sa.select(sa.func.count()).select_from(classifier_models))).scalar()
            return int(decisions or 0), int(models or 0), await store.select_model(conn, site)

    assert run(db_url, go) == (1, 0, None)
