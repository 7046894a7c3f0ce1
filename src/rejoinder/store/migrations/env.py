"""Alembic environment: runs migrations on the async engine rejoinder uses (batch mode for SQLite)."""

from __future__ import annotations

import asyncio
from typing import Any

from alembic import context
from sqlalchemy.engine import Connection

from rejoinder.store.engine import create_engine
from rejoinder.store.schema import include_name, metadata

config = context.config


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _main(url: str) -> None:
    engine = create_engine(url, foreign_keys=False)
    try:
        async with engine.connect() as conn:
            await conn.run_sync(_run)
            await conn.commit()
    finally:
        await engine.dispose()


def run(url: Any) -> None:
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        loop = None
    if loop is None:
        asyncio.run(_main(url))
    else:  # called from inside a running loop (tests): run on a fresh thread's loop
        import threading

        errors: list[BaseException] = []

        def target() -> None:
            try:
                asyncio.run(_main(url))
            except BaseException as exc:  # re-raised below on the caller's thread
                errors.append(exc)

        thread = threading.Thread(target=target)
        thread.start()
        thread.join()
        if errors:
            raise errors[0]


run(config.attributes.get("rejoinder_url") or config.get_main_option("sqlalchemy.url"))
