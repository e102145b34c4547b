"""Read and append review events; every query is scoped to one tenant.

Appending takes the document's row lock first (a no-op on SQLite, whose
writers are serialised anyway), so one reviewer's decisions from two tabs
are folded in the order they commit and each `before` is what that
decision really changed. Two reviewers never touch each other's clauses:
each only adds rows.
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Final

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from service.documents.tables import DocumentRecord
from service.problems import ProblemError
from service.reviews.decisions import Decision, change_for
from service.reviews.state import (
    Action,
    Event,
    Review,
    ReviewClause,
    ReviewState,
    advance,
    base_scan,
    extracted_clauses,
    fold,
)
from service.reviews.tables import ReviewEventRecord
from service.scans.queries import latest_scan_id
from service.scans.tables import ScanRecord, ScanStatus


def to_event(record: ReviewEventRecord) -> Event:
    """Return a stored row as the fold's `Event`."""
    assert record.id is not None  # stored rows have their sequence number
    return Event(
        id=record.id,
        reviewer=record.reviewer,
        action=Action(record.action),
        clause_key=record.clause_key,
        scan_id=record.scan_id,
        before=record.before,
        after=record.after,
        created_at=record.created_at,
    )


def document_events(
    session: Session, document: DocumentRecord, reviewer: str | None = None
) -> list[Event]:
    """Return the document's events, oldest first (one reviewer's, if named)."""
    query = (
        select(ReviewEventRecord)
        .where(ReviewEventRecord.tenant_id == document.tenant_id)
        .where(ReviewEventRecord.document_id == document.id)
    )
    if reviewer is not None:
        query = query.where(ReviewEventRecord.reviewer == reviewer)
    return [
        to_event(r) for r in session.exec(query.order_by(col(ReviewEventRecord.id)))
    ]


_BASES: OrderedDict[uuid.UUID, tuple[ReviewClause, ...]] = OrderedDict()
_BASES_LOCK = threading.Lock()
BASE_CACHE_SCANS: Final = 16
"""Scans whose clauses stay parsed in this process: a scan never changes, so
its clauses can be kept, and reading a big scan's stored result is most of
what a decision on a big document would otherwise cost."""


def base_clauses(
    session: Session, document: DocumentRecord, scan_id: uuid.UUID
) -> tuple[ReviewClause, ...]:
    """Return the clauses of a successful scan of `document` (404/409 if none)."""
    row = session.exec(
        select(ScanRecord.document_id, ScanRecord.status).where(
            ScanRecord.id == scan_id
        )
    ).first()
    if row is None or row[0] != document.id:
        raise ProblemError(
            404, f"scan {scan_id} of this document not found", slug="not-found"
        )
    if row[1] != ScanStatus.SUCCEEDED:
        raise _unfinished(scan_id)
    with _BASES_LOCK:
        cached = _BASES.get(scan_id)
        if cached is not None:
            _BASES.move_to_end(scan_id)
            return cached
    result = session.exec(
        select(ScanRecord.result).where(ScanRecord.id == scan_id)
    ).first()
    if result is None:
        raise _unfinished(scan_id)
    clauses = extracted_clauses(result)
    with _BASES_LOCK:
        _BASES[scan_id] = clauses
        while len(_BASES) > BASE_CACHE_SCANS:
            _BASES.popitem(last=False)
    return clauses


def _unfinished(scan_id: uuid.UUID) -> ProblemError:
    return ProblemError(
        409, f"scan {scan_id} has no result to review", slug="scan-not-finished"
    )


def build_review(
    session: Session,
    document: DocumentRecord,
    reviewer: str,
    events: Sequence[Event],
    start_scan: uuid.UUID | None = None,
) -> Review:
    """Fold `events` (one reviewer's) over the clauses of the scan they started from.

    A reviewer without events starts from `start_scan`, else the newest scan.
    """
    scan_id = base_scan(events) if events else None
    if scan_id is None and not events:
        scan_id = start_scan or latest_scan_id(session, document)
    base = base_clauses(session, document, scan_id) if scan_id is not None else ()
    return fold(reviewer, scan_id, base, events)


def review_of(session: Session, document: DocumentRecord, reviewer: str) -> Review:
    """Return one reviewer's current review of the document."""
    return build_review(
        session, document, reviewer, document_events(session, document, reviewer)
    )


def by_reviewer(events: Iterable[Event]) -> dict[str, list[Event]]:
    """Return each reviewer's events in order, reviewers by their first decision."""
    grouped: dict[str, list[Event]] = {}
    for event in events:
        grouped.setdefault(event.reviewer, []).append(event)
    return grouped


def reviews_of(session: Session, document: DocumentRecord) -> list[Review]:
    """Return every reviewer's review of the document, by first decision."""
    grouped = by_reviewer(document_events(session, document))
    return [
        build_review(session, document, name, events)
        for name, events in grouped.items()
    ]


def reviewer_summaries(session: Session, document: DocumentRecord) -> list[Review]:
    """Return where each reviewer is (state, counts), without their clauses.

    Cheap: only the events are read, so a decision's answer can list every
    reviewer of a big document without folding each review over its scan.
    """
    # five columns: more than sqlmodel's typed `select` takes
    rows = session.execute(
        sa_select(
            col(ReviewEventRecord.id),
            col(ReviewEventRecord.reviewer),
            col(ReviewEventRecord.action),
            col(ReviewEventRecord.scan_id),
            col(ReviewEventRecord.created_at),
        )
        .where(col(ReviewEventRecord.tenant_id) == document.tenant_id)
        .where(col(ReviewEventRecord.document_id) == document.id)
        .order_by(col(ReviewEventRecord.id))
    ).all()
    grouped = by_reviewer(
        Event(ident, reviewer, Action(action), None, scan_id, None, None, created_at)
        for ident, reviewer, action, scan_id, created_at in rows
    )
    return [
        fold(name, base_scan(events), (), events) for name, events in grouped.items()
    ]


def signed_off(reviews: Sequence[Review]) -> Review | None:
    """Return the review the document's labels come from: the last signed off."""
    done = [r for r in reviews if r.state is ReviewState.REVIEWED]
    return max(done, key=lambda r: (r.reviewed_at, r.reviewer), default=None)


@dataclass(frozen=True, slots=True)
class Outcome:
    """A stored decision, the clause it leaves, and where the review is now."""

    event: Event
    clause: ReviewClause | None
    review: Review
    """The review's state and counts; its `clauses` are not all read."""


def decide(
    session: Session, document: DocumentRecord, reviewer: str, decision: Decision
) -> Outcome:
    """Check and append one decision; commit; return it.

    Reads only what the decision needs (the reviewer's document-level
    state, the one clause it touches, the scan's cached clauses), so that a
    decision on a document with thousands of clauses and a long history
    costs about as much as on a small one.
    """
    _lock(session, document)
    summary = _summary(session, document, reviewer)
    scan_id = summary.scan_id if summary.events else None
    if not summary.events:
        scan_id = decision.scan_id or latest_scan_id(session, document)
    base = base_clauses(session, document, scan_id) if scan_id is not None else ()
    if decision.scan_id is not None and decision.scan_id != scan_id:
        raise ProblemError(
            409,
            f"{reviewer}'s review of this document is based on scan"
            f" {scan_id}, not {decision.scan_id}",
            slug="review-conflict",
            extra={"scan_id": str(scan_id) if scan_id else None},
        )
    _check_document_action(summary, decision.action)

    def find(key: str) -> ReviewClause | None:
        latest = _latest_state(session, document, reviewer, key)
        return latest if latest is not None else _base_clause(base, key)

    change = change_for(find, decision, document.text)
    key = change.key or (change.after.key if change.after else None)
    record = ReviewEventRecord(
        tenant_id=document.tenant_id,
        document_id=document.id,
        scan_id=scan_id,
        reviewer=reviewer,
        action=decision.action.value,
        clause_key=key,
        before=change.before.to_dict() if change.before else None,
        after=change.after.to_dict() if change.after else None,
    )
    session.add(record)
    session.commit()
    session.refresh(record)
    event = to_event(record)
    after = advance(replace(summary, scan_id=scan_id), [event])
    return Outcome(event, change.after, replace(after, clauses=()))


def _summary(session: Session, document: DocumentRecord, reviewer: str) -> Review:
    """Return the reviewer's state and counts, from the log's light columns."""
    found = [r for r in reviewer_summaries(session, document) if r.reviewer == reviewer]
    return found[0] if found else Review(reviewer, None, ())


def _latest_state(
    session: Session, document: DocumentRecord, reviewer: str, key: str
) -> ReviewClause | None:
    """Return the clause as the reviewer's last decision on it left it."""
    after = session.exec(
        select(ReviewEventRecord.after)
        .where(ReviewEventRecord.tenant_id == document.tenant_id)
        .where(ReviewEventRecord.document_id == document.id)
        .where(ReviewEventRecord.reviewer == reviewer)
        .where(ReviewEventRecord.clause_key == key)
        .order_by(col(ReviewEventRecord.id).desc())
        .limit(1)
    ).first()
    return ReviewClause.from_dict(after) if after else None


def _base_clause(base: Sequence[ReviewClause], key: str) -> ReviewClause | None:
    """Return the scan's clause `key` (`x<position>`), if there is one."""
    position = key[1:]
    if key.startswith("x") and position.isdigit() and int(position) < len(base):
        clause = base[int(position)]
        return clause if clause.key == key else None
    return None


def _check_document_action(review: Review, action: Action) -> None:
    if action is Action.MARK_REVIEWED and review.state is ReviewState.REVIEWED:
        raise ProblemError(409, "already marked reviewed", slug="review-conflict")
    if action is Action.REOPEN and review.state is not ReviewState.REVIEWED:
        raise ProblemError(409, "not marked reviewed", slug="review-conflict")


def _lock(session: Session, document: DocumentRecord) -> None:
    """Hold the document row until commit so one reviewer's decisions queue."""
    session.exec(
        select(DocumentRecord.id)
        .where(DocumentRecord.id == document.id)
        .with_for_update()
    ).first()
