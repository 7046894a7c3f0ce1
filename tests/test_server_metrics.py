"""GET /metrics of a real `rejoinder serve --workers 2`: whichever worker answers the scrape, it counts the
requests every worker served (prometheus-client's multiprocess mode, set up by `rejoinder serve`)."""

from __future__ import annotations

from typing import Any

from prometheus_client.parser import text_string_to_metric_families

from tests.fixtures.app import ARTICLE
from tests.test_server import fresh_connections

TOKEN = "metrics-token-0123456789"
READS = 20


def threads_read(text: str) -> float:
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "rejoinder_http_requests_total"
        and sample.labels == {"method": "GET", "route": "/api/threads", "status": "2xx"}
    )


def test_every_worker_answers_for_the_whole_server(site_db: str, server_factory: Any) -> None:
    server = server_factory(site_db, "--workers", "2", env={"REJOINDER_SERVER__METRICS_TOKEN": TOKEN})
    with fresh_connections() as http:
        for _ in range(READS):  # a new connection each: the reads spread over both workers
            assert http.get(server.url + "/api/threads", params={"url": ARTICLE}).status_code == 200
        for _ in range(10):  # scrapes answered by either worker count the same reads
            answer = http.get(server.url + "/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
            assert answer.status_code == 200, answer.text
            assert threads_read(answer.text) == READS
        refused = http.get(server.url + "/metrics")
        assert refused.status_code == 401
