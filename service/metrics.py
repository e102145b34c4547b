"""Prometheus metrics, one registry per app so tests never share counters.

Routes and services reach the app's `Metrics` through `service.deps.MetricsDep`
(or `request.app.state.metrics`); `/metrics` renders its registry.
`queue_depth` and `batch_items` are defined here for the jobs and batches
code, which updates them.
"""

from __future__ import annotations

from typing import Final

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

METRICS_MEDIA_TYPE: Final = CONTENT_TYPE_LATEST
SCAN_BUCKETS: Final = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    """The service's metrics, registered on a private `CollectorRegistry`."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.scan_seconds = Histogram(
            "clausewise_scan_seconds",
            "Time to analyse one document and store the result.",
            buckets=SCAN_BUCKETS,
            registry=self.registry,
        )
        self.scans_total = Counter(
            "clausewise_scans",
            "Scans run, by outcome (succeeded or failed).",
            ["status"],
            registry=self.registry,
        )
        self.documents_total = Counter(
            "clausewise_documents",
            "Documents uploaded, by outcome (created or existing: same bytes).",
            ["outcome"],
            registry=self.registry,
        )
        self.queue_depth = Gauge(
            "clausewise_queue_depth",
            "Scan jobs waiting to run.",
            registry=self.registry,
        )
        self.batch_items = Counter(
            "clausewise_batch_items",
            "Items processed in batches, by status.",
            ["status"],
            registry=self.registry,
        )

    def render(self) -> bytes:
        """Return the registry in the Prometheus text exposition format."""
        return generate_latest(self.registry)
