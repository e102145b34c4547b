"""A reviewer's clauses: the scan's clauses with their decisions folded in.

Pure functions over plain values, so the fold is the same in the API, the
web page, the label export and the accuracy figures. An event's `after` is
the whole clause as the decision left it, so folding is replacing by key:
no event depends on reading another one correctly.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from extractors.labels import ClauseType


class Action(StrEnum):
    """What a reviewer can do: to one clause, or to the whole document."""

    ACCEPT = "accept"
    REJECT = "reject"
    RETYPE = "retype"
    MOVE = "move"
    PARAMS = "params"
    ADD = "add"
    MARK_REVIEWED = "mark_reviewed"
    REOPEN = "reopen"


DOCUMENT_ACTIONS = frozenset({Action.MARK_REVIEWED, Action.REOPEN})


class ClauseStatus(StrEnum):
    """A clause nobody decided on yet is `pending`; any edit accepts it."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class Origin(StrEnum):
    """Whether the extractor found the clause or a reviewer added it."""

    EXTRACTED = "extracted"
    ADDED = "added"


class ReviewState(StrEnum):
    """Where a reviewer is with a document."""

    UNREVIEWED = "unreviewed"
    IN_PROGRESS = "in_progress"
    REVIEWED = "reviewed"


@dataclass(frozen=True, slots=True)
class ReviewClause:
    """One clause as a reviewer sees it; `key` survives retyping and moves."""

    key: str
    type: ClauseType
    start: int
    end: int
    quote: str
    params: Mapping[str, Any] = field(default_factory=dict)
    status: ClauseStatus = ClauseStatus.PENDING
    origin: Origin = Origin.EXTRACTED
    score: float | None = None
    extractor: str | None = None

    @property
    def kept(self) -> bool:
        """Kept in the gold labels: everything the reviewer did not reject."""
        return self.status is not ClauseStatus.REJECTED

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form stored in an event's `before`/`after`."""
        return {
            "key": self.key,
            "type": self.type.value,
            "start": self.start,
            "end": self.end,
            "quote": self.quote,
            "params": dict(self.params),
            "status": self.status.value,
            "origin": self.origin.value,
            "score": self.score,
            "extractor": self.extractor,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ReviewClause:
        """Read back the JSON form of `to_dict`."""
        return cls(
            key=str(data["key"]),
            type=ClauseType(data["type"]),
            start=int(data["start"]),
            end=int(data["end"]),
            quote=str(data["quote"]),
            params=dict(data.get("params") or {}),
            status=ClauseStatus(data.get("status", ClauseStatus.PENDING)),
            origin=Origin(data.get("origin", Origin.EXTRACTED)),
            score=data.get("score"),
            extractor=data.get("extractor"),
        )


@dataclass(frozen=True, slots=True)
class Event:
    """A stored decision, as the fold reads it."""

    id: int
    reviewer: str
    action: Action
    clause_key: str | None
    scan_id: uuid.UUID | None
    before: Mapping[str, Any] | None
    after: Mapping[str, Any] | None
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Review:
    """One reviewer's view of one document."""

    reviewer: str
    scan_id: uuid.UUID | None
    clauses: tuple[ReviewClause, ...]
    events: int = 0
    reviewed_at: dt.datetime | None = None
    last_event_at: dt.datetime | None = None

    @property
    def state(self) -> ReviewState:
        """Reviewed once marked so (until reopened); in progress once begun."""
        if self.reviewed_at is not None:
            return ReviewState.REVIEWED
        return ReviewState.IN_PROGRESS if self.events else ReviewState.UNREVIEWED

    @property
    def kept(self) -> tuple[ReviewClause, ...]:
        """The clauses that become gold labels, in document order."""
        return tuple(
            sorted(
                (c for c in self.clauses if c.kept),
                key=lambda c: (c.start, c.end, c.type.value),
            )
        )

    def in_text_order(self) -> tuple[ReviewClause, ...]:
        """Return every clause by position in the text."""
        return tuple(sorted(self.clauses, key=lambda c: (c.start, c.end, c.key)))


def extracted_clauses(result: Mapping[str, Any] | None) -> tuple[ReviewClause, ...]:
    """Return a stored scan result's clauses as pending review clauses.

    The key is the clause's position in the result (`x0`, `x1`, ...): a
    scan is never changed, so the position names the same clause forever.
    """
    if not result:
        return ()
    return tuple(
        ReviewClause(
            key=f"x{i}",
            type=ClauseType(c["type"]),
            start=int(c["start"]),
            end=int(c["end"]),
            quote=str(c["quote"]),
            params=dict(c.get("params") or {}),
            score=c.get("score"),
            extractor=c.get("extractor"),
        )
        for i, c in enumerate(result.get("clauses", ()))
    )


def fold(
    reviewer: str,
    scan_id: uuid.UUID | None,
    base: Sequence[ReviewClause],
    events: Iterable[Event],
) -> Review:
    """Apply a reviewer's events, oldest first, to the clauses of their scan."""
    return advance(Review(reviewer, scan_id, tuple(base)), events)


def advance(review: Review, events: Iterable[Event]) -> Review:
    """Apply more of the reviewer's events to a review already folded."""
    clauses = {c.key: c for c in review.clauses}
    count = review.events
    for event in events:
        count += 1
        if event.action is Action.MARK_REVIEWED:
            review = replace(review, reviewed_at=event.created_at)
        elif event.action is Action.REOPEN:
            review = replace(review, reviewed_at=None)
        elif event.clause_key is not None and event.after is not None:
            clauses[event.clause_key] = ReviewClause.from_dict(event.after)
        review = replace(review, last_event_at=event.created_at)
    # dict order: the scan's clauses (in document order), then added ones;
    # `in_text_order` sorts where a reader needs it, not on every decision
    return replace(review, clauses=tuple(clauses.values()), events=count)


def base_scan(events: Iterable[Event]) -> uuid.UUID | None:
    """Return the scan a reviewer started from: that of their first event."""
    return next((e.scan_id for e in events if e.scan_id is not None), None)
