"""Write a slice's outcomes: cache rows, guarded item updates, batch counters.

All in one transaction per slice (one commit, the dominant cost on SQLite):
new cache rows, each item moved out of `pending` by a guarded UPDATE, and
the counters grown by the rows those UPDATEs really changed.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from service.batches.tables import BATCHES, CACHE, ITEMS, BatchStatus, ItemStatus
from service.columns import utcnow

_NO_ROW = uuid.UUID(int=0)


def summary(values: Sequence[str]) -> str:
    """Return distinct values as `,a,b,` so `LIKE '%,a,%'` finds any of them."""
    return "," + "".join(f"{value}," for value in sorted(set(values)))


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one item: a cache hit, a fresh result, or an error."""

    row_id: uuid.UUID
    status: ItemStatus
    error: str | None = None
    result: Mapping[str, Any] | None = None
    cache_id: uuid.UUID | None = None
    content_sha256: str = ""
    engine_version: str = ""
    use_cache: bool = False
    clause_types: str | None = None
    severities: str | None = None

    @classmethod
    def failed(cls, row_id: uuid.UUID, error: str) -> Outcome:
        """Return an item's failure with the reason users will read."""
        return cls(row_id, ItemStatus.FAILED, error=error)

    @classmethod
    def scanned(
        cls,
        row_id: uuid.UUID,
        result: Mapping[str, Any],
        content_sha256: str,
        engine_version: str,
        use_cache: bool,
    ) -> Outcome:
        """Return a freshly analysed item with the summary its listing filters on."""
        return cls(
            row_id,
            ItemStatus.DONE,
            result=result,
            content_sha256=content_sha256,
            engine_version=engine_version,
            use_cache=use_cache,
            clause_types=summary([c["type"] for c in result["clauses"]]),
            severities=summary([f["severity"] for f in result["findings"]]),
        )

    @classmethod
    def hit(cls, cache_id: uuid.UUID, clause_types: str, severities: str) -> Outcome:
        """Return a cache hit, to be bound to an item with `for_item`."""
        return cls(
            _NO_ROW,
            ItemStatus.DONE,
            cache_id=cache_id,
            clause_types=clause_types,
            severities=severities,
        )

    def for_item(self, row_id: uuid.UUID) -> Outcome:
        """Return this outcome for another item with the same content."""
        return replace(self, row_id=row_id)


def start_batch(session: Session, batch_id: uuid.UUID) -> None:
    """Mark a queued batch running (once, whichever chunk starts first)."""
    session.execute(
        update(BATCHES)
        .where(
            BATCHES.c.id == batch_id,
            BATCHES.c.status == BatchStatus.QUEUED.value,
        )
        .values(status=BatchStatus.RUNNING.value, started_at=utcnow())
    )
    session.commit()


def record_slice(
    session: Session,
    batch_id: uuid.UUID,
    tenant_id: uuid.UUID,
    outcomes: Sequence[Outcome],
) -> tuple[int, int]:
    """Record outcomes and grow the counters; return (done, failed) really recorded."""
    cache_ids = _store_results(session, tenant_id, outcomes)
    now = utcnow()
    counts = {ItemStatus.DONE: 0, ItemStatus.FAILED: 0}
    for outcome in outcomes:
        values: dict[str, Any] = {
            "status": outcome.status.value,
            "error": outcome.error,
            "clause_types": outcome.clause_types,
            "severities": outcome.severities,
            "cache_id": outcome.cache_id,
            "finished_at": now,
        }
        if outcome.result is not None and outcome.use_cache:
            values["cache_id"] = cache_ids[outcome.content_sha256]
        elif outcome.result is not None:
            values["result"] = dict(outcome.result)
        changed = session.connection().execute(
            update(ITEMS)
            .where(
                ITEMS.c.id == outcome.row_id,
                ITEMS.c.status == ItemStatus.PENDING.value,
            )
            .values(**values)
        )
        counts[outcome.status] += int(changed.rowcount)
    done, failed = counts[ItemStatus.DONE], counts[ItemStatus.FAILED]
    _count(session, batch_id, done, failed)
    session.commit()
    return done, failed


def _store_results(
    session: Session, tenant_id: uuid.UUID, outcomes: Sequence[Outcome]
) -> dict[str, uuid.UUID]:
    """Insert the slice's new cache rows and return every one's id by content hash.

    `ON CONFLICT DO NOTHING` makes a row that a concurrent worker stored first
    simply win; its id is read back with the rest. One statement per slice,
    in the slice's transaction, so a killed worker leaves no half-written rows.
    """
    fresh = {
        o.content_sha256: o for o in outcomes if o.result is not None and o.use_cache
    }
    if not fresh:
        return {}
    first = next(iter(fresh.values()))
    now = utcnow()
    rows = [
        {
            "id": uuid.uuid4(),
            "tenant_id": tenant_id,
            "content_sha256": sha,
            "engine_version": outcome.engine_version,
            "result": dict(outcome.result or {}),
            "clause_types": outcome.clause_types or ",",
            "severities": outcome.severities or ",",
            "created_at": now,
        }
        for sha, outcome in fresh.items()
    ]
    unique = ["tenant_id", "content_sha256", "engine_version"]
    session.execute(
        _upsert(session).values(rows).on_conflict_do_nothing(index_elements=unique)
    )
    found = session.execute(
        select(CACHE.c.content_sha256, CACHE.c.id).where(
            CACHE.c.tenant_id == tenant_id,
            CACHE.c.engine_version == first.engine_version,
            CACHE.c.content_sha256.in_(list(fresh)),
        )
    )
    return {row.content_sha256: row.id for row in found}


def _upsert(session: Session) -> Any:
    """Return the dialect's INSERT that supports `ON CONFLICT DO NOTHING`."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(CACHE)
    return sqlite.insert(CACHE)


def _count(session: Session, batch_id: uuid.UUID, done: int, failed: int) -> None:
    """Grow the counters in SQL (atomic under concurrency) and close a full batch."""
    now = utcnow()
    session.execute(
        update(BATCHES)
        .where(BATCHES.c.id == batch_id)
        .values(done=BATCHES.c.done + done, failed=BATCHES.c.failed + failed)
    )
    session.execute(
        update(BATCHES)
        .where(
            BATCHES.c.id == batch_id,
            BATCHES.c.status != BatchStatus.DONE.value,
            BATCHES.c.done + BATCHES.c.failed >= BATCHES.c.total,
        )
        .values(status=BatchStatus.DONE.value, finished_at=now)
    )
