"""The stored organisation profile (validated by the engine on the way in)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

import service.auth.tables  # noqa: F401  (registers "tenant", a foreign-key target)
from service.columns import JSON_TYPE, TIMESTAMP, utcnow


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
