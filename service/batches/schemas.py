"""The batch API's response bodies (pydantic, at the edge only)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel

from service.batches.queries import ItemView
from service.batches.tables import BatchRecord
from service.columns import as_utc
from service.scans.schemas import ScanResultPublic


class BatchProgress(BaseModel):
    """How far a batch is: `done + failed + pending == total`."""

    total: int
    done: int
    failed: int
    pending: int


class BatchPublic(BaseModel):
    """A batch and its progress; `status` is `done` once no item is pending."""

    id: str
    status: str
    progress: BatchProgress
    cache: bool
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    links: dict[str, str]

    @classmethod
    def from_record(cls, record: BatchRecord) -> BatchPublic:
        """Build the view of a stored batch."""
        base = f"/v1/batches/{record.id}"
        return cls(
            id=str(record.id),
            status=record.status,
            progress=BatchProgress(
                total=record.total,
                done=record.done,
                failed=record.failed,
                pending=record.total - record.done - record.failed,
            ),
            cache=record.use_cache,
            created_at=as_utc(record.created_at),
            started_at=as_utc(record.started_at) if record.started_at else None,
            finished_at=as_utc(record.finished_at) if record.finished_at else None,
            links={
                "self": base,
                "items": f"{base}/items",
                "results": f"{base}/results.ndjson",
            },
        )


class BatchItemPublic(BaseModel):
    """One card: its client id, place in the submission, outcome and result."""

    id: str
    position: int
    status: str
    error: str | None
    result: ScanResultPublic | None

    @classmethod
    def from_view(cls, view: ItemView) -> BatchItemPublic:
        """Build the public item from a query's view."""
        data: dict[str, Any] = view.as_dict()
        return cls.model_validate(data)


class BatchItemsPublic(BaseModel):
    """One page of a batch's items, in submission order, and how many match."""

    data: list[BatchItemPublic]
    count: int
    limit: int
    offset: int
