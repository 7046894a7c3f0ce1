"""Webmention over HTTP: fetching a source or a target page and posting a Webmention to an endpoint, every
request through the SSRF guard (outbound.PublicOnlyTransport: https and public addresses only, checked on
each redirect hop), with a time limit, a size limit and no cookies, credentials or Referer. What the
answers mean is services/webmentions.py's business; this module only reports them.

    web = WebmentionHttp(timeout=10, max_bytes=1_000_000, max_redirects=5, allow_private=False)
    page = await web.fetch("https://example.org/post")       # Page(status, url, headers…, body)
    answer = await web.send(endpoint, source=…, target=…)    # the endpoint's status code
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx2  # the same client library as the guard's transport

from rejoinder import __version__
from rejoinder.errors import RejoinderError, WebmentionFailed
from rejoinder.outbound import PublicOnlyTransport

_REDIRECTS = {301, 302, 303, 307, 308}
USER_AGENT = f"rejoinder/{__version__} (Webmention)"


class PageRefused(Exception):
    """A page that will never be taken as it is (too large, not http(s), too many redirects, the guard
    refused the address): no retry helps. `code` says which."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class Page:
    status: int
    url: str  # after redirects
    content_type: str
    link: str | None  # the HTTP Link header(s), joined
    body: str

    @property
    def is_html(self) -> bool:
        return self.content_type in ("text/html", "application/xhtml+xml", "")


@dataclass(frozen=True, kw_only=True)
class WebmentionHttp:
    timeout: float
    max_bytes: int
    max_redirects: int
    allow_private: bool = False

    def _client(self) -> httpx2.AsyncClient:
        transport = PublicOnlyTransport(allow_private=self.allow_private)
        return httpx2.AsyncClient(
            timeout=self.timeout, follow_redirects=False, transport=transport, trust_env=False
        )

    def _check_scheme(self, url: str) -> None:
        if urlsplit(url).scheme not in ("https", "http"):
            raise PageRefused("not-http", "not an http(s) URL")

    async def fetch(self, url: str) -> Page:
        """GET a page, following redirects (each hop through the guard).

        Raises:
            PageRefused: will not be taken (too large, guard, redirects). WebmentionFailed: a network
            problem or timeout (worth retrying).
        """
        try:
            async with asyncio.timeout(self.timeout):
                return await self._fetch(url)
        except TimeoutError:
            raise WebmentionFailed(f"{url} took longer than {self.timeout:g} s") from None
        except RejoinderError as exc:  # the guard: not https, not public, a name that does not resolve
            raise PageRefused(exc.code, exc.detail) from None
        except httpx2.TimeoutException:
            raise WebmentionFailed(f"{url} took longer than {self.timeout:g} s") from None
        except (httpx2.HTTPError, OSError, ValueError) as exc:
            raise WebmentionFailed(f"{type(exc).__name__}: {exc}"[:300]) from None

    async def _fetch(self, url: str) -> Page:
        headers = {
            "Accept": "text/html, application/xhtml+xml;q=0.9, text/plain;q=0.5, */*;q=0.1",
            "Accept-Encoding": "identity",  # the size limit counts what arrives: no decompression bombs
            "User-Agent": USER_AGENT,
        }
        async with self._client() as client:
            for _ in range(self.max_redirects + 1):
                self._check_scheme(url)
                async with client.stream("GET", url, headers=headers) as response:
                    location = response.headers.get("location")
                    if response.status_code in _REDIRECTS and location:
                        url = urljoin(url, location.strip())
                        continue
                    declared = response.headers.get("content-length")
                    if declared and declared.isdigit() and int(declared) > self.max_bytes:
                        raise PageRefused("too-large", f"the page is larger than {self.max_bytes} bytes")
                    data = bytearray()
                    async for chunk in response.aiter_raw():
                        data += chunk
                        if len(data) > self.max_bytes:
                            raise PageRefused("too-large", f"the page is larger than {self.max_bytes} bytes")
                    media = response.headers.get("content-type", "").split(";")[0].strip().lower()
                    links = response.headers.get_list("link")
                    return Page(
                        status=response.status_code,
                        url=url,
                        content_type=media,
                        link=", ".join(links) if links else None,
                        body=bytes(data).decode(response.encoding or "utf-8", errors="replace"),
                    )
        raise PageRefused("too-many-redirects", f"more than {self.max_redirects} redirects")

    async def send(self, endpoint: str, *, source: str, target: str) -> int:
        """POST the Webmention (form-encoded source and target); the endpoint's status. Redirects are
        followed as for a 307 (the same POST), each hop through the guard.

        Raises:
            PageRefused: the endpoint will never be reached (guard, not http(s), redirects).
            WebmentionFailed: a network problem or timeout.
        """
        headers = {"User-Agent": USER_AGENT, "Accept": "*/*"}
        try:
            async with asyncio.timeout(self.timeout), self._client() as client:
                url = endpoint
                for _ in range(self.max_redirects + 1):
                    self._check_scheme(url)
                    response = await client.post(
                        url, data={"source": source, "target": target}, headers=headers
                    )
                    await response.aclose()
                    location = response.headers.get("location")
                    if response.status_code in (307, 308) and location:
                        url = urljoin(url, location.strip())
                        continue
                    return response.status_code
                raise PageRefused("too-many-redirects", f"more than {self.max_redirects} redirects")
        except TimeoutError:
            raise WebmentionFailed(f"{endpoint} took longer than {self.timeout:g} s") from None
        except RejoinderError as exc:
            raise PageRefused(exc.code, exc.detail) from None
        except httpx2.TimeoutException:
            raise WebmentionFailed(f"{endpoint} took longer than {self.timeout:g} s") from None
        except (httpx2.HTTPError, OSError, ValueError) as exc:
            raise WebmentionFailed(f"{type(exc).__name__}: {exc}"[:300]) from None
