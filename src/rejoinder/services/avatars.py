"""Avatars: the identicon by default; with a site's opt-in, the Gravatar image fetched by the server in the
background, cached, and served from rejoinder's own URL (readers' browsers never contact Gravatar, and no
public output carries the email hash). A signed-in identity's avatar is the picture its sign-in provider gave
(avatars.provider_pictures), fetched the same way (services/pictures.py) after each sign-in."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from typing import TYPE_CHECKING, Any, Protocol

import httpx
import msgspec
from sqlalchemy.ext.asyncio import AsyncEngine

from rejoinder.domain.identity import (
    CredentialKind,
    Profile,
    identicon_svg,
    identity_avatar_key,
    sniff_image,
)
from rejoinder.store import authors as store
from rejoinder.store import engine as store_engine
from rejoinder.store import identities as identity_store

if TYPE_CHECKING:
    from rejoinder.services.context import Context

log = logging.getLogger("rejoinder.avatars")
MAX_IMAGE_BYTES = 256 * 1024
REFRESH_US = 7 * 24 * 3600 * 1_000_000
# A sign-in with the same picture URL as last time fetches it again only after this long (an SSO token
# without a jti may be exchanged over and over; each exchange must not become a download).
PICTURE_RECHECK_US = 600 * 1_000_000


class ImageSource(Protocol):
    """Where avatar images come from (Gravatar in production; a loopback server in tests)."""

    async def fetch(self, email_md5: str) -> tuple[bytes, str] | None: ...


class PictureSource(Protocol):
    """Where provider pictures come from (services/pictures.PictureFetcher)."""

    async def fetch(self, url: str) -> tuple[bytes, str] | None: ...


class Avatar(msgspec.Struct, frozen=True):
    content: bytes
    media_type: str
    settled: bool = True  # False: this worker is downloading a (new) picture for the key: do not keep this


class GravatarSource:
    def __init__(self, base_url: str, timeout: float = 5.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    async def fetch(self, email_md5: str) -> tuple[bytes, str] | None:
        """The image for this hash, or None when Gravatar has none (d=404) or answers oddly. The answer's
        first bytes say what it is, never its Content-Type: anything but a PNG, JPEG, GIF or WebP file
        (HTML, SVG, a script) is refused, whatever it claims to be."""
        url = f"{self.base_url}/avatar/{email_md5}"
        async with (
            httpx.AsyncClient(timeout=self.timeout, follow_redirects=False) as client,
            client.stream(
                "GET", url, params={"s": "96", "d": "404", "r": "g"}, headers={"Accept-Encoding": "identity"}
            ) as response,
        ):
            if response.status_code != 200:
                return None
            body = bytearray()
            async for chunk in response.aiter_raw():
                body += chunk
                if len(body) > MAX_IMAGE_BYTES:
                    return None
        media_type = sniff_image(bytes(body[:16]))
        if media_type is None:
            log.info("[rejoinder] Gravatar answered with something that is not an image; not used")
            return None
        return bytes(body), media_type


class Avatars:
    """Records hashes at write time and fetches images in background tasks (never during a request)."""

    def __init__(
        self, engine: AsyncEngine, source: ImageSource | None, pictures: PictureSource | None = None
    ) -> None:
        self.engine = engine
        self.source = source
        self.pictures = pictures  # None: provider pictures are off (identities show their identicon)
        self._tasks: set[asyncio.Task[None]] = set()
        self._pending: set[str] = set()  # keys whose provider picture is being downloaded

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
        self._start(self._fetch(key, digest))

    def _start(self, work: Any) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def remember_picture(self, key: str, site_id: int, url: str, *, changed: bool) -> None:
        """After a sign-in whose provider gave a picture: download it in the background, unless a download
        for this key is running, or the same URL was tried a moment ago.

        Args:
            changed: the credential's picture URL differs from the one it had (a new picture): if it
                cannot be downloaded, the identicon replaces the old picture. Otherwise a failed download
                keeps the picture already there.
        """
        if self.pictures is None or key in self._pending:
            return
        if not changed:
            async with store_engine.read(self.engine) as conn:
                row = await store.select_avatar(conn, key)
            if row is not None and row.fetched and self._now() - row.fetched < PICTURE_RECHECK_US:
                return
        self._pending.add(key)
        try:
            # Marked in the database too, so that every worker answers this avatar with no-cache meanwhile.
            async with store_engine.write(self.engine) as conn:
                await store.mark_picture_downloading(conn, key, site_id)
        except BaseException:
            self._pending.discard(key)
            raise
        self._start(self._fetch_picture(key, site_id, url, keep_previous=not changed))

    async def _fetch_picture(self, key: str, site_id: int, url: str, *, keep_previous: bool) -> None:
        assert self.pictures is not None
        try:
            try:
                found = await self.pictures.fetch(url)
            except Exception as exc:  # whatever goes wrong, the identicon (or the old picture) stays
                log.info("[rejoinder] provider picture lookup failed: %s", type(exc).__name__)
                found = None
            async with store_engine.write(self.engine) as conn:
                await store.save_identity_picture(
                    conn, key, site_id, found, self._now(), keep_previous=keep_previous
                )
        finally:
            self._pending.discard(key)

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

    async def image(self, key: str) -> Avatar:
        """The cached Gravatar image or provider picture when there is one, else the identicon; refreshes
        stale Gravatar lookups."""
        async with store_engine.read(self.engine) as conn:
            row = await store.select_avatar(conn, key)
        if row is not None and row.email_md5 and self.source is not None:
            stale = row.fetched is None or self._now() - row.fetched > REFRESH_US
            if stale and not any(not t.done() for t in self._tasks):
                self._schedule(key, row.email_md5)
        # A provider picture (a row without an email hash) shows only while provider pictures are on.
        shown = row is not None and (row.email_md5 is not None or self.pictures is not None)
        # Downloading here, or in another worker (a provider-picture row whose download has not ended).
        settled = key not in self._pending and not (
            shown and row is not None and row.email_md5 is None and row.fetched is None
        )
        if shown and row is not None and row.image is not None:
            # Checked again as it goes out, by its bytes: a copy stored before every download was checked
            # may be anything; it is served only as the image its first bytes say it is.
            media_type = sniff_image(row.image[:16])
            if media_type is not None:
                return Avatar(content=row.image, media_type=media_type, settled=settled)
        return Avatar(content=identicon_svg(key).encode(), media_type="image/svg+xml", settled=settled)

    async def drain(self) -> None:
        """Wait for pending lookups (shutdown and tests)."""
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=10)


async def note_picture(conn: Any, profile: Profile, now: int) -> bool:
    """Keep the picture URL a provider gave with its credential (credentials.data["picture"]), inside the
    sign-in's transaction, once the credential exists; True when it is a new picture URL."""
    if profile.kind not in (CredentialKind.OIDC, CredentialKind.SSO):
        return False  # email links and passkeys carry no picture, and keep their data as it is
    old = await identity_store.select_credential_data(conn, *profile.credential)
    if old is None or old.get("picture") == profile.picture:
        return False
    await identity_store.touch_credential(
        conn,
        *profile.credential,
        now=now,
        data={**old, "picture": profile.picture},
    )
    return profile.picture is not None


async def fetch_identity_picture(
    ctx: Context, identity_id: str, site_id: int | None, picture: str | None, *, changed: bool
) -> None:
    """After a sign-in (on the site `site_id`) whose provider gave `picture`: the identity's avatar becomes
    that picture once the server has downloaded it (services/pictures.py), at the same /api/avatars URL."""
    if picture is None or site_id is None or ctx.avatars is None:
        return
    key = identity_avatar_key(ctx.id_key, identity_id)
    await ctx.avatars.remember_picture(key, site_id, picture, changed=changed)
