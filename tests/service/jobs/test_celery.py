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

import pytest
import redis
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlmodel import Session

from service.app import create_app
from service.batches.jsonl import CardInput
from service.batches.service import create_batch
from service.batches.tables import ITEMS, BatchRecord
from service.db import init_db, make_engine
from service.jobs.celery_app import CeleryDispatcher, make_celery
from service.jobs.config import JobSettings
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
    """Start `python -m service.jobs.worker` (prefork, 1 child) on a fresh queue."""
    if not _redis_reachable():
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")
    tmp = tmp_path_factory.mktemp("celery")
    queue = f"clausewise-test-{uuid.uuid4().hex[:8]}"
    settings = Settings(
        database_url=f"sqlite:///{tmp / 'celery.db'}",
        redis_url=REDIS_URL,
        job_mode="celery",
    )
    engine = make_engine(settings.database_url)
    init_db(engine)
    engine.dispose()
    env = {
        **os.environ,
        "CLAUSEWISE_DATABASE_URL": settings.database_url,
        "CLAUSEWISE_REDIS_URL": REDIS_URL,
        "CLAUSEWISE_CELERY_QUEUE": queue,
        "CLAUSEWISE_JOB_LEASE_SECONDS": "1",
    }
    log = tmp / "worker.log"
    with log.open("wb") as out:  # the child keeps its own copy of the descriptor
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "service.jobs.worker",
                "-c",
                "1",
                "--pool",
                "prefork",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        yield Worker(process, settings, queue, log)
    finally:
        process.send_signal(signal.SIGQUIT)  # cold shutdown, children included
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
        client = redis.Redis.from_url(REDIS_URL)
        client.delete(queue)
        client.close()


def test_api_batch_runs_on_a_celery_worker(worker: Worker) -> None:
    """job_mode=celery end to end: POST to the API, the worker process scans it."""
    app = create_app(worker.settings)
    app.state.job_settings = JobSettings(celery_queue=worker.queue)
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
    engine = make_engine(worker.settings.database_url)
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
    app = make_celery(worker.settings, JobSettings(celery_queue=worker.queue))
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
