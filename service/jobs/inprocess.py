"""Run jobs on worker threads inside the API process (the embedded default).

The runner keeps no job state of its own: each thread claims a job from the
database with a lease, runs its handler, and marks it done or failed. A
heartbeat thread extends the leases of the jobs in hand; when the process is
killed the leases run out and the next runner to look (this one after a
restart, or another process) puts those jobs back in the queue. Nothing is
lost, and the handlers skip work already recorded, so nothing is done twice.
"""

from __future__ import annotations

import logging
import os
import threading
import uuid
from collections.abc import Callable
from typing import Final

from sqlalchemy import Engine

from service.jobs.handlers import HandlerRegistry
from service.jobs.store import WORKER_LOST, ClaimedJob, JobStore
from service.jobs.tables import JobStatus

logger = logging.getLogger(__name__)

_JOIN_SECONDS: Final = 30.0


def make_owner(prefix: str) -> str:
    """Name a worker uniquely across hosts and restarts (prefix-pid-random)."""
    return f"{prefix}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


class InProcessRunner:
    """N threads polling the job table; `start()` recovers, `stop()` drains."""

    def __init__(
        self,
        engine: Engine,
        registry: HandlerRegistry,
        *,
        threads: int = 2,
        poll_seconds: float = 0.5,
        lease_seconds: float = 30.0,
        on_idle: Callable[[int], None] | None = None,
    ) -> None:
        if threads < 1:
            raise ValueError(f"threads must be at least 1, got {threads}")
        self.engine = engine
        self.registry = registry
        self.store = JobStore(engine, lease_seconds=lease_seconds)
        self.threads = threads
        self.poll_seconds = poll_seconds
        self.owner = make_owner("inprocess")
        self.on_idle = on_idle
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._held: set[uuid.UUID] = set()
        self._held_lock = threading.Lock()
        self._workers: list[threading.Thread] = []

    def recover(self) -> int:
        """Requeue jobs left `running` by a dead process whose lease has run out.

        Those that were on their last attempt are failed and given up instead.
        Returns how many jobs were requeued or given up.
        """
        count = self.store.requeue_expired()
        if count:
            logger.info("requeued %d job(s) whose worker stopped", count)
        exhausted = self.store.fail_exhausted()
        for job in exhausted:
            logger.error("job %s (%s) failed: %s", job.id, job.kind, WORKER_LOST)
            self.registry.give_up(
                job.kind, self.store.session, job.payload, WORKER_LOST
            )
        return count + len(exhausted)

    def start(self) -> None:
        """Recover orphaned jobs, then start the worker and heartbeat threads."""
        if self._workers:
            raise RuntimeError("runner already started")
        self._stop.clear()
        self.recover()
        for index in range(self.threads):
            self._spawn(self._work, f"clausewise-job-{index}")
        self._spawn(self._heartbeat, "clausewise-job-heartbeat")

    def stop(self) -> None:
        """Ask the threads to finish their current job and wait for them."""
        self._stop.set()
        self._wake.set()
        for thread in self._workers:
            thread.join(_JOIN_SECONDS)
        self._workers = []

    def notify(self) -> None:
        """Wake idle threads now (after an enqueue) rather than at the next poll."""
        self._wake.set()

    def run_one(self) -> bool:
        """Claim and run one job on the calling thread; False when none was queued."""
        job = self.store.claim(self.owner)
        if job is None:
            return False
        self._run(job)
        return True

    def _spawn(self, target: Callable[[], None], name: str) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self._workers.append(thread)

    def _work(self) -> None:
        """Claim and run jobs until stopped; sleep on the wake event when idle."""
        while not self._stop.is_set():
            if self.run_one():
                continue
            if self.on_idle is not None:
                self.on_idle(self.store.queue_depth())
            self._wake.wait(self.poll_seconds)
            self._wake.clear()

    def _heartbeat(self) -> None:
        """Extend held leases and requeue expired ones every third of a lease."""
        interval = self.store.lease.total_seconds() / 3
        while not self._stop.wait(interval):
            with self._held_lock:
                held = list(self._held)
            self.store.heartbeat(held, self.owner)
            self.recover()

    def _run(self, job: ClaimedJob) -> None:
        """Run one claimed job's handler and record the outcome on its row.

        A handler's exception fails the job with the message (it is retried
        until `max_attempts`) and is logged with its traceback; it does not
        end the worker thread, which must go on serving other jobs.
        """
        with self._held_lock:
            self._held.add(job.id)
        try:
            handler = self.registry.get(job.kind)
            handler(self.store.session, job.payload)
        except Exception as exc:
            logger.exception("job %s (%s) failed", job.id, job.kind)
            error = f"{type(exc).__name__}: {exc}"
            if self.store.fail(job.id, self.owner, error) == JobStatus.FAILED:
                self.registry.give_up(job.kind, self.store.session, job.payload, error)
        else:
            self.store.complete(job.id, self.owner)
        finally:
            with self._held_lock:
                self._held.discard(job.id)
