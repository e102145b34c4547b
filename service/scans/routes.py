"""Scans: run the engine on a stored document, history, exports, evaluation.

A small document is scanned in the request (201, the result in the body). A
document whose text is over `sync_scan_max_bytes` is scanned as a `scan` job
instead (202, status `pending`): the scan row and its job commit together,
then the job runtime the batches use (threads or Celery) runs it, and the
client polls `GET /v1/scans/{id}` (the `Location`) until it has ended.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Response
from sqlmodel import Session

from extractors.result_json import as_result
from service.deps import (
    EngineDep,
    MetricsDep,
    PageDep,
    SessionDep,
    SettingsDep,
    TenantDep,
)
from service.documents import queries as document_queries
from service.exports import EXPORTERS, MEDIA_TYPES, Exporter
from service.job_runtime import JobRuntime, get_jobs
from service.jobs.store import enqueue
from service.problems import ProblemError, problem_responses
from service.profiles import queries as profile_queries
from service.profiles.tables import ProfileRecord
from service.scans import queries
from service.scans.jobs import SCAN_JOB
from service.scans.scanning import (
    evaluate_document,
    new_scan,
    scan_document,
    should_run_as_job,
)
from service.scans.schemas import (
    EnginePublic,
    EvaluationPublic,
    FindingPublic,
    ScanPublic,
    ScansPublic,
    ScanSummaryPublic,
)
from service.scans.tables import ScanStatus

router = APIRouter(tags=["scans"], responses=problem_responses(401, 404, 422, 429))


JobsDep = Annotated[JobRuntime, Depends(get_jobs)]
ScanMode = Literal["auto", "sync", "job"]

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
    responses={
        202: {
            "model": ScanPublic,
            "description": "Queued as a job (status `pending`); poll the Location",
        },
        **problem_responses(422),
    },
)
def create_scan(
    document_id: str,
    response: Response,
    session: SessionDep,
    caller: TenantDep,
    engine: EngineDep,
    metrics: MetricsDep,
    settings: SettingsDep,
    jobs: JobsDep,
    profile: Annotated[str | None, Query(description="a stored profile id")] = None,
    mode: Annotated[
        ScanMode,
        Query(
            description="`sync`: scan in the request (201); `job`: queue it (202);"
            " `auto` (default): a job when the text is over `sync_scan_max_bytes`"
        ),
    ] = "auto",
) -> ScanPublic:
    """Scan a stored document; every call adds a scan, older ones are kept.

    Small documents are scanned now: 201 with the result. Big ones (text over
    `sync_scan_max_bytes`, or `mode=job`) would hold the request too long, so
    they are queued: 202 with the scan `pending`; poll `GET /v1/scans/{id}`
    (the `Location`) until it is `succeeded` or `failed` (with its `error`).
    """
    document = document_queries.get_document(
        session, tenant_id=caller.tenant_id, document_id=document_id
    )
    options = _profile(session, caller.tenant_id, profile)
    as_job = mode == "job" or (mode == "auto" and should_run_as_job(settings, document))
    if as_job:
        scan = new_scan(engine, document, options)
        session.add(scan)
        job_id = enqueue(
            session,
            SCAN_JOB,
            {"scan_id": scan.id.hex},
            max_attempts=jobs.max_attempts,
        )
        session.commit()  # the scan and its job together, before the dispatch
        jobs.dispatch([job_id])
        session.refresh(scan)
        response.status_code = 202
    else:
        scan = scan_document(
            session, engine, document, profile=options, metrics=metrics
        )
    response.headers["Location"] = f"/v1/scans/{scan.id}"
    return ScanPublic.from_record(scan)


@router.get("/documents/{document_id}/scans", response_model=ScansPublic)
def list_scans(
    document_id: str, session: SessionDep, caller: TenantDep, page: PageDep
) -> ScansPublic:
    """List a document's scans, newest first, each with its engine version."""
    document = document_queries.get_document(
        session, tenant_id=caller.tenant_id, document_id=document_id
    )
    rows, count = queries.list_scans(
        session, tenant_id=caller.tenant_id, document_id=document.id, page=page
    )
    return ScansPublic(
        data=[ScanSummaryPublic.from_record(r) for r in rows], count=count
    )


@router.get("/scans/{scan_id}", response_model=ScanPublic)
def get_scan(scan_id: str, session: SessionDep, caller: TenantDep) -> ScanPublic:
    """Return one scan: its status, and its full result once it has succeeded."""
    scan = queries.get_scan(session, tenant_id=caller.tenant_id, scan_id=scan_id)
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
    scan = queries.get_scan(session, tenant_id=caller.tenant_id, scan_id=scan_id)
    renderer = EXPORT_FORMATS.get(format)
    if renderer is None:
        known = ", ".join(sorted(EXPORT_FORMATS))
        raise ProblemError(
            422,
            f"unknown format '{format}'; use one of: {known}",
            slug="unknown-format",
        )
    if scan.status != ScanStatus.SUCCEEDED or scan.result is None:
        raise ProblemError(409, _no_result(scan_id, scan.status), slug="no-result")
    document = document_queries.get_document(
        session, tenant_id=caller.tenant_id, document_id=str(scan.document_id)
    )
    body, media_type = renderer(
        as_result(scan.result),
        name=document.name or f"document-{document.id}",
        text=document.text,
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
    scan = queries.get_scan(session, tenant_id=caller.tenant_id, scan_id=scan_id)
    record = profile_queries.get_profile(
        session, tenant_id=caller.tenant_id, profile_id=profile
    )
    document = document_queries.get_document(
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


def _no_result(scan_id: str, status: str) -> str:
    """Say why a scan cannot be exported yet, and what the client can do."""
    if status == ScanStatus.FAILED:
        return (
            f"scan {scan_id} failed and has no result to export; its error is"
            f" in GET /v1/scans/{scan_id}; scan the document again"
        )
    return (
        f"scan {scan_id} is {status}, not succeeded yet; poll"
        f" GET /v1/scans/{scan_id} until it has succeeded, then export it"
    )


def _profile(
    session: Session, tenant_id: uuid.UUID, profile_id: str | None
) -> ProfileRecord | None:
    """Return the profile a scan should apply, if one was named."""
    if profile_id is None:
        return None
    return profile_queries.get_profile(
        session, tenant_id=tenant_id, profile_id=profile_id
    )
