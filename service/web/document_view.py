"""What the document page shows: highlighted text, findings by severity.

The findings are the stored scan's, or, with a profile chosen, those of the
API's evaluation (`service.scanning.evaluate_document`): the same offsets,
with verdicts for that organisation. Nothing is stored by looking.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from sqlmodel import Session

from extractors.engine import ClauseEngine
from service import crud
from service.crud import Page
from service.documents import PDF_TYPE
from service.scanning import evaluate_document
from service.tables import DocumentRecord, ProfileRecord, ScanRecord
from service.web.highlight import citation_ranges, clause_spans, render_text
from service.web.vocabulary import SEVERITIES, type_style


def document_context(
    session: Session,
    engine: ClauseEngine,
    tenant_id: uuid.UUID,
    record: DocumentRecord,
    scan: ScanRecord,
    profile_id: str | None,
) -> dict[str, Any]:
    """Return the template context of the document page."""
    result: Mapping[str, Any] = scan.result or {"clauses": [], "findings": []}
    profiles, _ = crud.list_profiles(
        session, tenant_id=tenant_id, page=Page(limit=500, offset=0)
    )
    chosen: ProfileRecord | None = None
    findings: Sequence[Mapping[str, Any]] = result["findings"]
    if profile_id is not None:
        chosen = crud.get_profile(session, tenant_id=tenant_id, profile_id=profile_id)
        findings = evaluate_document(engine, record, chosen)
    clauses = result["clauses"]
    spans = clause_spans(clauses)
    present = sorted({s.clause_type for s in spans})
    return {
        "document": record,
        "scan": scan,
        "text_html": render_text(record.text, spans, citation_ranges(findings)),
        "legend": [type_style(t) for t in present],
        "clause_count": len(clauses),
        "groups": group_by_severity(findings),
        "finding_count": len(findings),
        "is_pdf": record.media_type == PDF_TYPE,
        "profiles": profiles,
        "profile": chosen,
    }


def group_by_severity(
    findings: Sequence[Mapping[str, Any]],
) -> list[tuple[str, list[Mapping[str, Any]]]]:
    """Return (severity, findings) pairs, most severe first, empty ones left out."""
    groups: dict[str, list[Mapping[str, Any]]] = {s: [] for s in SEVERITIES}
    for finding in findings:
        groups.setdefault(str(finding["severity"]), []).append(finding)
    return [(severity, items) for severity, items in groups.items() if items]
