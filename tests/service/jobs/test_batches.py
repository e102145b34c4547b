"""Batches end to end on the job store: cache, per-item errors, kills, restarts."""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence

import pytest
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from extractors.engine import ClauseEngine
from service.batches.jsonl import CardInput, parse_jsonl
from service.batches.queries import ItemFilter, list_items, stream_items
from service.batches.scan import ChunkScanner
from service.batches.service import (
    IdempotencyConflictError,
    create_batch,
    register_handlers,
)
from service.batches.tables import BATCHES, CACHE, ITEMS, BatchRecord
from service.db import make_engine
from service.jobs.handlers import HandlerRegistry
from service.jobs.inprocess import InProcessRunner
from service.jobs.store import JobStore
from service.jobs.tables import JOBS

from .conftest import CARD, PLAIN, CountingAnalyzer, Killed, make_tenant


def _cards(*texts: str) -> tuple[CardInput, ...]:
    return tuple(
        CardInput(f"card-{n}", t.encode(), "text") for n, t in enumerate(texts)
    )


def _create(
    engine: Engine,
    tenant_id: uuid.UUID,
    cards: Sequence[CardInput],
    *,
    key: str | None = None,
    chunk_size: int = 200,
    use_cache: bool = True,
) -> uuid.UUID:
    with Session(engine) as session:
        created = create_batch(
            session,
            tenant_id=tenant_id,
            cards=cards,
            idempotency_key=key,
            use_cache=use_cache,
            chunk_size=chunk_size,
        )
    return created.batch_id


def _runner(engine: Engine, analyzer: CountingAnalyzer, **kw: float) -> InProcessRunner:
    registry = HandlerRegistry()
    register_handlers(registry, analyzer)
    return InProcessRunner(engine, registry, poll_seconds=0.05, **kw)  # type: ignore[arg-type]


def _drain(runner: InProcessRunner) -> None:
    while runner.run_one():
        pass


def _batch(engine: Engine, batch_id: uuid.UUID) -> BatchRecord:
    with Session(engine) as session:
        batch = session.get(BatchRecord, batch_id)
        assert batch is not None
        return batch


def test_identical_texts_are_scanned_once_across_items_and_batches(
    engine: Engine, tenant_id: uuid.UUID, real_engine: ClauseEngine
) -> None:
    analyzer = CountingAnalyzer(real_engine)
    runner = _runner(engine, analyzer)
    first = _create(engine, tenant_id, _cards(CARD, PLAIN, CARD, CARD), chunk_size=2)
    _drain(runner)
    assert analyzer.calls == {CARD: 1, PLAIN: 1}
    second = _create(engine, tenant_id, _cards(PLAIN, CARD))
    _drain(runner)
    assert analyzer.total == 2  # every item of the second batch came from the cache
    for batch_id, total in ((first, 4), (second, 2)):
        batch = _batch(engine, batch_id)
        assert (batch.status, batch.total, batch.done, batch.failed) == (
            "done",
            total,
            total,
            0,
        )
    with Session(engine) as session:
        items, count = list_items(session, first, ItemFilter(), limit=10, offset=0)
        assert session.execute(select(func.count()).select_from(CACHE)).scalar() == 2
    assert count == 4
    assert [i.id for i in items] == ["card-0", "card-1", "card-2", "card-3"]
    assert items[2].result is not None
    assert items[2].result["document"]["name"] == "card-2"
    types = {c["type"] for c in items[0].result["clauses"]}  # type: ignore[index]
    assert {"usage_threshold", "governing_law"} <= types


def test_cache_is_per_tenant_and_can_be_turned_off(
    engine: Engine, tenant_id: uuid.UUID, real_engine: ClauseEngine
) -> None:
    analyzer = CountingAnalyzer(real_engine)
    runner = _runner(engine, analyzer)
    other = make_tenant(engine, "other")
    _create(engine, tenant_id, _cards(PLAIN))
    _create(engine, other, _cards(PLAIN))
    off = _create(engine, tenant_id, _cards(PLAIN, PLAIN), use_cache=False)
    _drain(runner)
    assert analyzer.calls == {PLAIN: 4}  # one per tenant, two with the cache off
    with Session(engine) as session:
        items, _ = list_items(session, off, ItemFilter(), limit=10, offset=0)
    assert all(i.result is not None and i.status == "done" for i in items)


def test_item_errors_are_recorded_and_the_batch_completes(
    engine: Engine, tenant_id: uuid.UUID, real_engine: ClauseEngine
) -> None:
    body = (
        b'{"id": "ok", "markdown": ' + _json(CARD) + b"}\n"
        b'{"id": "empty", "text": ""}\n'
        b'{"id": "zip", "text": "PK\\u0003\\u0004\\u0000\\u0000binary"}\n'
        b'{"id": "blank", "text": "  \\n "}\n'
    )
    batch_id = _create(engine, tenant_id, parse_jsonl(body, max_items=10))
    _drain(_runner(engine, CountingAnalyzer(real_engine)))
    batch = _batch(engine, batch_id)
    assert (batch.status, batch.done, batch.failed) == ("done", 1, 3)
    with Session(engine) as session:
        failed, count = list_items(
            session, batch_id, ItemFilter(status="failed"), limit=10, offset=0
        )
        found, _ = list_items(
            session,
            batch_id,
            ItemFilter(clause_type="usage_threshold"),
            limit=5,
            offset=0,
        )
    assert count == 3
    errors = {i.id: i.error or "" for i in failed}
    assert "'empty.txt'" not in errors["empty"] and "is empty" in errors["empty"]
    assert "zip" in errors["zip"].lower()
    assert "white space" in errors["blank"]
    assert [i.id for i in found] == ["ok"]
    assert found[0].result is not None
    assert found[0].result["document"]["metadata"]["license"] == "other"


def test_idempotency_key_returns_the_same_batch(
    engine: Engine, tenant_id: uuid.UUID
) -> None:
    cards = _cards(PLAIN, CARD)
    first = _create(engine, tenant_id, cards, key="k1")
    again = _create(engine, tenant_id, cards, key="k1")
    assert again == first
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(BATCHES)).scalar() == 1
        assert conn.execute(select(func.count()).select_from(JOBS)).scalar() == 1
    with pytest.raises(IdempotencyConflictError, match="different submission"):
        _create(engine, tenant_id, _cards(PLAIN), key="k1")
    other = make_tenant(engine, "other")
    assert _create(engine, other, cards, key="k1") != first  # keys are per tenant


def test_killed_worker_loses_nothing(
    engine: Engine, tenant_id: uuid.UUID, real_engine: ClauseEngine
) -> None:
    texts = [f"{PLAIN}Card number {n}.\n" for n in range(60)]
    batch_id = _create(engine, tenant_id, _cards(*texts), chunk_size=60)
    dying = CountingAnalyzer(real_engine, die_after=40)
    victim = _runner(engine, dying, lease_seconds=0.3)
    with pytest.raises(Killed):  # the process dies mid-chunk, job still `running`
        victim.run_one()
    assert _batch(engine, batch_id).done == 25  # one slice was committed
    survivor = CountingAnalyzer(real_engine)
    runner = _runner(engine, survivor, lease_seconds=0.3)
    assert runner.run_one() is False  # the lease has not run out yet
    time.sleep(0.4)
    runner.recover()
    _drain(runner)
    batch = _batch(engine, batch_id)
    assert (batch.status, batch.done, batch.failed, batch.total) == ("done", 60, 0, 60)
    assert survivor.total == 35  # only the items the victim had not recorded
    assert set(dying.calls).isdisjoint(survivor.calls) is False  # redone: 15 lost
    with engine.connect() as conn:
        pending = conn.execute(
            select(func.count()).select_from(ITEMS).where(ITEMS.c.status != "done")
        ).scalar()
    assert pending == 0


def test_worker_killed_on_the_last_attempt_fails_the_rest(
    engine: Engine, tenant_id: uuid.UUID, real_engine: ClauseEngine
) -> None:
    texts = [f"{PLAIN}Card number {n}.\n" for n in range(40)]
    with Session(engine) as session:
        batch_id = create_batch(
            session,
            tenant_id=tenant_id,
            cards=_cards(*texts),
            idempotency_key=None,
            use_cache=True,
            chunk_size=40,
            max_attempts=1,
        ).batch_id
    victim = _runner(
        engine, CountingAnalyzer(real_engine, die_after=30), lease_seconds=0.2
    )
    with pytest.raises(Killed):
        victim.run_one()
    time.sleep(0.3)
    assert _runner(engine, CountingAnalyzer(real_engine)).recover() == 1
    batch = _batch(engine, batch_id)
    assert (batch.status, batch.done, batch.failed) == ("done", 25, 15)
    with Session(engine) as session:
        failed, _ = list_items(
            session, batch_id, ItemFilter(status="failed"), limit=50, offset=0
        )
    assert all("failed for good" in (item.error or "") for item in failed)


def test_restart_resumes_queued_work_on_the_same_file(
    engine: Engine, tenant_id: uuid.UUID, real_engine: ClauseEngine
) -> None:
    texts = [f"{PLAIN}Variant {n}.\n" for n in range(12)]
    batch_id = _create(engine, tenant_id, _cards(*texts), chunk_size=4)
    first = _runner(engine, CountingAnalyzer(real_engine))
    assert first.run_one() is True  # one chunk, then the process "stops"
    assert _batch(engine, batch_id).done == 4
    # A new process: its own engine on the same database (file or schema).
    reopened = make_engine(engine.url.render_as_string(hide_password=False))
    restarted = _runner(reopened, CountingAnalyzer(real_engine), threads=2)
    restarted.start()
    try:
        deadline = time.monotonic() + 20
        while _batch(engine, batch_id).status != "done" and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        restarted.stop()
        reopened.dispose()
    batch = _batch(engine, batch_id)
    assert (batch.status, batch.done) == ("done", 12)
    assert JobStore(engine).queue_depth() == 0


def test_stream_pages_through_every_item(
    engine: Engine, tenant_id: uuid.UUID, real_engine: ClauseEngine
) -> None:
    batch_id = _create(engine, tenant_id, _cards(*[PLAIN] * 7))
    _drain(_runner(engine, CountingAnalyzer(real_engine)))
    views = list(stream_items(JobStore(engine).session, batch_id))
    assert [v.position for v in views] == list(range(7))
    assert all(v.as_dict()["result"]["document"]["name"] == v.id for v in views)


def test_chunk_of_a_deleted_batch_is_a_no_op(engine: Engine) -> None:
    scanner = ChunkScanner()
    scanner(
        JobStore(engine).session, {"batch_id": uuid.uuid4().hex, "start": 0, "end": 5}
    )
    assert scanner.analyzed == 0


def _json(text: str) -> bytes:
    import json

    return json.dumps(text).encode()
