"""The tenant's documents: one by id, or a page of them."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlmodel import Session, col, select

from service.documents.tables import DocumentRecord
from service.queries import Page, get_owned, paged


def get_document(
    session: Session, *, tenant_id: uuid.UUID, document_id: str
) -> DocumentRecord:
    """Return one of the tenant's documents, or raise 404."""
    return get_owned(
        session, DocumentRecord, tenant_id=tenant_id, ident=document_id, kind="document"
    )


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
