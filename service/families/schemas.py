"""Response bodies of the family, version-history and compare endpoints.

Built from the domain types of `service.families.versions`; the diff body is
`extractors.compare.VersionDiff.to_dict()` with both documents added, so
the API and `clausewise diff --format json` show a change the same way.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from service.columns import as_utc
from service.documents.tables import DocumentRecord
from service.families.versions import DocumentDiff, FamilySummary, VersionEntry


class FamilyPublic(BaseModel):
    """A license family and the number of documents filed in it."""

    name: str
    versions: int

    @classmethod
    def from_summary(cls, summary: FamilySummary) -> FamilyPublic:
        """Build the public view of a family."""
        return cls(name=summary.name, versions=summary.versions)


class FamiliesPublic(BaseModel):
    """Every family of the tenant, by name."""

    data: list[FamilyPublic]
    count: int


class VersionPublic(BaseModel):
    """One version of a family: which document, when, and its latest scan."""

    document_id: str
    version: str | None
    name: str | None
    uploaded: dt.datetime
    latest_scan_id: str | None = Field(
        description="the newest successful scan, None until one has run"
    )

    @classmethod
    def from_entry(cls, entry: VersionEntry) -> VersionPublic:
        """Build the public view of a version."""
        document = entry.document
        scan_id = entry.latest_scan_id
        return cls(
            document_id=str(document.id),
            version=document.version,
            name=document.name,
            uploaded=as_utc(document.created_at),
            latest_scan_id=None if scan_id is None else str(scan_id),
        )


class VersionsPublic(BaseModel):
    """A family's version history, oldest first (natural sort of the labels)."""

    family: str
    data: list[VersionPublic]
    count: int


class DiffSidePublic(BaseModel):
    """One of the two documents a diff compares, and the scan it used."""

    document_id: str
    name: str | None
    family: str | None
    version: str | None
    scan_id: str


class DiffPublic(BaseModel):
    """Clauses added, removed and changed, each side cited in its own document."""

    model_config = ConfigDict(extra="allow")

    old: str = Field(description="the old document, as the report names it")
    new: str
    counts: dict[str, int]
    changes: list[dict[str, Any]] = Field(
        description="kind, clause_type, param_changes, wording_changed,"
        " similarity, and old/new sides (start, end, line, page, quote, params)"
    )
    findings_added: list[dict[str, Any]]
    findings_removed: list[dict[str, Any]]
    old_document: DiffSidePublic
    new_document: DiffSidePublic

    @classmethod
    def from_diff(cls, found: DocumentDiff) -> DiffPublic:
        """Build the body of a diff response."""
        return cls(
            **found.diff.to_dict(),
            old_document=_side(found.old, str(found.old_scan_id)),
            new_document=_side(found.new, str(found.new_scan_id)),
        )


def _side(document: DocumentRecord, scan_id: str) -> DiffSidePublic:
    return DiffSidePublic(
        document_id=str(document.id),
        name=document.name,
        family=document.family,
        version=document.version,
        scan_id=scan_id,
    )
