"""The job table: one row per unit of background work, the single source of truth.

Both runners read and write these rows, so a process that dies mid-job leaves
a `running` row whose lease runs out; whoever looks next puts it back in the
queue. Nothing about a job lives only in memory or only in the broker.
Columns follow `service.columns` (UUID keys, JSON/JSONB, UTC timestamps) and
the rows sit on the same `SQLModel.metadata`, migrated by Alembic.
"""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum
from typing import Any

from sqlalchemy import Index, Table, Text
from sqlmodel import Field, SQLModel

from service.columns import JSON_TYPE, TIMESTAMP, utcnow


class JobStatus(StrEnum):
    """Where a job is in its life; `done` and `failed` are final."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class JobRecord(SQLModel, table=True):
    """A unit of work: what to run (`kind`, `payload`) and how far it got.

    `owner` names the worker holding the lease; `available_at` delays a retry.
    """

    __tablename__ = "job"
    __table_args__ = (Index("ix_job_status_available_at", "status", "available_at"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    kind: str = Field(max_length=64)
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=JSON_TYPE)
    status: str = Field(default=JobStatus.QUEUED.value, max_length=16)
    attempts: int = 0
    max_attempts: int = 3
    owner: str | None = Field(default=None, max_length=100)
    lease_until: dt.datetime | None = Field(default=None, sa_type=TIMESTAMP)
    available_at: dt.datetime = Field(default_factory=utcnow, sa_type=TIMESTAMP)
    error: str | None = Field(default=None, sa_type=Text)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=TIMESTAMP)
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=TIMESTAMP)
    finished_at: dt.datetime | None = Field(default=None, sa_type=TIMESTAMP)


__all__ = ["JOBS", "JobRecord", "JobStatus", "utcnow"]

JOBS: Table = SQLModel.metadata.tables["job"]
"""The job table as SQLAlchemy Core sees it, for typed UPDATE/SELECT statements."""
