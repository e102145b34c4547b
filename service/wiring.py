"""Which job kinds the app has, what each is bound to, how the API runs them.

The jobs package (`service/jobs/`) is a framework that knows no job kind;
the resource packages (`service/batches/`, `service/scans/`) enqueue jobs and
provide handlers. Binding the two here keeps the framework free of imports
of its users, so neither side imports the other (an import-linter contract
in `pyproject.toml` holds it).

`start_jobs(app)` runs in the app's lifespan after the migrations. With
`jobs.mode=inprocess` (the embedded default) it starts worker threads here;
with `jobs.mode=celery` it only publishes, and `clausewise worker` processes
do the work, while a `LeaseSweeper` thread here requeues and republishes
jobs whose worker died (so a killed worker's batch does not wait for the
broker's visibility timeout).
"""

from __future__ import annotations

from fastapi import FastAPI

from service.analysis_pool import AnalysisPool, Analyzer
from service.batches.scan import ItemCounter
from service.batches.service import register_handlers
from service.job_runtime import JobRuntime
from service.jobs.celery_app import CeleryDispatcher, make_celery
from service.jobs.handlers import HandlerRegistry
from service.jobs.inprocess import InProcessRunner
from service.jobs.store import JobStore
from service.jobs.sweeper import LeaseSweeper
from service.metrics import Metrics
from service.scans.jobs import register_scan_handler
from service.settings import Settings


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


def start_jobs(app: FastAPI) -> JobRuntime:
    """Start the runner the settings' `jobs` section names."""
    settings: Settings = app.state.settings
    metrics: Metrics = app.state.metrics
    jobs = settings.jobs
    store = JobStore(app.state.db_engine, lease_seconds=jobs.lease_seconds)
    celery_mode = jobs.mode == "celery"
    # Celery workers are processes already; in-process mode analyses batch
    # cards in the app's worker processes (scans go there through the engine)
    pool = None if celery_mode else app.state.analysis_pool
    registry = build_registry(app.state.clause_engine, metrics, pool)
    if celery_mode:
        celery = CeleryDispatcher(make_celery(settings))
        celery.recover(store)
        sweeper = LeaseSweeper(store, registry, celery.dispatch)
        sweeper.start()
        runtime = JobRuntime(
            store, metrics, jobs.max_attempts, celery=celery, sweeper=sweeper
        )
    else:
        runner = InProcessRunner(
            app.state.db_engine,
            registry,
            threads=jobs.threads,
            poll_seconds=jobs.poll_seconds,
            lease_seconds=jobs.lease_seconds,
            on_idle=metrics.queue_depth.set,
        )
        runner.start()
        runtime = JobRuntime(
            store, metrics, jobs.max_attempts, runner=runner, pool=pool
        )
    app.state.jobs = runtime
    return runtime


def stop_jobs(app: FastAPI) -> None:
    """Let the in-process threads finish their current job and stop; stop sweeping."""
    runtime: JobRuntime | None = getattr(app.state, "jobs", None)
    if runtime is not None and runtime.runner is not None:
        runtime.runner.stop()
    if runtime is not None and runtime.sweeper is not None:
        runtime.sweeper.stop()
