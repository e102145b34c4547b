"""Document pages: the list, upload, the highlighted review view, exports."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, Response, UploadFile
from fastapi.responses import JSONResponse, RedirectResponse

from extractors.result_json import as_result
from service.deps import EngineDep, MetricsDep, OffsetQuery, SessionDep, SettingsDep
from service.documents.queries import get_document, list_documents
from service.documents.schemas import document_meta
from service.documents.store import store_document
from service.exports import EXPORTERS, export
from service.families.versions import list_families
from service.problems import ProblemError
from service.queries import Page
from service.scans.queries import latest_scan
from service.scans.scanning import ensure_scan
from service.web.deps import PostDep, WebDep
from service.web.document_view import document_context
from service.web.rendering import PageRoute, render, wants_json
from service.web.review_view import review_context

router = APIRouter(route_class=PageRoute, include_in_schema=False)
_FORMAT_NAMES = {
    "json": "JSON",
    "markdown": "Markdown",
    "sarif": "SARIF",
    "cyclonedx": "CycloneDX",
}
_SUFFIXES = {
    "json": "json",
    "markdown": "md",
    "sarif": "sarif",
    "cyclonedx": "cdx.json",
}


@router.get("/documents")
def documents(
    request: Request,
    session: SessionDep,
    web: WebDep,
    offset: OffsetQuery = 0,
) -> Response:
    """List the tenant's documents, newest first, 50 a page."""
    page = Page(limit=50, offset=offset)
    rows, count = list_documents(session, tenant_id=web.caller.tenant_id, page=page)
    context = {"web": web, "rows": rows, "count": count, "page": page}
    return render(request, "documents.html", context)


@router.get("/upload")
def upload_form(request: Request, session: SessionDep, web: WebDep) -> Response:
    """Show the drag-and-drop upload form."""
    families = list_families(session, web.caller.tenant_id)
    return render(request, "upload.html", {"web": web, "families": families})


@router.post("/upload")
def upload(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    engine: EngineDep,
    metrics: MetricsDep,
    web: PostDep,
    file: Annotated[UploadFile, File()],
    family: Annotated[str, Form(max_length=200)] = "",
    version: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """Store and scan one file as the API does; answer its page's address."""
    data = file.file.read(settings.limits.max_upload_bytes + 1)
    meta = document_meta(
        name=file.filename,
        family=family.strip() or None,
        version=version.strip() or None,
    )
    record, created = store_document(
        session,
        tenant_id=web.caller.tenant_id,
        settings=settings,
        data=data,
        meta=meta,
        declared_type=file.content_type,
    )
    metrics.documents_total.labels(outcome="created" if created else "existing").inc()
    ensure_scan(session, engine, record, metrics=metrics)
    url = f"/documents/{record.id}"
    if wants_json(request):
        body = {"id": str(record.id), "url": url, "created": created}
        return JSONResponse(body, status_code=201 if created else 200)
    return RedirectResponse(url, 303)


@router.get("/documents/{document_id}")
def document(
    request: Request,
    document_id: str,
    session: SessionDep,
    engine: EngineDep,
    web: WebDep,
    profile: Annotated[str | None, Query(max_length=100)] = None,
) -> Response:
    """Show the text with its clauses under review, and the findings beside it.

    Viewing writes nothing: a document without a successful scan is shown
    with a "Scan" button instead of being scanned by the GET.
    """
    record = get_document(
        session, tenant_id=web.caller.tenant_id, document_id=document_id
    )
    review = review_context(session, record, web.caller)
    context: dict[str, Any] = document_context(
        session,
        engine,
        web.caller.tenant_id,
        record,
        profile or None,
        review["clauses"],
    )
    context.update(review)
    context["web"] = web
    context["formats"] = [(f, _FORMAT_NAMES.get(f, f)) for f in EXPORTERS]
    return render(request, "document.html", context)


@router.post("/documents/{document_id}/scans")
def scan(
    request: Request,
    document_id: str,
    session: SessionDep,
    engine: EngineDep,
    metrics: MetricsDep,
    web: PostDep,
) -> Response:
    """Scan a document that has no successful scan yet (the page's button).

    A second press, or a document scanned meanwhile, keeps the scan there is.
    """
    record = get_document(
        session, tenant_id=web.caller.tenant_id, document_id=document_id
    )
    found = ensure_scan(session, engine, record, metrics=metrics)
    url = f"/documents/{record.id}"
    if wants_json(request):
        return JSONResponse({"scan_id": str(found.id), "url": url}, status_code=201)
    return RedirectResponse(url, 303)


@router.get("/documents/{document_id}/export")
def export_document(
    document_id: str,
    session: SessionDep,
    web: WebDep,
    format: Annotated[str, Query(max_length=20)] = "json",  # noqa: A002
) -> Response:
    """Download the latest scan in an export format, as an attachment."""
    record = get_document(
        session, tenant_id=web.caller.tenant_id, document_id=document_id
    )
    if format not in EXPORTERS:
        known = ", ".join(sorted(EXPORTERS))
        raise ProblemError(422, f"unknown format '{format}'; use one of: {known}")
    found = latest_scan(session, record)
    if found is None or found.result is None:
        raise ProblemError(
            409,
            f"document {record.id} has no successful scan to export yet;"
            " scan it from its page first",
            slug="not-scanned",
        )
    name = record.name or f"document-{record.id}"
    result = as_result(found.result)
    body, media_type = export(format, result, name=name, text=record.text)
    stem = name.rsplit(".", 1)[0] or "document"
    filename = f"{stem}.{_SUFFIXES.get(format, 'txt')}"
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in filename)
    return Response(
        body,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{safe}"'},
    )
