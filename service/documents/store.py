"""Store an uploaded document: limits, type sniffing, parsing, dedupe, quota.

The type always comes from the bytes (`extractors.parse.parse_bytes`). A
declared content type is only checked for contradiction: `application/pdf`
on bytes without a PDF header, or a `text/*` type on a PDF, is refused as
mislabelled (415); any other declared type (`application/octet-stream`, a
browser's guess) is ignored. Identical bytes are stored once per tenant.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from typing import Final

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, func, select

from extractors.errors import TooLargeError
from extractors.output import json_safe
from extractors.parse import parse_bytes
from extractors.pdf_limits import MIB, PdfLimits
from extractors.sniff import is_pdf
from extractors.types import Document
from service.documents.labels import check_same_labels, check_version_free
from service.documents.schemas import DocumentMeta
from service.documents.tables import DocumentRecord
from service.problems import ProblemError
from service.settings import Settings

logger = logging.getLogger("clausewise.service")
PDF_TYPE: Final = "application/pdf"


def store_document(
    session: Session,
    *,
    tenant_id: uuid.UUID,
    settings: Settings,
    data: bytes,
    meta: DocumentMeta,
    declared_type: str | None = None,
) -> tuple[DocumentRecord, bool]:
    """Parse and store `data` for the tenant; return (record, created).

    `created` is False when the tenant already had these exact bytes: the
    stored document is returned unchanged. Raises `InputError` subclasses
    (mapped to 413/415/422) and `ProblemError` (415 mislabelled, 403 quota,
    409 family version taken or bytes stored under other labels; see
    `service.documents.labels`).
    """
    source = f"'{meta.name}'" if meta.name else "the document"
    if len(data) > settings.limits.max_upload_bytes:
        raise TooLargeError(
            f"{source} is {len(data):,} bytes, over the limit of "
            f"{settings.limits.max_upload_bytes:,} bytes"
        )
    check_declared_type(declared_type, data, source)
    sha256 = hashlib.sha256(data).hexdigest()
    existing = find_by_sha256(session, tenant_id=tenant_id, sha256=sha256)
    if existing is not None:
        check_same_labels(existing, family=meta.family, version=meta.version)
        return existing, False
    check_version_free(session, tenant_id, meta.family, meta.version)
    document = _parse(data, meta.name, settings)
    check_quota(session, tenant_id, settings.limits.max_documents_per_tenant)
    record = document_record(tenant_id, data, document, meta)
    session.add(record)
    try:
        session.commit()
    except IntegrityError:
        # A concurrent request stored the same bytes, or took the version label.
        session.rollback()
        existing = find_by_sha256(session, tenant_id=tenant_id, sha256=sha256)
        if existing is None:
            check_version_free(session, tenant_id, meta.family, meta.version)
            raise
        check_same_labels(existing, family=meta.family, version=meta.version)
        return existing, False
    session.refresh(record)
    return record, True


def find_by_sha256(
    session: Session, *, tenant_id: uuid.UUID, sha256: str
) -> DocumentRecord | None:
    """Return the tenant's document with these bytes, if stored."""
    return session.exec(
        select(DocumentRecord)
        .where(DocumentRecord.tenant_id == tenant_id)
        .where(DocumentRecord.sha256 == sha256)
    ).first()


def check_declared_type(declared: str | None, data: bytes, source: str) -> None:
    """Refuse a declared type that the bytes contradict (PDF vs text)."""
    if not declared:
        return
    kind = declared.split(";", 1)[0].strip().lower()
    pdf = is_pdf(data)
    if kind == PDF_TYPE and not pdf:
        raise _mislabelled(f"{source} is declared as {kind} but is not a PDF")
    if kind.startswith("text/") and pdf:
        raise _mislabelled(f"{source} is declared as {kind} but is a PDF")


def _mislabelled(detail: str) -> ProblemError:
    return ProblemError(
        415,
        detail + "; send it as application/octet-stream to let clausewise decide",
        slug="mislabelled",
        title="Mislabelled document",
    )


def _parse(data: bytes, name: str | None, settings: Settings) -> Document:
    """Parse with the size limit; a PDF is read in the sandbox, pages counted first."""
    return parse_bytes(
        data,
        name=name,
        max_bytes=settings.limits.max_upload_bytes,
        pdf_limits=pdf_limits(settings),
    )


def pdf_limits(settings: Settings) -> PdfLimits:
    """Return the limits an uploaded PDF is read within (`extractors.pdf_sandbox`)."""
    return PdfLimits(
        timeout_s=settings.pdf.timeout_s,
        cpu_s=settings.pdf.max_cpu_s,
        max_memory_bytes=settings.pdf.max_memory_mb * MIB,
        max_inflated_bytes=settings.pdf.max_inflated_bytes,
        max_content_tokens=settings.pdf.max_content_tokens,
        max_chars=settings.pdf.max_chars,
        max_pages=settings.pdf.max_pages,
    )


def check_quota(session: Session, tenant_id: uuid.UUID, limit: int) -> None:
    """Refuse a new document once the tenant stores `limit` (flushed rows count)."""
    stored = session.exec(
        select(func.count())
        .select_from(DocumentRecord)
        .where(DocumentRecord.tenant_id == tenant_id)
    ).one()
    if stored >= limit:
        raise ProblemError(
            403,
            f"this tenant already stores {stored} documents, the limit is {limit}",
            slug="quota-exceeded",
            title="Document quota exceeded",
        )


def document_record(
    tenant_id: uuid.UUID, data: bytes, document: Document, meta: DocumentMeta
) -> DocumentRecord:
    """Return the row of a parsed document (not added to any session)."""
    return DocumentRecord(
        tenant_id=tenant_id,
        sha256=document.id,
        media_type=document.media_type,
        size=len(data),
        name=meta.name,
        text=document.text,
        page_starts=list(document.page_starts),
        front_matter=json_safe(dict(document.metadata)),
        family=meta.family,
        version=meta.version,
        source_url=meta.source_url,
        tags=list(dict.fromkeys(meta.tags)),
    )
