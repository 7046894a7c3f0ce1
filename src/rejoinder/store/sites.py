"""Sites and instance metadata (meta table)."""

from __future__ import annotations

from typing import Any

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from rejoinder.domain.sites import Site, SiteOptions
from rejoinder.store.rows import insert_returning_id
from rejoinder.store.schema import meta, sites


def _site(row: Any) -> Site:
    return Site(
        id=row.id,
        name=row.name,
        origins=tuple(row.origins),
        options=msgspec.convert(row.settings or {}, SiteOptions),
    )


async def select_sites(conn: AsyncConnection) -> list[Site]:
    rows = await conn.execute(sa.select(sites).order_by(sites.c.id))
    return [_site(r) for r in rows]


async def select_site_by_name(conn: AsyncConnection, name: str) -> Site | None:
    row = (await conn.execute(sa.select(sites).where(sites.c.name == name))).first()
    return _site(row) if row else None


async def insert_site(
    conn: AsyncConnection, name: str, origins: list[str], options: SiteOptions, now: int
) -> Site:
    site_id = await insert_returning_id(
        conn,
        sa.insert(sites).values(
            name=name, origins=origins, settings=msgspec.to_builtins(options), created=now
        ),
    )
    return Site(id=site_id, name=name, origins=tuple(origins), options=options)


async def update_site(conn: AsyncConnection, site_id: int, origins: list[str], options: SiteOptions) -> None:
    await conn.execute(
        sa.update(sites)
        .where(sites.c.id == site_id)
        .values(origins=origins, settings=msgspec.to_builtins(options))
    )


async def delete_site(conn: AsyncConnection, site_id: int) -> None:
    await conn.execute(sa.delete(sites).where(sites.c.id == site_id))


async def select_meta(conn: AsyncConnection, key: str) -> str | None:
    return (await conn.execute(sa.select(meta.c.value).where(meta.c.key == key))).scalar_one_or_none()


async def insert_meta(conn: AsyncConnection, key: str, value: str) -> None:
    await conn.execute(sa.insert(meta).values(key=key, value=value))
