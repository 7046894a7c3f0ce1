"""Downloading a signed-in reader's picture from the URL their sign-in provider gave (the background half of
provider avatars; services/avatars.py decides when, and serves the result from rejoinder's own URL).

The URL comes from a provider, an SSO token or a reader's own fediverse server, so it is treated like a
reader-typed server name: https only, to public addresses only (the shared guard,
outbound.PublicOnlyTransport, checks every hop, redirects included), a few redirects at most, a size
limit, an overall deadline, and only PNG, JPEG, GIF or WebP as told by the file's first bytes.
Nothing of the reader's is sent: no cookies, no tokens, no Referer.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx2  # the same client library as the guard's transport

from rejoinder.domain.identity import sniff_image
from rejoinder.errors import RejoinderError
from rejoinder.outbound import PublicOnlyTransport

log = logging.getLogger("rejoinder.avatars")
MAX_PICTURE_BYTES = 256 * 1024
MAX_REDIRECTS = 3
_REDIRECTS = {301, 302, 303, 307, 308}


class _Refused(Exception):
    """Why a picture was not taken (logged as a reason, never with the URL: some carry signed tokens)."""


@dataclass(frozen=True, kw_only=True)
class PictureFetcher:
    """Downloads one picture. `allow_private` (avatars.pictures_allow_private, tests only) lets it reach
    loopback servers over plain http, as auth.fediverse_allow_private does for fediverse servers."""

    timeout: float
    allow_private: bool = False
    max_bytes: int = MAX_PICTURE_BYTES
    max_redirects: int = MAX_REDIRECTS

    async def fetch(self, url: str) -> tuple[bytes, str] | None:
        """(image bytes, media type), or None when the picture cannot or may not be taken."""
        try:
            async with asyncio.timeout(self.timeout):
                return await self._fetch(url)
        except _Refused as exc:
            log.info("[rejoinder] provider picture not used: %s", exc)
        except TimeoutError:
            log.info("[rejoinder] provider picture not used: it took longer than %s s", self.timeout)
        except RejoinderError as exc:  # the guard: not https, or not a public address
            log.info("[rejoinder] provider picture not used: %s", exc.code)
        except (httpx2.HTTPError, OSError, ValueError) as exc:
            log.info("[rejoinder] provider picture not used: %s", type(exc).__name__)
        return None

    async def _fetch(self, url: str) -> tuple[bytes, str]:
        headers = {
            "Accept": "image/png, image/jpeg, image/gif, image/webp",
            "Accept-Encoding": "identity",  # images are compressed already; no decompression bombs
            "User-Agent": "rejoinder (avatar)",
        }
        transport = PublicOnlyTransport(allow_private=self.allow_private)
        async with httpx2.AsyncClient(
            timeout=self.timeout, follow_redirects=False, transport=transport, trust_env=False
        ) as client:
            for _ in range(self.max_redirects + 1):
                if urlsplit(url).scheme not in ("https", "http"):
                    raise _Refused("not an http(s) URL")
                async with client.stream("GET", url, headers=headers) as response:
                    if response.status_code in _REDIRECTS and response.headers.get("location"):
                        # Resolved against the URL as asked for (the transport connects to the checked IP).
                        url = urljoin(url, response.headers["location"])
                        continue
                    if response.status_code != 200:
                        raise _Refused(f"the server answered {response.status_code}")
                    return await self._read(response)
        raise _Refused(f"more than {self.max_redirects} redirects")

    async def _read(self, response: httpx2.Response) -> tuple[bytes, str]:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise _Refused(f"larger than {self.max_bytes} bytes")
        body = bytearray()
        async for chunk in response.aiter_raw():
            body += chunk
            if len(body) > self.max_bytes:
                raise _Refused(f"larger than {self.max_bytes} bytes")
        media_type = sniff_image(bytes(body[:16]))
        if media_type is None:
            raise _Refused("not a PNG, JPEG, GIF or WebP image")
        return bytes(body), media_type
