"""SQL of the learning classifier's shared state: moderators' decisions (the labelled examples every host
trains from) and the newest model version per site. The model files themselves live under
[moderation] model_dir; fitting and scoring are in moderation/classifier.py."""

from __future__ import annotations

from collections.abc import Sequence

import msgspec
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from rejoinder.store.rows import from_row
from rejoinder.store.schema import classifier_decisions as decisions
from rejoinder.store.schema import classifier_models as models


class StoredDecision(msgspec.Struct, frozen=True):
    """One moderator decision as the classifier learns it. `label` is a training.Label value."""

    id: int
    site_id: int
    comment_id: str
    label: str
    text: str
    author_name: str
    website: str
    created: int


class ModelRecord(msgspec.Struct, frozen=True):
    """The newest model of a site: its version, the last decision row it was trained with, when."""

    site_id: int
    version: int
    decisions_seen: int
    trained_at: int
    feature_version: int


def _insert(conn: AsyncConnection, table: sa.Table) -> postgresql.Insert | sqlite.Insert:
    return postgresql.insert(table) if conn.dialect.name == "postgresql" else sqlite.insert(table)


async def insert_decision(
    conn: AsyncConnection,
    *,
    site_id: int,
    event_uid: str,
    comment_id: str,
    label: str,
    text: str,
    author_name: str,
    website: str,
    now: int,
) -> bool:
    """Record a decision once per event: False when this event's decision is already stored (a
    redelivery)."""
    statement = (
        _insert(conn, decisions)
        .values(
            site_id=site_id,
            event_uid=event_uid,
            comment_id=comment_id,
            label=label,
            text=text,
            author_name=author_name,
            website=website,
            created=now,
        )
        .on_conflict_do_nothing(index_elements=[decisions.c.event_uid])
    )
    result = await conn.execute(statement)
    return bool(result.rowcount)


async def select_decisions(
    conn: AsyncConnection, site_id: int, *, up_to: int | None = None, limit: int = 20_000
) -> list[StoredDecision]:
    """The site's latest `limit` decision rows (up to row id `up_to` when given), oldest first. A later
    row on the same comment replaces an earlier one when the caller trains; all rows are returned."""
    query = sa.select(decisions).where(decisions.c.site_id == site_id)
    if up_to is not None:
        query = query.where(decisions.c.id <= up_to)
    rows = (await conn.execute(query.order_by(decisions.c.id.desc()).limit(limit))).all()
    return [from_row(StoredDecision, r) for r in reversed(rows)]


async def count_decisions_after(conn: AsyncConnection, site_id: int, after: int) -> int:
    """Decision rows of the site with an id above `after` (those its newest model has not seen)."""
    query = sa.select(sa.func.count()).where(decisions.c.site_id == site_id, decisions.c.id > after)
    return int((await conn.execute(query)).scalar_one())


async def select_model(conn: AsyncConnection, site_id: int) -> ModelRecord | None:
    row = (await conn.execute(sa.select(models).where(models.c.site_id == site_id))).first()
    return _model(row) if row is not None else None


async def select_models(conn: AsyncConnection, site_ids: Sequence[int] | None = None) -> list[ModelRecord]:
    """Every site's newest model record (or those of `site_ids`), by site id."""
    query = sa.select(models).order_by(models.c.site_id)
    if site_ids is not None:
        query = query.where(models.c.site_id.in_(list(site_ids)))
    return [_model(r) for r in (await conn.execute(query)).all()]


async def upsert_model(conn: AsyncConnection, record: ModelRecord) -> bool:
    """Record a newly trained model unless the stored one is as new or newer (two hosts that trained the
    same version agree: the fit is deterministic). True when the record was written."""
    values = msgspec.structs.asdict(record)
    statement = (
        _insert(conn, models)
        .values(**values)
        .on_conflict_do_update(
            index_elements=[models.c.site_id],
            set_={k: v for k, v in values.items() if k != "site_id"},
            where=models.c.version < record.version,
        )
    )
    result = await conn.execute(statement)
    return bool(result.rowcount)


def _model(r: sa.Row[tuple[object, ...]]) -> ModelRecord:
    m = r._mapping
    return ModelRecord(
        site_id=int(m["site_id"]),
        version=int(m["version"]),
        decisions_seen=int(m["decisions_seen"]),
        trained_at=int(m["trained_at"]),
        feature_version=int(m["feature_version"]),
    )
