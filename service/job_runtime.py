"""The API process's job machinery as routes see it: `JobRuntime`, `get_jobs`.

`service.wiring.start_jobs` builds it at start-up; routes that queue work
(scans, batches) hand new jobs to `JobRuntime.dispatch` after the
transaction that stored them has committed. Kept apart from the wiring so
that the resource packages, which import this, never import the module
that imports them.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from fastapi import Request

from service.analysis_pool import AnalysisPool
from service.jobs.celery_app import CeleryDispatcher
from service.jobs.inprocess import InProcessRunner
from service.jobs.store import JobStore
from service.jobs.sweeper import LeaseSweeper
from service.metrics import Metrics


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


def get_jobs(request: Request) -> JobRuntime:
    """Return the app's job runtime (a route dependency)."""
    runtime: JobRuntime = request.app.state.jobs
    return runtime
