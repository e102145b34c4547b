"""Wire jobs into the API process: start the configured runner, dispatch new jobs.

`start_jobs(app)` runs in the app's lifespan after the migrations. With
`job_mode=inprocess` (the embedded default) it starts worker threads here;
with `job_mode=celery` it only publishes, and `clausewise worker` processes
do the work, while a `LeaseSweeper` thread here requeues and republishes
jobs whose worker died (so a killed worker's batch does not wait for the
broker's visibility timeout). Either way new jobs are handed over by
`JobRuntime.dispatch` after the transaction that stored them has committed.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from fastapi import FastAPI, Request

from service.analysis_pool import AnalysisPool
from service.jobs.celery_app import CeleryDispatcher, make_celery
from service.jobs.inprocess import InProcessRunner
from service.jobs.store import JobStore
from service.jobs.sweeper import LeaseSweeper
from service.metrics import Metrics
from service.settings import Settings
from service.wiring import build_registry


@dataclass(frozen=True, slots=True)
class JobRuntime:
    """The app's job machinery: the store, and the runner or Celery publisher."""

    store: JobStore
    metrics: Metrics
    max_attempts: int = 3
    runner: InProcessRunner | None = None
    celery: CeleryDispatcher | None = None
    sweeper: LeaseSweeper | None = None
    pool: AnalysisPool | None = None

    def dispatch(self, job_ids: Sequence[uuid.UUID]) -> None:
        """Hand committed jobs over: wake the threads, or publish to Celery."""
        if self.celery is not None:
            self.celery.dispatch(job_ids)
        if self.runner is not None:
            self.runner.notify()
        self.metrics.queue_depth.set(self.store.queue_depth())


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


def get_jobs(request: Request) -> JobRuntime:
    """Return the app's job runtime (a route dependency)."""
    runtime: JobRuntime = request.app.state.jobs
    return runtime
