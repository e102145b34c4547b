"""The stored document: its bytes' hash, parsed text and offsets, labels.

Every row carries `tenant_id` (directly, so each query can be scoped without
a join) and a UUID primary key that the API shows as a string. A change to
any table needs a new revision in `service/migrations/versions/`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

import service.auth.tables  # noqa: F401  (registers "tenant", a foreign-key target)
from service.columns import JSON_TYPE, TIMESTAMP, utcnow


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
