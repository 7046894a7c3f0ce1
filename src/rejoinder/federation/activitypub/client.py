"""The one HTTP client of ActivityPub: fetches documents and posts signed activities, every request through
the SSRF guard (outbound.PublicOnlyTransport: https and public addresses only, unless `allow_private`,
tests only), with a time and a size limit. Redirects are not followed: an actor's id is where it lives."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from typing import Any
from urllib.parse import SplitResult, urlsplit

import httpx2
import msgspec

from rejoinder.errors import RejoinderError
from rejoinder.federation.activitypub.documents import ACTIVITY_JSON, LD_JSON
from rejoinder.federation.activitypub.signatures import sign
from rejoinder.outbound import PublicOnlyTransport

MAX_DOCUMENT_BYTES = 1_000_000


class FetchFailed(Exception):
    """A remote document or delivery that did not work (the reason is safe to log: no URL query)."""


class Signer(msgspec.Struct, frozen=True):
    key_id: str
    private_pem: str  # never logged

    def __repr__(self) -> str:  # no private key in a traceback or a log line
        return f"Signer(key_id={self.key_id!r})"


class Client:
    def __init__(self, *, timeout: float, allow_private: bool, clock: Any, user_agent: str) -> None:
        self.timeout = timeout
        self.allow_private = allow_private
        self.clock = clock
        self.user_agent = user_agent

    def _client(self) -> httpx2.AsyncClient:
        transport = PublicOnlyTransport(allow_private=self.allow_private)
        return httpx2.AsyncClient(
            timeout=self.timeout, follow_redirects=False, transport=transport, trust_env=False
        )

    def _check(self, url: str) -> SplitResult:
        parts = urlsplit(url)
        allowed = ("https", "http") if self.allow_private else ("https",)
        if parts.scheme not in allowed or not parts.hostname:
            raise FetchFailed("not an https URL")
        return parts

    def _signature(
        self,
        method: str,
        parts: SplitResult,
        signer: Signer,
        *,
        body: bytes | None = None,
        content_type: str | None = None,
    ) -> dict[str, str]:
        """The headers that sign a request for `parts` (Host, Date, Digest with a body, Signature)."""
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        return sign(
            method,
            parts.netloc,
            target,
            key_id=signer.key_id,
            private_pem=signer.private_pem,
            now_us=self.clock(),
            body=body,
            content_type=content_type,
        )

    @contextlib.contextmanager
    def _failures(self) -> Iterator[None]:
        """What goes wrong on the way (no answer in time, an address the guard refuses, the network) as
        a FetchFailed naming it."""
        try:
            yield
        except TimeoutError:
            raise FetchFailed(f"no answer within {self.timeout} s") from None
        except RejoinderError as exc:  # the guard refused the address
            raise FetchFailed(exc.code) from None
        except (httpx2.HTTPError, OSError) as exc:
            raise FetchFailed(type(exc).__name__) from None

    async def get_json(self, url: str, *, signer: Signer | None = None) -> Any:
        """The JSON document at `url` (an ActivityPub object), signed with `signer` when given (servers in
        secure mode answer only signed fetches)."""
        parts = self._check(url)
        headers = {"accept": f"{ACTIVITY_JSON}, {LD_JSON}", "user-agent": self.user_agent}
        if signer is not None:
            headers |= self._signature("get", parts, signer)
        with self._failures():
            async with (
                asyncio.timeout(self.timeout),
                self._client() as client,
                client.stream("GET", url, headers=headers) as response,
            ):
                if response.status_code != 200:
                    raise FetchFailed(f"the server answered {response.status_code}")
                body = bytearray()
                async for chunk in response.aiter_bytes():
                    body += chunk
                    if len(body) > MAX_DOCUMENT_BYTES:
                        raise FetchFailed("the document is too large")
        try:
            return msgspec.json.decode(bytes(body))
        except msgspec.DecodeError:
            raise FetchFailed("the document is not JSON") from None

    async def post(self, url: str, activity: dict[str, Any], *, signer: Signer) -> int:
        """POST a signed activity to an inbox; the status (2xx); FetchFailed otherwise."""
        parts = self._check(url)
        body = msgspec.json.encode(activity)
        headers = self._signature("post", parts, signer, body=body, content_type=ACTIVITY_JSON)
        headers["user-agent"] = self.user_agent
        headers["accept"] = ACTIVITY_JSON
        with self._failures():
            async with asyncio.timeout(self.timeout), self._client() as client:
                response = await client.post(url, content=body, headers=headers)
        if not 200 <= response.status_code < 300:
            raise FetchFailed(f"the inbox answered {response.status_code}")
        return response.status_code
