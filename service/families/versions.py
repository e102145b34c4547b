"""License families: version histories and clause-level diffs between documents.

A document joins a family through the `family` and `version` labels given at
upload (or set later with `PATCH /v1/documents/{id}`); a version label names
one document of its family (`service.documents.labels`). Versions are ordered
by a *natural sort* of their labels: digit runs compare as numbers and letter
runs as lower-case words, everything else (dots, dashes, spaces) only
separates them, so "3" < "3.1" < "3.2" < "10" and "v2" < "v10". A label
that extends another sorts after it ("3.1" < "3.1-rc1").
Documents with no version label come first; equal labels are ordered by
upload time, then id, so the order is total and stable.

A diff compares the latest successful scans of two documents; a document
that has none is scanned on demand (synchronously), since a diff is only
as good as the analyses on both sides.
"""

from __future__ import annotations

import dataclasses
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, func, select

from extractors.compare import VersionDiff, compare_results
from extractors.result_json import as_result
from service.analysis_pool import Analyzer
from service.documents.tables import DocumentRecord
from service.metrics import Metrics
from service.problems import ProblemError
from service.scans.queries import latest_scan_id
from service.scans.scanning import ensure_scan

_TOKEN = re.compile(r"\d+|[^\W\d_]+")
VersionKey = tuple[tuple[int, int, str], ...]


def natural_key(label: str | None) -> VersionKey:
    """Return the sort key of a version label (see the module docstring)."""
    if label is None:
        return ()
    return tuple(
        (0, int(token), "") if token.isdigit() else (1, 0, token)
        for token in _TOKEN.findall(label.casefold())
    )


@dataclass(frozen=True, slots=True)
class FamilySummary:
    """A family name and how many documents carry it."""

    name: str
    versions: int


@dataclass(frozen=True, slots=True)
class VersionEntry:
    """One document of a family, with its latest successful scan if any."""

    document: DocumentRecord
    latest_scan_id: uuid.UUID | None


@dataclass(frozen=True, slots=True)
class DocumentDiff:
    """A clause-level diff and the two documents and scans it compares."""

    diff: VersionDiff
    old: DocumentRecord
    new: DocumentRecord
    old_scan_id: uuid.UUID
    new_scan_id: uuid.UUID


def list_families(session: Session, tenant_id: uuid.UUID) -> list[FamilySummary]:
    """Return the tenant's families by name, each with its document count."""
    query = (
        select(DocumentRecord.family, func.count())
        .where(DocumentRecord.tenant_id == tenant_id)
        .where(col(DocumentRecord.family).is_not(None))
        .group_by(DocumentRecord.family)
        .order_by(DocumentRecord.family)
    )
    return [FamilySummary(str(name), int(n)) for name, n in session.exec(query)]


def version_history(
    session: Session, tenant_id: uuid.UUID, family: str
) -> list[VersionEntry]:
    """Return a family's documents, oldest version first; 404 for an unknown one."""
    documents = session.exec(
        select(DocumentRecord)
        .where(DocumentRecord.tenant_id == tenant_id)
        .where(DocumentRecord.family == family)
    ).all()
    if not documents:
        raise ProblemError(404, f"no family named '{family}'", slug="not-found")
    ordered = sorted(documents, key=_order)
    return [VersionEntry(d, latest_scan_id(session, d)) for d in ordered]


def _order(document: DocumentRecord) -> tuple[VersionKey, str, str]:
    """Sort by natural version, then upload time, then id (a total order)."""
    return (
        natural_key(document.version),
        document.created_at.isoformat(),
        str(document.id),
    )


def pick_pair(
    history: Sequence[VersionEntry], old: str | None, new: str | None
) -> tuple[DocumentRecord, DocumentRecord]:
    """Return the documents labelled `old` and `new`; defaults: previous -> latest.

    Labels are unique within a family (revision 0003); were one still shared,
    it would name the latest uploaded of its documents.
    """
    new_index = len(history) - 1 if new is None else _index_of(history, new)
    if old is not None:
        return history[_index_of(history, old)].document, history[new_index].document
    if new_index == 0:
        family = history[0].document.family
        raise ProblemError(
            404,
            f"version {_label(history[0].document)} is the first of family"
            f" '{family}'; there is no previous version to compare with",
            slug="no-previous-version",
        )
    return history[new_index - 1].document, history[new_index].document


def _index_of(history: Sequence[VersionEntry], label: str) -> int:
    """Return the position of the last document labelled `label`, or 422."""
    found = [i for i, e in enumerate(history) if e.document.version == label]
    if not found:
        family = history[0].document.family
        known = ", ".join(
            sorted({_label(e.document) for e in history}, key=natural_key)
        )
        raise ProblemError(
            422,
            f"family '{family}' has no version '{label}'; its versions: {known}",
            slug="unknown-version",
        )
    return found[-1]


def previous_version(
    session: Session, tenant_id: uuid.UUID, document: DocumentRecord
) -> DocumentRecord:
    """Return the version of the document's family just before it, or 404."""
    if document.family is None:
        raise ProblemError(
            404,
            f"document {document.id} belongs to no family; upload it with"
            " `family` and `version` to diff it against a previous version",
            slug="no-previous-version",
        )
    history = version_history(session, tenant_id, document.family)
    index = next(i for i, e in enumerate(history) if e.document.id == document.id)
    if index == 0:
        raise ProblemError(
            404,
            f"document {document.id} is the first version of family"
            f" '{document.family}'; there is no previous version",
            slug="no-previous-version",
        )
    return history[index - 1].document


def diff_documents(
    session: Session,
    engine: Analyzer,
    old: DocumentRecord,
    new: DocumentRecord,
    *,
    metrics: Metrics | None = None,
) -> DocumentDiff:
    """Diff the latest scans of two documents, scanning either on demand."""
    old_scan = ensure_scan(session, engine, old, metrics=metrics)
    new_scan = ensure_scan(session, engine, new, metrics=metrics)
    assert old_scan.result is not None and new_scan.result is not None
    diff = compare_results(
        as_result(old_scan.result),
        as_result(new_scan.result),
        old_text=old.text,
        new_text=new.text,
    )
    named = dataclasses.replace(diff, old_name=_title(old), new_name=_title(new))
    return DocumentDiff(named, old, new, old_scan.id, new_scan.id)


def _label(document: DocumentRecord) -> str:
    return document.version or "(unversioned)"


def _title(document: DocumentRecord) -> str:
    """Name a diff side for people: file name, then family and version."""
    name = document.name or f"document {document.id}"
    if document.version is not None:
        return f"{name} ({document.family} {document.version})"
    return name
