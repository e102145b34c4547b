"""Celery runs the same jobs on many machines (`job_mode=celery`).

Celery is only the queue: a message carries a job id, and the worker claims
that job's row, runs the registered handler against the database and records
the outcome, exactly as an in-process thread would. Delivery is at least once:
`acks_late` acknowledges a message only after the job ran, and
`task_reject_on_worker_lost` puts it back when the worker process dies, so a
killed worker's job is redelivered; it is taken over once the dead worker's
lease (renewed while alive) runs out, and its handler skips the items
already recorded. One message at a time per process (`prefetch_multiplier=1`) keeps
10,000-card batches spread over all workers instead of hoarded by one.

When a whole worker dies (SIGKILL, a lost machine) nobody rejects its message,
and Redis would redeliver it only after the visibility timeout (an hour).
So each worker process also runs a `LeaseSweeper` (as the API does): every
third of a lease it requeues the jobs whose lease expired and publishes them
again, and a live worker takes them over. In a prefork pool the sweeper
runs in each child (started after the fork, so no thread or connection
crosses a fork); with `solo` or `threads`, in the worker process itself.

Start a worker with `python -m service.worker --concurrency 2` (what
`clausewise worker` runs): it hands this module the settings and the job
handlers (`use_registry`). `celery -A service.jobs.celery_app` finds `app`,
configured from the environment, for Celery's own commands (`inspect`,
`purge`); it runs no job without the handlers.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Final

from celery import Celery, signals
from celery.concurrency.prefork import TaskPool as PreforkPool

from service.db import make_engine
from service.jobs.handlers import HandlerRegistry
from service.jobs.inprocess import make_owner
from service.jobs.lease import LeaseKeeper
from service.jobs.store import WORKER_LOST, JobStore
from service.jobs.sweeper import LeaseSweeper
from service.jobs.tables import JobStatus
from service.settings import Settings, get_settings

logger = logging.getLogger(__name__)

RUN_JOB: Final = "clausewise.run_job"


def make_celery(settings: Settings) -> Celery:
    """Return a Celery app for the broker and queue the settings name."""
    jobs = settings.jobs
    app = Celery("clausewise", broker=jobs.redis_url, set_as_current=False)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_ignore_result=True,
        task_default_queue=jobs.celery_queue,
        task_serializer="json",
        accept_content=["json"],
        broker_connection_retry_on_startup=True,
        broker_transport_options={"visibility_timeout": jobs.celery_visibility_seconds},
        worker_hijack_root_logger=False,
    )
    app.task(name=RUN_JOB)(run_job)
    return app


@dataclass(frozen=True, slots=True)
class _Runtime:
    """What a worker process builds once: the store, the handlers, the publisher."""

    store: JobStore
    registry: HandlerRegistry
    celery: Celery


RegistryFactory = Callable[[], HandlerRegistry]
"""Build the handlers of every job kind (the app's wiring provides it)."""


@dataclass(frozen=True, slots=True)
class _WorkerSetup:
    settings: Settings
    registry: RegistryFactory


_setup: list[_WorkerSetup] = []


def use_registry(factory: RegistryFactory, settings: Settings) -> None:
    """Name the settings and handlers this worker process runs; call before it starts.

    The jobs package knows no job kind of its own: the app's wiring
    (`service.wiring.build_registry`) is handed in by the worker's entry
    point, with the settings it read, and prefork children inherit both.
    """
    _setup[:] = [_WorkerSetup(settings, factory)]


@cache
def _runtime() -> _Runtime:
    """Build the database engine and handlers on first use, after any fork."""
    if not _setup:
        raise RuntimeError(
            "no job handlers: start workers with `clausewise worker`"
            " (service.worker), which names them"
        )
    settings = _setup[0].settings
    engine = make_engine(settings.database.url)
    store = JobStore(engine, lease_seconds=settings.jobs.lease_seconds)
    return _Runtime(store, _setup[0].registry(), make_celery(settings))


def run_job(job_id: str) -> str:
    """Run one job by id (the Celery task); return what became of it.

    A handler's exception is recorded on the job row (retried later, with a
    new message, until `max_attempts`) and re-raised so the worker logs it.
    A message for a job another live worker holds comes back when its lease
    would have run out: by then it is done, or its worker is dead.
    """
    runtime = _runtime()
    owner = make_owner("celery")
    ident = uuid.UUID(job_id)
    job = runtime.store.claim_id(ident, owner)
    if job is None:
        return _not_claimed(runtime, ident)
    try:
        with LeaseKeeper(runtime.store, job.id, owner):
            runtime.registry.get(job.kind)(runtime.store.session, job.payload)
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
        status = runtime.store.fail(job.id, owner, error)
        if status == JobStatus.QUEUED:
            runtime.celery.send_task(RUN_JOB, args=[job_id], countdown=2**job.attempts)
        elif status == JobStatus.FAILED:
            _give_up(runtime, job.kind, job.payload, error)
        raise
    runtime.store.complete(job.id, owner)
    return "done"


def _not_claimed(runtime: _Runtime, job_id: uuid.UUID) -> str:
    """Settle a message whose job could not be claimed: dead, held, or finished."""
    for dead in runtime.store.fail_exhausted(job_id):
        _give_up(runtime, dead.kind, dead.payload, WORKER_LOST)
        return "failed: " + WORKER_LOST
    left = runtime.store.lease_left(job_id)
    if left is not None:
        runtime.celery.send_task(RUN_JOB, args=[job_id.hex], countdown=left + 1)
        return f"deferred {left + 1:.0f} s: another worker holds the lease"
    return "skipped: done or failed already"


def _give_up(
    runtime: _Runtime, kind: str, payload: Mapping[str, Any], error: str
) -> None:
    """Settle a job's work after its last attempt failed."""
    logger.error("job of kind %s failed for good: %s", kind, error)
    runtime.registry.give_up(kind, runtime.store.session, payload, error)


class CeleryDispatcher:
    """Publish queued jobs to Celery after the transaction that made them commits."""

    def __init__(self, app: Celery) -> None:
        self.app = app

    def dispatch(self, job_ids: Sequence[uuid.UUID]) -> None:
        """Send one message per job; the worker that gets it claims the row."""
        for job_id in job_ids:
            self.app.send_task(RUN_JOB, args=[job_id.hex])

    def recover(self, store: JobStore) -> int:
        """Requeue expired leases and republish every queued job (lost messages).

        Run at API start-up: a process killed between committing a batch and
        publishing its messages leaves queued rows that no message names. A
        job published twice is harmless: the second claim finds it done.
        """
        store.requeue_expired()
        queued = store.queued_ids(older_than=dt.timedelta(0))
        self.dispatch(queued)
        return len(queued)


@cache
def start_sweeper() -> LeaseSweeper:
    """Start this worker process's lease sweeper (once per process)."""
    runtime = _runtime()
    sweeper = LeaseSweeper(
        runtime.store, runtime.registry, CeleryDispatcher(runtime.celery).dispatch
    )
    sweeper.start()
    logger.info(
        "lease sweeper started in process %d, every %.1f s",
        os.getpid(),
        sweeper.interval,
    )
    return sweeper


def _sweep_in_pool_child(**_: Any) -> None:
    """A prefork child sweeps: it owns its database engine, made after the fork."""
    start_sweeper()


def _sweep_in_worker(sender: Any = None, **_: Any) -> None:
    """A solo or threads worker sweeps itself; a prefork parent does not.

    Its children do: a thread in the parent would be forked into every child.
    """
    pool_cls = getattr(getattr(sender, "controller", None), "pool_cls", None)
    if not (isinstance(pool_cls, type) and issubclass(pool_cls, PreforkPool)):
        start_sweeper()


signals.worker_process_init.connect(_sweep_in_pool_child, weak=False)
signals.worker_ready.connect(_sweep_in_worker, weak=False)


@cache
def _environment_app() -> Celery:
    return make_celery(get_settings())


def __getattr__(name: str) -> Celery:
    """Return `app`, what `celery -A service.jobs.celery_app` finds.

    Made on first use from the environment's settings, so importing this
    module (the API does) reads no setting.
    """
    if name == "app":
        return _environment_app()
    raise AttributeError(name)
