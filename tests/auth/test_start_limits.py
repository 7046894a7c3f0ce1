"""Rate limit on the sign-in pages (/auth/NAME/start, moderation.sign_in_limit_ip): per client network,
before any work; past it a readable 429 page (or problem+json for API clients) with Retry-After."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import TestClient

from rejoinder.app import Rejoinder, create_app
from tests.fixtures.app import ORIGIN, make_settings

HTML = {"Accept": "text/html"}


class Peer:
    """Requests arrive from a trusted proxy at 127.0.0.1, so a test names the client with X-Forwarded-For
    (per-network limits need an address; the test client's own peer is not one)."""

    def __init__(self, app: Rejoinder) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            scope = {**scope, "client": ("127.0.0.1", 40000)}
        await self.app(scope, receive, send)


def open_client(db_url: str, **moderation: Any) -> TestClient[Any]:
    settings = make_settings(
        db_url,
        auth={"providers": {"mastodon": {}}},
        moderation={"trusted_proxies": ["127.0.0.1/32"], "sign_in_limit_ip": "3/minute", **moderation},
    )
    return TestClient(app=Peer(create_app(settings)), base_url="http://rejoinder.test")  # type: ignore[arg-type]


@pytest.fixture
def client(site_db: str) -> Iterator[TestClient[Any]]:
    with open_client(site_db) as c:
        yield c


def start(client: TestClient[Any], ip: str, provider: str = "mastodon", **headers: str) -> Any:
    # Mastodon without a server answers its "which server?" page: a start that reaches no third party.
    return client.get(
        f"/auth/{provider}/start",
        params={"site": "blog", "origin": ORIGIN, "mode": "popup"},
        headers={"Accept": "text/html", "X-Forwarded-For": ip, **headers},
    )


def test_past_the_limit_a_readable_page_with_retry_after(client: TestClient[Any]) -> None:
    assert [start(client, "192.0.2.10").status_code for _ in range(3)] == [200, 200, 200]
    refused = start(client, "192.0.2.10")
    assert refused.status_code == 429, refused.text
    assert refused.headers["content-type"].startswith("text/html")
    wait = int(refused.headers["retry-after"])
    assert 1 <= wait <= 60
    text = re.sub(r"\s+", " ", refused.text)
    assert "Could not sign in with Mastodon" in text
    assert "Too many sign-ins were started from your network: at most 3 per minute." in text
    assert re.search(r"You can try again in \d+ seconds?\.", text)
    assert '<code id="rj-code">rate-limited</code>' in text
    assert refused.headers["cache-control"] == "no-store"


def test_api_clients_get_problem_json(client: TestClient[Any]) -> None:
    for _ in range(3):
        start(client, "192.0.2.11")
    refused = start(client, "192.0.2.11", Accept="application/json")
    assert refused.status_code == 429
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["code"] == "rate-limited" and int(refused.headers["retry-after"]) >= 1


def test_limits_are_per_network_and_count_every_provider(client: TestClient[Any]) -> None:
    start(client, "2001:db8:1:2::1")
    start(client, "2001:db8:1:3::ffff")  # another /64 of the same /56: one network
    start(client, "2001:db8:1:2::1", provider="nosuchprovider")  # a start that fails still counts
    refused = start(client, "2001:db8:1:2:abcd::9")
    assert refused.status_code == 429, refused.text
    assert '<code id="rj-code">rate-limited</code>' in refused.text
    for ip in ("2001:db8:1:100::1", "198.51.100.7"):  # the next /56, and another network
        page = start(client, ip)
        assert page.status_code == 200, page.text
        assert "rate-limited" not in page.text


def test_the_limit_follows_the_settings(site_db: str) -> None:
    with open_client(site_db, rate_limits=False) as off:
        assert {start(off, "192.0.2.12").status_code for _ in range(6)} == {200}
    with open_client(site_db, sign_in_limit_ip="") as unlimited:
        assert {start(unlimited, "192.0.2.12").status_code for _ in range(6)} == {200}
