"""Create batches (idempotently, in bulk) and register the chunk job's handler.

A batch, all its items and all its chunk jobs are committed in one
transaction: either the whole submission is stored and queued, or nothing
is. The `Idempotency-Key` makes a retried submission return the batch the
first one created instead of creating (and scanning) a second.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from service.analysis_pool import AnalysisPool
from service.batches.jsonl import CardInput
from service.batches.scan import Analyzer, ChunkScanner
from service.batches.tables import BATCHES, ITEMS, BatchRecord
from service.jobs.handlers import HandlerRegistry
from service.jobs.store import enqueue

CHUNK_JOB: Final = "batch.chunk"
INSERT_ROWS: Final = 1000
"""Items per bulk INSERT statement (bounded parameter count on every database)."""


class IdempotencyConflictError(Exception):
    """An `Idempotency-Key` reused for a different submission."""


@dataclass(frozen=True, slots=True)
class CreatedBatch:
    """The stored batch, whether this call created it, and the jobs to dispatch."""

    batch_id: uuid.UUID
    created: bool
    job_ids: tuple[uuid.UUID, ...] = ()


def request_digest(cards: Sequence[CardInput]) -> str:
    """Return a SHA-256 over ids and contents, to recognise a resubmission."""
    digest = hashlib.sha256()
    for card in cards:
        for part in (card.item_id.encode(), card.kind.encode(), card.content):
            digest.update(len(part).to_bytes(8, "big"))
            digest.update(part)
    return digest.hexdigest()


def create_batch(
    session: Session,
    *,
    tenant_id: uuid.UUID,
    cards: Sequence[CardInput],
    idempotency_key: str | None,
    use_cache: bool,
    chunk_size: int,
    max_attempts: int = 3,
) -> CreatedBatch:
    """Store a batch with its items and chunk jobs, or return the earlier one.

    Raises `IdempotencyConflictError` when the key was used for other cards.
    Two identical requests racing on one key both get the same batch: the
    loser's insert hits the unique constraint and it reads the winner's row.
    """
    digest = request_digest(cards)
    if idempotency_key is not None:
        existing = _by_key(session, tenant_id, idempotency_key, digest)
        if existing is not None:
            return CreatedBatch(existing, created=False)
    try:
        created = _insert(
            session,
            tenant_id,
            cards,
            idempotency_key,
            digest,
            use_cache,
            chunk_size,
            max_attempts,
        )
        session.commit()
    except IntegrityError:
        session.rollback()
        if idempotency_key is None:
            raise
        existing = _by_key(session, tenant_id, idempotency_key, digest)
        if existing is None:
            raise
        return CreatedBatch(existing, created=False)
    return created


def register_handlers(
    registry: HandlerRegistry,
    analyzer: Analyzer | None = None,
    pool: AnalysisPool | None = None,
) -> ChunkScanner:
    """Register the chunk handler (the default engine unless one is given).

    With `pool`, cards are analysed in its worker processes (which build the
    service's engine themselves), the database work staying here.
    """
    scanner = ChunkScanner(analyzer, pool=pool)
    registry.register(CHUNK_JOB, scanner, on_give_up=scanner.give_up)
    return scanner


def _by_key(
    session: Session, tenant_id: uuid.UUID, key: str, digest: str
) -> uuid.UUID | None:
    """Return the batch an idempotency key already made, checking it is the same."""
    row = session.execute(
        select(BATCHES.c.id, BATCHES.c.request_sha256).where(
            BATCHES.c.tenant_id == tenant_id, BATCHES.c.idempotency_key == key
        )
    ).first()
    if row is None:
        return None
    if row.request_sha256 != digest:
        raise IdempotencyConflictError(
            f"Idempotency-Key {key!r} was used for a different submission"
            f" (batch {row.id}); use a new key for new cards"
        )
    batch_id: uuid.UUID = row.id
    return batch_id


def _insert(
    session: Session,
    tenant_id: uuid.UUID,
    cards: Sequence[CardInput],
    key: str | None,
    digest: str,
    use_cache: bool,
    chunk_size: int,
    max_attempts: int,
) -> CreatedBatch:
    """Insert the batch row, its items in bulk, and one job per chunk (no commit)."""
    batch = BatchRecord(
        tenant_id=tenant_id,
        idempotency_key=key,
        request_sha256=digest,
        total=len(cards),
        use_cache=use_cache,
    )
    session.add(batch)
    session.flush()
    rows = [
        {
            "id": uuid.uuid4(),
            "batch_id": batch.id,
            "position": position,
            "item_id": card.item_id,
            "kind": card.kind,
            "content": card.content,
            "content_sha256": hashlib.sha256(card.content).hexdigest(),
        }
        for position, card in enumerate(cards)
    ]
    for start in range(0, len(rows), INSERT_ROWS):
        session.execute(insert(ITEMS), rows[start : start + INSERT_ROWS])
    jobs = tuple(
        enqueue(
            session,
            CHUNK_JOB,
            {"batch_id": batch.id.hex, "start": start, "end": start + chunk_size},
            max_attempts=max_attempts,
        )
        for start in range(0, len(cards), chunk_size)
    )
    return CreatedBatch(batch.id, created=True, job_ids=jobs)
