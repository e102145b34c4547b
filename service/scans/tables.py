"""Scans and the clause and finding rows each keeps; scans are never overwritten.

Every scan is a new row stamped with the engine and data versions that made
it. A queued scan goes `pending` -> `running` -> `succeeded` or `failed`;
a scan in the request goes straight to `succeeded`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum
from typing import Any

from sqlalchemy import Text
from sqlmodel import Field, SQLModel

import service.auth.tables  # noqa: F401  (registers "tenant", a foreign-key target)
import service.documents.tables  # noqa: F401  (registers "document", a foreign-key target)
import service.profiles.tables  # noqa: F401  (registers "profile", a foreign-key target)
from service.columns import JSON_TYPE, TIMESTAMP, utcnow


class ScanStatus(StrEnum):
    """Where a scan is: synchronous scans go straight to `succeeded`."""

    PENDING = "pending"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class ScanRecord(SQLModel, table=True):
    """One analysis of a document; re-scans add rows, never overwrite.

    `result` is `extractors.output.result_to_dict` output (None until done).
    """

    __tablename__ = "scan"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    tenant_id: uuid.UUID = Field(
        foreign_key="tenant.id", index=True, ondelete="CASCADE"
    )
    document_id: uuid.UUID = Field(
        foreign_key="document.id", index=True, ondelete="CASCADE"
    )
    profile_id: uuid.UUID | None = Field(
        default=None, foreign_key="profile.id", ondelete="SET NULL"
    )
    status: str = Field(default=ScanStatus.PENDING, max_length=20)
    engine_version: str = Field(max_length=40)
    patterns_sha256: str = Field(max_length=64)
    rules_sha256: str = Field(max_length=64)
    model: str | None = Field(default=None, max_length=200)
    error: str | None = Field(default=None, sa_type=Text)
    duration_ms: float | None = None
    result: dict[str, Any] | None = Field(default=None, sa_type=JSON_TYPE)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=TIMESTAMP)


class ClauseRecord(SQLModel, table=True):
    """One clause of a scan, as a row so clauses can be filtered and counted."""

    __tablename__ = "clause"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    tenant_id: uuid.UUID = Field(
        foreign_key="tenant.id", index=True, ondelete="CASCADE"
    )
    scan_id: uuid.UUID = Field(foreign_key="scan.id", index=True, ondelete="CASCADE")
    clause_type: str = Field(max_length=60, index=True)
    start: int
    end: int
    line: int
    page: int
    score: float


class FindingRecord(SQLModel, table=True):
    """One risk finding of a scan; the location is its first citation's."""

    __tablename__ = "finding"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    tenant_id: uuid.UUID = Field(
        foreign_key="tenant.id", index=True, ondelete="CASCADE"
    )
    scan_id: uuid.UUID = Field(foreign_key="scan.id", index=True, ondelete="CASCADE")
    rule_id: str = Field(max_length=100)
    category: str = Field(max_length=60, index=True)
    severity: str = Field(max_length=20, index=True)
    verdict: str | None = Field(default=None, sa_type=Text)
    start: int | None = None
    end: int | None = None
    line: int | None = None
    page: int | None = None
