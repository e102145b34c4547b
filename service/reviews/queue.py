"""The review queue: unreviewed documents, where a reviewer helps most first.

Each document gets a priority from reasons a reviewer can read (as a
recognizer explains a finding): clauses the scan was unsure of, clauses only
the model found, clause types the extractor does worst on for this tenant
(from the live accuracy figures), and new versions of families the tenant
has already reviewed (a reviewed version makes the new one quick to check
and likely to matter).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from sqlmodel import Session, col, select

from extractors.labels import ClauseType
from service.documents.tables import DocumentRecord
from service.reviews.accuracy import Accuracy
from service.reviews.archive import Reviewed
from service.reviews.store import document_events
from service.scans.queries import latest_scan

LOW_CONFIDENCE: Final = 0.6
WEAK_F1: Final = 0.8
NEW_VERSION_WEIGHT: Final = 3.0
MAX_CANDIDATES: Final = 2_000


@dataclass(frozen=True, slots=True)
class QueueItem:
    """A document to review, its priority and why."""

    document: DocumentRecord
    priority: float
    reasons: tuple[str, ...]
    in_progress: bool


def weak_types(accuracy: Accuracy) -> dict[ClauseType, float]:
    """Return the types below `WEAK_F1` for the newest engine version."""
    if not accuracy.versions:
        return {}
    report = accuracy.versions[-1].report
    return {
        t: prf.f1
        for t, prf in report.per_type.items()
        if (prf.tp + prf.fn + prf.fp) and prf.f1 < WEAK_F1
    }


def review_queue(
    session: Session,
    tenant_id: uuid.UUID,
    reviewed: Sequence[Reviewed],
    accuracy: Accuracy,
    limit: int = 50,
) -> list[QueueItem]:
    """Return the tenant's unreviewed documents, most useful first."""
    done = {r.document.id for r in reviewed}
    families: dict[str | None, str | None] = {
        r.document.family: r.document.version for r in reviewed if r.document.family
    }
    weak = weak_types(accuracy)
    documents = session.exec(
        select(DocumentRecord)
        .where(DocumentRecord.tenant_id == tenant_id)
        .order_by(col(DocumentRecord.created_at).desc())
        .limit(MAX_CANDIDATES)
    ).all()
    items = [
        _item(session, document, families, weak)
        for document in documents
        if document.id not in done
    ]
    items.sort(key=lambda i: (-i.priority, -i.document.created_at.timestamp()))
    return items[:limit]


def _item(
    session: Session,
    document: DocumentRecord,
    families: Mapping[str | None, str | None],
    weak: Mapping[ClauseType, float],
) -> QueueItem:
    priority, reasons = 0.0, []
    scan = latest_scan(session, document)
    clauses: list[Mapping[str, Any]] = (
        list((scan.result or {}).get("clauses", ())) if scan else []
    )
    if scan is None:
        reasons.append("not scanned yet: scan it to review its clauses")
    unsure = [c for c in clauses if float(c.get("score") or 0) < LOW_CONFIDENCE]
    if unsure:
        priority += len(unsure)
        reasons.append(f"{len(unsure)} low-confidence clause(s)")
    model_only = [c for c in clauses if c.get("extractor") not in (None, "patterns")]
    if model_only:
        priority += len(model_only)
        reasons.append(f"{len(model_only)} clause(s) only the model found")
    for ctype in sorted({ClauseType(c["type"]) for c in clauses} & set(weak)):
        priority += 2 * (1 - weak[ctype])
        reasons.append(
            f"{ctype.value}: the extractor's F1 on your reviewed documents is"
            f" {weak[ctype]:.2f}"
        )
    if document.family in families:
        priority += NEW_VERSION_WEIGHT
        reasons.append(
            f"new version of {document.family}, which you reviewed"
            f" (version {families[document.family] or 'unversioned'})"
        )
    begun = bool(document_events(session, document))
    if begun:
        reasons.append("a review has begun")
    return QueueItem(document, priority, tuple(reasons), begun)
