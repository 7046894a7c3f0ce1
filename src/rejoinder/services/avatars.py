"""Avatars: the identicon by default; with a site's opt-in, the Gravatar image fetched by the server in the
background, cached, and served from rejoinder's own URL (readers' browsers never contact Gravatar, and no
public output carries the email hash)."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from typing import Protocol

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from rejoinder.domain.identity import identicon_svg
from rejoinder.store import authors as store
from rejoinder.store import engine as store_engine

log = logging.getLogger("rejoinder.avatars")
MAX_IMAGE_BYTES = 256 * 1024
REFRESH_US = 7 * 24 * 3600 * 1_000_000
IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}


class ImageSource(Protocol):
    """Where avatar images come from (Gravatar in production; a loopback server in tests)."""

    async def fetch(self, email_md5: str) -> tuple[bytes, str] | None: ...


class GravatarSource:
    def __init__(self, base_url: str, timeout: float = 5.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    async def fetch(self, email_md5: str) -> tuple[bytes, str] | None:
        """The image for this hash, or None when Gravatar has none (d=404) or answers oddly."""
        url = f"{self.base_url}/avatar/{email_md5}"
        async with httpx.AsyncClient(timeout=self.timeout, follow_redirects=False) as client:
            response = await client.get(url, params={"s": "96", "d": "404", "r": "g"})
        content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if response.status_code != 200 or content_type not in IMAGE_TYPES:
            return None
        if len(response.content) > MAX_IMAGE_BYTES:
            return None
        return response.content, content_type


class Avatars:
    """Records hashes at write time and fetches images in background tasks (never during a request)."""

    def __init__(self, engine: AsyncEngine, source: ImageSource | None) -> None:
        self.engine = engine
        self.source = source
        self._tasks: set[asyncio.Task[None]] = set()

    def _now(self) -> int:
        from rejoinder.services.context import now_us

        return now_us()

    async def remember(self, key: str, site_id: int, email: str) -> None:
        """Called after a comment with an email is stored on a Gravatar site: schedule a lookup once."""
        if self.source is None:
            return
        digest = hashlib.md5(email.strip().lower().encode("utf-8"), usedforsecurity=False).hexdigest()
        async with store_engine.write(self.engine) as conn:
            new = await store.upsert_author_hash(conn, key, site_id, digest)
        if new:
            self._schedule(key, digest)

    def _schedule(self, key: str, digest: str) -> None:
        task = asyncio.get_running_loop().create_task(self._fetch(key, digest))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _fetch(self, key: str, digest: str) -> None:
        assert self.source is not None
        try:
            found = await self.source.fetch(digest)
        except Exception as exc:  # an unreachable Gravatar leaves the identicon in place
            log.info("[rejoinder] avatar lookup failed: %s", type(exc).__name__)
            found = None
        async with store_engine.write(self.engine) as conn:
            await store.update_author_image(
                conn, key, found[0] if found else None, found[1] if found else None, self._now()
            )

    async def image(self, key: str) -> tuple[bytes, str]:
        """The cached Gravatar image when there is one, else the identicon; refreshes stale lookups."""
        async with store_engine.read(self.engine) as conn:
            cached = await store.select_author_image(conn, key)
            record = await store.select_author_hash(conn, key) if self.source is not None else None
        stale = record is not None and (record[1] is None or self._now() - record[1] > REFRESH_US)
        if stale and record is not None and record[0] and not any(not t.done() for t in self._tasks):
            self._schedule(key, record[0])
        if cached is not None:
            return cached
        return identicon_svg(key).encode(), "image/svg+xml"

    async def drain(self) -> None:
        """Wait for pending lookups (shutdown and tests)."""
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=10)
