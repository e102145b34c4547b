"""The database tables (SQLModel, `*Record`): the only place rows are defined.

Every row carries `tenant_id` (directly, so each query can be scoped without a
join) and a UUID primary key that the API shows as a string. Timestamps are
timezone-aware UTC. The initial Alembic revision creates exactly these tables;
a change here needs a new revision in `service/migrations/versions/`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, DateTime, Index, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeEngine
from sqlmodel import Field, SQLModel

# Named constraints keep later migrations (batch mode on SQLite) able to drop them.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

JSON_TYPE: TypeEngine[Any] = JSON().with_variant(JSONB(), "postgresql")
"""JSON everywhere, JSONB on PostgreSQL so later queries can index into it."""
TIMESTAMP = DateTime(timezone=True)


def utcnow() -> dt.datetime:
    """Return the current time in UTC (timezone-aware)."""
    return dt.datetime.now(dt.UTC)


class ScanStatus(StrEnum):
    """Where a scan is: synchronous scans go straight to `succeeded`."""

    PENDING = "pending"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class TenantRecord(SQLModel, table=True):
    """An organisation; every other row belongs to exactly one."""

    __tablename__ = "tenant"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=TIMESTAMP)


class ApiKeyRecord(SQLModel, table=True):
    """An API key, stored only as its SHA-256; `prefix` identifies it to people."""

    __tablename__ = "api_key"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    tenant_id: uuid.UUID = Field(
        foreign_key="tenant.id", index=True, ondelete="CASCADE"
    )
    key_sha256: str = Field(max_length=64, unique=True)
    prefix: str = Field(max_length=16)
    reviewer: str | None = Field(default=None, max_length=200)
    """The person whose review decisions this key signs (None: it cannot review)."""
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=TIMESTAMP)
    revoked_at: dt.datetime | None = Field(default=None, sa_type=TIMESTAMP)


class DocumentRecord(SQLModel, table=True):
    """Uploaded bytes, parsed once: `text` is exactly what scan offsets index.

    Identical bytes are stored once per tenant (unique tenant + sha256).
    `family`/`version` are the caller's labels, the base for license families;
    a label names one document (unique tenant + family + version, an index so
    that revision 0003 did not have to rebuild the table on SQLite; NULLs are
    distinct, so documents without a family or version are not limited).
    """

    __tablename__ = "document"
    __table_args__ = (
        UniqueConstraint("tenant_id", "sha256"),
        Index(
            "uq_document_tenant_id_family_version",
            "tenant_id",
            "family",
            "version",
            unique=True,
        ),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    tenant_id: uuid.UUID = Field(
        foreign_key="tenant.id", index=True, ondelete="CASCADE"
    )
    sha256: str = Field(max_length=64)
    media_type: str = Field(max_length=40)
    size: int
    name: str | None = Field(default=None, max_length=500)
    text: str = Field(sa_type=Text)
    page_starts: list[int] = Field(default_factory=list, sa_type=JSON_TYPE)
    front_matter: dict[str, Any] = Field(default_factory=dict, sa_type=JSON_TYPE)
    family: str | None = Field(default=None, max_length=200, index=True)
    version: str | None = Field(default=None, max_length=100)
    source_url: str | None = Field(default=None, max_length=2000)
    tags: list[str] = Field(default_factory=list, sa_type=JSON_TYPE)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=TIMESTAMP)


class ProfileRecord(SQLModel, table=True):
    """An organisation profile (validated by `profile_from_mapping` on the way in)."""

    __tablename__ = "profile"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    tenant_id: uuid.UUID = Field(
        foreign_key="tenant.id", index=True, ondelete="CASCADE"
    )
    name: str = Field(max_length=200)
    profile: dict[str, Any] = Field(default_factory=dict, sa_type=JSON_TYPE)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=TIMESTAMP)


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
