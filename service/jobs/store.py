"""Enqueue, claim, finish and recover jobs, safely from many threads and processes.

Claiming is the one step that must be atomic. On PostgreSQL the candidate row
is locked with `SELECT ... FOR UPDATE SKIP LOCKED`, so concurrent claimers
pass over each other's rows instead of queueing on them. SQLite has no row
locks; there every claim is a guarded `UPDATE ... WHERE status = 'queued'`
and a claimer that loses the race (zero rows updated) tries the next row.
Every later transition is guarded by the owner that holds the lease, so a
worker whose lease ran out cannot overwrite the work of the one that took over.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import ColumnElement, Engine, and_, func, or_, select, update
from sqlmodel import Session

from service.jobs.tables import JOBS, JobRecord, JobStatus, utcnow

_C = JOBS.c

_CLAIM_TRIES: Final = 8
"""Rows a SQLite claimer tries after losing races before reporting no work."""

WORKER_LOST: Final = "the worker running this job stopped on its last attempt"

_ERROR_LIMIT: Final = 2000
"""Characters of an error message kept on the row."""


@dataclass(frozen=True, slots=True)
class ClaimedJob:
    """A job this worker holds the lease of, with what its handler needs."""

    id: uuid.UUID
    kind: str
    payload: Mapping[str, Any]
    attempts: int
    max_attempts: int


def enqueue(
    session: Session,
    kind: str,
    payload: Mapping[str, Any],
    *,
    max_attempts: int = 3,
) -> uuid.UUID:
    """Add a queued job to `session` (the caller commits) and return its id.

    Taking the caller's session lets a batch and its jobs commit together:
    there is never a batch without jobs or a job without its batch.
    """
    now = utcnow()
    job = JobRecord(
        kind=kind,
        payload=dict(payload),
        max_attempts=max_attempts,
        available_at=now,
        created_at=now,
        updated_at=now,
    )
    session.add(job)
    return job.id


class JobStore:
    """Job transitions against one database engine."""

    def __init__(self, engine: Engine, *, lease_seconds: float = 30.0) -> None:
        if lease_seconds <= 0:
            raise ValueError(f"lease_seconds must be positive, got {lease_seconds}")
        self.engine = engine
        self.lease = dt.timedelta(seconds=lease_seconds)
        self._row_locks = engine.dialect.name == "postgresql"

    def session(self) -> Session:
        """Open a session on this store's database (a handler's `SessionFactory`)."""
        return Session(self.engine)

    def claim(self, owner: str) -> ClaimedJob | None:
        """Take the oldest available queued job, or return None when there is none."""
        for _ in range(_CLAIM_TRIES):
            now = utcnow()
            with self.engine.begin() as conn:
                pick = (
                    select(_C.id)
                    .where(
                        _C.status == JobStatus.QUEUED.value,
                        _C.available_at <= now,
                    )
                    .order_by(_C.available_at, _C.created_at)
                    .limit(1)
                )
                if self._row_locks:
                    pick = pick.with_for_update(skip_locked=True)
                job_id = conn.execute(pick).scalar_one_or_none()
                if job_id is None:
                    return None
                queued = _C.status == JobStatus.QUEUED.value
                if self._take(conn, job_id, owner, queued, now):
                    return self._load(conn, job_id)
        return None

    def claim_id(self, job_id: uuid.UUID, owner: str) -> ClaimedJob | None:
        """Take a named job (a Celery delivery) if it is queued or its lease ran out.

        A `running` job whose lease is still renewed belongs to a live worker
        (this message is a duplicate): see `lease_left` to come back later.
        """
        now = utcnow()
        takeable = or_(
            _C.status == JobStatus.QUEUED.value,
            and_(_C.status == JobStatus.RUNNING.value, _C.lease_until < now),
        )
        with self.engine.begin() as conn:
            if self._take(conn, job_id, owner, takeable, now):
                return self._load(conn, job_id)
        return None

    def lease_left(self, job_id: uuid.UUID) -> float | None:
        """Return seconds until a running job's lease ends; None if not running."""
        with self.engine.connect() as conn:
            lease_until: dt.datetime | None = conn.execute(
                select(_C.lease_until).where(
                    _C.id == job_id, _C.status == JobStatus.RUNNING.value
                )
            ).scalar_one_or_none()
        if lease_until is None:
            return None
        if lease_until.tzinfo is None:  # SQLite hands back naive UTC
            lease_until = lease_until.replace(tzinfo=dt.UTC)
        return max(0.0, (lease_until - utcnow()).total_seconds())

    def complete(self, job_id: uuid.UUID, owner: str) -> bool:
        """Mark a held job done; False when the lease had passed to another owner."""
        now = utcnow()
        values = {
            "status": JobStatus.DONE.value,
            "lease_until": None,
            "error": None,
            "updated_at": now,
            "finished_at": now,
        }
        return self._transition(job_id, owner, values)

    def fail(self, job_id: uuid.UUID, owner: str, error: str) -> JobStatus | None:
        """Record why a held job failed: queue it again, or fail it for good.

        Returns the job's new status, or None when this owner no longer held it.
        Retries back off (1 s, 2 s, 4 s, ... at most 60 s) so a poison job
        cannot spin a worker.
        """
        with Session(self.engine) as session:
            job = session.get(JobRecord, job_id)
            if job is None or job.owner != owner or job.status != JobStatus.RUNNING:
                return None
            final = job.attempts >= job.max_attempts
            backoff = dt.timedelta(seconds=min(60, 2 ** max(0, job.attempts - 1)))
        now = utcnow()
        status = JobStatus.FAILED if final else JobStatus.QUEUED
        values: dict[str, Any] = {
            "status": status.value,
            "lease_until": None,
            "error": error[:_ERROR_LIMIT],
            "updated_at": now,
            "available_at": now + backoff,
        }
        if final:
            values["finished_at"] = now
        return status if self._transition(job_id, owner, values) else None

    def heartbeat(self, job_ids: Iterable[uuid.UUID], owner: str) -> int:
        """Extend the leases this owner holds; return how many it still holds."""
        ids = list(job_ids)
        if not ids:
            return 0
        now = utcnow()
        with self.engine.begin() as conn:
            result = conn.execute(
                update(JOBS)
                .where(
                    _C.id.in_(ids),
                    _C.owner == owner,
                    _C.status == JobStatus.RUNNING.value,
                )
                .values(lease_until=now + self.lease, updated_at=now)
            )
            return int(result.rowcount)

    def requeue_expired(self) -> int:
        """Put jobs whose lease ran out back in the queue (their worker died).

        Jobs out of attempts stay `running` for `fail_exhausted`, which fails
        them and hands them to their kind's give-up hook.
        """
        return len(self.requeue_expired_ids())

    def requeue_expired_ids(self) -> list[uuid.UUID]:
        """Requeue jobs whose lease ran out; return the ids this call requeued.

        Each row is moved by a guarded UPDATE, so of several sweepers (API
        processes, Celery workers) exactly one requeues a given job, and only
        that one republishes it. The attempt count is kept: the next claim
        counts the new attempt, as after an in-process restart.
        """
        now = utcnow()
        expired = [
            _C.status == JobStatus.RUNNING.value,
            _C.lease_until < now,
            _C.attempts < _C.max_attempts,
        ]
        requeued: list[uuid.UUID] = []
        with self.engine.begin() as conn:
            for found in conn.execute(select(_C.id).where(*expired)).scalars().all():
                changed = conn.execute(
                    update(JOBS)
                    .where(_C.id == found, *expired)
                    .values(
                        status=JobStatus.QUEUED.value,
                        owner=None,
                        lease_until=None,
                        available_at=now,
                        updated_at=now,
                    )
                )
                if changed.rowcount == 1:
                    requeued.append(found)
        return requeued

    def fail_exhausted(self, job_id: uuid.UUID | None = None) -> list[ClaimedJob]:
        """Fail jobs whose worker died on their last attempt; return them.

        A job is dead when its lease has run out (nobody renews it); `job_id`
        limits the sweep to one job (a Celery redelivery). A document that
        kills its worker every time thus ends failed instead of looping.
        """
        now = utcnow()
        dead = [
            _C.status == JobStatus.RUNNING.value,
            _C.attempts >= _C.max_attempts,
            _C.lease_until < now,
        ]
        if job_id is not None:
            dead.append(_C.id == job_id)
        failed: list[ClaimedJob] = []
        with self.engine.begin() as conn:
            for found in conn.execute(select(_C.id).where(*dead)).scalars().all():
                changed = conn.execute(
                    update(JOBS)
                    .where(_C.id == found, *dead)
                    .values(
                        status=JobStatus.FAILED.value,
                        error=WORKER_LOST,
                        lease_until=None,
                        updated_at=now,
                        finished_at=now,
                    )
                )
                if changed.rowcount == 1:
                    failed.append(self._load(conn, found))
        return failed

    def queue_depth(self) -> int:
        """Count the jobs waiting to run."""
        with self.engine.connect() as conn:
            count = conn.execute(
                select(func.count())
                .select_from(JOBS)
                .where(_C.status == JobStatus.QUEUED.value)
            ).scalar_one()
            return int(count)

    def queued_ids(self, *, older_than: dt.timedelta) -> list[uuid.UUID]:
        """Return ids of jobs queued longer than `older_than` (lost dispatches)."""
        cutoff = utcnow() - older_than
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(_C.id).where(
                    _C.status == JobStatus.QUEUED.value,
                    _C.available_at <= cutoff,
                )
            )
            return list(rows.scalars())

    def _take(
        self,
        conn: Any,
        job_id: uuid.UUID,
        owner: str,
        takeable: ColumnElement[bool],
        now: dt.datetime,
    ) -> bool:
        """Move a job to `running` for `owner` if it is still `takeable`."""
        result = conn.execute(
            update(JOBS)
            .where(_C.id == job_id, takeable, _C.attempts < _C.max_attempts)
            .values(
                status=JobStatus.RUNNING.value,
                attempts=_C.attempts + 1,
                owner=owner,
                lease_until=now + self.lease,
                updated_at=now,
            )
        )
        return bool(result.rowcount == 1)

    def _load(self, conn: Any, job_id: uuid.UUID) -> ClaimedJob:
        """Read back the job just claimed."""
        row = conn.execute(
            select(
                _C.kind,
                _C.payload,
                _C.attempts,
                _C.max_attempts,
            ).where(_C.id == job_id)
        ).one()
        return ClaimedJob(
            job_id, row.kind, dict(row.payload), row.attempts, row.max_attempts
        )

    def _transition(
        self, job_id: uuid.UUID, owner: str, values: Mapping[str, Any]
    ) -> bool:
        """Apply `values` to a running job only while `owner` holds it."""
        with self.engine.begin() as conn:
            result = conn.execute(
                update(JOBS)
                .where(
                    _C.id == job_id,
                    _C.owner == owner,
                    _C.status == JobStatus.RUNNING.value,
                )
                .values(**values)
            )
            return bool(result.rowcount == 1)
