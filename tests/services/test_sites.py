"""Workers starting at the same moment on a new database agree on the generated secret key."""

from __future__ import annotations

import asyncio

from rejoinder.services.sites import ensure_secret
from rejoinder.store import engine as store_engine


def test_workers_starting_together_share_one_generated_secret(db_url: str) -> None:
    async def go() -> list[bytes]:
        engines = [store_engine.create_engine(db_url) for _ in range(6)]
        try:
            return await asyncio.gather(
                *(ensure_secret(e, "", f"generated-by-worker-{n}") for n, e in enumerate(engines))
            )
        finally:
            for e in engines:
                await e.dispose()

    keys = asyncio.run(go())
    assert len(set(keys)) == 1, keys
    assert keys[0].startswith(b"generated-by-worker-")
