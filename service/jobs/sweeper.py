"""Take over Celery jobs whose worker died, within about a lease, not an hour.

A Celery worker killed outright (SIGKILL, a lost machine) never acknowledges
its message, and Redis hands that message out again only after the
visibility timeout, an hour by default: the batch would sit frozen that long
although the job row's lease ran out seconds after the death. The row is the
truth, so the API process and every worker process sweep it: every third of
a lease, jobs whose lease expired are requeued in the database (attempts are
counted as in-process: the next claim is a new attempt) and their ids are
published again; jobs that died on their last attempt are failed and given
up. The lease still decides who runs a job, so when the old message finally
comes back it finds the job done, or held by a live worker, and runs nothing.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Sequence
from typing import Final

from service.jobs.handlers import HandlerRegistry
from service.jobs.store import WORKER_LOST, JobStore

logger = logging.getLogger(__name__)

Publish = Callable[[Sequence[uuid.UUID]], None]
"""Send one message per job id (the Celery dispatcher's `dispatch`)."""

_JOIN_SECONDS: Final = 10.0


class LeaseSweeper:
    """Requeue and republish jobs whose lease expired, from a daemon thread."""

    def __init__(
        self,
        store: JobStore,
        registry: HandlerRegistry,
        publish: Publish,
        *,
        interval_seconds: float | None = None,
    ) -> None:
        self.store = store
        self.registry = registry
        self.publish = publish
        self.interval = interval_seconds or store.lease.total_seconds() / 3
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def sweep(self) -> list[uuid.UUID]:
        """Requeue and republish expired jobs, fail dead last attempts; return ids.

        The requeue commits before the publish: a worker that gets the message
        always finds the job queued and claimable.
        """
        requeued = self.store.requeue_expired_ids()
        if requeued:
            logger.warning(
                "requeued %d job(s) whose worker stopped renewing its lease: %s",
                len(requeued),
                ", ".join(str(job_id) for job_id in requeued),
            )
            self.publish(requeued)
        for job in self.store.fail_exhausted():
            logger.error("job %s (%s) failed: %s", job.id, job.kind, WORKER_LOST)
            self.registry.give_up(
                job.kind, self.store.session, job.payload, WORKER_LOST
            )
        return requeued

    def start(self) -> None:
        """Start sweeping every `interval` seconds until `stop`."""
        if self._thread is not None:
            raise RuntimeError("sweeper already started")
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._loop, name="clausewise-lease-sweeper", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread after its current sweep."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(_JOIN_SECONDS)
            self._thread = None

    def _loop(self) -> None:
        """Sweep until stopped; a failed sweep is logged and tried again.

        A database or broker outage must not end recovery for the life of the
        process, so the error is logged with its traceback and the next tick
        sweeps again; nothing is lost, the rows still say what to requeue.
        """
        while not self._stop.wait(self.interval):
            try:
                self.sweep()
            except Exception:
                logger.exception(
                    "lease sweep failed; trying again in %.1f s", self.interval
                )
