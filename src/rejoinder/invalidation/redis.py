"""Redis pub/sub on top of a local invalidator, for workers on several hosts.

Each bump is applied locally at once and published; every subscriber applies it to its own local
generations. Other hosts see a write after the pub/sub delay (about a millisecond on a LAN).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

from redis.asyncio import Redis

from rejoinder.invalidation.base import Announcer, slot_of
from rejoinder.invalidation.memory import MemoryInvalidator
from rejoinder.invalidation.shared import SharedFileInvalidator

log = logging.getLogger("rejoinder.invalidation")


def channel_name(url: str, prefix: str) -> str:
    """The invalidation channel of one installation. Redis pub/sub ignores database numbers, so the
    channel names both the configured prefix and the URL's database: installations on other databases or
    with other prefixes never invalidate each other's caches."""
    db = Redis.from_url(url).connection_pool.connection_kwargs.get("db", 0)
    return f"{prefix}:{db}:invalidate"


class RedisInvalidator:
    def __init__(
        self, url: str, local: MemoryInvalidator | SharedFileInvalidator, *, prefix: str = "rejoinder"
    ) -> None:
        self._redis: Redis = Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self.channel = channel_name(url, prefix)
        self._local = local
        self._task: asyncio.Task[None] | None = None
        self._pending: set[asyncio.Task[Any]] = set()
        self._subscribed = False
        self._unheard = 0  # the last generation handed out while unsubscribed (see _trusted)
        self._announcer = Announcer()

    def subscribe(self, listener: Callable[[], None]) -> None:
        """Told of this process's bumps and of every other host's as they arrive."""
        self._announcer.subscribe(listener)

    def generations(self, keys: Iterable[str]) -> tuple[int, ...]:
        return self._trusted(self._local.generations(keys))

    def slot_generations(self, slots: tuple[int, ...]) -> tuple[int, ...]:
        return self._trusted(self._local.slot_generations(slots))

    def _trusted(self, found: tuple[int, ...]) -> tuple[int, ...]:
        """The generations, while subscribed. Cut off from Redis, this worker does not hear other hosts'
        writes, so it must trust no copy: each call answers generations never seen before (negative, so
        never a real one), and every cached response is rebuilt from the database until Redis is back."""
        if self._subscribed:
            return found
        self._unheard -= 1
        return (self._unheard,) * len(found)

    def bump(self, keys: Iterable[str]) -> None:
        slots = {slot_of(k) for k in keys}
        for s in slots:
            self._local.bump_slot(s)
        self._announcer.announce()
        task = asyncio.get_running_loop().create_task(self._publish(",".join(map(str, sorted(slots)))))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _publish(self, message: str) -> None:
        try:
            await asyncio.wait_for(self._redis.publish(self.channel, message), timeout=2)
        except Exception as exc:  # Redis down must never fail or hang a request
            log.warning("[rejoinder] could not publish a cache invalidation: %s", type(exc).__name__)

    async def start(self) -> None:
        """Subscribe; when Redis is unreachable, keep retrying in the background instead of failing start-up."""
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        delay = 0.5
        while True:
            try:
                pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
                await asyncio.wait_for(pubsub.subscribe(self.channel), timeout=5)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning(
                    "[rejoinder] Redis unreachable for cache invalidation, retrying: %s", type(exc).__name__
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)
                continue
            # Anything published while we were not subscribed is lost: start from a clean slate.
            self._local.bump_all()
            self._announcer.announce()
            self._subscribed = True
            delay = 0.5
            try:
                await self._listen(pubsub)
            finally:
                self._subscribed = False
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(pubsub.aclose(), timeout=1)
            log.warning("[rejoinder] lost Redis for cache invalidation: serving uncached until it is back")

    async def _listen(self, pubsub: Any) -> None:
        failures = 0
        pinged = time.monotonic()
        while True:
            if time.monotonic() - pinged >= 1.0:
                # A cut network drops packets without closing the subscription's socket: reading it
                # would wait for messages forever. A PING each second notices within about 2 s.
                pinged = time.monotonic()
                try:
                    await asyncio.wait_for(self._redis.ping(), timeout=1)
                except asyncio.CancelledError:
                    raise
                except Exception:
                    return  # reconnect and resubscribe from _run
            try:
                message = await pubsub.get_message(timeout=1.0)
            except asyncio.CancelledError:
                raise
            except Exception:
                failures += 1
                if failures >= 3:
                    return  # reconnect and resubscribe from _run
                await asyncio.sleep(1)
                continue
            failures = 0
            if message and message.get("type") == "message":
                for part in message["data"].decode().split(","):
                    if part.isdigit():
                        self._local.bump_slot(int(part))
                self._announcer.announce()

    async def reachable(self) -> bool:
        """Subscribed to the channel, and Redis answers a PING within a second: while either fails, this
        worker misses other hosts' writes and may serve stale threads."""
        if not self._subscribed:
            return False
        try:
            return bool(await asyncio.wait_for(self._redis.ping(), timeout=1))
        except Exception:
            return False

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        for task in list(self._pending):
            with contextlib.suppress(Exception):
                await asyncio.wait_for(task, timeout=2)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._redis.aclose(), timeout=2)
