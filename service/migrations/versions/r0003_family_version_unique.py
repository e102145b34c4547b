"""A family's version label names one document: unique (tenant, family, version).

Revision ID: 0003_family_version_unique
Revises: 0002_jobs_batches
Create Date: 2026-11-24

Until now the same label could be uploaded twice into a family, and a diff
by label silently took the newest of them. Existing duplicates are resolved
before the index is built, without deleting anything:

* in each group of documents sharing (tenant, family, version), the newest
  (latest `created_at`, then the greatest id: the one diffs by label already
  picked) keeps the label;
* each older one is relabelled `<version> (duplicate N)`, N counting from 1
  for the oldest and skipping labels the family already has; the label is
  shortened to fit the 100-character column. Its text, scans and tags are
  untouched, and `PATCH /v1/documents/{id}` can give it a better label.

The rule is a unique *index*, not a table constraint: on SQLite adding a
constraint means rebuilding the table, and dropping the old `document`
table with foreign keys on would cascade-delete every scan. NULLs are
distinct in both SQLite and PostgreSQL, so documents with no family or no
version stay unlimited. Downgrading drops the index; relabelled duplicates
keep their new labels.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterable, Sequence
from typing import Any, Final

import sqlalchemy as sa
from alembic import op

revision: str = "0003_family_version_unique"
down_revision: str | Sequence[str] | None = "0002_jobs_batches"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX: Final = "uq_document_tenant_id_family_version"
_VERSION_LENGTH: Final = 100

_DOCUMENT = sa.table(
    "document",
    sa.column("id", sa.Uuid()),
    sa.column("tenant_id", sa.Uuid()),
    sa.column("family", sa.String(200)),
    sa.column("version", sa.String(100)),
    sa.column("created_at", sa.DateTime(timezone=True)),
)
_D = _DOCUMENT.c


def upgrade() -> None:
    """Relabel older duplicates, then make the label unique."""
    connection = op.get_bind()
    for (tenant_id, family, version), rows in _duplicate_groups(connection):
        taken = _labels(connection, tenant_id, family)
        *older, _newest = rows
        for document_id in older:
            label = _free_label(version, taken)
            taken.add(label)
            connection.execute(
                sa.update(_DOCUMENT).where(_D.id == document_id).values(version=label)
            )
    op.create_index(INDEX, "document", ["tenant_id", "family", "version"], unique=True)


def downgrade() -> None:
    """Drop the index (relabelled duplicates keep their labels)."""
    op.drop_index(INDEX, table_name="document")


def _duplicate_groups(
    connection: sa.Connection,
) -> Iterable[tuple[tuple[uuid.UUID, str, str], list[uuid.UUID]]]:
    """Yield each shared label and its documents' ids, oldest first."""
    shared = (
        sa.select(_D.tenant_id, _D.family, _D.version)
        .where(_D.family.is_not(None), _D.version.is_not(None))
        .group_by(_D.tenant_id, _D.family, _D.version)
        .having(sa.func.count() > 1)
        .subquery()
    )
    rows = connection.execute(
        sa.select(_D.tenant_id, _D.family, _D.version, _D.id)
        .join(
            shared,
            sa.and_(
                _D.tenant_id == shared.c.tenant_id,
                _D.family == shared.c.family,
                _D.version == shared.c.version,
            ),
        )
        .order_by(_D.tenant_id, _D.family, _D.version, _D.created_at, _D.id)
    ).all()
    for key, group in itertools.groupby(
        rows, key=lambda r: (r.tenant_id, r.family, r.version)
    ):
        yield (key[0], key[1], key[2]), [row.id for row in group]


def _labels(connection: sa.Connection, tenant_id: Any, family: str) -> set[str]:
    """Return the version labels a family already uses."""
    found = connection.execute(
        sa.select(_D.version).where(
            _D.tenant_id == tenant_id, _D.family == family, _D.version.is_not(None)
        )
    )
    return {str(label) for label in found.scalars()}


def _free_label(version: str, taken: set[str]) -> str:
    """Return `<version> (duplicate N)` with the smallest N not yet taken."""
    for number in itertools.count(1):
        suffix = f" (duplicate {number})"
        label = version[: _VERSION_LENGTH - len(suffix)] + suffix
        if label not in taken:
            return label
    raise AssertionError("unreachable")  # pragma: no cover
