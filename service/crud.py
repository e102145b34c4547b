"""Tenant-scoped reads: every lookup takes the caller's tenant id.

A row of another tenant is indistinguishable from a missing one: both raise
the same 404 problem, so ids never reveal what other tenants store. New
resources should add their getters here in the same shape.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlmodel import Session, SQLModel, col, func, select
from sqlmodel.sql.expression import SelectOfScalar

from service.problems import not_found
from service.tables import DocumentRecord, ProfileRecord, ScanRecord

RecordT = TypeVar("RecordT", bound=SQLModel)


@dataclass(frozen=True, slots=True)
class Page:
    """Which slice of a listing to return (`limit`/`offset` query parameters)."""

    limit: int
    offset: int


def parse_id(ident: str, kind: str) -> uuid.UUID:
    """Return the UUID in `ident`; a malformed id is just an unknown one (404)."""
    try:
        return uuid.UUID(ident)
    except ValueError:
        raise not_found(kind, ident) from None


def get_owned(
    session: Session,
    model: type[RecordT],
    *,
    tenant_id: uuid.UUID,
    ident: str,
    kind: str,
) -> RecordT:
    """Return the row of `model` with this id if the tenant owns it, else 404."""
    record = session.get(model, parse_id(ident, kind))
    if record is None or getattr(record, "tenant_id", None) != tenant_id:
        raise not_found(kind, ident)
    return record


def get_document(
    session: Session, *, tenant_id: uuid.UUID, document_id: str
) -> DocumentRecord:
    """Return one of the tenant's documents, or raise 404."""
    return get_owned(
        session, DocumentRecord, tenant_id=tenant_id, ident=document_id, kind="document"
    )


def get_scan(session: Session, *, tenant_id: uuid.UUID, scan_id: str) -> ScanRecord:
    """Return one of the tenant's scans, or raise 404."""
    return get_owned(
        session, ScanRecord, tenant_id=tenant_id, ident=scan_id, kind="scan"
    )


def get_profile(
    session: Session, *, tenant_id: uuid.UUID, profile_id: str
) -> ProfileRecord:
    """Return one of the tenant's profiles, or raise 404."""
    return get_owned(
        session, ProfileRecord, tenant_id=tenant_id, ident=profile_id, kind="profile"
    )


def paged(
    session: Session, query: SelectOfScalar[RecordT], page: Page, *order_by: Any
) -> tuple[Sequence[RecordT], int]:
    """Return one page of `query` in the given order, and the total count."""
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(
        query.order_by(*order_by).limit(page.limit).offset(page.offset)
    ).all()
    return rows, total


def list_documents(
    session: Session, *, tenant_id: uuid.UUID, page: Page, family: str | None = None
) -> tuple[Sequence[DocumentRecord], int]:
    """Return the tenant's documents, newest first, optionally of one family."""
    query = select(DocumentRecord).where(DocumentRecord.tenant_id == tenant_id)
    if family is not None:
        query = query.where(DocumentRecord.family == family)
    return paged(
        session,
        query,
        page,
        col(DocumentRecord.created_at).desc(),
        col(DocumentRecord.id),
    )


def list_scans(
    session: Session, *, tenant_id: uuid.UUID, document_id: uuid.UUID, page: Page
) -> tuple[Sequence[ScanRecord], int]:
    """Return a document's scans, newest first."""
    query = (
        select(ScanRecord)
        .where(ScanRecord.tenant_id == tenant_id)
        .where(ScanRecord.document_id == document_id)
    )
    return paged(
        session, query, page, col(ScanRecord.created_at).desc(), col(ScanRecord.id)
    )


def list_profiles(
    session: Session, *, tenant_id: uuid.UUID, page: Page
) -> tuple[Sequence[ProfileRecord], int]:
    """Return the tenant's profiles by name."""
    query = select(ProfileRecord).where(ProfileRecord.tenant_id == tenant_id)
    return paged(session, query, page, col(ProfileRecord.name), col(ProfileRecord.id))
