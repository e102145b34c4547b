"""A real Celery round trip: a worker subprocess, the local Redis, a SQLite file.

One prefork worker (one child process) serves the module; the tests submit
through the API with `job_mode=celery` and kill the worker's child mid-chunk.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import redis
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from service.app import create_app
from service.batches.jsonl import CardInput
from service.batches.service import create_batch
from service.batches.tables import ITEMS, BatchRecord
from service.db import init_db, make_engine
from service.jobs.celery_app import CeleryDispatcher, make_celery
from service.jobs.tables import JOBS
from service.settings import Settings
from tests.service.api.helpers import new_tenant

from .conftest import CARD, PLAIN, make_tenant

REDIS_URL = os.environ.get("CLAUSEWISE_TEST_REDIS", "redis://127.0.0.1:6379/0")
ROOT = Path(__file__).resolve().parents[3]


def _redis_reachable() -> bool:
    host_port = REDIS_URL.split("://", 1)[1].split("/", 1)[0]
    host, _, port = host_port.partition(":")
    try:
        with socket.create_connection((host, int(port or 6379)), timeout=1):
            return True
    except OSError:
        return False


@dataclass(frozen=True)
class Worker:
    """The running worker, the settings it shares with the tests, and its log."""

    process: subprocess.Popen[bytes]
    settings: Settings
    queue: str
    log: Path

    def alive(self) -> None:
        assert self.process.poll() is None, self.tail()

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]


@pytest.fixture(scope="module")
def worker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Worker]:
    """Start `python -m service.worker` (prefork, 1 child) on a fresh queue."""
    if not _redis_reachable():
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")
    tmp = tmp_path_factory.mktemp("celery")
    queue = f"clausewise-test-{uuid.uuid4().hex[:8]}"
    settings = Settings(
        database_url=f"sqlite:///{tmp / 'celery.db'}",
        redis_url=REDIS_URL,
        job_mode="celery",
        celery_queue=queue,
    )
    engine = make_engine(settings.database.url)
    init_db(engine)
    engine.dispose()
    worker = _spawn(tmp / "worker.log", settings, queue, "--pool", "prefork")
    try:
        yield worker
    finally:
        _stop(worker)
        _drop_queue(queue)


def _spawn(
    log: Path, settings: Settings, queue: str, *options: str, lease: str = "1"
) -> Worker:
    """Start `python -m service.worker -c 1 OPTIONS` on the settings' database."""
    env = {
        **os.environ,
        "CLAUSEWISE_DATABASE_URL": settings.database.url,
        "CLAUSEWISE_REDIS_URL": REDIS_URL,
        "CLAUSEWISE_CELERY_QUEUE": queue,
        "CLAUSEWISE_JOB_LEASE_SECONDS": lease,
    }
    with log.open("wb") as out:  # the child keeps its own copy of the descriptor
        process = subprocess.Popen(
            [sys.executable, "-m", "service.worker", "-c", "1", *options],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    return Worker(process, settings, queue, log)


def _stop(worker: Worker) -> None:
    """Stop a worker, children included (cold shutdown), if it still runs."""
    if worker.process.poll() is not None:
        return
    worker.process.send_signal(signal.SIGQUIT)
    try:
        worker.process.wait(15)
    except subprocess.TimeoutExpired:
        worker.process.kill()
        worker.process.wait(5)


def _drop_queue(queue: str) -> None:
    """Delete the queue and the unacknowledged messages a killed worker left.

    Kombu keeps those in the `unacked` hash (tag -> [message, exchange,
    routing key]); only this queue's are removed, other users of Redis keep
    theirs.
    """
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.delete(queue)
        for tag, raw in client.hgetall("unacked").items():
            if json.loads(raw)[2] == queue:
                client.hdel("unacked", tag)
                client.zrem("unacked_index", tag)
    finally:
        client.close()


def test_api_batch_runs_on_a_celery_worker(worker: Worker) -> None:
    """job_mode=celery end to end: POST to the API, the worker process scans it."""
    app = create_app(worker.settings)
    body = b"".join(
        json.dumps(row).encode() + b"\n"
        for row in (
            {"id": "kestrel", "markdown": CARD},
            {"id": "plain", "text": PLAIN},
            {"id": "empty", "text": ""},
            {"id": "again", "markdown": CARD},
        )
    )
    with TestClient(app) as client:
        assert app.state.jobs.runner is None  # no threads: Celery does the work
        tenant = new_tenant(app, "celery-tenant")
        headers = {**tenant.headers, "Content-Type": "application/x-ndjson"}
        response = client.post("/v1/batches", content=body, headers=headers)
        assert response.status_code == 202, response.text
        url = response.headers["location"]
        deadline = time.monotonic() + 60
        batch = client.get(url, headers=tenant.headers).json()
        while batch["status"] != "done" and time.monotonic() < deadline:
            worker.alive()
            time.sleep(0.1)
            batch = client.get(url, headers=tenant.headers).json()
    assert batch["status"] == "done", worker.tail()
    assert batch["progress"] == {"total": 4, "done": 3, "failed": 1, "pending": 0}
    assert "clausewise.run_job" in worker.log.read_text(errors="replace")


def _children(pid: int) -> list[int]:
    text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    return [int(child) for child in text.split()]


def test_killed_celery_child_loses_no_item(worker: Worker) -> None:
    engine = make_engine(worker.settings.database.url)
    tenant_id = make_tenant(engine, "kill-tenant")
    cards = tuple(
        CardInput(f"c{n}", f"{PLAIN}Card {n}.\n".encode(), "text") for n in range(150)
    )
    with Session(engine) as session:
        created = create_batch(
            session,
            tenant_id=tenant_id,
            cards=cards,
            idempotency_key=None,
            use_cache=True,
            chunk_size=150,
        )
    app = make_celery(worker.settings)
    killed: list[int] = []
    try:
        CeleryDispatcher(app).dispatch(created.job_ids)
        deadline = time.monotonic() + 60
        batch = None
        while time.monotonic() < deadline:
            worker.alive()
            with Session(engine) as session:
                batch = session.get(BatchRecord, created.batch_id)
                assert batch is not None
            if batch.status == "done":
                break
            if not killed and batch.done >= 25:
                killed = _children(worker.process.pid)
                for child in killed:
                    os.kill(child, signal.SIGKILL)  # mid-chunk, job still running
            time.sleep(0.05)
    finally:
        app.close()
    assert killed, worker.tail()
    assert batch is not None and batch.status == "done", worker.tail()
    assert (batch.done, batch.failed, batch.total) == (150, 0, 150)
    [job_id] = created.job_ids
    # The worker marks the job done just after it records the last item.
    deadline = time.monotonic() + 30
    while True:
        with engine.connect() as conn:
            job = conn.execute(
                select(JOBS.c.attempts, JOBS.c.status).where(JOBS.c.id == job_id)
            ).one()
        if job.status != "running" or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    with engine.connect() as conn:
        left = conn.execute(
            select(func.count())
            .select_from(ITEMS)
            .where(ITEMS.c.batch_id == created.batch_id, ITEMS.c.status != "done")
        ).scalar()
    engine.dispose()
    assert tuple(job) == (2, "done")  # redelivered once, then finished
    assert left == 0


@pytest.fixture
def two_workers(tmp_path: Path) -> Iterator[tuple[Worker, Worker]]:
    """Two solo workers on one queue and database, with a 2-second lease.

    The visibility timeout stays at its hour: Redis cannot be what rescues a
    job within this test, only the lease sweep can.
    """
    if not _redis_reachable():
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")
    queue = f"clausewise-test-{uuid.uuid4().hex[:8]}"
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'killed.db'}",
        redis_url=REDIS_URL,
        job_mode="celery",
        celery_queue=queue,
    )
    engine = make_engine(settings.database.url)
    init_db(engine)
    engine.dispose()
    workers = tuple(
        _spawn(tmp_path / f"worker-{n}.log", settings, queue, lease=str(LEASE))
        for n in (1, 2)
    )
    try:
        yield workers[0], workers[1]
    finally:
        for worker in workers:
            _stop(worker)
        _drop_queue(queue)


LEASE = 2.0


def _job_row(engine: Engine, job_id: uuid.UUID) -> Any:
    with engine.connect() as conn:
        return conn.execute(
            select(JOBS.c.status, JOBS.c.owner, JOBS.c.attempts).where(
                JOBS.c.id == job_id
            )
        ).one()


def test_a_worker_killed_outright_is_taken_over_within_a_lease(
    two_workers: tuple[Worker, Worker],
) -> None:
    """SIGKILL the whole worker that runs a batch's job (no pool parent left to
    reject its message): the other worker's sweep requeues and republishes the
    job once its lease runs out, and it finishes every card exactly once."""
    settings = two_workers[0].settings
    engine = make_engine(settings.database.url)
    tenant_id = make_tenant(engine, "sigkill-tenant")
    cards = tuple(
        CardInput(f"k{n}", f"{PLAIN}Clause card {n}.\n".encode(), "text")
        for n in range(120)
    )
    with Session(engine) as session:
        created = create_batch(
            session,
            tenant_id=tenant_id,
            cards=cards,
            idempotency_key=None,
            use_cache=True,
            chunk_size=120,
        )
    [job_id] = created.job_ids
    app = make_celery(settings)
    by_pid = {w.process.pid: w for w in two_workers}
    try:
        CeleryDispatcher(app).dispatch(created.job_ids)
        victim, killed_at = _kill_owner_mid_job(
            engine, created.batch_id, job_id, by_pid
        )
        survivor = next(w for w in two_workers if w is not victim)
        taken_over = _wait_for_owner(engine, job_id, survivor, killed_at + 30)
        # About a lease after the last renewal, plus a third for the sweep;
        # the bound leaves room for a loaded machine, far below the hour of
        # the visibility timeout.
        assert taken_over - killed_at < 5 * LEASE, taken_over - killed_at
        deadline = killed_at + 60
        batch = None
        while time.monotonic() < deadline:
            survivor.alive()
            with Session(engine) as session:
                batch = session.get(BatchRecord, created.batch_id)
            if batch is not None and batch.status == "done":
                break
            time.sleep(0.1)
        took = time.monotonic() - killed_at
    finally:
        app.close()
    assert batch is not None and batch.status == "done", survivor.tail()
    assert (batch.done, batch.failed, batch.total) == (120, 0, 120)
    assert took < 60, took
    deadline = time.monotonic() + 10
    job = _job_row(engine, job_id)
    while job.status == "running" and time.monotonic() < deadline:
        time.sleep(0.05)
        job = _job_row(engine, job_id)
    with engine.connect() as conn:
        items = conn.execute(
            select(ITEMS.c.status, func.count())
            .where(ITEMS.c.batch_id == created.batch_id)
            .group_by(ITEMS.c.status)
        ).all()
    engine.dispose()
    assert (job.status, job.attempts) == ("done", 2)  # killed once, then finished
    assert job.owner.split("-")[1] == str(survivor.process.pid)
    assert [tuple(row) for row in items] == [("done", 120)]
    assert "requeued 1 job(s) whose worker stopped" in survivor.tail()


def _wait_for_owner(
    engine: Engine, job_id: uuid.UUID, worker: Worker, deadline: float
) -> float:
    """Return when `worker` claimed the job (monotonic seconds)."""
    while time.monotonic() < deadline:
        worker.alive()
        owner = _job_row(engine, job_id).owner or ""
        if owner.startswith(f"celery-{worker.process.pid}-"):
            return time.monotonic()
        time.sleep(0.05)
    raise AssertionError(f"the job was not taken over:\n{worker.tail()}")


def _kill_owner_mid_job(
    engine: Engine,
    batch_id: uuid.UUID,
    job_id: uuid.UUID,
    by_pid: dict[int, Worker],
) -> tuple[Worker, float]:
    """Wait until some cards are recorded, then SIGKILL the worker holding the job."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with Session(engine) as session:
            batch = session.get(BatchRecord, batch_id)
            assert batch is not None
        job = _job_row(engine, job_id)
        if batch.done >= 10 and job.status == "running" and job.owner:
            pid = int(job.owner.split("-")[1])  # celery-PID-random
            victim = by_pid[pid]
            os.kill(pid, signal.SIGKILL)
            victim.process.wait(10)
            assert batch.status != "done"
            return victim, time.monotonic()
        time.sleep(0.02)
    tails = "\n".join(w.tail() for w in by_pid.values())
    raise AssertionError(f"no worker took the job in 60 s:\n{tails}")
