"""Prometheus metrics (``/metrics``): requests and latency by route, and gauges the apps register.

Counters and histograms are kept per process; under gunicorn with several workers set ``PROMETHEUS_MULTIPROC_DIR``
to an empty directory shared by the workers (cleared at start, see docs/operations.md) and prometheus-client adds
them up at scrape time. Gauges that describe the centre rather than a process — the task queue's depth, the outbox,
overdue work — are read from the database when scraped: each app registers its own in ``AppConfig.ready()``::

    from shanzhi.core.observability import metrics
    metrics.register_gauge("shanzhi_assignments_overdue", "Active assignments past their deadline", overdue_count)

A gauge function returns a number or a mapping of label tuples to numbers (with ``labels=("unit",)``). The kernel
never imports the apps that provide them.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

logger = logging.getLogger(__name__)

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

REQUESTS = Counter(
    "shanzhi_http_requests_total", "HTTP requests by method, route and status class", ["method", "route", "status"]
)
LATENCY = Histogram(
    "shanzhi_http_request_duration_seconds",
    "Time to answer an HTTP request, by route",
    ["method", "route"],
    buckets=LATENCY_BUCKETS,
)

GaugeValue = float | int | Mapping[tuple[str, ...], float | int]


@dataclass(frozen=True)
class RegisteredGauge:
    name: str
    documentation: str
    read: Callable[[], GaugeValue]
    labels: tuple[str, ...] = ()


_gauges: dict[str, RegisteredGauge] = {}


def register_gauge(
    name: str, documentation: str, read: Callable[[], GaugeValue], *, labels: tuple[str, ...] = ()
) -> None:
    """Add (or replace, by name) a gauge read from the database at scrape time."""
    _gauges[name] = RegisteredGauge(name, documentation, read, labels)


def unregister_gauge(name: str) -> None:
    _gauges.pop(name, None)


class DatabaseGauges(Collector):
    """Reads every registered gauge when scraped; one that fails is reported as ``shanzhi_gauge_errors``."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        failed = 0
        for gauge in sorted(_gauges.values(), key=lambda g: g.name):
            try:
                value = gauge.read()
            except Exception:
                logger.exception("metrics gauge %s failed", gauge.name)
                failed += 1
                continue
            family = GaugeMetricFamily(gauge.name, gauge.documentation, labels=list(gauge.labels) or None)
            if isinstance(value, Mapping):
                for label_values, number in sorted(value.items()):
                    family.add_metric(list(label_values), float(number))
            else:
                family.add_metric([], float(value))
            yield family
        errors = GaugeMetricFamily("shanzhi_gauge_errors", "Registered gauges that failed at this scrape")
        errors.add_metric([], float(failed))
        yield errors


def scrape() -> bytes:
    """The exposition text: this process's metrics (all workers' in multiprocess mode), then the gauges."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        processes = CollectorRegistry()
        multiprocess.MultiProcessCollector(processes)
        base = generate_latest(processes)
    else:
        from prometheus_client import REGISTRY

        base = generate_latest(REGISTRY)
    gauges = CollectorRegistry()
    gauges.register(DatabaseGauges())
    return base + generate_latest(gauges)


def observe_request(*, method: str, route: str, status: int, seconds: float) -> None:
    REQUESTS.labels(method=method, route=route, status=f"{status // 100}xx").inc()
    LATENCY.labels(method=method, route=route).observe(seconds)
