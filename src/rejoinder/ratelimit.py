"""Rate limits per client network, identity, thread and email address, for comments, likes, reports,
sign-in pages and sign-in link emails: moving windows from the `limits` library, stored in Redis when
[redis] url is set (shared by every worker and host) and in process memory otherwise, behind one `Limiter`
Protocol.

Also the one place that decides who the client is: `client_address` believes `Forwarded` /
`X-Forwarded-For` only from a configured trusted proxy, and `network_key` groups IPv6 clients by the /56
that is also stored of them (domain/identity.py; one subscriber usually gets a whole /56, often a /48).
With [moderation] ipv6_aggregate_factor, every per-network limit also applies, that many times over, to
the wider IPv6 network (a /48 by default) around the client's. Usage:

    limiter = RateLimiter.from_settings(settings)           # in the app's lifespan
    await limiter.hit(Action.COMMENT, {Scope.IP: ip, Scope.THREAD: ref.lookup})  # raises RateLimited
    await limiter.close()
"""

from __future__ import annotations

import enum
import hashlib
import ipaddress
import logging
import math
import time
from collections.abc import Iterable, Mapping
from typing import Protocol

import limits
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError

from rejoinder.config import ModerationSettings, Settings
from rejoinder.domain.identity import IPV6_STORED_PREFIX
from rejoinder.errors import RateLimited

log = logging.getLogger("rejoinder.ratelimit")


class Action(enum.StrEnum):
    COMMENT = "comment"
    LIKE = "like"
    REPORT = "report"
    MAGIC_LINK = "magic-link"
    SIGN_IN = "sign-in"  # a sign-in page started (/auth/NAME/start)
    SUBSCRIBE = "subscribe"  # an email subscription asked for (a confirmation email may follow)
    IMAGE = "image"  # an image uploaded to attach to a comment
    WEBMENTION = "webmention"  # a Webmention received (POST /webmention)


class Scope(enum.StrEnum):
    IP = "ip"  # the client's network: an IPv4 address or an IPv6 /56
    IP_AGGREGATE = "ip-aggregate"  # the wider IPv6 network around it (ipv6_aggregate_prefix), when enabled
    IDENTITY = "identity"  # a signed-in identity
    THREAD = "thread"  # everyone in one thread
    EMAIL = "email"  # an email address (sign-in links)
    DOMAIN = "domain"  # a Webmention's source host


# Which setting limits which (action, scope); checked in this order, so that a client over its own
# limit never uses up the thread's.
RULES: tuple[tuple[Action, Scope, str], ...] = (
    (Action.COMMENT, Scope.IP, "comment_limit_ip"),
    (Action.COMMENT, Scope.IDENTITY, "comment_limit_identity"),
    (Action.COMMENT, Scope.THREAD, "comment_limit_thread"),
    (Action.LIKE, Scope.IP, "like_limit_ip"),
    (Action.LIKE, Scope.IDENTITY, "like_limit_identity"),
    (Action.REPORT, Scope.IP, "report_limit_ip"),
    (Action.REPORT, Scope.IDENTITY, "report_limit_identity"),
    (Action.MAGIC_LINK, Scope.IP, "magic_link_limit_ip"),
    (Action.MAGIC_LINK, Scope.EMAIL, "magic_link_limit_email"),
    (Action.SIGN_IN, Scope.IP, "sign_in_limit_ip"),
    (Action.SUBSCRIBE, Scope.IP, "subscribe_limit_ip"),
    (Action.SUBSCRIBE, Scope.EMAIL, "subscribe_limit_email"),
    (Action.IMAGE, Scope.IP, "image_limit_ip"),
    (Action.IMAGE, Scope.IDENTITY, "image_limit_identity"),
    (Action.WEBMENTION, Scope.DOMAIN, "webmention_limit_domain"),
)

_MESSAGES = {
    Action.COMMENT: "You are posting comments too fast",
    Action.LIKE: "Too many likes in a short time",
    Action.REPORT: "Too many reports in a short time",
    Action.MAGIC_LINK: "Too many sign-in emails were asked for",
    Action.SIGN_IN: "Too many sign-ins were started from your network",
    Action.SUBSCRIBE: "Too many subscriptions were asked for; try again later",
    Action.IMAGE: "Too many images were uploaded in a short time",
    Action.WEBMENTION: "Too many Webmentions from this source domain",
}


def limits_storage(redis_url: str, key_prefix: str) -> Storage:
    """Where `limits` keeps its counters: Redis when `redis.url` is set, else this process's memory.
    redis-py (already a dependency) rather than coredis; short timeouts so that a Redis outage costs a
    request a second at most (and then fails open), never a hang."""
    if not redis_url:
        return MemoryStorage(wrap_exceptions=True)
    return RedisStorage(
        redis_url,
        implementation="redispy",
        wrap_exceptions=True,
        key_prefix=key_prefix,
        socket_timeout=1.0,
        socket_connect_timeout=1.0,
    )


SHARED_RETRY_SECONDS = 5.0  # after the shared storage failed, count in memory this long before trying it


class Limiter(Protocol):
    """Counts an attempt against every limit that applies; raises RateLimited (with retry_after) when
    one is used up. Keys that are None are skipped (e.g. no identity for a guest)."""

    async def hit(self, action: Action, keys: Mapping[Scope, str | None]) -> None: ...

    async def close(self) -> None: ...


class NoLimits:
    """The Limiter when [moderation] rate_limits is off."""

    async def hit(self, action: Action, keys: Mapping[Scope, str | None]) -> None:
        return None

    async def close(self) -> None:
        return None


def _digest(value: str) -> str:
    # Keys name networks and identities: store a digest, not the address, in Redis.
    return hashlib.blake2b(value.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()


class RateLimiter:
    """`limits`' moving-window strategy over a memory or Redis storage.

    Args:
        storage: a `limits.aio.storage` Storage.
        rules: the rate items per (action, scope), in checking order.
        fail_open: when the storage fails (Redis down), count in this process's memory instead (each
            worker on its own, as without Redis) for `SHARED_RETRY_SECONDS` before trying it again, and
            log, instead of refusing every reader.
        aggregate_factor: with N > 0, every per-network (Scope.IP) limit of an IPv6 client also applies,
            N times over, to the /`aggregate_prefix` network around the client's (Scope.IP_AGGREGATE).
    """

    def __init__(
        self,
        storage: Storage,
        rules: Iterable[tuple[Action, Scope, list[limits.RateLimitItem]]],
        *,
        fail_open: bool = True,
        aggregate_factor: int = 0,
        aggregate_prefix: int = 48,
    ) -> None:
        self.storage = storage
        self.strategy = MovingWindowRateLimiter(storage)
        self.rules: dict[Action, list[tuple[Scope, list[limits.RateLimitItem]]]] = {}
        for action, scope, items in rules:
            if items:
                self.rules.setdefault(action, []).append((scope, items))
                if scope is Scope.IP and aggregate_factor > 0:
                    wider = [_times(item, aggregate_factor) for item in items]
                    self.rules[action].append((Scope.IP_AGGREGATE, wider))
        self.aggregate_prefix = aggregate_prefix
        self.fail_open = fail_open
        self._warned = 0.0
        self._local: MovingWindowRateLimiter | None = None  # made on the first storage failure
        self._shared_down_until = 0.0

    @classmethod
    def from_settings(cls, settings: Settings) -> Limiter:
        m: ModerationSettings = settings.moderation
        if not m.rate_limits:
            return NoLimits()
        rules = [
            (action, scope, limits.parse_many(getattr(m, key)) if getattr(m, key).strip() else [])
            for action, scope, key in RULES
        ]
        return cls(
            limits_storage(settings.redis.url, f"{settings.redis.prefix}-rl"),
            rules,
            aggregate_factor=m.ipv6_aggregate_factor,
            aggregate_prefix=m.ipv6_aggregate_prefix,
        )

    async def hit(self, action: Action, keys: Mapping[Scope, str | None]) -> None:
        for scope, items in self.rules.get(action, ()):
            if scope is Scope.IP_AGGREGATE:
                key = aggregate_key(keys.get(Scope.IP), self.aggregate_prefix)
            else:
                key = keys.get(scope)
            if not key:
                continue
            ident = _digest(key)
            for item in items:
                strategy = self._strategy()
                try:
                    allowed = await strategy.hit(item, action.value, scope.value, ident)
                except StorageError as exc:
                    strategy = self._storage_failed(exc)
                    allowed = await strategy.hit(item, action.value, scope.value, ident)
                if not allowed:
                    raise RateLimited(
                        f"{_MESSAGES[action]}: at most {item.amount} per "
                        f"{_per(item)}. Try again in a moment.",
                        retry_after=await self._retry_after(strategy, item, action, scope, ident),
                    )

    async def _retry_after(
        self,
        strategy: MovingWindowRateLimiter,
        item: limits.RateLimitItem,
        action: Action,
        scope: Scope,
        ident: str,
    ) -> int:
        try:
            stats = await strategy.get_window_stats(item, action.value, scope.value, ident)
        except StorageError:
            return item.get_expiry()
        return max(1, math.ceil(stats.reset_time - time.time()))

    def _strategy(self) -> MovingWindowRateLimiter:
        """The shared storage, or this process's memory while the shared one is down."""
        if self._local is not None and time.monotonic() < self._shared_down_until:
            return self._local
        return self.strategy

    def _storage_failed(self, exc: Exception) -> MovingWindowRateLimiter:
        """Count in memory for a while: a Redis that does not answer costs a request its socket timeout
        once every SHARED_RETRY_SECONDS, not on every limit of every request (issue #15)."""
        if not self.fail_open:
            raise RateLimited("Rate limits cannot be checked right now; try again in a moment", retry_after=5)
        now = time.monotonic()
        self._shared_down_until = now + SHARED_RETRY_SECONDS
        if self._local is None:
            self._local = MovingWindowRateLimiter(MemoryStorage(wrap_exceptions=True))
        if now - self._warned > 60:  # once a minute, not once a request
            self._warned = now
            log.warning("[rejoinder] rate-limit storage unavailable, counting in this process: %s", exc)
        return self._local

    async def close(self) -> None:
        for storage in (self.storage, self._local.storage if self._local is not None else None):
            timer = getattr(storage, "timer", None)  # MemoryStorage's expiry task
            if timer is not None and not timer.done():
                timer.cancel()
        bridge = getattr(self.storage, "bridge", None)
        client = getattr(bridge, "storage", None)
        if client is not None and hasattr(client, "aclose"):
            try:
                await client.aclose()
            except Exception:  # closing a broken connection must not fail the shutdown
                log.debug("closing the rate-limit Redis client failed", exc_info=True)


def _times(item: limits.RateLimitItem, factor: int) -> limits.RateLimitItem:
    """The same window with `factor` times the amount (the aggregate limit of a wider network)."""
    return type(item)(item.amount * factor, item.multiples, item.namespace)


def _per(item: limits.RateLimitItem) -> str:
    unit = item.GRANULARITY.name
    return unit if item.multiples == 1 else f"{item.multiples} {unit}s"


# --- who the client is -------------------------------------------------------------------------------


def parse_ip(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    value = value.strip().strip('"')
    if value.startswith("["):  # Forwarded: for="[2001:db8::1]:4711"
        value = value[1:].split("]", 1)[0]
    elif value.count(":") == 1:  # an IPv4 address with a port
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _forwarded_chain(headers: Mapping[str, str]) -> list[str]:
    """The addresses a request passed through, client first: from `Forwarded` (RFC 7239) if present,
    else from `X-Forwarded-For`."""
    forwarded = headers.get("forwarded")
    if forwarded:
        chain = []
        for element in forwarded.split(","):
            for pair in element.split(";"):
                name, _, value = pair.strip().partition("=")
                if name.lower() == "for":
                    chain.append(value)
        return chain
    xff = headers.get("x-forwarded-for")
    return [part for part in (xff or "").split(",") if part.strip()]


class TrustedProxies:
    """The networks whose forwarding headers are believed."""

    def __init__(self, networks: Iterable[str]) -> None:
        self.networks = [ipaddress.ip_network(n, strict=False) for n in networks]

    def __contains__(self, address: object) -> bool:
        return isinstance(address, ipaddress.IPv4Address | ipaddress.IPv6Address) and any(
            address.version == n.version and address in n for n in self.networks
        )


def client_address(peer: str | None, headers: Mapping[str, str], trusted: TrustedProxies) -> str | None:
    """The client's address. Forwarding headers are read only when the connection comes from a trusted
    proxy, and then from the right: the first address that is not itself a trusted proxy is the client
    (anything left of it was written by the client and may be forged)."""
    address = parse_ip(peer) if peer else None
    if address is None or address not in trusted:
        return str(address) if address is not None else peer
    for hop in reversed(_forwarded_chain(headers)):
        hop_address = parse_ip(hop)
        if hop_address is None:
            break  # "unknown" or an obfuscated name: stop at the last address we can vouch for
        address = hop_address
        if hop_address not in trusted:
            break
    return str(address)


def network_key(address: str | None) -> str | None:
    """What per-IP limits count by: the IPv4 address, or the IPv6 /56 it belongs to (the network that is
    stored of it, domain.identity.anonymize_ip: a ban or a report by network and a limit see one client)."""
    if not address:
        return None
    parsed = parse_ip(address)
    if parsed is None:
        # Not an IP (a unix socket behind a local proxy, a test client): every client would share one
        # key, so one flood would lock everyone out. Per-IP limits need an address: no key, no limit.
        return None
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/{IPV6_STORED_PREFIX}", strict=False))
    return str(parsed)


def aggregate_key(network: str | None, prefix: int) -> str | None:
    """The wider IPv6 network (e.g. the /48) around a network_key; None for IPv4 and for no key."""
    if not network or ":" not in network:
        return None
    try:
        inner = ipaddress.ip_network(network, strict=False)
    except ValueError:
        return None
    if not isinstance(inner, ipaddress.IPv6Network) or prefix >= inner.prefixlen:
        return None
    return str(inner.supernet(new_prefix=prefix))
