"""The job store: claim, complete, fail and retry, leases, concurrent claimers."""

from __future__ import annotations

import threading
import time
import uuid

from sqlalchemy import Engine, update
from sqlmodel import Session

from service.jobs.store import JobStore, enqueue
from service.jobs.tables import JOBS, JobRecord, JobStatus


def _enqueue(engine: Engine, count: int, *, max_attempts: int = 3) -> list[uuid.UUID]:
    with Session(engine) as session:
        ids = [
            enqueue(session, "test", {"n": n}, max_attempts=max_attempts)
            for n in range(count)
        ]
        session.commit()
    return ids


def _row(engine: Engine, job_id: uuid.UUID) -> JobRecord:
    with Session(engine) as session:
        job = session.get(JobRecord, job_id)
        assert job is not None
        return job


def test_claim_complete(engine: Engine) -> None:
    store = JobStore(engine)
    [job_id] = _enqueue(engine, 1)
    job = store.claim("w1")
    assert job is not None
    assert (job.id, job.kind, dict(job.payload), job.attempts) == (
        job_id,
        "test",
        {"n": 0},
        1,
    )
    assert store.claim("w2") is None  # the only job is taken
    assert store.complete(job_id, "w2") is False  # not the owner
    assert store.complete(job_id, "w1") is True
    row = _row(engine, job_id)
    assert row.status == JobStatus.DONE
    assert row.finished_at is not None
    assert store.queue_depth() == 0


def test_fail_retries_until_max_attempts(engine: Engine) -> None:
    store = JobStore(engine)
    [job_id] = _enqueue(engine, 1, max_attempts=2)
    job = store.claim("w1")
    assert job is not None
    assert store.fail(job_id, "w1", "boom 1") == JobStatus.QUEUED
    assert store.claim("w1") is None  # backing off: available in 1 s
    with engine.begin() as conn:  # skip the back-off
        conn.execute(update(JOBS).values(available_at=JOBS.c.created_at))
    again = store.claim("w1")
    assert again is not None and again.attempts == 2
    assert store.fail(job_id, "w1", "boom 2") == JobStatus.FAILED
    row = _row(engine, job_id)
    assert (row.status, row.error, row.attempts) == (JobStatus.FAILED, "boom 2", 2)
    assert store.claim("w1") is None


def test_two_threads_never_claim_the_same_job(engine: Engine) -> None:
    store = JobStore(engine)
    ids = _enqueue(engine, 30)
    claimed: dict[str, list[uuid.UUID]] = {"a": [], "b": [], "c": []}
    start = threading.Barrier(len(claimed))

    def claimer(owner: str) -> None:
        start.wait()
        while (job := store.claim(owner)) is not None:
            claimed[owner].append(job.id)
            time.sleep(0.005)  # hold it a moment: a loaded machine may not switch
            store.complete(job.id, owner)

    threads = [threading.Thread(target=claimer, args=(o,)) for o in claimed]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    every = [job_id for jobs in claimed.values() for job_id in jobs]
    assert sorted(every) == sorted(ids)  # each job claimed exactly once
    assert sum(1 for jobs in claimed.values() if jobs) >= 2


def test_expired_lease_is_requeued_and_the_old_owner_loses_it(engine: Engine) -> None:
    # a lease long enough that a loaded machine cannot outlast it between
    # the claim and the first check (0.2 s did, under a parallel test run)
    store = JobStore(engine, lease_seconds=1.0)
    [job_id] = _enqueue(engine, 1)
    assert store.claim("dead") is not None
    assert store.requeue_expired() == 0  # lease still valid
    time.sleep(1.1)
    assert store.requeue_expired() == 1
    job = store.claim("alive")
    assert job is not None and job.attempts == 2
    assert store.complete(job_id, "dead") is False
    assert store.fail(job_id, "dead", "late") is None
    assert store.complete(job_id, "alive") is True


def test_heartbeat_keeps_a_live_lease(engine: Engine) -> None:
    store = JobStore(engine, lease_seconds=0.3)
    [job_id] = _enqueue(engine, 1)
    assert store.claim("w1") is not None
    for _ in range(3):
        time.sleep(0.15)
        assert store.heartbeat([job_id], "w1") == 1
    assert store.requeue_expired() == 0
    assert store.heartbeat([job_id], "other") == 0


def test_expired_job_without_attempts_left_fails(engine: Engine) -> None:
    store = JobStore(engine, lease_seconds=0.1)
    [job_id] = _enqueue(engine, 1, max_attempts=1)
    assert store.claim("dead") is not None
    time.sleep(0.2)
    assert store.requeue_expired() == 0  # no attempt left to requeue it for
    [failed] = store.fail_exhausted()
    assert (failed.id, dict(failed.payload)) == (job_id, {"n": 0})
    row = _row(engine, job_id)
    assert row.status == JobStatus.FAILED
    assert "last attempt" in (row.error or "")
    assert store.fail_exhausted() == []


def test_claim_id_takes_over_only_an_expired_lease(engine: Engine) -> None:
    store = JobStore(engine, lease_seconds=0.2)
    [job_id] = _enqueue(engine, 1, max_attempts=2)
    assert store.claim_id(job_id, "first") is not None
    assert store.claim_id(job_id, "duplicate") is None  # a live worker holds it
    left = store.lease_left(job_id)
    assert left is not None and 0 < left <= 0.2
    time.sleep(0.3)  # "first" died: its lease is not renewed
    second = store.claim_id(job_id, "second")
    assert second is not None and second.attempts == 2
    assert store.complete(job_id, "first") is False
    assert store.complete(job_id, "second") is True
    assert store.lease_left(job_id) is None
    assert store.claim_id(job_id, "third") is None  # done is final


def test_redelivery_after_the_last_attempt_fails_the_job(engine: Engine) -> None:
    store = JobStore(engine, lease_seconds=0.1)
    [job_id, other] = _enqueue(engine, 2, max_attempts=1)
    assert store.claim_id(job_id, "first") is not None
    assert store.claim_id(other, "first") is not None
    time.sleep(0.2)
    assert store.claim_id(job_id, "second") is None  # no attempts left
    [failed] = store.fail_exhausted(job_id)
    assert failed.id == job_id
    assert _row(engine, job_id).status == JobStatus.FAILED
    assert _row(engine, other).status == JobStatus.RUNNING  # only the one named
