"""Read a batch's items: filtered pages for the listing, pages for the stream.

A scanned item's result lives on the item (cache off) or in the cache row it
points at; both come back as the same dict, with `document.name` set to the
item's own id, because one cached result serves items with different ids.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import ColumnElement, func, select
from sqlmodel import Session

from service.batches.tables import CACHE, ITEMS
from service.jobs.handlers import SessionFactory

STREAM_PAGE: Final = 500
"""Items read per query while streaming; bounds memory for 10,000-item batches."""


@dataclass(frozen=True, slots=True)
class ItemFilter:
    """Which items a listing shows; None means any."""

    status: str | None = None
    clause_type: str | None = None
    severity: str | None = None


@dataclass(frozen=True, slots=True)
class ItemView:
    """One item as the API shows it."""

    id: str
    position: int
    status: str
    error: str | None
    result: Mapping[str, Any] | None

    def as_dict(self) -> dict[str, Any]:
        """Return the JSON object of one NDJSON line."""
        return {
            "id": self.id,
            "position": self.position,
            "status": self.status,
            "error": self.error,
            "result": dict(self.result) if self.result is not None else None,
        }


def list_items(
    session: Session,
    batch_id: uuid.UUID,
    where: ItemFilter,
    *,
    limit: int,
    offset: int,
) -> tuple[list[ItemView], int]:
    """Return one page of items in submission order and how many match in all."""
    conditions = _conditions(batch_id, where)
    count = session.execute(
        select(func.count()).select_from(ITEMS).where(*conditions)
    ).scalar_one()
    rows = session.execute(
        _item_query()
        .where(*conditions)
        .order_by(ITEMS.c.position)
        .limit(limit)
        .offset(offset)
    )
    return [_view(row) for row in rows], int(count)


def stream_items(sessions: SessionFactory, batch_id: uuid.UUID) -> Iterator[ItemView]:
    """Yield every item in order, a page per query (keyset on position)."""
    after = -1
    while True:
        with sessions() as session:
            rows = list(
                session.execute(
                    _item_query()
                    .where(ITEMS.c.batch_id == batch_id, ITEMS.c.position > after)
                    .order_by(ITEMS.c.position)
                    .limit(STREAM_PAGE)
                )
            )
        if not rows:
            return
        for row in rows:
            yield _view(row)
        after = rows[-1].position


def _item_query() -> Any:
    """Select an item's public columns and its result, wherever it is stored."""
    return select(
        ITEMS.c.item_id,
        ITEMS.c.position,
        ITEMS.c.status,
        ITEMS.c.error,
        ITEMS.c.result,
        CACHE.c.result.label("cached"),
    ).outerjoin(CACHE, ITEMS.c.cache_id == CACHE.c.id)


def _conditions(batch_id: uuid.UUID, where: ItemFilter) -> list[ColumnElement[bool]]:
    """Translate a filter into SQL conditions (`LIKE` on the `,a,b,` summaries)."""
    conditions = [ITEMS.c.batch_id == batch_id]
    if where.status is not None:
        conditions.append(ITEMS.c.status == where.status)
    if where.clause_type is not None:
        conditions.append(ITEMS.c.clause_types.like(f"%,{where.clause_type},%"))
    if where.severity is not None:
        conditions.append(ITEMS.c.severities.like(f"%,{where.severity},%"))
    return conditions


def _view(row: Any) -> ItemView:
    """Build the item's view, naming the result's document after the item."""
    stored = row.result if row.result is not None else row.cached
    result = None
    if stored is not None:
        result = dict(stored)
        result["document"] = {**result["document"], "name": row.item_id}
    return ItemView(row.item_id, row.position, row.status, row.error, result)
