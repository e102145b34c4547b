"""Keep a job's lease while its handler runs, so nobody takes a live job over.

The in-process runner renews all its jobs from one heartbeat thread; a Celery
task, which runs one job, renews its own with this context manager. When the
process dies the renewals stop, the lease runs out, and the job is taken over.
"""

from __future__ import annotations

import threading
import uuid
from types import TracebackType

from service.jobs.store import JobStore


class LeaseKeeper:
    """Renew one job's lease every third of the lease length until exit."""

    def __init__(self, store: JobStore, job_id: uuid.UUID, owner: str) -> None:
        self.store = store
        self.job_id = job_id
        self.owner = owner
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._renew, name=f"lease-{job_id.hex[:8]}", daemon=True
        )

    def __enter__(self) -> LeaseKeeper:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join()

    def _renew(self) -> None:
        interval = self.store.lease.total_seconds() / 3
        while not self._stop.wait(interval):
            self.store.heartbeat([self.job_id], self.owner)
