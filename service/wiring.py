"""Which job kinds the app has, and what each is bound to: the one place.

The jobs package (`service/jobs/`) is a framework that knows no job kind;
the feature packages (`service/batches/`, `service/scan_jobs.py`) enqueue
jobs and provide handlers. Binding the two here keeps the framework free of
imports of its users, so neither side imports the other (an import-linter
contract in `pyproject.toml` holds it).
"""

from __future__ import annotations

from service.analysis_pool import AnalysisPool, Analyzer
from service.batches.scan import ItemCounter
from service.batches.service import register_handlers
from service.jobs.handlers import HandlerRegistry
from service.metrics import Metrics
from service.scan_jobs import register_scan_handler


def build_registry(
    engine: Analyzer | None = None,
    metrics: Metrics | None = None,
    pool: AnalysisPool | None = None,
) -> HandlerRegistry:
    """Return every shipped job kind's handler, bound to `engine` (default engine).

    With `metrics`, recorded batch items are counted in
    `clausewise_batch_items` (the API process); a Celery worker has none.
    With `pool`, batch cards are analysed in its worker processes.
    """
    registry = HandlerRegistry()
    scanner = register_handlers(registry, engine, pool)
    if metrics is not None:
        scanner.on_recorded = _count_items(metrics)
    register_scan_handler(registry, engine, metrics)
    return registry


def _count_items(metrics: Metrics) -> ItemCounter:
    """Return a callback adding recorded items to `clausewise_batch_items`."""

    def count(done: int, failed: int) -> None:
        metrics.batch_items.labels(status="done").inc(done)
        metrics.batch_items.labels(status="failed").inc(failed)

    return count
