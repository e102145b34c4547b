"""The tenant's scans: one by id, a document's history, its latest success."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from service.documents.tables import DocumentRecord
from service.queries import Page, get_owned, paged
from service.scans.tables import ScanRecord, ScanStatus


def get_scan(session: Session, *, tenant_id: uuid.UUID, scan_id: str) -> ScanRecord:
    """Return one of the tenant's scans, or raise 404."""
    return get_owned(
        session, ScanRecord, tenant_id=tenant_id, ident=scan_id, kind="scan"
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


def latest_scan(session: Session, document: DocumentRecord) -> ScanRecord | None:
    """Return the document's latest successful scan (with its result), if any."""
    scan = session.exec(_succeeded(document)).first()
    return scan if scan is not None and scan.result is not None else None


def latest_scan_id(session: Session, document: DocumentRecord) -> uuid.UUID | None:
    """Return the id of the document's latest successful scan, if any.

    Reads the id alone: a scan's stored result can be megabytes.
    """
    query = _succeeded(document).with_only_columns(col(ScanRecord.id))
    found: uuid.UUID | None = session.execute(query).scalar()
    return found


def _succeeded(document: DocumentRecord) -> SelectOfScalar[ScanRecord]:
    """Return the query of the document's successful scans, newest first."""
    return (
        select(ScanRecord)
        .where(ScanRecord.tenant_id == document.tenant_id)
        .where(ScanRecord.document_id == document.id)
        .where(ScanRecord.status == ScanStatus.SUCCEEDED)
        .order_by(col(ScanRecord.created_at).desc(), col(ScanRecord.id).desc())
    )
