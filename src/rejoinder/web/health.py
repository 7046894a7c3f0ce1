"""Health endpoints for load balancers and orchestrators: `GET /livez` says the process answers (no I/O,
never fails while the event loop runs); `GET /healthz` says whether this worker can serve correctly now,
checking each dependency: the database, and Redis when it carries invalidations between hosts (a worker
cut off from Redis misses other hosts' writes and serves stale threads, so it reports itself unready)."""

from __future__ import annotations

import asyncio
from typing import Any, Literal

import msgspec
import sqlalchemy as sa
from litestar import Request, Response, get

from rejoinder import __version__
from rejoinder.store import engine as store_engine
from rejoinder.web.wire import ctx_of

State = Literal["ok", "unavailable"]
NO_STORE = {"Cache-Control": "no-store"}
DATABASE_TIMEOUT = 2.0  # seconds: a database that answers slower than this is reported unavailable


class Health(msgspec.Struct):
    status: State
    version: str
    database: str
    checks: dict[str, State]


class Liveness(msgspec.Struct):
    status: Literal["ok"]
    version: str


async def _database_ok(request: Request[Any, Any, Any]) -> bool:
    async def probe() -> None:
        async with store_engine.read(ctx_of(request).engine) as conn:
            await conn.execute(sa.text("SELECT 1"))

    try:
        await asyncio.wait_for(probe(), timeout=DATABASE_TIMEOUT)
    except Exception:
        return False
    return True


@get("/healthz", summary="Readiness: can this worker serve", tags=["meta"])
async def healthz(request: Request[Any, Any, Any]) -> Response[Health]:
    """`200` when every dependency answers, `503` naming the one that does not (`checks`): the database,
    and `redis` when `redis.url` is set."""
    ctx = ctx_of(request)
    checks: dict[str, State] = {"database": "ok" if await _database_ok(request) else "unavailable"}
    redis = await ctx.invalidator.reachable()
    if redis is not None:
        checks["redis"] = "ok" if redis else "unavailable"
    ready = all(state == "ok" for state in checks.values())
    body = Health("ok" if ready else "unavailable", __version__, ctx.engine.dialect.name, checks)
    return Response(body, status_code=200 if ready else 503, headers=NO_STORE)


@get("/livez", summary="Liveness: the process answers", tags=["meta"])
async def livez() -> Response[Liveness]:
    """Always `200` while the worker's event loop runs; checks no dependency (use `/healthz` for that)."""
    return Response(Liveness("ok", __version__), headers=NO_STORE)
