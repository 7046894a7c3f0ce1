"""Comment and like counts for many article URLs at once (index pages)."""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from rejoinder.domain.urls import origin_of
from rejoinder.errors import Invalid, UrlRequired
from rejoinder.services.context import Context
from rejoinder.services.threads import article_url
from rejoinder.store import engine as store_engine
from rejoinder.store import threads as thread_store

MAX_URLS = 200


class CountPlan(msgspec.Struct, frozen=True):
    normal: dict[str, str]  # url as given -> normalised
    site_of: dict[str, int]  # normalised -> site id, for URLs some site allows
    deps: list[str]  # the cache keys the answer depends on


async def plan_counts(ctx: Context, urls: Sequence[str]) -> CountPlan:
    """Validate and normalise the URLs and find their sites. Raises Invalid naming the bad URL."""
    if not urls:
        raise UrlRequired.at("url", "Give at least one `url` parameter")
    if len(urls) > MAX_URLS:
        raise Invalid.field("url", "too-many-urls", f"Ask for at most {MAX_URLS} URLs at once")
    normal: dict[str, str] = {}
    site_of: dict[str, int] = {}
    for raw in urls:
        uri = article_url(ctx, raw)
        normal[raw] = uri
        site = await ctx.sites.by_origin(origin_of(uri))
        if site is not None:
            site_of[uri] = site.id
    deps = [f"{site_of[u]}|u:{u}" for u in sorted(site_of)]
    return CountPlan(normal=normal, site_of=site_of, deps=deps)


async def count(ctx: Context, plan: CountPlan) -> dict[str, tuple[int, int]]:
    """(comments, likes) per URL as given; a URL with no discussion (or no site) counts (0, 0)."""
    found: dict[str, tuple[int, int]] = {}
    if plan.site_of:
        async with store_engine.read(ctx.engine) as conn:
            found = await thread_store.count_for_uris(
                conn, sorted(set(plan.site_of.values())), sorted(plan.site_of)
            )
    return {raw: found.get(uri, (0, 0)) for raw, uri in plan.normal.items()}
