"""GET /metrics: 404 without `server.metrics_token`, 401 without the right bearer token, and with it the
Prometheus text: requests by route template and status class, latency, response-cache hits and misses,
the outbox by state. Counters live as long as the process: the tests compare before and after."""

from __future__ import annotations

from typing import Any

from litestar.testing import TestClient
from prometheus_client.parser import text_string_to_metric_families

from tests.fixtures.app import ARTICLE, new_client, post_comment

TOKEN = "metrics-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def scrape(client: TestClient[Any]) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics", headers=AUTH)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=")
    assert response.headers["cache-control"] == "no-store"
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_without_a_token_setting_metrics_do_not_exist(client: TestClient[Any]) -> None:
    answer = client.get("/metrics", headers=AUTH)
    assert answer.status_code == 404
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["code"] == "not-found"


def test_a_wrong_or_missing_token_is_refused(site_db: str) -> None:
    with new_client(site_db, server={"metrics_token": TOKEN}) as client:
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}):
            answer = client.get("/metrics", headers=headers)
            assert answer.status_code == 401, headers
            assert answer.headers["content-type"] == "application/problem+json"
            assert answer.json()["code"] == "unauthorized"
            assert TOKEN not in answer.text


def test_requests_cache_and_outbox_are_counted(site_db: str) -> None:
    with new_client(site_db, server={"metrics_token": TOKEN}) as client:
        before = scrape(client)
        post_comment(client, "Counted")
        params = {"url": ARTICLE}
        assert client.get("/api/threads", params=params).status_code == 200  # a miss fills the cache
        assert client.get("/api/threads", params=params).status_code == 200  # a hit, before routing
        assert client.get("/no/such/path/1").status_code == 404
        assert client.get("/no/such/path/2").status_code == 404
        for method in ("BREW", "WHEN"):  # made-up methods: one series between them
            assert client.request(method, "/api/threads").status_code == 405
        after = scrape(client)

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    requests = "rejoinder_http_requests_total"
    assert delta(requests, method="POST", route="/api/comments", status="2xx") == 1
    assert delta(requests, method="GET", route="/api/threads", status="2xx") == 2
    assert delta(requests, method="GET", route="unmatched", status="4xx") == 2  # one series, not one per path
    assert delta(requests, method="OTHER", route="/api/threads", status="4xx") == 2
    assert not any(dict(labels).get("method") in ("BREW", "WHEN") for _, labels in after)
    assert not any(dict(labels).get("route", "").startswith("/no/") for _, labels in after)
    assert (
        delta("rejoinder_http_request_duration_seconds_count", route="/api/threads") == 4
    )  # 2 reads, 2 BREW/WHEN
    assert delta("rejoinder_response_cache_lookups_total", result="miss") == 1
    assert delta("rejoinder_response_cache_lookups_total", result="hit") == 1
    # The comment's deliveries are in the outbox, pending or done by now (the dispatcher may have run).
    outbox = {
        dict(labels)["state"]: v for (name, labels), v in after.items() if name == "rejoinder_outbox_events"
    }
    assert outbox and set(outbox) <= {"pending", "done", "dead"}, outbox
    assert sum(outbox.values()) >= 1


def test_replies_are_one_series_whether_cached_or_not(site_db: str) -> None:
    with new_client(site_db, server={"metrics_token": TOKEN}) as client:
        parent = post_comment(client, "Parent")
        post_comment(client, "Child", parent=parent["id"])
        before = scrape(client)
        for _ in range(2):  # routed by Litestar (a miss), then answered by the fast path (a hit)
            assert client.get(f"/api/comments/{parent['id']}/replies").status_code == 200
        after = scrape(client)
    labels = {"method": "GET", "route": "/api/comments/{comment_id}/replies", "status": "2xx"}
    name = "rejoinder_http_requests_total"
    assert value(after, name, **labels) - value(before, name, **labels) == 2, [
        k for k in after if "repl" in str(k)
    ]


def test_moderation_decisions_are_counted_by_action(site_db: str) -> None:
    from rejoinder.moderation.actions import ModAction
    from rejoinder.services import moderation as service
    from tests.moderation.test_pipeline import SYSTEM, call

    with new_client(site_db, server={"metrics_token": TOKEN}) as client:
        made = post_comment(client, "To be judged")
        before = scrape(client)
        call(client, lambda ctx: service.decide(ctx, SYSTEM, made["id"], ModAction.SPAM))
        call(client, lambda ctx: service.decide(ctx, SYSTEM, made["id"], ModAction.APPROVE))
        after = scrape(client)
    name = "rejoinder_moderation_decisions_total"
    for action in ("spam", "approve"):
        assert value(after, name, action=action) - value(before, name, action=action) == 1
