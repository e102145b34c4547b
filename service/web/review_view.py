"""What the review part of the document page shows, and to whom.

A key with a reviewer name reviews: the page shows that reviewer's clauses
(the fold of their events over the scan they started from) and the page
script sends their decisions. A key without one sees the review read-only:
the clauses of the review signed off last, else of the latest reviewer to
act, else the scan's clauses as nobody has touched them yet.

The script needs the stored text (to snap a boundary to a word and show the
quote as it will be saved), the clauses, and each type's parameter schema
(the same pydantic models that validate a decision, so form and check cannot
drift); they travel in one JSON block of the page, never as inline script.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from jinja2.utils import htmlsafe_json_dumps
from sqlmodel import Session

from service.auth.keys import Caller
from service.documents.tables import DocumentRecord
from service.reviews.agreement import agreements
from service.reviews.params import param_schemas
from service.reviews.state import (
    Action,
    ClauseStatus,
    Event,
    Origin,
    Review,
    ReviewClause,
)
from service.reviews.store import (
    build_review,
    document_events,
    review_of,
    reviews_of,
    signed_off,
)
from service.web.highlight import Span
from service.web.vocabulary import TYPE_STYLES, clause_label


@dataclass(frozen=True, slots=True)
class HistoryLine:
    """One event as the history list shows it: who, when, what, from and to."""

    reviewer: str
    when: dt.datetime
    action: str
    clause: str | None
    before: str
    after: str


def shown_review(
    session: Session, document: DocumentRecord, caller: Caller
) -> tuple[Review, list[Review]]:
    """Return the review the page shows and every reviewer's review."""
    everyone = reviews_of(session, document)
    if caller.reviewer is not None:
        mine = next((r for r in everyone if r.reviewer == caller.reviewer), None)
        return mine or review_of(session, document, caller.reviewer), everyone
    acted = [r for r in everyone if r.last_event_at is not None]
    latest = max(acted, key=lambda r: (r.last_event_at, r.reviewer), default=None)
    chosen = signed_off(everyone) or latest
    if chosen is None:
        chosen = build_review(session, document, "", [])
    return chosen, everyone


def review_spans(clauses: Sequence[ReviewClause]) -> list[Span]:
    """Return a review's clauses as highlight spans (rejected ones included)."""
    spans = [
        Span(c.type.value, c.start, c.end, c.score, key=c.key, status=c.status.value)
        for c in clauses
    ]
    return sorted(spans, key=lambda s: (s.start, s.end, s.clause_type))


def review_context(
    session: Session, document: DocumentRecord, caller: Caller
) -> dict[str, Any]:
    """Return the template context of the review panel (reads only)."""
    review, everyone = shown_review(session, document, caller)
    clauses = review.in_text_order()
    events = document_events(session, document)
    data = {
        "document_id": str(document.id),
        "scan_id": str(review.scan_id) if review.scan_id else None,
        "reviewer": caller.reviewer,
        "read_only": caller.reviewer is None,
        "state": review.state.value,
        "text": document.text,
        "clauses": [c.to_dict() for c in clauses],
        "types": [{"value": t.value, "label": t.label} for t in TYPE_STYLES],
        "schemas": param_schemas(),
    }
    return {
        "review": review,
        "clauses": clauses,
        "counts": status_counts(clauses),
        "reviewers": everyone,
        "agreements": agreements(everyone),
        "read_only": caller.reviewer is None,
        "history": [history_line(e) for e in reversed(events)],
        # not the `tojson` filter: it sorts keys, and the form lists a
        # schema's properties in their order (metric before value)
        "review_json": htmlsafe_json_dumps(data, dumps=json.dumps),
        "type_styles": TYPE_STYLES,
    }


def status_counts(clauses: Sequence[ReviewClause]) -> dict[str, int]:
    """Count the clauses by status, and the accepted ones a reviewer added."""
    counts = {s.value: 0 for s in ClauseStatus}
    for clause in clauses:
        counts[clause.status.value] += 1
    counts["added"] = sum(
        c.origin is Origin.ADDED and c.status is ClauseStatus.ACCEPTED for c in clauses
    )
    return counts


def history_line(event: Event) -> HistoryLine:
    """Describe one event: the clause as it was and as the decision left it."""
    before, after = event.before, event.after
    match event.action:
        case Action.MARK_REVIEWED:
            was, now = "in progress", "reviewed"
        case Action.REOPEN:
            was, now = "reviewed", "in progress"
        case Action.ADD:
            was, now = "(none)", _clause_summary(after)
        case Action.MOVE:
            was, now = _span_summary(before), _span_summary(after)
        case Action.RETYPE:
            was, now = _type_summary(before), _type_summary(after)
        case Action.PARAMS:
            was, now = _params_summary(before), _params_summary(after)
        case _:
            was, now = _status(before), _status(after)
    return HistoryLine(
        event.reviewer, event.created_at, event.action.value, event.clause_key, was, now
    )


def _status(clause: Mapping[str, Any] | None) -> str:
    return str(clause["status"]) if clause else "(none)"


def _quote(clause: Mapping[str, Any]) -> str:
    quote = " ".join(str(clause["quote"]).split())
    return quote if len(quote) <= 80 else quote[:38] + " … " + quote[-38:]


def _span_summary(clause: Mapping[str, Any] | None) -> str:
    if not clause:
        return "(none)"
    return f"[{clause['start']}, {clause['end']}) “{_quote(clause)}”"


def _params_summary(clause: Mapping[str, Any] | None) -> str:
    if not clause:
        return "(none)"
    return json.dumps(clause.get("params") or {}, ensure_ascii=False, sort_keys=True)


def _type_summary(clause: Mapping[str, Any] | None) -> str:
    if not clause:
        return "(none)"
    return f"{clause_label(str(clause['type']))} {_params_summary(clause)}"


def _clause_summary(clause: Mapping[str, Any] | None) -> str:
    if not clause:
        return "(none)"
    return f"{clause_label(str(clause['type']))} {_span_summary(clause)}"
