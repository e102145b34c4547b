"""What the document page shows: highlighted text, findings by severity.

The text is highlighted with the clauses of the review the page shows
(`service.web.review_view`), which are the scan's until a reviewer decides.
The findings are the document's latest successful scan's, or, with a profile
chosen, the same clauses judged for that organisation
(`service.web.verdicts`). Nothing is stored by looking: a
document with no successful scan is shown as plain text with a "Scan"
button (a POST), never scanned because someone opened its page.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from sqlmodel import Session, col, select

from service.analysis_pool import Analyzer
from service.documents.store import PDF_TYPE
from service.documents.tables import DocumentRecord
from service.profiles.queries import get_profile, list_profiles
from service.profiles.tables import ProfileRecord
from service.queries import Page
from service.reviews.state import ReviewClause
from service.scans.queries import latest_scan
from service.scans.tables import ScanRecord
from service.web.highlight import citation_ranges, render_text
from service.web.review_view import review_spans
from service.web.verdicts import judged_findings
from service.web.vocabulary import SEVERITIES, type_style


def document_context(
    session: Session,
    engine: Analyzer,
    tenant_id: uuid.UUID,
    record: DocumentRecord,
    profile_id: str | None,
    clauses: Sequence[ReviewClause],
) -> dict[str, Any]:
    """Return the template context of the document page (reads only).

    The text is highlighted with `clauses`, the review's (which start as the
    scan's); the findings are those of the latest scan.
    """
    scan = latest_scan(session, record)
    profiles, _ = list_profiles(
        session, tenant_id=tenant_id, page=Page(limit=500, offset=0)
    )
    chosen: ProfileRecord | None = None
    if profile_id is not None:
        chosen = get_profile(session, tenant_id=tenant_id, profile_id=profile_id)
    result: Mapping[str, Any] = {"clauses": [], "findings": []}
    if scan is not None and scan.result is not None:
        result = scan.result
    findings: Sequence[Mapping[str, Any]] = result["findings"]
    if scan is not None and chosen is not None:
        findings = judged_findings(engine, record, scan, chosen)
    spans = review_spans(clauses)
    present = sorted({c.type.value for c in clauses if c.kept})
    return {
        "document": record,
        "scan": scan,
        "attempt": None if scan is not None else latest_attempt(session, record),
        "text_html": render_text(record.text, spans, citation_ranges(findings)),
        "legend": [type_style(t) for t in present],
        "clause_count": len(result["clauses"]),
        "groups": group_by_severity(findings),
        "finding_count": len(findings),
        "is_pdf": record.media_type == PDF_TYPE,
        "profiles": profiles,
        "profile": chosen,
    }


def latest_attempt(session: Session, document: DocumentRecord) -> ScanRecord | None:
    """Return the document's newest scan whatever its status (queued, failed)."""
    return session.exec(
        select(ScanRecord)
        .where(ScanRecord.tenant_id == document.tenant_id)
        .where(ScanRecord.document_id == document.id)
        .order_by(col(ScanRecord.created_at).desc(), col(ScanRecord.id).desc())
    ).first()


def group_by_severity(
    findings: Sequence[Mapping[str, Any]],
) -> list[tuple[str, list[Mapping[str, Any]]]]:
    """Return (severity, findings) pairs, most severe first, empty ones left out."""
    groups: dict[str, list[Mapping[str, Any]]] = {s: [] for s in SEVERITIES}
    for finding in findings:
        groups.setdefault(str(finding["severity"]), []).append(finding)
    return [(severity, items) for severity, items in groups.items() if items]
