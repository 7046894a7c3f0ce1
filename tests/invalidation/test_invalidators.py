"""invalidation/: cache invalidation generations in memory, in a file shared by workers, and through Redis."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from rejoinder.invalidation.base import SLOTS, slot_of
from rejoinder.invalidation.memory import MemoryInvalidator
from rejoinder.invalidation.redis import RedisInvalidator
from rejoinder.invalidation.shared import SharedFileInvalidator

KEY = "1|u:https://blog.example/a"
OTHER = "1|u:https://blog.example/b"


def test_slots_are_stable_across_processes() -> None:
    assert 0 <= slot_of(KEY) < SLOTS
    assert slot_of(KEY) != slot_of(OTHER)
    code = f"from rejoinder.invalidation.base import slot_of; print(slot_of({KEY!r}))"
    for seed in ("1", "2"):
        out = subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        )
        assert int(out.stdout) == slot_of(KEY)


def test_memory_invalidator() -> None:
    inv = MemoryInvalidator()
    before = inv.generations([KEY, OTHER])
    assert before == (0, 0)
    inv.bump([KEY])
    assert inv.generations([KEY, OTHER]) == (1, 0)
    assert inv.slot_generations((slot_of(KEY),)) == (1,)
    inv.bump([KEY, KEY])
    assert inv.generations([KEY])[0] == 3


def test_shared_file_is_seen_by_every_instance(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "cache.gen"
    a = SharedFileInvalidator(path)
    b = SharedFileInvalidator(path)
    try:
        assert a.generations([KEY]) == b.generations([KEY]) == (0,)
        a.bump([KEY])
        assert b.generations([KEY, OTHER]) == (1, 0)
        b.bump([KEY, OTHER])
        assert a.generations([KEY, OTHER]) == (2, 1)
        assert oct(path.stat().st_mode & 0o777) == "0o600"
    finally:
        asyncio.run(a.stop())
        asyncio.run(b.stop())
    c = SharedFileInvalidator(path)  # a restarted worker keeps counting from where the others were
    try:
        assert c.generations([KEY, OTHER]) == (2, 1)
    finally:
        asyncio.run(c.stop())


def _bump_many(path: str, times: int) -> None:
    inv = SharedFileInvalidator(path)
    for _ in range(times):
        inv.bump([KEY])
    asyncio.run(inv.stop())


def test_shared_file_loses_no_increment_under_concurrent_writers(tmp_path: Path) -> None:
    path = str(tmp_path / "cache.gen")
    asyncio.run(SharedFileInvalidator(path).stop())  # create it
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_bump_many, args=(path, 400)) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    inv = SharedFileInvalidator(path)
    try:
        assert inv.generations([KEY]) == (1600,)
    finally:
        asyncio.run(inv.stop())


def test_redis_carries_bumps_between_hosts(redis_url: str) -> None:
    async def scenario() -> None:
        a = RedisInvalidator(redis_url, MemoryInvalidator())
        b = RedisInvalidator(redis_url, MemoryInvalidator())
        # Not subscribed yet: no generation is ever answered twice, so nothing cached is trusted.
        assert a.generations([KEY]) != a.generations([KEY])
        await a.start()
        await b.start()
        try:
            # Wait until both have subscribed (then each has bumped everything once: what it missed before
            # is lost), instead of for a fixed time.
            deadline = time.monotonic() + 5.0
            while not (await a.reachable() and await b.reachable()):
                assert time.monotonic() < deadline, "the hosts did not subscribe within 5 s"
                await asyncio.sleep(0.01)
            assert a.generations([KEY]) == a.generations([KEY])  # subscribed: stable until a bump
            before = b.generations([KEY])
            a.bump([KEY])
            assert a.generations([KEY]) > before  # applied locally at once
            deadline = time.monotonic() + 1.0
            while b.generations([KEY]) == before:
                assert time.monotonic() < deadline, "the bump did not reach the other host within 1 s"
                await asyncio.sleep(0.01)
            seen_by_a = a.generations([OTHER])
            b.bump([OTHER])
            deadline = time.monotonic() + 1.0
            while a.generations([OTHER]) == seen_by_a:
                assert time.monotonic() < deadline
                await asyncio.sleep(0.01)
        finally:
            await a.stop()
            await b.stop()

    asyncio.run(scenario())


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_unreachable_redis_never_fails_or_hangs_a_write() -> None:
    async def scenario() -> None:
        local = MemoryInvalidator()
        inv = RedisInvalidator(f"redis://127.0.0.1:{_closed_port()}/0", local)
        await inv.start()  # keeps retrying in the background; start-up never fails on Redis
        started = time.monotonic()
        inv.bump([KEY])  # must not raise
        assert local.generations([KEY]) == (1,)  # applied to this host's workers
        # Cut off from other hosts' bumps, it answers generations never seen before: no cached copy is
        # trusted (issue #15: uncached reads while Redis is away).
        assert inv.generations([KEY]) != inv.generations([KEY])
        await asyncio.wait_for(inv.stop(), timeout=10)
        assert time.monotonic() - started < 10

    asyncio.run(scenario())


def test_installations_sharing_one_redis_do_not_invalidate_each_other(redis_url: str) -> None:
    """Pub/sub ignores Redis database numbers: the channel names the prefix and the database, so another
    installation (another prefix, or another database of the same Redis) never sees this one's bumps."""
    import redis.asyncio as aioredis

    base, _, db = redis_url.rpartition("/")
    other_db_url = f"{base}/{(int(db) % 15) + 1}"

    async def subscribed(*invalidators: RedisInvalidator) -> None:
        deadline = time.monotonic() + 5.0
        while not all([await inv.reachable() for inv in invalidators]):
            assert time.monotonic() < deadline, "an invalidator did not subscribe within 5 s"
            await asyncio.sleep(0.01)

    async def until_changed(inv: RedisInvalidator, key: str, before: tuple[int, ...]) -> None:
        deadline = time.monotonic() + 2.0
        while inv.generations([key]) == before:
            assert time.monotonic() < deadline, f"no bump reached {inv.channel} within 2 s"
            await asyncio.sleep(0.01)

    async def scenario() -> None:
        writer = RedisInvalidator(redis_url, MemoryInvalidator(), prefix="blog")
        twin = RedisInvalidator(redis_url, MemoryInvalidator(), prefix="blog")
        other_prefix = RedisInvalidator(redis_url, MemoryInvalidator(), prefix="news")
        other_db = RedisInvalidator(other_db_url, MemoryInvalidator(), prefix="blog")
        strangers = (other_prefix, other_db)
        assert len({writer.channel, other_prefix.channel, other_db.channel}) == 3
        assert twin.channel == writer.channel == f"blog:{db}:invalidate"
        everyone = (writer, twin, *strangers)
        for inv in everyone:
            await inv.start()
        raw = aioredis.Redis.from_url(redis_url)
        try:
            await subscribed(*everyone)
            before = {id(inv): inv.generations([KEY]) for inv in everyone}
            writer.bump([KEY])
            await until_changed(twin, KEY, before[id(twin)])  # the same installation on another host
            # Published after the writer's bump was delivered: a stranger subscribed to the writer's channel
            # would have received that bump before this marker (Redis keeps one publisher's order).
            for inv in strangers:
                marker = inv.generations([OTHER])
                await raw.publish(inv.channel, str(slot_of(OTHER)))
                await until_changed(inv, OTHER, marker)
                assert inv.generations([KEY]) == before[id(inv)], f"{inv.channel} saw another installation"
        finally:
            await raw.aclose()
            for inv in everyone:
                await inv.stop()

    asyncio.run(scenario())
