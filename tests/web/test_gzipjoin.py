"""The gzip copy of a thread body is joined from separately compressed pieces (web/gzipjoin.py): it must
decompress to the body, and be the same bytes whichever pieces were kept from earlier builds, so that
every reader, worker and host gets the same gzip bytes for the same body (a strong ETag)."""

from __future__ import annotations

import gzip
import random
import string
import zlib
from typing import Any

from litestar.testing import TestClient

from rejoinder.app import create_app
from rejoinder.web.gzipjoin import CHUNK_EVERY, ChunkCache, JoinedGzip, chunk_ends
from tests.fixtures.app import ARTICLE, make_settings, post_comment


def _build(head: bytes, ids: list[str], frags: list[bytes], tail: bytes, cache: ChunkCache) -> bytes:
    listed = [b","] * (2 * len(frags) - 1) if frags else []
    listed[::2] = frags
    body = b"".join((head, *listed, tail))
    packed = JoinedGzip(head, ids, frags, tail, cache).build(zlib.crc32(body), len(body))
    assert gzip.decompress(packed) == body
    return packed


def _fragment(rng: random.Random, cid: str) -> bytes:
    words = [
        "".join(rng.choices(string.ascii_lowercase, k=rng.randint(1, 9))) for _ in range(rng.randint(0, 80))
    ]
    return b'{"id":"%s","text":"%s","likes":%d}' % (cid.encode(), " ".join(words).encode(), rng.randint(0, 9))


def test_joined_gzip_is_the_same_bytes_cold_or_rebuilt_for_many_random_threads() -> None:
    rng = random.Random(15)
    warm = ChunkCache(1 << 24)
    for _ in range(25):
        ids = [f"c{rng.getrandbits(40):x}" for _ in range(rng.choice([0, 1, 5, 50, 300, 900]))]
        frags = [_fragment(rng, i) for i in ids]
        head, tail = b'{"thread":{"count":%d},"comments":[' % len(ids), b'],"page":{}}'
        first = _build(head, ids, frags, tail, warm)
        assert first == _build(head, ids, frags, tail, ChunkCache(0))
        for _ in range(5):  # edits, likes, deletions and insertions anywhere, then a rebuild from kept chunks
            change = rng.choice(["edit", "insert", "delete"]) if ids else "insert"
            at = rng.randrange(len(ids) + (change == "insert"))
            if change == "edit":
                frags[at] = _fragment(rng, ids[at])
            elif change == "insert":
                ids.insert(at, f"n{rng.getrandbits(40):x}")
                frags.insert(at, _fragment(rng, ids[at]))
            else:
                del ids[at], frags[at]
            head = b'{"thread":{"count":%d},"comments":[' % len(ids)
            assert _build(head, ids, frags, tail, warm) == _build(head, ids, frags, tail, ChunkCache(0))


def test_chunk_boundaries_depend_on_ids_only() -> None:
    """A comment added in the middle changes only the chunk it lands in: the others keep their bounds."""
    ids = [f"id{n}" for n in range(1000)]
    ends = chunk_ends(ids)
    assert ends[-1] == 1000 and len(ends) > 1000 // (CHUNK_EVERY * 4)
    inserted = chunk_ends([*ids[:500], "new", *ids[500:]])
    assert [e for e in ends if e <= 500] == [e for e in inserted if e <= 500]
    assert [e + 1 for e in ends if e > 500] == [e for e in inserted if e > 501]


GZIP = {"Accept-Encoding": "gzip"}
PLAIN = {"Accept-Encoding": "identity"}


def _read(client: Any, sort: str, headers: dict[str, str]) -> tuple[bytes, str, str]:
    """The body exactly as sent (not decompressed by the client), its Content-Encoding and ETag."""
    params = {"url": ARTICLE, "sort": sort, "limit": 1000}
    with client.stream("GET", "/api/threads", params=params, headers=headers) as r:
        assert r.status_code == 200
        return b"".join(r.iter_raw()), r.headers.get("content-encoding", ""), r.headers["etag"]


def test_rebuilt_gzip_reads_are_the_bytes_a_cold_worker_sends(site_db: str) -> None:
    """On both databases: a worker that rebuilds the thread from kept fragments and chunks after edits,
    deletions, likes, new replies in the middle and new comments sends exactly the gzip bytes (and ETag) of
    a worker that has never seen the thread, and they decompress to the identity body."""
    settings = make_settings(site_db, cache={"max_entries": 0})  # every read builds the body
    rng = random.Random(7)
    app = create_app(settings)
    with TestClient(app=app, base_url="http://rejoinder.test") as warm:  # type: ignore[arg-type]
        posted: list[Any] = []
        for n in range(40):
            parent = rng.choice(posted)["id"] if posted and rng.random() < 0.3 else None
            posted.append(post_comment(warm, f"Comment {n} " + "word " * rng.randint(1, 40), parent=parent))
        writes = [
            lambda: warm.patch(
                f"/api/comments/{posted[5]['id']}",
                json={"text": "edited"},
                headers={"Rejoinder-Edit-Token": posted[5]["edit_token"]},
            ),
            lambda: warm.put(
                f"/api/comments/{posted[30]['id']}/like", headers={"Rejoinder-Visitor": "v" * 20}
            ),
            lambda: warm.delete(
                f"/api/comments/{posted[35]['id']}",
                headers={"Rejoinder-Edit-Token": posted[35]["edit_token"]},
            ),
            lambda: post_comment(warm, "a reply in the middle", parent=posted[10]["id"]),
            lambda: post_comment(warm, "a new one at the end"),
            lambda: warm.put(
                "/api/threads/like", params={"url": ARTICLE}, headers={"Rejoinder-Visitor": "w" * 20}
            ),
        ]
        for n, write in enumerate([lambda: None, *writes]):
            response = write()
            if response is not None and not isinstance(response, dict):  # a comment deleted: 204, else 200
                assert response.status_code == (204 if response.request.method == "DELETE" else 200), (
                    response.text
                )
            for sort in ("oldest", "newest") if n in (0, len(writes)) else ("oldest",):
                packed, coding, etag = _read(warm, sort, GZIP)
                assert coding == "gzip" and etag.endswith('-gz"')
                plain, coding, plain_etag = _read(warm, sort, PLAIN)
                assert coding == "" and gzip.decompress(packed) == plain and etag == plain_etag[:-1] + '-gz"'
                with TestClient(app=create_app(settings), base_url="http://rejoinder.test") as cold:  # type: ignore[arg-type]
                    assert _read(cold, sort, GZIP) == (packed, "gzip", etag), sort
        assert len(app.litestar.state["fragments"].chunks) >= 1  # the chunks kept for the rebuilds above
