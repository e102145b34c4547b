"""Documents: upload (file or JSON text), list, fetch, and the exact text."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Response, UploadFile
from fastapi.responses import PlainTextResponse

from service.deps import MetricsDep, PageDep, SessionDep, SettingsDep, TenantDep
from service.documents import queries
from service.documents.labels import relabel
from service.documents.schemas import (
    URL_PATTERN,
    DocumentCreate,
    DocumentLabelsUpdate,
    DocumentMeta,
    DocumentPublic,
    DocumentsPublic,
    document_meta,
)
from service.documents.store import store_document
from service.documents.tables import DocumentRecord
from service.metrics import Metrics
from service.problems import problem_responses
from service.request_bodies import JsonBodyRoute

router = APIRouter(
    prefix="/documents",
    tags=["documents"],
    responses=problem_responses(401, 422, 429),
    route_class=JsonBodyRoute,
)

_UPLOAD_RESPONSES = {
    200: {"model": DocumentPublic, "description": "These bytes were already stored"},
    **problem_responses(400, 403, 409, 413, 415, 422, 503),
}


@router.post(
    "",
    status_code=201,
    response_model=DocumentPublic,
    responses=_UPLOAD_RESPONSES,
    summary="Upload a document file",
)
def upload_document(
    response: Response,
    session: SessionDep,
    caller: TenantDep,
    settings: SettingsDep,
    metrics: MetricsDep,
    file: Annotated[UploadFile, File(description=".txt, .md or .pdf; sniffed")],
    family: Annotated[str | None, Form(max_length=200)] = None,
    version: Annotated[str | None, Form(max_length=100)] = None,
    source_url: Annotated[
        str | None, Form(max_length=2000, pattern=URL_PATTERN)
    ] = None,
    tags: Annotated[
        list[str] | None, Form(description="repeat the field, or separate by commas")
    ] = None,
) -> DocumentPublic:
    """Store an uploaded file (type sniffed from its bytes); same bytes give 200."""
    data = file.file.read(settings.limits.max_upload_bytes + 1)
    meta = document_meta(
        name=file.filename,
        family=family,
        version=version,
        source_url=source_url,
        tags=[t.strip() for item in tags or () for t in item.split(",") if t.strip()],
    )
    record, created = store_document(
        session,
        tenant_id=caller.tenant_id,
        settings=settings,
        data=data,
        meta=meta,
        declared_type=file.content_type,
    )
    return _stored(response, metrics, record, created)


@router.post(
    "/text",
    status_code=201,
    response_model=DocumentPublic,
    responses=_UPLOAD_RESPONSES,
    summary="Upload a document as JSON text",
)
def upload_text(
    body: DocumentCreate,
    response: Response,
    session: SessionDep,
    caller: TenantDep,
    settings: SettingsDep,
    metrics: MetricsDep,
) -> DocumentPublic:
    """Store text sent as JSON (type sniffed from the text); same text gives 200."""
    record, created = store_document(
        session,
        tenant_id=caller.tenant_id,
        settings=settings,
        data=body.text.encode("utf-8"),
        meta=DocumentMeta.model_validate(body.model_dump(exclude={"text"})),
    )
    return _stored(response, metrics, record, created)


def _stored(
    response: Response, metrics: Metrics, record: DocumentRecord, created: bool
) -> DocumentPublic:
    """Answer 201 with a Location for a new document, 200 for a known one."""
    metrics.documents_total.labels(outcome="created" if created else "existing").inc()
    if created:
        response.headers["Location"] = f"/v1/documents/{record.id}"
    else:
        response.status_code = 200
    return DocumentPublic.from_record(record)


@router.get("", response_model=DocumentsPublic)
def list_documents(
    session: SessionDep,
    caller: TenantDep,
    page: PageDep,
    family: Annotated[str | None, Query(max_length=200)] = None,
) -> DocumentsPublic:
    """List the tenant's documents, newest first, optionally of one family."""
    rows, count = queries.list_documents(
        session, tenant_id=caller.tenant_id, page=page, family=family
    )
    return DocumentsPublic(
        data=[DocumentPublic.from_record(r) for r in rows], count=count
    )


@router.get(
    "/{document_id}", response_model=DocumentPublic, responses=problem_responses(404)
)
def get_document(
    document_id: str, session: SessionDep, caller: TenantDep
) -> DocumentPublic:
    """Return one document's metadata."""
    record = queries.get_document(
        session, tenant_id=caller.tenant_id, document_id=document_id
    )
    return DocumentPublic.from_record(record)


@router.patch(
    "/{document_id}",
    response_model=DocumentPublic,
    responses=problem_responses(404, 409, 413, 422),
)
def relabel_document(
    document_id: str, body: DocumentLabelsUpdate, session: SessionDep, caller: TenantDep
) -> DocumentPublic:
    """File a stored document under another family, version or tags.

    Members left out keep their value, `null` clears one; a (family, version)
    another document holds is a 409 naming it. The text and scans are kept.
    """
    record = queries.get_document(
        session, tenant_id=caller.tenant_id, document_id=document_id
    )
    return DocumentPublic.from_record(relabel(session, record, body.applied_to(record)))


@router.get(
    "/{document_id}/text",
    response_class=PlainTextResponse,
    responses={
        200: {"content": {"text/plain": {}}, "description": "The exact text"},
        **problem_responses(404),
    },
)
def get_document_text(
    document_id: str, session: SessionDep, caller: TenantDep
) -> PlainTextResponse:
    """Return the parsed text that every citation offset indexes."""
    record = queries.get_document(
        session, tenant_id=caller.tenant_id, document_id=document_id
    )
    return PlainTextResponse(record.text)
