"""Tenant and API-key rows: every other row belongs to a tenant.

A key is stored as its SHA-256 and a short prefix (to list and revoke it);
the key itself is shown once, when it is made, and never stored.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlmodel import Field, SQLModel

from service.columns import TIMESTAMP, utcnow


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
