"""Batch tables: the batch, its items, and the per-tenant content-hash cache.

Items keep their own content (the job that scans them may run hours later, in
another process) and, once scanned, either a reference to the cache row that
holds the result or, with the cache off, the result itself. `clause_types`
and `severities` are the result's types in `,a,b,` form, so the item listing
can filter on them with a portable `LIKE` instead of dialect JSON operators.
"""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum
from typing import Any

from sqlalchemy import Index, LargeBinary, Table, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

import service.auth.tables  # noqa: F401  (registers "tenant", a foreign-key target)
from service.columns import JSON_TYPE, TIMESTAMP, utcnow


class BatchStatus(StrEnum):
    """A batch is `done` when every item is done or failed."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"


class ItemStatus(StrEnum):
    """An item is scanned once: `pending` until it is `done` or `failed`."""

    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"


class BatchRecord(SQLModel, table=True):
    """A submission of many cards, with its progress counters."""

    __tablename__ = "batch"
    __table_args__ = (UniqueConstraint("tenant_id", "idempotency_key"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    tenant_id: uuid.UUID = Field(
        foreign_key="tenant.id", index=True, ondelete="CASCADE"
    )
    idempotency_key: str | None = Field(default=None, max_length=200)
    request_sha256: str = Field(max_length=64)
    status: str = Field(default=BatchStatus.QUEUED.value, max_length=16)
    total: int = 0
    done: int = 0
    failed: int = 0
    use_cache: bool = True
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=TIMESTAMP)
    started_at: dt.datetime | None = Field(default=None, sa_type=TIMESTAMP)
    finished_at: dt.datetime | None = Field(default=None, sa_type=TIMESTAMP)


class ScanCacheRecord(SQLModel, table=True):
    """One analysis per (tenant, content hash, engine fingerprint), shared by items."""

    __tablename__ = "scan_cache"
    __table_args__ = (
        UniqueConstraint("tenant_id", "content_sha256", "engine_version"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    tenant_id: uuid.UUID = Field(
        foreign_key="tenant.id", index=True, ondelete="CASCADE"
    )
    content_sha256: str = Field(max_length=64)
    engine_version: str = Field(max_length=100)
    result: dict[str, Any] = Field(default_factory=dict, sa_type=JSON_TYPE)
    clause_types: str = Field(default=",", sa_type=Text)
    severities: str = Field(default=",", max_length=200)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=TIMESTAMP)


class BatchItemRecord(SQLModel, table=True):
    """One card of a batch, in submission order (`position` from 0)."""

    __tablename__ = "batch_item"
    __table_args__ = (
        UniqueConstraint("batch_id", "position"),
        UniqueConstraint("batch_id", "item_id"),
        Index("ix_batch_item_batch_id_status", "batch_id", "status"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    batch_id: uuid.UUID = Field(foreign_key="batch.id", ondelete="CASCADE")
    position: int
    item_id: str = Field(max_length=300)
    kind: str = Field(max_length=16)
    content: bytes = Field(sa_type=LargeBinary)
    content_sha256: str = Field(max_length=64)
    status: str = Field(default=ItemStatus.PENDING.value, max_length=16)
    error: str | None = Field(default=None, sa_type=Text)
    cache_id: uuid.UUID | None = Field(
        default=None, foreign_key="scan_cache.id", ondelete="SET NULL"
    )
    result: dict[str, Any] | None = Field(default=None, sa_type=JSON_TYPE)
    clause_types: str | None = Field(default=None, sa_type=Text)
    severities: str | None = Field(default=None, max_length=200)
    finished_at: dt.datetime | None = Field(default=None, sa_type=TIMESTAMP)


BATCHES: Table = SQLModel.metadata.tables["batch"]
ITEMS: Table = SQLModel.metadata.tables["batch_item"]
CACHE: Table = SQLModel.metadata.tables["scan_cache"]
"""The tables as SQLAlchemy Core sees them, for typed statements."""
