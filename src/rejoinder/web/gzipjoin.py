"""A gzip member made of independently compressed pieces, so that a rebuilt thread body recompresses only
the pieces that changed.

A thread body is the thread object, the comments and the rest. The comments are cut into chunks at
boundaries that depend only on the comments' ids (a comment ends a chunk when the CRC-32 of its id is 0
modulo CHUNK_EVERY, or after CHUNK_MAX comments), so a new, edited or liked comment changes one chunk and
leaves the others, and their boundaries, as they were. Each piece is compressed by a fresh raw-deflate
stream ended with a sync flush (byte-aligned, not final), so the pieces can be joined as they are: the
member is a gzip header, the pieces, an empty final block, and the CRC-32 and length of the whole body
(the CRC is the one the ETag is made of). The bytes depend only on the pieces, never on which were
compressed now and which were kept: every reader, worker and host that builds the same body sends the same
gzip bytes, as a strong ETag requires (tests/web/test_gzipjoin.py checks it against a cold build).

A chunk's compressed bytes are kept by the chunk's fragments themselves (a tuple of the memo's bytes
objects: hashing it reuses each fragment's cached hash, and comparing it is mostly identity checks), so a
rebuild after one write compresses the thread object, one chunk and the rest: ~0.2 ms instead of ~5 ms
(zlib, whole body) for a 1,000-comment thread.
"""

from __future__ import annotations

import threading
import zlib
from collections import OrderedDict
from collections.abc import Sequence
from types import ModuleType

codec: ModuleType
try:  # ISA-L's deflate: ~3.5x faster than zlib's level 1 on thread bodies, for as many bytes
    from isal import isal_zlib as codec

    LEVEL, SMALL_LEVEL = 2, 3  # 2: as fast as 1 on thread bodies, 1 % smaller
    # The gzip ETag names the compressor: hosts with different ones send different bytes for one body.
    ETAG_SUFFIX = "-gz"
except ImportError:  # pragma: no cover - isal is a dependency; a platform without its wheel still works
    codec = zlib
    LEVEL, SMALL_LEVEL = 1, 6
    ETAG_SUFFIX = "-zlib-gz"

SMALL = 65536  # bodies under this are compressed whole at SMALL_LEVEL (the time is small, the ratio counts)
# ~128 comments (~120 KB) a chunk on average: 0.4 % more bytes than one stream (64: 2.4 %, 32: 8 %, on the
# benchmark's 1,000-comment thread), and a rebuild after a write recompresses ~0.2 ms worth.
CHUNK_EVERY = 128
CHUNK_MAX = 384
# The gzip header: no name, no mtime (0), XFL 4 ("fastest"), OS 255 (unknown).
HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x04\xff"
FINAL = b"\x03\x00"  # an empty final block with fixed codes


def deflate_piece(data: bytes, level: int = LEVEL) -> bytes:
    """`data` as raw deflate blocks that end on a byte boundary and are not final (joinable)."""
    c = codec.compressobj(level, codec.DEFLATED, -15)
    return bytes(c.compress(data) + c.flush(codec.Z_SYNC_FLUSH))


def member(pieces: Sequence[bytes], crc: int, size: int) -> bytes:
    """A gzip member of these joinable pieces, for a body of this CRC-32 and length."""
    trailer = (crc.to_bytes(4, "little"), (size & 0xFFFFFFFF).to_bytes(4, "little"))
    return b"".join((HEADER, *pieces, FINAL, *trailer))


def compress(body: bytes) -> bytes:
    """A whole body as one gzip member (every public read that is not a thread body)."""
    level = SMALL_LEVEL if len(body) < SMALL else LEVEL
    return member([deflate_piece(body, level)], zlib.crc32(body), len(body))


def chunk_ends(ids: Sequence[str]) -> list[int]:
    """The index after the last comment of each chunk, for comments with these ids in body order."""
    ends: list[int] = []
    start = 0
    crc = zlib.crc32
    for i, cid in enumerate(ids):
        if crc(cid.encode()) % CHUNK_EVERY == 0 or i + 1 - start >= CHUNK_MAX:
            ends.append(i + 1)
            start = i + 1
    if start < len(ids):
        ends.append(len(ids))
    return ends


class ChunkCache:
    """Compressed chunks by their fragments (see the module docstring), least recently used dropped past
    `max_bytes` of compressed bytes. Used from the event loop and from the worker thread that compresses a
    big body, hence the lock."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[tuple[bytes, ...], bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: tuple[bytes, ...]) -> bytes | None:
        if self.max_bytes <= 0:
            return None
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: tuple[bytes, ...], packed: bytes) -> None:
        if self.max_bytes <= 0 or len(packed) > self.max_bytes:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._size -= len(old)
            self._items[key] = packed
            self._size += len(packed)
            while self._size > self.max_bytes:
                _, dropped = self._items.popitem(last=False)
                self._size -= len(dropped)

    def __len__(self) -> int:
        return len(self._items)


class JoinedGzip:
    """How to make the gzip copy of one thread body from its pieces: `head` (up to the comments' `[`), the
    comments' fragments cut into chunks, and `tail`. `missing` is how many bytes still need compressing
    (the caller decides whether that is worth a worker thread)."""

    __slots__ = ("_cache", "_chunks", "_packed", "head", "missing", "tail")

    def __init__(
        self, head: bytes, ids: Sequence[str], fragments: Sequence[bytes], tail: bytes, cache: ChunkCache
    ) -> None:
        self.head = head
        self.tail = tail
        self._cache = cache
        self._chunks: list[tuple[bytes, ...]] = []
        start = 0
        for end in chunk_ends(ids):
            # A chunk after the first starts with the comma that separates it from the one before.
            self._chunks.append((b"," if start else b"", *fragments[start:end]))
            start = end
        self._packed = [cache.get(key) for key in self._chunks]
        self.missing = len(head) + len(tail)
        for key, packed in zip(self._chunks, self._packed, strict=True):
            if packed is None:
                self.missing += sum(len(f) + 1 for f in key)

    def build(self, crc: int, size: int) -> bytes:
        """The gzip member of the body whose CRC-32 and length are `crc` and `size`."""
        out = [deflate_piece(self.head)]
        for i, (key, packed) in enumerate(zip(self._chunks, self._packed, strict=True)):
            if packed is None:
                packed = deflate_piece(key[0] + b",".join(key[1:]))
                self._packed[i] = packed
                self._cache.put(key, packed)
            out.append(packed)
        out.append(deflate_piece(self.tail))
        return member(out, crc, size)
