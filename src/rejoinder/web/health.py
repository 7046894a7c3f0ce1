"""GET /healthz: is the database reachable."""

from __future__ import annotations

from typing import Any

import msgspec
import sqlalchemy as sa
from litestar import Request, Response, get

from rejoinder import __version__
from rejoinder.store import engine as store_engine
from rejoinder.web.wire import ctx_of


class Health(msgspec.Struct):
    status: str
    version: str
    database: str


@get("/healthz", summary="Health check", tags=["meta"])
async def healthz(request: Request[Any, Any, Any]) -> Response[Health]:
    ctx = ctx_of(request)
    try:
        async with store_engine.read(ctx.engine) as conn:
            await conn.execute(sa.text("SELECT 1"))
        return Response(
            Health("ok", __version__, ctx.engine.dialect.name), headers={"Cache-Control": "no-store"}
        )
    except Exception:
        return Response(Health("unavailable", __version__, ctx.engine.dialect.name), status_code=503)
