"""Sites: creation and the in-memory registry that resolves a request to its site."""

from __future__ import annotations

import time

from sqlalchemy.ext.asyncio import AsyncEngine

from rejoinder.domain.sites import Site, SiteOptions, check_site_name
from rejoinder.domain.urls import normalize_origin, origin_of
from rejoinder.errors import Conflict, OriginNotAllowed, SiteNotFound, SiteRequired
from rejoinder.invalidation.base import Invalidator, slot_of
from rejoinder.store import engine as store_engine
from rejoinder.store import sites as store

# The invalidation key of every site's settings: bumped when /admin changes a site, so that each worker's
# registry reloads at its next lookup and cached thread responses (which carry the site's settings) go stale.
SITES_KEY = "sites"


class SiteRegistry:
    """Sites kept in memory; reloaded when a lookup misses (a site added by the CLI appears within
    `miss_interval` seconds), when SITES_KEY was bumped, and at least every `max_age` seconds."""

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        invalidator: Invalidator | None = None,
        miss_interval: float = 1.0,
        max_age: float = 30.0,
    ) -> None:
        self._engine = engine
        self._invalidator = invalidator
        self._slot = (slot_of(SITES_KEY),)
        self.generation = 0  # of SITES_KEY when the sites in memory were read
        self._sites: list[Site] = []
        self._by_origin: dict[str, Site] = {}
        self._by_name: dict[str, Site] = {}
        self._loaded = 0.0
        self._miss_interval = miss_interval
        self._max_age = max_age

    def _current(self) -> int:
        return self._invalidator.slot_generations(self._slot)[0] if self._invalidator is not None else 0

    async def load(self) -> None:
        generation = self._current()  # before the query: a change committed during it reloads again
        async with store_engine.read(self._engine) as conn:
            sites = await store.select_sites(conn)
        self._sites = sites
        self._by_name = {s.name: s for s in sites}
        self._by_origin = {}
        for s in sites:
            for origin in s.origins:
                self._by_origin.setdefault(origin, s)
        self._loaded = time.monotonic()
        self.generation = generation

    async def _fresh(self, missed: bool) -> None:
        age = time.monotonic() - self._loaded
        if (
            age > self._max_age
            or (missed and age > self._miss_interval)
            or self._current() != self.generation
        ):
            await self.load()

    async def by_id(self, site_id: int) -> Site:
        if self._current() != self.generation:  # only after a site change: services call this mid-transaction
            await self.load()
        for s in self._sites:
            if s.id == site_id:
                return s
        await self.load()
        for s in self._sites:
            if s.id == site_id:
                return s
        raise SiteNotFound("The site of this thread no longer exists")

    def cached_by_origin(self, origin: str) -> Site | None:
        return self._by_origin.get(origin)

    async def all(self) -> list[Site]:
        await self._fresh(False)
        return self._sites

    async def by_origin(self, origin: str) -> Site | None:
        await self._fresh(origin not in self._by_origin)
        return self._by_origin.get(origin)

    async def by_name(self, name: str) -> Site | None:
        await self._fresh(name not in self._by_name)
        return self._by_name.get(name)

    async def scope_named(self, name: str | None) -> int | None:
        """The site id a staff action (a ban, a role) names; None, meaning every site, when no name is
        given. Raises SiteNotFound for a name no site has."""
        if not name:
            return None
        found = await self.by_name(name)
        if found is None:
            raise SiteNotFound.named(name)
        return found.id

    async def is_allowed_origin(self, origin: str) -> bool:
        return await self.by_origin(origin) is not None

    async def resolve(self, *, site: str | None, url: str | None, origin_header: str | None = None) -> Site:
        """The site a request is about: named explicitly, else the one allowing the article URL's origin,
        else the only site there is.

        Raises:
            NotFound: an unknown site name. Forbidden: the URL's origin is allowed by no site.
        """
        if site:
            found = await self.by_name(site)
            if found is None:
                raise SiteNotFound.named(site)
            if url and origin_of(url) not in found.origins:
                raise OriginNotAllowed(
                    f"Site {site!r} does not allow pages from {origin_of(url)}; add the origin to the site"
                )
            return found
        if url:
            found = await self.by_origin(origin_of(url))
            if found is None:
                raise OriginNotAllowed(
                    f"No site on this server allows pages from {origin_of(url)}. "
                    f"Add it with: rejoinder site add NAME --origin {origin_of(url)}"
                )
            return found
        sites = await self.all()
        if len(sites) == 1:
            return sites[0]
        raise SiteRequired.at("site", "Say which site this is for: give `url` or `site`")


async def add_site(
    engine: AsyncEngine, name: str, origins: list[str], options: SiteOptions, now: int
) -> Site:
    name = check_site_name(name)
    clean = sorted({normalize_origin(o) for o in origins})
    async with store_engine.write(engine) as conn:
        if await store.select_site_by_name(conn, name) is not None:
            raise Conflict(f"A site named {name!r} already exists", code="site-exists")
        return await store.insert_site(conn, name, clean, options, now)


async def update_site(
    engine: AsyncEngine,
    name: str,
    *,
    add_origins: list[str],
    remove_origins: list[str],
    options: SiteOptions | None,
) -> Site:
    async with store_engine.write(engine) as conn:
        site = await store.select_site_by_name(conn, name)
        if site is None:
            raise SiteNotFound.named(name)
        origins = set(site.origins) | {normalize_origin(o) for o in add_origins}
        origins -= {normalize_origin(o) for o in remove_origins}
        new_options = options or site.options
        await store.update_site(conn, site.id, sorted(origins), new_options)
        return Site(id=site.id, name=site.name, origins=tuple(sorted(origins)), options=new_options)


async def list_sites(engine: AsyncEngine) -> list[Site]:
    async with store_engine.read(engine) as conn:
        return await store.select_sites(conn)


async def remove_site(engine: AsyncEngine, name: str) -> None:
    async with store_engine.write(engine) as conn:
        site = await store.select_site_by_name(conn, name)
        if site is None:
            raise SiteNotFound.named(name)
        await store.delete_site(conn, site.id)


async def stored_secret(engine: AsyncEngine, name: str) -> bytes | None:
    """A key kept in the database (`meta`), if there is one yet."""
    async with store_engine.read(engine) as conn:
        value = await store.select_meta(conn, name)
    return None if value is None else value.encode("utf-8")


async def ensure_secret(
    engine: AsyncEngine, configured: str, generate: str, *, name: str = "secret_key"
) -> bytes:
    """The configured secret key, else the one generated on first start and kept in the database (under
    `name`: `identifier_key` is kept there the same way, starting as a copy of the secret in force when it
    was first needed, so that identifiers made before it existed stay the same)."""
    if configured:
        return configured.encode("utf-8")
    try:
        async with store_engine.write(engine) as conn:
            value = await store.select_meta(conn, name)
            if value is None:
                value = generate
                await store.insert_meta(conn, name, value)
    except Conflict:
        # Another worker starting at the same moment stored its key first (PostgreSQL lets both read
        # "none yet"): every worker must use that one.
        async with store_engine.read(engine) as conn:
            value = await store.select_meta(conn, name)
        if value is None:
            raise
    return value.encode("utf-8")
