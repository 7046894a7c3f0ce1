"""What the Alembic migrations build is what store/schema.py declares, on SQLite and PostgreSQL (columns,
types, nullability, indexes, unique constraints and foreign keys), and the newest migration goes down and
up again cleanly."""

from __future__ import annotations

import asyncio
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import AsyncConnection

from rejoinder.store import engine as store_engine
from rejoinder.store import migrate
from rejoinder.store.schema import include_name, metadata


def drift(db_url: str) -> list[Any]:
    """The differences autogenerate finds between the migrated database and schema.py."""

    def compare(sync_conn: Any) -> list[Any]:
        context = MigrationContext.configure(
            sync_conn,
            opts={"compare_type": True, "compare_server_default": False, "include_name": include_name},
        )
        return list(compare_metadata(context, metadata))

    async def go() -> list[Any]:
        engine = store_engine.create_engine(db_url)
        try:
            async with engine.connect() as conn:
                assert isinstance(conn, AsyncConnection)
                return await conn.run_sync(compare)
        finally:
            await engine.dispose()

    return asyncio.run(go())


def test_the_migrations_build_what_schema_py_declares(db_url: str) -> None:
    assert drift(db_url) == []


def test_the_newest_migration_goes_down_and_up_again(db_url: str) -> None:
    migrate.downgrade(db_url, "-1")
    assert drift(db_url) != []  # the webhook tables are gone
    migrate.upgrade(db_url)
    assert drift(db_url) == []
