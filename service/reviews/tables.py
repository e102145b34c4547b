"""The review log: one row per reviewer decision, never updated or deleted.

The primary key is an integer sequence because the order of decisions is
the review: folding the rows in `id` order rebuilds every reviewer's
clauses, and two reviewers writing at once only add rows (nothing to lose).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

import service.auth.tables  # noqa: F401  (registers "tenant", a foreign-key target)
import service.documents.tables  # noqa: F401  (registers "document", a foreign-key target)
import service.scans.tables  # noqa: F401  (registers "scan", a foreign-key target)
from service.columns import JSON_TYPE, TIMESTAMP, utcnow


class ReviewEventRecord(SQLModel, table=True):
    """One decision: `before`/`after` are the clause's state (None: absent)."""

    __tablename__ = "review_event"
    __table_args__ = (
        Index("ix_review_event_tenant_id_document_id", "tenant_id", "document_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: uuid.UUID = Field(foreign_key="tenant.id", ondelete="CASCADE")
    document_id: uuid.UUID = Field(foreign_key="document.id", ondelete="CASCADE")
    scan_id: uuid.UUID | None = Field(
        default=None, foreign_key="scan.id", ondelete="SET NULL"
    )
    reviewer: str = Field(max_length=200)
    action: str = Field(max_length=20)
    clause_key: str | None = Field(default=None, max_length=40)
    before: dict[str, Any] | None = Field(default=None, sa_type=JSON_TYPE)
    after: dict[str, Any] | None = Field(default=None, sa_type=JSON_TYPE)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=TIMESTAMP)
