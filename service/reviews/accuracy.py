"""Live accuracy: each engine version's scans scored against reviewed labels.

The gold is each signed-off document's review; the predictions are the
newest successful scan of that document by each engine version (engine
version, and the model stage if one ran). The scoring is `clausewise
eval`'s own (`eval.evaluate.score_document` and `add_up`), so the figures
here are the ones `clausewise eval` prints on the exported archive when the
same engine scans it.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from sqlmodel import Session, col, select

from eval.corpus import GoldSpan
from eval.evaluate import EvalReport, add_up, score_document
from eval.scorer import PredictedSpan
from extractors.labels import ClauseType
from service.reviews.archive import Reviewed, archive_names, reviewed_documents
from service.scans.tables import ScanRecord, ScanStatus


@dataclass(frozen=True, slots=True)
class VersionScore:
    """One engine version's figures, and which document each name is."""

    engine: str
    first_scan_at: str
    report: EvalReport
    documents: Mapping[str, uuid.UUID]


@dataclass(frozen=True, slots=True)
class Accuracy:
    """Every engine version that scanned a reviewed document, oldest first."""

    reviewed: int
    versions: tuple[VersionScore, ...]


def engine_label(scan: ScanRecord) -> str:
    """Name what produced a scan: engine version, plus the model stage if any."""
    return scan.engine_version + (f" + {scan.model}" if scan.model else "")


def tenant_accuracy(session: Session, tenant_id: uuid.UUID) -> Accuracy:
    """Score every engine version on the tenant's reviewed documents."""
    items = reviewed_documents(session, tenant_id)
    names = archive_names(items)
    per_engine: dict[str, list[tuple[str, Reviewed, ScanRecord]]] = defaultdict(list)
    first: dict[str, str] = {}
    for item, name in zip(items, names, strict=True):
        for label, scan in _newest_by_engine(session, item).items():
            per_engine[label].append((name, item, scan))
            stamp = scan.created_at.isoformat()
            first[label] = min(first.get(label, stamp), stamp)
    versions = [
        VersionScore(
            engine=label,
            first_scan_at=first[label],
            report=add_up([_score(name, item, scan) for name, item, scan in rows]),
            documents={name: item.document.id for name, item, _ in rows},
        )
        for label, rows in per_engine.items()
    ]
    versions.sort(key=lambda v: (v.first_scan_at, v.engine))
    return Accuracy(len(items), tuple(versions))


def _newest_by_engine(session: Session, item: Reviewed) -> dict[str, ScanRecord]:
    scans = session.exec(
        select(ScanRecord)
        .where(ScanRecord.tenant_id == item.document.tenant_id)
        .where(ScanRecord.document_id == item.document.id)
        .where(ScanRecord.status == ScanStatus.SUCCEEDED)
        .order_by(col(ScanRecord.created_at).desc(), col(ScanRecord.id).desc())
    ).all()
    newest: dict[str, ScanRecord] = {}
    for scan in scans:
        if scan.result is not None:
            newest.setdefault(engine_label(scan), scan)
    return newest


def _score(name: str, item: Reviewed, scan: ScanRecord) -> EvalReport:
    gold = [
        GoldSpan(c.type, c.start, c.end, c.quote, dict(c.params))
        for c in item.review.kept
    ]
    result = scan.result or {}
    predicted = [
        PredictedSpan(
            ClauseType(c["type"]),
            int(c["start"]),
            int(c["end"]),
            str(c["quote"]),
            dict(c.get("params") or {}),
        )
        for c in result.get("clauses", ())
    ]
    return score_document(name, item.document.text, gold, predicted)


def figures(report: EvalReport) -> dict[str, object]:
    """Return the report's counts and ratios as `clausewise eval --out` writes them."""
    data = report.to_dict()
    return {k: data[k] for k in ("micro", "per_type", "doc_level", "params")}
