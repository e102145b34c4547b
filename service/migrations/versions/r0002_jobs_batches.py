"""Add durable jobs and batch scanning: job, batch, scan_cache, batch_item.

Revision ID: 0002_jobs_batches
Revises: 0001
Create Date: 2026-11-23

Written by hand to match `service.jobs.tables` and `service.batches.tables`;
types are spelled here so this revision keeps its meaning when they change.
Only new tables, so nothing needs batch mode on SQLite.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002_jobs_batches"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON: sa.types.TypeEngine[Any] = sa.JSON().with_variant(
    postgresql.JSONB(), "postgresql"
)
_TIMESTAMP = sa.DateTime(timezone=True)


def _tenant(table: str) -> list[Any]:
    """Return the `tenant_id` column and its cascading foreign key."""
    return [
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
            name=f"fk_{table}_tenant_id_tenant",
            ondelete="CASCADE",
        ),
    ]


def upgrade() -> None:
    """Create the job, batch, cache and item tables with their indexes."""
    _create_job()
    _create_batch()
    _create_scan_cache()
    _create_batch_item()


def _create_job() -> None:
    op.create_table(
        "job",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("payload", _JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("owner", sa.String(100), nullable=True),
        sa.Column("lease_until", _TIMESTAMP, nullable=True),
        sa.Column("available_at", _TIMESTAMP, nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", _TIMESTAMP, nullable=False),
        sa.Column("updated_at", _TIMESTAMP, nullable=False),
        sa.Column("finished_at", _TIMESTAMP, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_job"),
    )
    op.create_index("ix_job_status_available_at", "job", ["status", "available_at"])


def _create_batch() -> None:
    op.create_table(
        "batch",
        sa.Column("id", sa.Uuid(), nullable=False),
        *_tenant("batch"),
        sa.Column("idempotency_key", sa.String(200), nullable=True),
        sa.Column("request_sha256", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("use_cache", sa.Boolean(), nullable=False),
        sa.Column("created_at", _TIMESTAMP, nullable=False),
        sa.Column("started_at", _TIMESTAMP, nullable=True),
        sa.Column("finished_at", _TIMESTAMP, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_batch"),
        sa.UniqueConstraint(
            "tenant_id",
            "idempotency_key",
            name="uq_batch_tenant_id_idempotency_key",
        ),
    )
    op.create_index("ix_batch_tenant_id", "batch", ["tenant_id"])


def _create_scan_cache() -> None:
    op.create_table(
        "scan_cache",
        sa.Column("id", sa.Uuid(), nullable=False),
        *_tenant("scan_cache"),
        sa.Column("content_sha256", sa.String(64), nullable=False),
        sa.Column("engine_version", sa.String(100), nullable=False),
        sa.Column("result", _JSON, nullable=False),
        sa.Column("clause_types", sa.Text(), nullable=False),
        sa.Column("severities", sa.String(200), nullable=False),
        sa.Column("created_at", _TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_scan_cache"),
        sa.UniqueConstraint(
            "tenant_id",
            "content_sha256",
            "engine_version",
            name="uq_scan_cache_tenant_id_content_sha256_engine_version",
        ),
    )
    op.create_index("ix_scan_cache_tenant_id", "scan_cache", ["tenant_id"])


def _create_batch_item() -> None:
    op.create_table(
        "batch_item",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("batch_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.String(300), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("content_sha256", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("cache_id", sa.Uuid(), nullable=True),
        sa.Column("result", _JSON, nullable=True),
        sa.Column("clause_types", sa.Text(), nullable=True),
        sa.Column("severities", sa.String(200), nullable=True),
        sa.Column("finished_at", _TIMESTAMP, nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["batch.id"],
            name="fk_batch_item_batch_id_batch",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["cache_id"],
            ["scan_cache.id"],
            name="fk_batch_item_cache_id_scan_cache",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_batch_item"),
        sa.UniqueConstraint(
            "batch_id", "position", name="uq_batch_item_batch_id_position"
        ),
        sa.UniqueConstraint(
            "batch_id", "item_id", name="uq_batch_item_batch_id_item_id"
        ),
    )
    op.create_index(
        "ix_batch_item_batch_id_status", "batch_item", ["batch_id", "status"]
    )


def downgrade() -> None:
    """Drop the tables, children first."""
    for table in ("batch_item", "scan_cache", "batch", "job"):
        op.drop_table(table)
