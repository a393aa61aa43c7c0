"""Prometheus metrics of the HTTP service (``GET /metrics``).

- ``hall_ledger_http_requests_total{method, route, status}`` — requests, by route template
- ``hall_ledger_http_request_duration_seconds{method, route}`` — latency histogram
- ``hall_ledger_events_appended_total`` — events appended by this process's commands
- ``hall_ledger_log_head_position`` — the log's last position (read at scrape time)
- ``hall_ledger_projection_lag_events{model}`` — events each read model is behind the log

Each app has its own registry, so several apps in one process (tests) never collide.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

UNMATCHED = "<unmatched>"


class _ScrapeTime(Collector):
    """Gauges read when scraped: the log head and the read models' lag."""

    def __init__(self, head: Callable[[], int], lag: Callable[[], dict[str, int]]) -> None:
        self.head = head
        self.lag = lag

    def collect(self) -> Iterator[Any]:
        try:
            head = self.head()
            lag = self.lag()
        except Exception:  # the database is down: /readyz says so; metrics stay scrapeable
            return
        yield GaugeMetricFamily("hall_ledger_log_head_position", "Last position of the global event log", value=head)
        family = GaugeMetricFamily(
            "hall_ledger_projection_lag_events", "Events a read model is behind the log", labels=["model"]
        )
        for model, behind in sorted(lag.items()):
            family.add_metric([model], behind)
        yield family


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "hall_ledger_http_requests", "HTTP requests", ["method", "route", "status"], registry=self.registry
        )
        self.latency = Histogram(
            "hall_ledger_http_request_duration_seconds",
            "HTTP request latency (streams: their whole life)",
            ["method", "route"],
            registry=self.registry,
        )
        self.events_appended = Counter(
            "hall_ledger_events_appended", "Events appended by commands of this process", registry=self.registry
        )

    def watch(self, head: Callable[[], int], lag: Callable[[], dict[str, int]]) -> None:
        self.registry.register(_ScrapeTime(head, lag))

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(seconds)

    def render(self) -> bytes:
        return generate_latest(self.registry)


class MetricsMiddleware:
    """Counts every request by its route template (never the raw path: bounded label values)."""

    def __init__(self, app: ASGIApp, metrics: Metrics, template: Callable[[Scope], str | None]) -> None:
        self.app = app
        self.metrics = metrics
        self.template = template

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            template = self.template(scope) or UNMATCHED
            self.metrics.observe(scope.get("method", "?"), template, status, time.perf_counter() - started)
