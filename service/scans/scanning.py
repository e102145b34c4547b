"""Scan a stored document and persist the result: the seam for scan jobs.

`scan_document` runs a scan in the request (small documents, the web
pages). Big documents are scanned as a `scan` job: the route commits a
`pending` row from `new_scan` together with the job, and
`service.scans.jobs.ScanJob` (the handler both job runners call) moves it to
`running` and then `run_scan` stores the result, or `mark_failed` records
why it could not.
`should_run_as_job` says which documents are big enough to be worth a job
(`sync_scan_max_bytes`). Scans are never overwritten: every run is a new
`ScanRecord` stamped with the engine and data versions that produced it.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import inspect, update
from sqlmodel import Session, col

from extractors.output import result_to_dict
from extractors.parse import line_starts, page_starts
from extractors.result_json import FindingJSON, as_record
from extractors.risk import OrgProfile, profile_from_mapping
from extractors.types import Document, MediaType
from service.analysis_pool import Analyzer
from service.documents.tables import DocumentRecord
from service.metrics import Metrics
from service.profiles.tables import ProfileRecord
from service.scans.queries import latest_scan
from service.scans.tables import ClauseRecord, FindingRecord, ScanRecord, ScanStatus
from service.settings import Settings

_MEDIA_TYPES: dict[str, MediaType] = {
    "text/plain": "text/plain",
    "text/markdown": "text/markdown",
    "application/pdf": "application/pdf",
}


def should_run_as_job(settings: Settings, document: DocumentRecord) -> bool:
    """Return True when the document is too big to scan within a request.

    The extracted text is what the engine works through, so its UTF-8 size is
    measured rather than the upload's (a PDF's bytes are mostly not text).
    """
    return len(document.text.encode("utf-8")) > settings.limits.sync_scan_max_bytes


def document_from_record(record: DocumentRecord) -> Document:
    """Rebuild the engine's `Document` from the stored text and page index."""
    text = record.text
    return Document(
        id=record.sha256,
        text=text,
        media_type=_MEDIA_TYPES[record.media_type],
        source=record.name,
        metadata=dict(record.front_matter),
        line_starts=line_starts(text),
        page_starts=tuple(record.page_starts) or page_starts(text),
    )


def org_profile(record: ProfileRecord) -> OrgProfile:
    """Return the stored profile as the engine's `OrgProfile`."""
    return profile_from_mapping(record.profile, source=f"profile '{record.name}'")


def new_scan(
    engine: Analyzer, document: DocumentRecord, profile: ProfileRecord | None
) -> ScanRecord:
    """Return a pending scan of `document` (not added to any session)."""
    provenance = engine.provenance
    return ScanRecord(
        tenant_id=document.tenant_id,
        document_id=document.id,
        profile_id=profile.id if profile else None,
        status=ScanStatus.PENDING,
        engine_version=provenance.engine_version,
        patterns_sha256=provenance.patterns_sha256,
        rules_sha256=provenance.rules_sha256,
        model=provenance.model,
    )


def run_scan(
    session: Session,
    engine: Analyzer,
    scan: ScanRecord,
    *,
    document: DocumentRecord,
    profile: ProfileRecord | None = None,
    metrics: Metrics | None = None,
) -> ScanRecord:
    """Analyse the document of `scan`, store result and rows, commit.

    A stored scan (a job's) is finished only if it has not succeeded yet,
    under a guarded UPDATE that holds the row until the commit: two runs of
    one job (a lease taken over, a redelivery) then store one set of rows,
    and the later run returns the scan as the first one left it.
    """
    started = time.perf_counter()
    options = org_profile(profile) if profile else None
    result = engine.analyze(document_from_record(document), profile=options)
    data = result_to_dict(result, name=document.name)
    if inspect(scan).has_identity and not claim_scan(
        session, scan.id, ScanStatus.SUCCEEDED
    ):
        session.rollback()
        session.refresh(scan)
        return scan
    provenance = engine.provenance  # the engine that ran it (a worker's, maybe)
    scan.engine_version = provenance.engine_version
    scan.patterns_sha256 = provenance.patterns_sha256
    scan.rules_sha256 = provenance.rules_sha256
    scan.model = provenance.model
    scan.result = as_record(data)
    scan.status = ScanStatus.SUCCEEDED
    scan.duration_ms = round((time.perf_counter() - started) * 1000, 3)
    session.add(scan)
    session.flush()  # the scan row first: clause and finding rows refer to it
    session.add_all(_rows(scan, data))
    session.commit()
    session.refresh(scan)
    elapsed = time.perf_counter() - started
    if metrics is not None:
        metrics.scan_seconds.observe(elapsed)
        metrics.scans_total.labels(status=ScanStatus.SUCCEEDED).inc()
    return scan


def mark_failed(
    session: Session, scan: ScanRecord, error: str, metrics: Metrics | None = None
) -> None:
    """Record that a scan could not run (for job runners); commit.

    A scan that succeeded meanwhile (another run of its job) is left as it is.
    """
    changed = session.execute(
        update(ScanRecord)
        .where(
            col(ScanRecord.id) == scan.id,
            col(ScanRecord.status) != ScanStatus.SUCCEEDED,
        )
        .values(status=ScanStatus.FAILED, error=error)
    )
    session.commit()
    session.refresh(scan)
    if metrics is not None and _rowcount(changed):
        metrics.scans_total.labels(status=ScanStatus.FAILED).inc()


def scan_document(
    session: Session,
    engine: Analyzer,
    document: DocumentRecord,
    *,
    profile: ProfileRecord | None = None,
    metrics: Metrics | None = None,
) -> ScanRecord:
    """Scan a stored document now and persist a new scan with its rows."""
    scan = new_scan(engine, document, profile)
    return run_scan(
        session, engine, scan, document=document, profile=profile, metrics=metrics
    )


def evaluate_document(
    engine: Analyzer, document: DocumentRecord, profile: ProfileRecord
) -> list[FindingJSON]:
    """Return the findings with verdicts for a profile; nothing is stored."""
    result = engine.analyze(
        document_from_record(document), profile=org_profile(profile)
    )
    return result_to_dict(result)["findings"]


def _rows(
    scan: ScanRecord, data: Mapping[str, Any]
) -> list[ClauseRecord | FindingRecord]:
    """Turn the result's clauses and findings into queryable rows."""
    rows: list[ClauseRecord | FindingRecord] = [
        ClauseRecord(
            tenant_id=scan.tenant_id,
            scan_id=scan.id,
            clause_type=c["type"],
            start=c["start"],
            end=c["end"],
            line=c["line"],
            page=c["page"],
            score=c["score"],
        )
        for c in data["clauses"]
    ]
    for f in data["findings"]:
        first: Mapping[str, Any] = f["citations"][0] if f["citations"] else {}
        rows.append(
            FindingRecord(
                tenant_id=scan.tenant_id,
                scan_id=scan.id,
                rule_id=f["rule_id"],
                category=f["category"],
                severity=f["severity"],
                verdict=f.get("verdict"),
                start=first.get("start"),
                end=first.get("end"),
                line=first.get("line"),
                page=first.get("page"),
            )
        )
    return rows


def claim_scan(session: Session, scan_id: uuid.UUID, status: ScanStatus) -> bool:
    """Move a scan that has not ended to `status` (no commit); False if it ended.

    The UPDATE is the guard: it holds the row (PostgreSQL) or the database
    (SQLite) until the transaction ends, so a concurrent run waits, then
    finds the scan ended and changes nothing.
    """
    changed = session.execute(
        update(ScanRecord)
        .where(
            col(ScanRecord.id) == scan_id,
            col(ScanRecord.status).in_((ScanStatus.PENDING, ScanStatus.RUNNING)),
        )
        .values(status=status)
    )
    return _rowcount(changed) == 1


def _rowcount(result: Any) -> int:
    """Return the rows an UPDATE changed (typed loosely by SQLAlchemy)."""
    return int(result.rowcount)


def ensure_scan(
    session: Session,
    engine: Analyzer,
    document: DocumentRecord,
    *,
    metrics: Metrics | None = None,
) -> ScanRecord:
    """Return the document's latest successful scan, running one if it has none."""
    scan = latest_scan(session, document)
    if scan is not None:
        return scan
    return scan_document(session, engine, document, metrics=metrics)
