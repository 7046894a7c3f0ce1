"""Rate limits: who the client is (trusted proxies only, IPv6 by the stored /56, with an optional /48
aggregate), the limiter contract over memory and
Redis storage, a Redis outage (fail open, no hang), and likes limited over HTTP while others are served."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import pytest

from rejoinder import config
from rejoinder.errors import RateLimited
from rejoinder.ratelimit import (
    Action,
    NoLimits,
    RateLimiter,
    Scope,
    TrustedProxies,
    client_address,
    network_key,
)
from tests.moderation.test_pipeline import moderated_client

PROXIES = TrustedProxies(["10.0.0.0/8", "2001:db8:ffff::/48"])


@pytest.mark.parametrize(
    ("peer", "headers", "expected"),
    [
        # Not from a trusted proxy: the headers are the client's own words and are ignored.
        ("198.51.100.7", {"x-forwarded-for": "203.0.113.9"}, "198.51.100.7"),
        ("198.51.100.7", {"forwarded": "for=203.0.113.9"}, "198.51.100.7"),
        # From a trusted proxy: the rightmost address that is not a trusted proxy is the client.
        ("10.0.0.2", {"x-forwarded-for": "203.0.113.9"}, "203.0.113.9"),
        ("10.0.0.2", {"x-forwarded-for": "6.6.6.6, 203.0.113.9, 10.1.1.1"}, "203.0.113.9"),
        ("10.0.0.2", {"forwarded": 'for=6.6.6.6, for="[2001:db8::7]:4711";proto=https'}, "2001:db8::7"),
        ("10.0.0.2", {"forwarded": "for=203.0.113.9:8080", "x-forwarded-for": "6.6.6.6"}, "203.0.113.9"),
        ("10.0.0.2", {"x-forwarded-for": "6.6.6.6, unknown"}, "10.0.0.2"),  # stop at what we cannot vouch for
        ("10.0.0.2", {}, "10.0.0.2"),
        ("::ffff:10.0.0.2", {"x-forwarded-for": "203.0.113.9"}, "203.0.113.9"),  # IPv4-mapped peer
        ("2001:db8:ffff::1", {"x-forwarded-for": "2001:db8:1::5"}, "2001:db8:1::5"),
        ("testclient", {"x-forwarded-for": "203.0.113.9"}, "testclient"),
        (None, {"x-forwarded-for": "203.0.113.9"}, None),
    ],
)
def test_client_address_believes_only_trusted_proxies(
    peer: str | None, headers: dict[str, str], expected: str | None
) -> None:
    assert client_address(peer, headers, PROXIES) == expected


def test_without_trusted_proxies_forwarding_headers_are_ignored() -> None:
    assert client_address("127.0.0.1", {"x-forwarded-for": "203.0.113.9"}, TrustedProxies([])) == "127.0.0.1"


def test_network_keys_group_ipv6_by_the_stored_56() -> None:
    from rejoinder.domain.identity import anonymize_ip

    # Different /64s of one /56 (one household's delegated prefix) are one network, as stored.
    assert network_key("2001:db8:1:2::1") == network_key("2001:db8:1:ff:ffff:ffff:ffff:ffff")
    assert network_key("2001:db8:1:2::1") == "2001:db8:1::/56" == anonymize_ip("2001:db8:1:2::1")
    assert network_key("2001:db8:1:100::1") != network_key("2001:db8:1:2::1")  # the next /56
    assert network_key("203.0.113.9") == "203.0.113.9"
    assert network_key("203.0.113.10") != network_key("203.0.113.9")
    assert network_key("::ffff:203.0.113.9") == "203.0.113.9"
    assert network_key("testclient") is None  # no address, no per-address limit
    assert network_key(None) is None


def test_aggregate_keys_are_the_wider_ipv6_network() -> None:
    from rejoinder.ratelimit import aggregate_key

    assert aggregate_key("2001:db8:1::/56", 48) == "2001:db8:1::/48"
    assert aggregate_key("2001:db8:1:ff00::/56", 48) == "2001:db8:1::/48"
    assert aggregate_key("2001:db8:1::/56", 40) == "2001:db8::/40"
    assert aggregate_key("203.0.113.9", 48) is None  # IPv4 has no aggregate
    assert aggregate_key(None, 48) is None
    assert aggregate_key("2001:db8:1::/56", 56) is None  # not wider: nothing to add


# --- the limiter contract, over memory and Redis -----------------------------------------------------------


@pytest.fixture(params=["memory", "redis"])
def storage_url(request: pytest.FixtureRequest) -> Iterator[str]:
    if request.param == "memory":
        yield ""
    else:
        yield request.getfixturevalue("redis_url")


def limiter(redis_url: str, **limits: str) -> Any:
    settings = config.load(env={}, overrides={"redis": {"url": redis_url}, "moderation": limits})
    return RateLimiter.from_settings(settings)


def test_a_limit_admits_exactly_its_amount_per_key(storage_url: str) -> None:
    async def go() -> tuple[list[bool], int, list[bool]]:
        lim = limiter(storage_url, comment_limit_ip="5/minute", comment_limit_thread="7/minute")
        try:
            results, retry = [], 0
            for _ in range(8):
                try:
                    await lim.hit(Action.COMMENT, {Scope.IP: "198.51.100.7", Scope.THREAD: "t1"})
                    results.append(True)
                except RateLimited as exc:
                    results.append(False)
                    retry = exc.retry_after or 0
            others = []
            for n in range(4):  # other networks still post, until the thread's own limit
                try:
                    await lim.hit(Action.COMMENT, {Scope.IP: f"198.51.100.{n + 20}", Scope.THREAD: "t1"})
                    others.append(True)
                except RateLimited:
                    others.append(False)
            return results, retry, others
        finally:
            await lim.close()

    results, retry, others = asyncio.run(go())
    assert results == [True] * 5 + [False] * 3
    assert 1 <= retry <= 60
    # The refused attempts did not use up the thread: 5 + 2 more fill its 7.
    assert others == [True, True, False, False]


def test_limits_of_different_actions_and_scopes_are_independent(storage_url: str) -> None:
    async def go() -> list[str]:
        lim = limiter(
            storage_url, like_limit_ip="2/minute", like_limit_identity="3/minute", report_limit_ip="1/minute"
        )
        out = []
        try:
            for action, keys in [
                (Action.LIKE, {Scope.IP: "192.0.2.1"}),
                (Action.LIKE, {Scope.IP: "192.0.2.1"}),
                (Action.LIKE, {Scope.IP: "192.0.2.1"}),
                (Action.REPORT, {Scope.IP: "192.0.2.1"}),
                (Action.LIKE, {Scope.IP: None, Scope.IDENTITY: "id-1"}),
                (Action.LIKE, {Scope.IDENTITY: "id-1"}),
                (Action.LIKE, {Scope.IDENTITY: "id-1"}),
                (Action.LIKE, {Scope.IDENTITY: "id-1"}),
            ]:
                try:
                    await lim.hit(action, keys)
                    out.append("ok")
                except RateLimited:
                    out.append("429")
        finally:
            await lim.close()
        return out

    assert asyncio.run(go()) == ["ok", "ok", "429", "ok", "ok", "ok", "ok", "429"]


def test_an_unreachable_redis_falls_back_to_limits_in_memory_quickly() -> None:
    """Issue #15: with Redis gone, this process counts on its own (as with no Redis), trying Redis again only
    every few seconds, so a request does not wait for Redis's timeout on every limit."""

    async def go() -> tuple[list[bool], float]:
        lim = limiter("redis://127.0.0.1:1/0", comment_limit_ip="2/minute")
        started = time.perf_counter()
        allowed = []
        try:
            for _ in range(3):
                try:
                    await lim.hit(Action.COMMENT, {Scope.IP: "192.0.2.1"})
                    allowed.append(True)
                except RateLimited as refused:
                    assert refused.retry_after is not None and refused.retry_after > 0
                    allowed.append(False)
        finally:
            await lim.close()
        return allowed, time.perf_counter() - started

    allowed, took = asyncio.run(go())
    assert allowed == [True, True, False]
    assert took < 10


def test_rate_limits_can_be_turned_off() -> None:
    settings = config.load(env={}, overrides={"moderation": {"rate_limits": False}})
    assert isinstance(RateLimiter.from_settings(settings), NoLimits)


def test_a_bad_rate_is_a_config_error_naming_the_key() -> None:
    with pytest.raises(config.ConfigError, match=r"moderation\.like_limit_ip"):
        config.load(env={"REJOINDER_MODERATION__LIKE_LIMIT_IP": "many"})
    with pytest.raises(config.ConfigError, match=r"moderation\.trusted_proxies"):
        config.load(env={}, overrides={"moderation": {"trusted_proxies": ["not-a-network"]}})


# --- over HTTP --------------------------------------------------------------------------------------------


def like(client: Any, comment_id: str, ip: str, n: int) -> int:
    headers = {"X-Forwarded-For": ip, "Rejoinder-Visitor": f"visitor-{n:016d}"}
    return int(client.put(f"/api/comments/{comment_id}/like", headers=headers).status_code)


def test_likes_are_limited_per_network_and_ipv6_counts_per_56(site_db: str) -> None:
    from tests.moderation.test_pipeline import post

    with moderated_client(site_db, like_limit_ip="4/minute") as client:
        target = post(client, "Like me").json()["id"]
        flood = [like(client, target, "2001:db8:5:6::1", n) for n in range(4)]
        # Other /64s of the same /56 share its budget: one household cannot multiply it by 256.
        flood += [like(client, target, f"2001:db8:5:{n + 7:x}::1", n + 4) for n in range(2)]
        flood += [like(client, target, "2001:db8:5:ff:ffff::1", 6)]
        assert flood == [200] * 4 + [429] * 3
        limited = client.put(
            f"/api/comments/{target}/like",
            headers={
                "X-Forwarded-For": "2001:db8:5:6:ffff::9",
                "Rejoinder-Visitor": "visitor-0000000000000099",
            },
        )
        assert limited.json()["code"] == "rate-limited"
        assert int(limited.headers["retry-after"]) >= 1
        assert like(client, target, "2001:db8:5:100::1", 50) == 200  # the next /56 is someone else
        assert like(client, target, "192.0.2.44", 51) == 200
        thread = client.get("/api/threads", params={"url": "https://blog.example/2026/11/a-post"}).json()
        assert thread["comments"][0]["likes"] == 6


def test_comments_from_one_56_share_a_budget(site_db: str) -> None:
    from tests.moderation.test_pipeline import post

    with moderated_client(site_db, comment_limit_ip="2/minute") as client:
        codes = [post(client, f"Comment {n}", ip=f"2001:db8:7:{n:x}::1").status_code for n in range(4)]
        assert codes == [201, 201, 429, 429]
        assert post(client, "Next door", ip="2001:db8:7:100::1").status_code == 201
        stored = client.get("/api/threads", params={"url": "https://blog.example/2026/11/a-post"}).json()
        assert len(stored["comments"]) == 3  # nothing of the refused ones was kept


def test_the_48_aggregate_limits_many_56s_together(site_db: str) -> None:
    from tests.moderation.test_pipeline import post

    with moderated_client(site_db, like_limit_ip="2/minute", ipv6_aggregate_factor=3) as client:
        target = post(client, "Like me").json()["id"]
        # Each /56 may like twice; the /48 around them six times (2 x 3), however many /56s it spreads over.
        codes = [like(client, target, f"2001:db8:9:{n << 8:x}::1", n) for n in range(8)]
        assert codes == [200] * 6 + [429] * 2
        assert like(client, target, "2001:db8:a::1", 20) == 200  # another /48
        assert like(client, target, "192.0.2.80", 21) == 200  # IPv4 has no aggregate
        refused = client.put(
            f"/api/comments/{target}/like",
            headers={"X-Forwarded-For": "2001:db8:9:ff00::1", "Rejoinder-Visitor": f"visitor-{99:016d}"},
        )
        assert refused.status_code == 429 and refused.json()["code"] == "rate-limited"
        thread = client.get("/api/threads", params={"url": "https://blog.example/2026/11/a-post"}).json()
        assert thread["comments"][0]["likes"] == 8


def test_without_the_aggregate_each_56_has_its_own_budget(site_db: str) -> None:
    from tests.moderation.test_pipeline import post

    with moderated_client(site_db, like_limit_ip="2/minute") as client:
        target = post(client, "Like me").json()["id"]
        codes = [like(client, target, f"2001:db8:9:{n << 8:x}::1", n) for n in range(8)]
        assert codes == [200] * 8


def test_comment_posts_are_limited_per_network(site_db: str) -> None:
    from tests.moderation.test_pipeline import post

    with moderated_client(site_db, comment_limit_ip="3/minute") as client:
        codes = [post(client, f"Comment {n}", ip="192.0.2.9").status_code for n in range(5)]
        assert codes == [201, 201, 201, 429, 429]
        assert post(client, "From elsewhere", ip="192.0.2.10").status_code == 201
