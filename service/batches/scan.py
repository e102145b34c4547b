"""The chunk job: scan the pending items of one slice of a batch.

Idempotent by construction, because a chunk may run twice (a worker died after
scanning but before its job was marked done, or Celery redelivered it): only
`pending` items are read, each is moved out of `pending` by a guarded UPDATE,
and the batch counters grow only by the rows that UPDATE really changed. So
every item ends `done` or `failed` exactly once and `done + failed == total`.

Items are scanned a slice at a time: reads and the analysis first, then one
short write transaction, so a SQLite writer lock is never held while the
engine works and a killed worker loses at most one slice of work.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Protocol

from sqlalchemy import select
from sqlmodel import Session

from extractors.engine import AnalysisResult, Provenance
from extractors.types import Document
from service.analysis_pool import AnalysisPool, CardResult, analyze_card
from service.batches.record import Outcome, record_slice, start_batch
from service.batches.tables import CACHE, ITEMS, BatchRecord, ItemStatus
from service.engine import service_engine
from service.jobs.handlers import SessionFactory

logger = logging.getLogger(__name__)

SLICE: Final = 25
"""Items analysed between commits: the most a killed worker has to redo."""


ItemCounter = Callable[[int, int], None]
"""Told (done, failed) each time a slice is recorded (the metrics counter)."""


class Analyzer(Protocol):
    """What a chunk needs of the engine (`ClauseEngine` is one; tests pass fakes)."""

    @property
    def provenance(self) -> Provenance:  # pragma: no cover - a protocol
        """Return the engine version and data digests (the cache key's half)."""
        ...

    def analyze(self, document: Document) -> AnalysisResult:  # pragma: no cover
        """Analyse one parsed document."""
        ...


def fingerprint(provenance: Provenance) -> str:
    """Return the engine identity a cached result is valid for.

    The version alone is not enough: editing a pattern or rule file changes
    results without a release, so their digests are part of the key.
    """
    model = f"+m:{provenance.model}" if provenance.model else ""
    return (
        f"{provenance.engine_version}+p:{provenance.patterns_sha256[:16]}"
        f"+r:{provenance.rules_sha256[:16]}{model}"
    )[:100]


@dataclass(frozen=True, slots=True)
class _Item:
    id: uuid.UUID
    position: int
    item_id: str
    kind: str
    content: bytes
    content_sha256: str

    @property
    def name(self) -> str:
        return f"{self.item_id}.md" if self.kind == "markdown" else self.item_id


class ChunkScanner:
    """The `batch.chunk` handler; counts engine calls so tests can see the cache."""

    def __init__(
        self,
        analyzer: Analyzer | None = None,
        on_recorded: ItemCounter | None = None,
        pool: AnalysisPool | None = None,
    ) -> None:
        self._analyzer = analyzer
        self.on_recorded = on_recorded
        self.pool = pool
        self.analyzed = 0

    @property
    def analyzer(self) -> Analyzer:
        """Return the engine, building the default one on first use (seconds)."""
        if self._analyzer is None:
            self._analyzer = service_engine()
        return self._analyzer

    def __call__(self, sessions: SessionFactory, payload: Mapping[str, Any]) -> None:
        """Scan the pending items of `payload`'s slice of positions [start, end)."""
        batch_id = uuid.UUID(str(payload["batch_id"]))
        start, end = int(payload["start"]), int(payload["end"])
        with sessions() as session:
            batch = session.get(BatchRecord, batch_id)
            if batch is None:
                logger.warning(
                    "batch %s is gone (tenant deleted?); chunk skipped", batch_id
                )
                return
            tenant_id, use_cache = batch.tenant_id, batch.use_cache
            start_batch(session, batch_id)
            cursor = start
            while items := _pending(session, batch_id, cursor, end):
                outcomes = self._scan_slice(session, tenant_id, items, use_cache)
                done, failed = record_slice(session, batch_id, tenant_id, outcomes)
                if self.on_recorded is not None:
                    self.on_recorded(done, failed)
                cursor = items[-1].position + 1

    def give_up(
        self, sessions: SessionFactory, payload: Mapping[str, Any], error: str
    ) -> None:
        """Fail the slice's still-pending items with the job's error (no retries left).

        The batch then completes, with these items' reason on record, rather
        than waiting forever for a job that will not run again.
        """
        batch_id = uuid.UUID(str(payload["batch_id"]))
        start, end = int(payload["start"]), int(payload["end"])
        reason = f"not scanned: the job for this item failed for good ({error})"
        with sessions() as session:
            batch = session.get(BatchRecord, batch_id)
            if batch is None:
                return
            while items := _pending(session, batch_id, start, end):
                outcomes = [Outcome.failed(item.id, reason) for item in items]
                done, failed = record_slice(
                    session, batch_id, batch.tenant_id, outcomes
                )
                if self.on_recorded is not None:
                    self.on_recorded(done, failed)
                start = items[-1].position + 1

    def _scan_slice(
        self,
        session: Session,
        tenant_id: uuid.UUID,
        items: Sequence[_Item],
        use_cache: bool,
    ) -> list[Outcome]:
        """Return each item's outcome: a cache hit, a fresh result, or its error.

        With the cache on, a text met twice in a slice is analysed once.
        """
        version = fingerprint(self.analyzer.provenance)
        cached = _cached(session, tenant_id, version, items) if use_cache else {}
        todo: list[_Item] = []
        queued: set[str] = set()
        for item in items:
            if item.content_sha256 in cached:
                continue
            if use_cache and item.content_sha256 in queued:
                continue
            queued.add(item.content_sha256)
            todo.append(item)
        results = self._analyze_all(todo)
        own = {
            item.id: self._outcome(item, result, version, use_cache)
            for item, result in zip(todo, results, strict=True)
        }
        first = {todo_item.content_sha256: own[todo_item.id] for todo_item in todo}
        outcomes = []
        for item in items:
            if item.id in own:
                outcomes.append(own[item.id])
                continue
            hit = cached.get(item.content_sha256) or first[item.content_sha256]
            outcomes.append(hit.for_item(item.id))
        return outcomes

    def _analyze_all(self, items: Sequence[_Item]) -> list[CardResult]:
        """Analyse in the worker processes when there is a pool, else here."""
        self.analyzed += len(items)
        if self.pool is not None and len(items) > 1:
            return self.pool.analyze_cards([(i.content, i.name) for i in items])
        return [analyze_card(self.analyzer, item.content, item.name) for item in items]

    @staticmethod
    def _outcome(
        item: _Item, result: CardResult, version: str, use_cache: bool
    ) -> Outcome:
        if result.data is None:
            return Outcome.failed(item.id, result.error or "not analysed")
        return Outcome.scanned(
            item.id, result.data, item.content_sha256, version, use_cache
        )


def _pending(
    session: Session, batch_id: uuid.UUID, start: int, end: int
) -> list[_Item]:
    """Return the next pending items of [start, end) in position order."""
    rows = session.execute(
        select(
            ITEMS.c.id,
            ITEMS.c.position,
            ITEMS.c.item_id,
            ITEMS.c.kind,
            ITEMS.c.content,
            ITEMS.c.content_sha256,
        )
        .where(
            ITEMS.c.batch_id == batch_id,
            ITEMS.c.status == ItemStatus.PENDING.value,
            ITEMS.c.position >= start,
            ITEMS.c.position < end,
        )
        .order_by(ITEMS.c.position)
        .limit(SLICE)
    )
    return [_Item(*row) for row in rows]


def _cached(
    session: Session, tenant_id: uuid.UUID, version: str, items: Sequence[_Item]
) -> dict[str, Outcome]:
    """Return cache hits by content hash for the items of a slice (one query)."""
    hashes = {item.content_sha256 for item in items}
    rows = session.execute(
        select(
            CACHE.c.id,
            CACHE.c.content_sha256,
            CACHE.c.clause_types,
            CACHE.c.severities,
        ).where(
            CACHE.c.tenant_id == tenant_id,
            CACHE.c.engine_version == version,
            CACHE.c.content_sha256.in_(hashes),
        )
    )
    return {
        row.content_sha256: Outcome.hit(row.id, row.clause_types, row.severities)
        for row in rows
    }
