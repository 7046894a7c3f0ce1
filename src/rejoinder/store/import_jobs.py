"""Import jobs started from /admin: one row each, its progress while it runs and its summary after."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from rejoinder.store.schema import import_jobs


class ImportJob(msgspec.Struct, frozen=True):
    id: str
    site_id: int
    format: str
    file_name: str
    size: int
    dry_run: bool
    state: str  # running, done, stopped, failed
    records: int
    started_by: str
    summary: list[str] | None  # the lines `rejoinder import` prints, once finished
    created: int
    updated: int


_COLUMNS = (
    import_jobs.c.id,
    import_jobs.c.site_id,
    import_jobs.c.format,
    import_jobs.c.file_name,
    import_jobs.c.size,
    import_jobs.c.dry_run,
    import_jobs.c.state,
    import_jobs.c.records,
    import_jobs.c.started_by,
    import_jobs.c.summary,
    import_jobs.c.created,
    import_jobs.c.updated,
)


def _job(row: Any) -> ImportJob:
    values: list[Any] = list(row)
    values[9] = msgspec.json.decode(values[9], type=list[str]) if values[9] else None
    values[5] = bool(values[5])
    return ImportJob(*values)  # _COLUMNS are in the Struct's field order


async def insert_job(conn: AsyncConnection, job: ImportJob) -> None:
    values = msgspec.structs.asdict(job)
    values["summary"] = None
    await conn.execute(sa.insert(import_jobs).values(**values))


async def update_progress(conn: AsyncConnection, job_id: str, records: int, now: int) -> None:
    await conn.execute(
        sa.update(import_jobs).where(import_jobs.c.id == job_id).values(records=records, updated=now)
    )


async def finish_job(
    conn: AsyncConnection, job_id: str, state: str, records: int, summary: Sequence[str], now: int
) -> None:
    await conn.execute(
        sa.update(import_jobs)
        .where(import_jobs.c.id == job_id)
        .values(
            state=state, records=records, summary=msgspec.json.encode(list(summary)).decode(), updated=now
        )
    )


async def select_job(conn: AsyncConnection, job_id: str) -> ImportJob | None:
    row = (await conn.execute(sa.select(*_COLUMNS).where(import_jobs.c.id == job_id))).first()
    return _job(row) if row is not None else None


async def select_jobs(
    conn: AsyncConnection, site_ids: Sequence[int] | None, *, limit: int = 50
) -> list[ImportJob]:
    """The newest jobs of these sites (every site for None)."""
    query = sa.select(*_COLUMNS).order_by(import_jobs.c.created.desc(), import_jobs.c.id).limit(limit)
    if site_ids is not None:
        query = query.where(import_jobs.c.site_id.in_(list(site_ids)))
    return [_job(r) for r in await conn.execute(query)]
