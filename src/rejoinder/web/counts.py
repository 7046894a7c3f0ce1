"""GET /api/counts: comment and like counts for many article URLs in one request."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request, Response, get
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import QueryParameter

from rejoinder.services import counts as service
from rejoinder.web.threads import cached_response
from rejoinder.web.wire import ctx_of


class CountOut(msgspec.Struct):
    comments: int
    likes: int


class CountsOut(msgspec.Struct):
    counts: dict[str, CountOut]


@get(
    "/api/counts",
    summary="Counts for many URLs",
    tags=["threads"],
    responses={200: ResponseSpec(data_container=CountsOut, description="Counts keyed by the URLs as given")},
)
async def get_counts(
    request: Request[Any, Any, Any],
    url: Annotated[list[str] | None, QueryParameter(description="An article URL; repeat for several")] = None,
) -> Response[bytes]:
    """`{"counts": {"<url as given>": {"comments": n, "likes": n}}}`; unknown URLs count 0."""
    ctx = ctx_of(request)
    plan = await service.plan_counts(ctx, url or [])
    gens = ctx.invalidator.generations(plan.deps)  # before the query, as for threads
    counts = await service.count(ctx, plan)
    body = msgspec.json.encode(
        CountsOut(counts={u: CountOut(comments=c, likes=lk) for u, (c, lk) in counts.items()})
    )
    # A URL no site allows yet counts 0 until a site is added, and adding one bumps nothing: not cached.
    every_url_has_a_site = len(plan.site_of) == len(set(plan.normal.values()))
    return cached_response(request, plan.deps, gens, body, store=every_url_has_a_site)
