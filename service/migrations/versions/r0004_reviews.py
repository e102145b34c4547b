"""Reviews: a reviewer name on API keys, and the review event log.

Revision ID: 0004_reviews
Revises: 0003_family_version_unique
Create Date: 2026-12-04

Written by hand to match `service.tables.ApiKeyRecord.reviewer` and
`service.reviews.tables.ReviewEventRecord`. A nullable column and a new
table: nothing existing is rewritten, so no batch mode is needed on SQLite.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004_reviews"
down_revision: str | Sequence[str] | None = "0003_family_version_unique"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON: sa.types.TypeEngine[Any] = sa.JSON().with_variant(
    postgresql.JSONB(), "postgresql"
)
_TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Add `api_key.reviewer` and create `review_event`."""
    op.add_column("api_key", sa.Column("reviewer", sa.String(200), nullable=True))
    op.create_table(
        "review_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("scan_id", sa.Uuid(), nullable=True),
        sa.Column("reviewer", sa.String(200), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("clause_key", sa.String(40), nullable=True),
        sa.Column("before", _JSON, nullable=True),
        sa.Column("after", _JSON, nullable=True),
        sa.Column("created_at", _TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
            name="fk_review_event_tenant_id_tenant",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["document.id"],
            name="fk_review_event_document_id_document",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["scan_id"],
            ["scan.id"],
            name="fk_review_event_scan_id_scan",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_review_event"),
    )
    op.create_index(
        "ix_review_event_tenant_id_document_id",
        "review_event",
        ["tenant_id", "document_id"],
    )


def downgrade() -> None:
    """Drop the log and the column (reviews are lost)."""
    op.drop_index("ix_review_event_tenant_id_document_id", table_name="review_event")
    op.drop_table("review_event")
    with op.batch_alter_table("api_key") as batch:
        batch.drop_column("reviewer")
