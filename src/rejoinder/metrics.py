"""Prometheus metrics of this process (prometheus-client), served by `GET /metrics` (web/metrics.py) when
`server.metrics_token` is set.

The metric objects are created once, here, as prometheus-client expects; they hold counters, not state a
function replaces. With several worker processes `rejoinder serve` sets `PROMETHEUS_MULTIPROC_DIR` before
the workers start: each worker then writes its values to its own files there and the worker that answers a
scrape adds them all up (prometheus-client's multiprocess mode), so one scrape sees the whole server.

Counting costs a dict lookup and one `inc`/`observe` per request (see `record_request`), measured at
about a microsecond or two in-process (docs/install.md#monitoring).
"""

from __future__ import annotations

from collections.abc import Mapping

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    values,
)
from prometheus_client.multiprocess import MultiProcessCollector

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"  # read by prometheus-client when it is first imported
# Whether the values live in files shared by the workers: prometheus-client chose it when first imported.
MULTIPROCESS = values.ValueClass is not values.MutexValue
CONTENT_TYPE = CONTENT_TYPE_LATEST
STATUS_CLASSES = ("1xx", "2xx", "3xx", "4xx", "5xx")
OTHER = "OTHER"  # the method label of every method HTTP does not define
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", OTHER})
UNMATCHED = "unmatched"  # requests no route answers (404s of random paths): one label, not one per path

REQUESTS = Counter(
    "rejoinder_http_requests",
    "HTTP requests answered, by method, route template and status class",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "rejoinder_http_request_duration_seconds",
    "Time from the request to the end of its response, by route template",
    ["route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0),
)
CACHE = Counter(
    "rejoinder_response_cache_lookups",
    "Public reads (threads, counts, replies) looked up in the response cache, by result (hit or miss)",
    ["result"],
)
CACHE_HIT = CACHE.labels("hit")
CACHE_MISS = CACHE.labels("miss")
LIVE_STREAMS = Gauge(
    "rejoinder_live_streams",
    "Live update (SSE) streams open now",
    multiprocess_mode="livesum",
)
MODERATION = Counter(
    "rejoinder_moderation_decisions",
    "Moderation decisions taken, by action (approve, hide, spam, delete, ...)",
    ["action"],
)
SIGNINS = Counter(
    "rejoinder_signins",
    "Reader sign-ins by provider (its configured name) and outcome: ok (a session opened), failed (the "
    "provider refused or the callback was invalid)",
    ["provider", "outcome"],
)


class RequestRecorder:
    """Per route and status the labelled children, found once and then reused: `labels()` hashes and
    locks each time, a dict lookup does not."""

    def __init__(self) -> None:
        self._children: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}

    def record(self, method: str, route: str, status: int, seconds: float) -> None:
        key = (method, route, status)
        children = self._children.get(key)
        if children is None:
            if method not in METHODS:  # any token is a method to an HTTP server: keep the labels bounded
                self.record(OTHER, route, status, seconds)
                return
            status_class = STATUS_CLASSES[min(max(status // 100, 1), 5) - 1]
            children = (REQUESTS.labels(method, route, status_class), LATENCY.labels(route))
            self._children[key] = children
        children[0].inc()
        children[1].observe(seconds)


def exposition(extra: Mapping[str, Mapping[str, float]] = {}) -> bytes:
    """The text format of every metric of this server (all workers in multiprocess mode), plus `extra`
    gauges read at scrape time (name → {label value: value}; one `state` label)."""
    if MULTIPROCESS:
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        text = generate_latest(registry)
    else:
        text = generate_latest(REGISTRY)
    lines: list[str] = []
    for name, by_state in extra.items():
        lines.append(f"# TYPE {name} gauge")
        lines.extend(f'{name}{{state="{state}"}} {value}' for state, value in sorted(by_state.items()))
    return text + ("\n".join(lines) + "\n").encode() if lines else text
