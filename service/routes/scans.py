"""Scans: run the engine on a stored document, history, exports, evaluation."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from sqlmodel import Session

from service import crud
from service.deps import EngineDep, MetricsDep, PageDep, SessionDep, TenantDep
from service.exports import EXPORTERS, MEDIA_TYPES, Exporter
from service.problems import ProblemError, problem_responses
from service.scanning import evaluate_document, scan_document
from service.schemas import (
    EnginePublic,
    EvaluationPublic,
    FindingPublic,
    ScanPublic,
    ScansPublic,
    ScanSummaryPublic,
)
from service.tables import ProfileRecord

router = APIRouter(tags=["scans"], responses=problem_responses(401, 404, 429))


EXPORT_FORMATS: Mapping[str, Exporter] = EXPORTERS
"""The one place export formats are dispatched: `service.exports`' registry
(json, markdown, sarif, cyclonedx), shared with `clausewise scan --format`."""
_EXPORT_CONTENT: dict[str, dict[str, Any]] = {
    media_type.split(";")[0]: {} for media_type in MEDIA_TYPES.values()
}


@router.post(
    "/documents/{document_id}/scans",
    status_code=201,
    response_model=ScanPublic,
    responses=problem_responses(422),
)
def create_scan(
    document_id: str,
    response: Response,
    session: SessionDep,
    caller: TenantDep,
    engine: EngineDep,
    metrics: MetricsDep,
    profile: Annotated[str | None, Query(description="a stored profile id")] = None,
) -> ScanPublic:
    """Scan a stored document now; every call adds a scan, older ones are kept."""
    document = crud.get_document(
        session, tenant_id=caller.tenant_id, document_id=document_id
    )
    options = _profile(session, caller.tenant_id, profile)
    scan = scan_document(session, engine, document, profile=options, metrics=metrics)
    response.headers["Location"] = f"/v1/scans/{scan.id}"
    return ScanPublic.from_record(scan)


@router.get("/documents/{document_id}/scans", response_model=ScansPublic)
def list_scans(
    document_id: str, session: SessionDep, caller: TenantDep, page: PageDep
) -> ScansPublic:
    """List a document's scans, newest first, each with its engine version."""
    document = crud.get_document(
        session, tenant_id=caller.tenant_id, document_id=document_id
    )
    rows, count = crud.list_scans(
        session, tenant_id=caller.tenant_id, document_id=document.id, page=page
    )
    return ScansPublic(
        data=[ScanSummaryPublic.from_record(r) for r in rows], count=count
    )


@router.get("/scans/{scan_id}", response_model=ScanPublic)
def get_scan(scan_id: str, session: SessionDep, caller: TenantDep) -> ScanPublic:
    """Return one scan with its full result."""
    scan = crud.get_scan(session, tenant_id=caller.tenant_id, scan_id=scan_id)
    return ScanPublic.from_record(scan)


@router.get(
    "/scans/{scan_id}/export",
    response_class=Response,
    responses={
        200: {"content": _EXPORT_CONTENT, "description": "The rendered scan"},
        **problem_responses(409, 422),
    },
)
def export_scan(
    scan_id: str,
    session: SessionDep,
    caller: TenantDep,
    format: Annotated[  # noqa: A002 - the public query parameter's name
        str, Query(description="one of: " + ", ".join(EXPORT_FORMATS))
    ] = "json",
) -> Response:
    """Render a scan's result in an export format."""
    scan = crud.get_scan(session, tenant_id=caller.tenant_id, scan_id=scan_id)
    renderer = EXPORT_FORMATS.get(format)
    if renderer is None:
        known = ", ".join(sorted(EXPORT_FORMATS))
        raise ProblemError(
            422,
            f"unknown format '{format}'; use one of: {known}",
            slug="unknown-format",
        )
    if scan.result is None:
        raise ProblemError(
            409,
            f"scan {scan_id} has no result (status {scan.status})",
            slug="no-result",
        )
    document = crud.get_document(
        session, tenant_id=caller.tenant_id, document_id=str(scan.document_id)
    )
    body, media_type = renderer(
        scan.result, name=document.name or f"document-{document.id}", text=document.text
    )
    return Response(content=body, media_type=media_type)


@router.post(
    "/scans/{scan_id}/evaluate",
    response_model=EvaluationPublic,
    responses=problem_responses(422),
)
def evaluate_scan(
    scan_id: str,
    session: SessionDep,
    caller: TenantDep,
    engine: EngineDep,
    profile: Annotated[str, Query(description="a stored profile id")],
) -> EvaluationPublic:
    """Re-assess a scan's document with a profile; the stored scan is unchanged."""
    scan = crud.get_scan(session, tenant_id=caller.tenant_id, scan_id=scan_id)
    record = crud.get_profile(session, tenant_id=caller.tenant_id, profile_id=profile)
    document = crud.get_document(
        session, tenant_id=caller.tenant_id, document_id=str(scan.document_id)
    )
    findings = evaluate_document(engine, document, record)
    provenance = engine.provenance
    return EvaluationPublic(
        scan_id=str(scan.id),
        profile_id=str(record.id),
        profile_name=record.name,
        engine=EnginePublic(
            version=provenance.engine_version,
            patterns_sha256=provenance.patterns_sha256,
            rules_sha256=provenance.rules_sha256,
            model=provenance.model,
        ),
        findings=[FindingPublic.model_validate(f) for f in findings],
    )


def _profile(
    session: Session, tenant_id: uuid.UUID, profile_id: str | None
) -> ProfileRecord | None:
    """Return the profile a scan should apply, if one was named."""
    if profile_id is None:
        return None
    return crud.get_profile(session, tenant_id=tenant_id, profile_id=profile_id)
