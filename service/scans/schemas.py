"""Scan response bodies: a scan's summary, its full result, an evaluation.

The result inside a scan is `service.result_contract.ScanResult`, the one
contract `clausewise scan --format json` prints too.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import (
    BaseModel,
)

from service.columns import as_utc
from service.result_contract import Finding, ScanResult
from service.scans.tables import ScanRecord


class ResultEnginePublic(BaseModel):
    """The engine and data versions, as recorded inside a result."""

    version: str
    patterns_sha256: str
    rules_sha256: str


class EnginePublic(ResultEnginePublic):
    """The engine and data versions that produced a scan, and the model if any."""

    model: str | None


ScanResultPublic = ScanResult
"""The analysis, as `clausewise scan --format json` prints it: the one contract."""


FindingPublic = Finding


class ScanSummaryPublic(BaseModel):
    """A scan without its result: what history listings show."""

    id: str
    document_id: str
    profile_id: str | None
    status: str
    engine: EnginePublic
    clause_count: int
    finding_count: int
    duration_ms: float | None
    created_at: dt.datetime

    @classmethod
    def from_record(cls, record: ScanRecord) -> ScanSummaryPublic:
        """Build the summary of a stored scan."""
        return cls(**_scan_fields(record))


class ScanPublic(ScanSummaryPublic):
    """A scan with its full result (None until a queued scan has run)."""

    error: str | None
    result: ScanResultPublic | None

    @classmethod
    def from_record(cls, record: ScanRecord) -> ScanPublic:
        """Build the full view of a stored scan."""
        result = (
            ScanResultPublic.model_validate(record.result) if record.result else None
        )
        return cls(**_scan_fields(record), error=record.error, result=result)


def _scan_fields(record: ScanRecord) -> dict[str, Any]:
    result = record.result or {}
    return {
        "id": str(record.id),
        "document_id": str(record.document_id),
        "profile_id": str(record.profile_id) if record.profile_id else None,
        "status": record.status,
        "engine": EnginePublic(
            version=record.engine_version,
            patterns_sha256=record.patterns_sha256,
            rules_sha256=record.rules_sha256,
            model=record.model,
        ),
        "clause_count": len(result.get("clauses", ())),
        "finding_count": len(result.get("findings", ())),
        "duration_ms": record.duration_ms,
        "created_at": as_utc(record.created_at),
    }


class ScansPublic(BaseModel):
    """One page of scans, newest first, and the total."""

    data: list[ScanSummaryPublic]
    count: int


class EvaluationPublic(BaseModel):
    """Findings of a stored scan's document re-assessed with a profile."""

    scan_id: str
    profile_id: str
    profile_name: str
    engine: EnginePublic
    findings: list[FindingPublic]
