"""Serialised responses of the public reads (/api/threads, /api/counts), and their gzip copies.

An entry remembers the invalidation slots it depends on and their generations when it was built; it is
served while those are unchanged. The fast path (web/fastpath.py) serves hits before any routing.

Compression is not part of building a body: a big body (a 1,000-comment thread is ~900 KB, ~5 ms of gzip)
is compressed in a worker thread as soon as it is cached, off the event loop and off the request that
built it; a small one on the first request that accepts gzip. A client that does not accept gzip never
pays for it.
"""

from __future__ import annotations

import asyncio
import functools
import zlib
from collections import OrderedDict

from rejoinder.invalidation.base import Invalidator, slot_of
from rejoinder.web.gzipjoin import ETAG_SUFFIX, JoinedGzip, compress

GZIP_MIN = 512
BACKGROUND_MIN = 65536  # compressed in a worker thread from this size on (zlib releases the GIL)


class Entry:
    """One cached response: identity body, its gzip copy once made, validators and Cache-Control."""

    __slots__ = (
        "_headers",
        "_pending",
        "body",
        "cache_control",
        "crc",
        "etag",
        "generations",
        "gzip_body",
        "gzip_etag",
        "joined",
        "slots",
    )

    def __init__(
        self,
        slots: tuple[int, ...],
        generations: tuple[int, ...],
        etag: bytes,
        gzip_etag: bytes,
        body: bytes,
        cache_control: bytes,
        crc: int = 0,
    ) -> None:
        self.slots = slots
        self.crc = crc
        # A thread body's pieces (web/gzipjoin.py): its gzip copy is joined from them, never made whole.
        self.joined: JoinedGzip | None = None
        self.generations = generations
        self.etag = etag
        self.gzip_etag = gzip_etag
        self.body = body
        self.gzip_body: bytes | None = None
        self.cache_control = cache_control
        self._pending: asyncio.Future[bytes] | None = None
        # The response headers, made once per representation (identity / gzip) and status (200 / 304).
        self._headers: dict[tuple[bool, bool], list[tuple[bytes, bytes]]] = {}

    def headers(self, use_gzip: bool, not_modified: bool) -> list[tuple[bytes, bytes]]:
        found = self._headers.get((use_gzip, not_modified))
        if found is None:
            found = [
                (b"content-type", b"application/json"),
                (b"etag", self.gzip_etag if use_gzip else self.etag),
                (b"cache-control", self.cache_control),
                (b"vary", b"Accept-Encoding"),
                (b"access-control-allow-origin", b"*"),
                (b"access-control-expose-headers", b"ETag"),
            ]
            if not not_modified:
                if use_gzip:
                    found.append((b"content-encoding", b"gzip"))
                body = self.gzip_body if use_gzip and self.gzip_body is not None else self.body
                found.append((b"content-length", str(len(body)).encode()))
            self._headers[(use_gzip, not_modified)] = found
        return found

    @property
    def compressible(self) -> bool:
        return len(self.body) >= GZIP_MIN

    def needs_gzip(self, accept_encoding: bytes) -> bool:
        """True when this client should get gzip and the copy is not made yet."""
        return self.gzip_body is None and self.compressible and wants_gzip(accept_encoding)

    def _to_compress(self) -> int:
        """How many bytes making the gzip copy compresses (for a joined body: its pieces not kept)."""
        return self.joined.missing if self.joined is not None else len(self.body)

    def make_gzip(self) -> bytes:
        if self.joined is not None:
            return self.joined.build(self.crc, len(self.body))
        return compress(self.body)

    def compress_in_background(self) -> None:
        """Start making the gzip copy of a big body in a worker thread (once)."""
        if self.gzip_body is not None or self._pending is not None or self._to_compress() < BACKGROUND_MIN:
            return
        self._pending = asyncio.get_running_loop().run_in_executor(None, self.make_gzip)
        self._pending.add_done_callback(self._store)

    def _store(self, done: asyncio.Future[bytes]) -> None:
        if not done.cancelled() and done.exception() is None:
            self.gzip_body = done.result()
            self.joined = None  # its pieces are in the gzip copy (and the chunk cache) now
        self._pending = None

    async def ensure_gzip(self, *, cached: bool = True) -> None:
        """Make (or wait for) the gzip copy: inline for small bodies, in a worker thread for big ones that
        are `cached` (served again). An uncached one is compressed inline: a thread costs ~1-2 ms more CPU
        for a 900 KB body, and nobody else waits for this copy."""
        if self.gzip_body is not None or not self.compressible:
            return
        if self._to_compress() < BACKGROUND_MIN or (not cached and self._pending is None):
            self.gzip_body = self.make_gzip()
            self.joined = None
            return
        self.compress_in_background()
        pending = self._pending
        if pending is not None:
            self.gzip_body = await asyncio.shield(pending)


class ResponseCache:
    def __init__(self, invalidator: Invalidator, max_entries: int = 2000) -> None:
        self.invalidator = invalidator
        self.max_entries = max_entries
        self._entries: OrderedDict[bytes, Entry] = OrderedDict()

    def get(self, raw_query: bytes) -> Entry | None:
        entry = self._entries.get(raw_query)
        if entry is None:
            return None
        if self.invalidator.slot_generations(entry.slots) != entry.generations:
            self._entries.pop(raw_query, None)
            return None
        return entry

    @staticmethod
    def build(keys: list[str], generations: tuple[int, ...], body: bytes, cache_control: str) -> Entry:
        # crc32 + adler32 + length: a 64-bit fingerprint at memory speed (blake2b costs ~1 ms per 700 KB)
        crc = zlib.crc32(body)
        digest = f"{crc:08x}{zlib.adler32(body):08x}{len(body):x}"
        return Entry(
            slots=tuple(slot_of(k) for k in keys),
            generations=generations,
            etag=f'"{digest}"'.encode(),
            gzip_etag=f'"{digest}{ETAG_SUFFIX}"'.encode(),
            body=body,
            cache_control=cache_control.encode(),
            crc=crc,
        )

    @property
    def enabled(self) -> bool:
        return self.max_entries > 0

    def put(self, raw_query: bytes, entry: Entry) -> None:
        """Keep `entry`; a big body starts compressing in the background for the clients that want gzip."""
        if self.max_entries <= 0:
            return
        self._entries[raw_query] = entry
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)
        entry.compress_in_background()


def wants_gzip(accept_encoding: bytes) -> bool:
    return b"gzip" in accept_encoding and _parse_gzip(accept_encoding)


@functools.lru_cache(maxsize=256)  # browsers send a handful of distinct Accept-Encoding values
def _parse_gzip(accept_encoding: bytes) -> bool:
    for part in accept_encoding.split(b","):
        name, _, params = part.strip().partition(b";")
        if name.strip() in (b"gzip", b"*"):
            q = params.replace(b" ", b"")
            return not (q.startswith(b"q=0") and q.strip(b"q=0.") == b"")
    return False


def respond(
    entry: Entry, accept_encoding: bytes, if_none_match: bytes
) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """Status, headers and body for an entry (gzip when accepted and made: see Entry.ensure_gzip; 304 when
    the ETag matches). The header list is shared between responses: do not change it."""
    use_gzip = entry.gzip_body is not None and wants_gzip(accept_encoding)
    if if_none_match:
        etag = entry.gzip_etag if use_gzip else entry.etag
        if etag in if_none_match or if_none_match.strip() == b"*":
            return 304, entry.headers(use_gzip, True), b""
    if use_gzip and entry.gzip_body is not None:
        return 200, entry.headers(True, False), entry.gzip_body
    return 200, entry.headers(False, False), entry.body
