"""The lease sweep: a dead worker's job is requeued once and published again."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from service.app import create_app
from service.jobs.celery_app import CeleryDispatcher
from service.jobs.handlers import HandlerRegistry, SessionFactory
from service.jobs.store import WORKER_LOST, JobStore, enqueue
from service.jobs.sweeper import LeaseSweeper
from service.jobs.tables import JobRecord, JobStatus
from service.settings import Settings


def _enqueue(engine: Engine, *, max_attempts: int = 3) -> uuid.UUID:
    with Session(engine) as session:
        job_id = enqueue(session, "test", {"n": 1}, max_attempts=max_attempts)
        session.commit()
    return job_id


def _row(engine: Engine, job_id: uuid.UUID) -> JobRecord:
    with Session(engine) as session:
        job = session.get(JobRecord, job_id)
        assert job is not None
        return job


class Published:
    """A stand-in for the Celery dispatcher: records what would be sent."""

    def __init__(self) -> None:
        self.ids: list[uuid.UUID] = []
        self.sent = threading.Event()

    def __call__(self, job_ids: Sequence[uuid.UUID]) -> None:
        self.ids.extend(job_ids)
        if job_ids:
            self.sent.set()


def _registry(given_up: list[tuple[Mapping[str, Any], str]]) -> HandlerRegistry:
    registry = HandlerRegistry()

    def handler(_sessions: SessionFactory, _payload: Mapping[str, Any]) -> None:
        raise AssertionError("the sweep never runs a job")

    def give_up(
        _sessions: SessionFactory, payload: Mapping[str, Any], error: str
    ) -> None:
        given_up.append((payload, error))

    registry.register("test", handler, on_give_up=give_up)
    return registry


def test_sweep_requeues_and_publishes_an_expired_job_once(engine: Engine) -> None:
    store = JobStore(engine, lease_seconds=0.2)
    dead, live = _enqueue(engine), _enqueue(engine)
    assert store.claim_id(dead, "dead") is not None
    published = Published()
    sweepers = [LeaseSweeper(store, _registry([]), published) for _ in range(2)]
    time.sleep(0.3)
    alive = JobStore(engine, lease_seconds=30)
    assert alive.claim_id(live, "alive") is not None  # a live worker's lease
    assert [s.sweep() for s in sweepers] == [[dead], []]
    assert published.ids == [dead]  # one sweeper requeued it, only it published
    row = _row(engine, dead)
    assert (row.status, row.owner, row.attempts) == (JobStatus.QUEUED, None, 1)
    assert _row(engine, live).status == JobStatus.RUNNING
    taken = store.claim_id(dead, "taker")
    assert taken is not None and taken.attempts == 2  # counted as in-process
    assert store.complete(dead, "dead") is False  # the dead owner lost it


def test_sweep_fails_a_job_that_died_on_its_last_attempt(engine: Engine) -> None:
    store = JobStore(engine, lease_seconds=0.1)
    job_id = _enqueue(engine, max_attempts=1)
    assert store.claim_id(job_id, "dead") is not None
    given_up: list[tuple[Mapping[str, Any], str]] = []
    published = Published()
    time.sleep(0.2)
    assert LeaseSweeper(store, _registry(given_up), published).sweep() == []
    assert published.ids == []
    assert given_up == [({"n": 1}, WORKER_LOST)]
    assert _row(engine, job_id).status == JobStatus.FAILED


def test_the_sweeper_thread_publishes_within_a_lease(engine: Engine) -> None:
    store = JobStore(engine, lease_seconds=0.3)
    job_id = _enqueue(engine)
    assert store.claim_id(job_id, "dead") is not None
    published = Published()
    sweeper = LeaseSweeper(store, _registry([]), published)
    assert sweeper.interval == pytest.approx(0.1)
    began = time.monotonic()
    sweeper.start()
    try:
        assert published.sent.wait(5)
    finally:
        sweeper.stop()
    assert published.ids == [job_id]
    assert time.monotonic() - began < 0.3 + 0.1 + 1.0  # lease + a sweep + slack


def test_the_api_sweeps_in_celery_mode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With job_mode=celery the API, not only the workers, republishes a job
    whose worker died (no Redis needed: the publish is recorded)."""
    published = Published()
    monkeypatch.setattr(
        CeleryDispatcher, "dispatch", lambda _self, ids: published(list(ids))
    )
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'api.db'}",
        job_mode="celery",
        job_lease_seconds=0.3,
    )
    app = create_app(settings)
    with TestClient(app):
        engine = app.state.db_engine
        store = JobStore(engine, lease_seconds=0.3)
        job_id = _enqueue(engine)
        assert store.claim_id(job_id, "celery-dead") is not None
        assert published.sent.wait(5)
        assert app.state.jobs.sweeper is not None
    assert published.ids == [job_id]
    assert _row(engine, job_id).status == JobStatus.QUEUED
