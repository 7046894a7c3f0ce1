"""HTTP caching of the public reads: ETag/304, gzip made once, Vary and Cache-Control for shared caches, and
invalidation by writes, across two app instances (workers) and across hosts through Redis."""

from __future__ import annotations

import asyncio
import gzip
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from litestar.testing import TestClient

from rejoinder.store import schema
from rejoinder.store.engine import create_engine
from tests.fixtures.app import ARTICLE, new_client, post_comment

IDENTITY = {"Accept-Encoding": "identity"}
GZIP = {"Accept-Encoding": "gzip"}
VISITOR = {"Rejoinder-Visitor": "visitor-0123456789abcdef"}
REDIS_DEADLINE = 3.0


def read(
    client: TestClient[Any], headers: dict[str, str] | None = None, *, status: int = 200, **params: Any
) -> Any:
    params.setdefault("url", ARTICLE)
    response = client.get("/api/threads", params=params, headers={**IDENTITY, **(headers or {})})
    assert response.status_code == status, response.text
    return response


def comment_ids(response: Any) -> list[str]:
    return [c["id"] for c in response.json()["comments"]]


def raw_get(client: TestClient[Any], path: str, params: dict[str, Any], headers: dict[str, str]) -> Any:
    """Status, headers and the body bytes exactly as sent (not decompressed by the client)."""
    with client.stream("GET", path, params=params, headers=headers) as response:
        return response.status_code, response.headers, b"".join(response.iter_raw())


def directives(cache_control: str) -> dict[str, str]:
    out = {}
    for part in cache_control.split(","):
        name, _, value = part.strip().partition("=")
        out[name.lower()] = value
    return out


def test_etag_and_if_none_match(client: TestClient[Any], site_db: str) -> None:
    post_comment(client, "Cached")
    first = read(client)
    etag = first.headers["etag"]
    assert etag.startswith('"') and etag.endswith('"')
    for inm in (etag, f'"nope", {etag}', f"W/{etag}", "*"):
        again = read(client, {"If-None-Match": inm}, status=304)
        assert again.content == b""
        assert again.headers["etag"] == etag
        assert "cache-control" in again.headers
    assert read(client, {"If-None-Match": '"something-else"'}).status_code == 200
    # Another worker that has not cached the thread yet answers the same validator with 304 as well.
    with new_client(site_db) as other:
        assert read(other, {"If-None-Match": etag}, status=304).content == b""
    # A write changes the ETag: the old validator gets the new body.
    post_comment(client, "Newer")
    fresh = read(client, {"If-None-Match": etag})
    assert fresh.status_code == 200
    assert fresh.headers["etag"] != etag
    assert len(fresh.json()["comments"]) == 2


def test_gzip_when_accepted_same_json(client: TestClient[Any]) -> None:
    for sentence in (
        "The harbour lights came on one by one as the ferry pulled away.",
        "Nobody expected the committee to publish its findings before spring.",
        "Bake the bread until the crust sounds hollow when you tap it.",
        "Three of the five bridges were closed for repairs all summer.",
        "Her second novel sold better abroad than it ever did at home.",
        "The new timetable adds an early train on weekdays only.",
    ):
        post_comment(client, sentence)
    params = {"url": ARTICLE}
    for attempt in ("miss", "hit"):  # the first request (gzip) fills the cache, the rest are served from it
        status, zheaders, packed = raw_get(client, "/api/threads", params, {"Accept-Encoding": "gzip, br"})
        assert status == 200
        status, headers, plain = raw_get(client, "/api/threads", params, IDENTITY)
        assert status == 200
        assert "content-encoding" not in headers, attempt
        assert zheaders["content-encoding"] == "gzip", attempt
        assert int(zheaders["content-length"]) == len(packed) < len(plain)
        assert gzip.decompress(packed) == plain, attempt
        assert zheaders["etag"] != headers["etag"]  # the two representations have their own validators
        assert zheaders["vary"] == "Accept-Encoding"
    # gzip refused with q=0, and an unrelated coding, both get the identity body.
    for accept in ("gzip;q=0", "br"):
        status, headers, body = raw_get(client, "/api/threads", params, {"Accept-Encoding": accept})
        assert "content-encoding" not in headers, accept
        assert body == plain
    # A 304 for the compressed representation.
    status, _, body = raw_get(client, "/api/threads", params, {**GZIP, "If-None-Match": zheaders["etag"]})
    assert (status, body) == (304, b"")


def test_public_reads_are_cacheable_by_any_shared_cache(client: TestClient[Any]) -> None:
    post_comment(client, "Hello")
    for path, params in (("/api/threads", {"url": ARTICLE}), ("/api/counts", {"url": [ARTICLE]})):
        for origin in ("https://blog.example", "https://anyone.example", None):
            for attempt in ("miss", "hit"):
                headers = {**GZIP, **({"Origin": origin} if origin else {})}
                response = client.get(path, params=params, headers=headers)
                label = f"{path} {origin} {attempt}"
                assert response.status_code == 200, label
                assert response.headers.get_list("vary") == ["Accept-Encoding"], label
                assert response.headers["access-control-allow-origin"] == "*", label
                assert "access-control-allow-credentials" not in response.headers, label
                cc = directives(response.headers["cache-control"])
                assert "public" in cc, label
                assert 1 <= int(cc["s-maxage"]) <= 300, label
                assert "private" not in cc and "no-store" not in cc and "no-cache" not in cc, label
                assert int(cc.get("max-age", "0")) <= 60, label
                assert "set-cookie" not in response.headers, label


def test_same_bytes_for_every_reader(client: TestClient[Any], site_db: str) -> None:
    made = post_comment(client, "Hello")
    client.put(f"/api/comments/{made['id']}/like", headers=VISITOR)
    plain = read(client).content
    for headers in (VISITOR, {"Origin": "https://blog.example"}, {"Cookie": "session=abc"}, {}):
        assert read(client, headers).content == plain
    with new_client(site_db) as other:
        assert read(other).content == plain  # a cold worker builds the very same bytes


def test_every_kind_of_write_invalidates_the_cached_thread(client: TestClient[Any]) -> None:
    def cached() -> Any:
        read(client)  # fill
        return read(client).json()  # served from the cache

    made = post_comment(client, "First")
    token = {"Rejoinder-Edit-Token": made["edit_token"]}
    assert [c["text"] for c in cached()["comments"]] == ["First"]
    reply = post_comment(client, "Reply", parent=made["id"])
    assert [c["id"] for c in cached()["comments"]] == [made["id"], reply["id"]]
    assert client.patch(f"/api/comments/{made['id']}", json={"text": "Edited"}, headers=token).is_success
    assert cached()["comments"][0]["text"] == "Edited"
    assert client.put(f"/api/comments/{made['id']}/like", headers=VISITOR).is_success
    assert cached()["comments"][0]["likes"] == 1
    assert client.delete(f"/api/comments/{made['id']}/like", headers=VISITOR).is_success
    assert cached()["comments"][0]["likes"] == 0
    liked = client.put("/api/threads/like", params={"url": ARTICLE}, headers=VISITOR, json={"name": "Vi"})
    assert liked.is_success
    view = cached()
    assert view["thread"]["likes"]["count"] == 1
    assert [x["name"] for x in view["thread"]["likes"]["recent"]] == ["Vi"]
    assert client.delete("/api/threads/like", params={"url": ARTICLE}, headers=VISITOR).is_success
    assert cached()["thread"]["likes"] == {"count": 0, "recent": []}
    assert client.delete(f"/api/comments/{made['id']}", headers=token).status_code == 204
    view = cached()
    assert view["comments"][0]["deleted"] is True
    assert view["thread"]["count"] == 1


def test_a_write_invalidates_every_cached_variant(client: TestClient[Any]) -> None:
    for i in range(3):
        post_comment(client, f"root {i}")
    variants: list[dict[str, Any]] = [
        {"url": ARTICLE},
        {"url": ARTICLE + "#comments"},
        {"url": ARTICLE, "sort": "newest"},
        {"url": ARTICLE, "sort": "top", "limit": 1},
        {"url": ARTICLE, "page": 2, "limit": 2},
    ]
    for params in variants:
        read(client, **params)
        read(client, GZIP, **params)
    counts = client.get("/api/counts", params={"url": [ARTICLE]}).json()
    assert counts["counts"][ARTICLE]["comments"] == 3
    newest = post_comment(client, "root 3")
    for params in variants:
        for headers in (IDENTITY, GZIP):
            view = client.get("/api/threads", params=params, headers=headers).json()
            assert view["thread"]["count"] == 4, (params, headers)
    assert comment_ids(read(client, sort="newest"))[0] == newest["id"]
    assert [c["text"] for c in read(client, page=2, limit=2).json()["comments"]] == ["root 2", "root 3"]
    counts = client.get("/api/counts", params={"url": [ARTICLE]}).json()
    assert counts["counts"][ARTICLE]["comments"] == 4


def test_a_write_through_one_worker_is_seen_by_another(site_db: str) -> None:
    with new_client(site_db) as a, new_client(site_db) as b:
        first = post_comment(a, "through A")
        for _ in range(2):  # B caches the thread and the counts
            assert comment_ids(read(b)) == [first["id"]]
            b.get("/api/counts", params={"url": [ARTICLE]})
        second = post_comment(a, "through A again")
        assert comment_ids(read(b)) == [first["id"], second["id"]]
        counts = b.get("/api/counts", params={"url": [ARTICLE]}).json()
        assert counts["counts"][ARTICLE]["comments"] == 2
        # And the other way round, for edits, likes and deletes made through B.
        read(a)
        token = {"Rejoinder-Edit-Token": second["edit_token"]}
        assert b.patch(
            f"/api/comments/{second['id']}", json={"text": "edited via B"}, headers=token
        ).is_success
        assert read(a).json()["comments"][1]["text"] == "edited via B"
        assert b.put(f"/api/comments/{first['id']}/like", headers=VISITOR).is_success
        assert read(a).json()["comments"][0]["likes"] == 1
        assert b.delete(f"/api/comments/{second['id']}", headers=token).status_code == 204
        assert comment_ids(read(a)) == [first["id"]]


def test_two_hosts_without_a_shared_generation_file_need_redis(site_db: str, tmp_path: Path) -> None:
    """The control for the Redis test below: with separate generation files and no Redis, host B keeps its
    cached copy, so it is Redis that makes B see the write there."""
    with (
        new_client(site_db, cache={"generation_file": str(tmp_path / "a.gen")}) as a,
        new_client(site_db, cache={"generation_file": str(tmp_path / "b.gen")}) as b,
    ):
        read(b)
        post_comment(a, "unseen by B")
        assert comment_ids(read(b)) == []


def test_a_write_on_one_host_reaches_another_through_redis(
    site_db: str, redis_url: str, tmp_path: Path
) -> None:
    redis = {"url": redis_url}
    with (
        new_client(site_db, cache={"generation_file": str(tmp_path / "a.gen")}, redis=redis) as a,
        new_client(site_db, cache={"generation_file": str(tmp_path / "b.gen")}, redis=redis) as b,
    ):
        for round_ in range(3):
            before = comment_ids(read(b))
            assert comment_ids(read(b)) == before  # cached on B
            made = post_comment(a, f"round {round_}")
            # Pub/sub itself takes milliseconds (tests/bus holds it to 1 s); the margin is for a loaded machine.
            deadline = time.monotonic() + REDIS_DEADLINE
            while made["id"] not in comment_ids(read(b)):
                assert time.monotonic() < deadline, f"B did not see A's write within {REDIS_DEADLINE} s"
                time.sleep(0.02)
        # Invalidation goes both ways.
        read(a)
        made = post_comment(b, "from B")
        deadline = time.monotonic() + REDIS_DEADLINE
        while made["id"] not in comment_ids(read(a)):
            assert time.monotonic() < deadline, f"A did not see B's write within {REDIS_DEADLINE} s"
            time.sleep(0.02)


def test_reads_are_served_from_the_cache_until_a_write(client: TestClient[Any], site_db: str) -> None:
    """Changing a row behind the server's back shows that reads come from the cache, not the database."""
    made = post_comment(client, "Original")
    plain = read(client)
    zipped = client.get("/api/threads", params={"url": ARTICLE}, headers=GZIP)

    async def change_behind_the_back() -> None:
        engine = create_engine(site_db)
        try:
            async with engine.begin() as conn:
                await conn.execute(
                    sa.update(schema.comments)
                    .where(schema.comments.c.id == made["id"])
                    .values(text="Changed", html="<p>Changed</p>", edited=schema.comments.c.created + 1)
                )
        finally:
            await engine.dispose()

    asyncio.run(change_behind_the_back())
    assert read(client).content == plain.content
    assert client.get("/api/threads", params={"url": ARTICLE}, headers=GZIP).content == zipped.content
    post_comment(client, "Any write to the thread")
    assert [c["text"] for c in read(client).json()["comments"]] == ["Changed", "Any write to the thread"]


def test_head_answers_like_get_without_a_body(client: TestClient[Any]) -> None:
    post_comment(client, "Hello")
    for attempt in ("miss", "hit"):
        head = client.head("/api/threads", params={"url": ARTICLE}, headers=IDENTITY)
        assert head.status_code == 200, (attempt, head.text)
        assert head.content == b""
        get = read(client)
        assert head.headers["etag"] == get.headers["etag"], attempt
        assert head.headers["content-type"] == "application/json"
        assert head.headers["access-control-allow-origin"] == "*"
    post_comment(client, "Another")
    head = client.head("/api/counts", params={"url": ARTICLE})
    assert head.status_code == 200 and head.content == b""


def test_big_bodies_are_compressed_off_the_request_and_served_gzipped(site_db: str) -> None:
    """A thread body over 64 KB is compressed in a worker thread once it is cached (not while it is built);
    a gzip request that comes before the copy is made waits for it and still gets gzip, the first request
    included; identity clients get the same bytes uncompressed. With the response cache off, a gzip client
    still gets gzip."""
    paragraph = " ".join(
        f"Sentence {i} of a long comment about harbours, trains and bread." for i in range(30)
    )
    for max_entries in (2000, 0):
        quiet = {"rate_limits": False, "repeat_window": 0, "same_text_authors": 0}  # 45 similar posts at once
        with new_client(site_db, cache={"max_entries": max_entries}, moderation=quiet) as client:
            if max_entries:
                for i in range(45):
                    post_comment(client, f"{i}: {paragraph}")
            params = {"url": ARTICLE, "limit": 100}
            for attempt in ("miss, gzip first", "hit", "hit again"):
                status, zheaders, packed = raw_get(client, "/api/threads", params, GZIP)
                assert status == 200 and zheaders["content-encoding"] == "gzip", attempt
                status, headers, plain = raw_get(client, "/api/threads", params, IDENTITY)
                assert status == 200 and "content-encoding" not in headers, attempt
                assert len(plain) > 65536, "the body must be big enough for background compression"
                assert gzip.decompress(packed) == plain, attempt
                assert len(packed) < len(plain) // 2
                assert zheaders["etag"] == headers["etag"][:-1] + '-gz"', attempt
            post_comment(client, "One more")  # invalidates: the next gzip read is a miss again
            status, zheaders, packed = raw_get(client, "/api/threads", params, GZIP)
            assert zheaders["content-encoding"] == "gzip" and b"One more" in gzip.decompress(packed)
