"""The review API's request and response models (pydantic, at the edge only)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from extractors.labels import ClauseType
from service.reviews.state import Action, Event, Review, ReviewClause


class ReviewEventCreate(BaseModel):
    """One decision, with the members its action needs.

    `clause` names the clause (not for `add`, `mark_reviewed`, `reopen`);
    `type` for retype and add; `start`/`end` (and `quote`, checked if sent)
    for move and add; `params` for params, and optionally retype and add.
    """

    model_config = ConfigDict(extra="forbid")

    action: Action
    scan_id: uuid.UUID | None = Field(
        default=None, description="the scan the reviewer sees; checked if sent"
    )
    clause: str | None = Field(default=None, max_length=40)
    type: ClauseType | None = None
    start: int | None = Field(default=None, ge=0)
    end: int | None = Field(default=None, ge=0)
    quote: str | None = None
    params: dict[str, Any] | None = None


class ReviewClausePublic(BaseModel):
    """A clause as one reviewer left it (`key` names it in decisions)."""

    key: str
    type: ClauseType
    start: int
    end: int
    quote: str
    params: dict[str, Any]
    status: str
    origin: str
    score: float | None
    extractor: str | None

    @classmethod
    def of(cls, clause: ReviewClause) -> ReviewClausePublic:
        """Return the public form of a review clause."""
        return cls.model_validate(clause.to_dict())


class ReviewerSummary(BaseModel):
    """Where one reviewer is with a document."""

    reviewer: str
    state: str
    events: int
    reviewed_at: dt.datetime | None
    last_event_at: dt.datetime | None

    @classmethod
    def of(cls, review: Review) -> ReviewerSummary:
        """Return the summary of a review."""
        return cls(
            reviewer=review.reviewer,
            state=review.state.value,
            events=review.events,
            reviewed_at=review.reviewed_at,
            last_event_at=review.last_event_at,
        )


class ReviewPublic(ReviewerSummary):
    """One reviewer's review: the scan it started from and every clause."""

    document_id: uuid.UUID
    scan_id: uuid.UUID | None
    clauses: list[ReviewClausePublic]
    reviewers: list[ReviewerSummary] = Field(
        description="every reviewer of this document, this one included"
    )

    @classmethod
    def build(
        cls, document_id: uuid.UUID, review: Review, everyone: list[Review]
    ) -> ReviewPublic:
        """Return the public form of `review`, listing every reviewer."""
        return cls(
            **ReviewerSummary.of(review).model_dump(),
            document_id=document_id,
            scan_id=review.scan_id,
            clauses=[ReviewClausePublic.of(c) for c in review.in_text_order()],
            reviewers=[ReviewerSummary.of(r) for r in everyone],
        )


class ReviewEventPublic(BaseModel):
    """A stored decision: who, when, on which scan, the clause before and after."""

    id: int
    reviewer: str
    action: Action
    clause_key: str | None
    scan_id: uuid.UUID | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    created_at: dt.datetime

    @classmethod
    def of(cls, event: Event) -> ReviewEventPublic:
        """Return the public form of an event."""
        return cls(
            id=event.id,
            reviewer=event.reviewer,
            action=event.action,
            clause_key=event.clause_key,
            scan_id=event.scan_id,
            before=dict(event.before) if event.before is not None else None,
            after=dict(event.after) if event.after is not None else None,
            created_at=event.created_at,
        )


class ReviewEventsPublic(BaseModel):
    """A document's review history, oldest first."""

    data: list[ReviewEventPublic]
    count: int


class ReviewStatePublic(ReviewerSummary):
    """A review without its clauses: what a decision's answer carries."""

    document_id: uuid.UUID
    scan_id: uuid.UUID | None
    reviewers: list[ReviewerSummary]


class DecisionPublic(BaseModel):
    """The stored decision, the clause it leaves, and where the review is now.

    Only the changed clause comes back: a big document has thousands, which
    the client already holds (`GET .../review` reads them all).
    """

    event: ReviewEventPublic
    clause: ReviewClausePublic | None
    review: ReviewStatePublic

    @classmethod
    def build(
        cls,
        document_id: uuid.UUID,
        event: Event,
        clause: ReviewClause | None,
        review: Review,
        everyone: list[Review],
    ) -> DecisionPublic:
        """Return the answer to a decision."""
        return cls(
            event=ReviewEventPublic.of(event),
            clause=ReviewClausePublic.of(clause) if clause else None,
            review=ReviewStatePublic(
                **ReviewerSummary.of(review).model_dump(),
                document_id=document_id,
                scan_id=review.scan_id,
                reviewers=[ReviewerSummary.of(r) for r in everyone],
            ),
        )


class GoldSpanPublic(BaseModel):
    """One gold span: `quote` is exactly `text[start:end]` of the stored text."""

    type: ClauseType
    quote: str
    start: int
    end: int
    params: dict[str, Any]


class GoldLabelsPublic(BaseModel):
    """ANNOTATION.md's gold file format, exactly (whose review: `X-Reviewer`)."""

    doc: str
    spans: list[GoldSpanPublic]


class ImportedDocument(BaseModel):
    """One imported document: stored anew (`created`) or found by its bytes."""

    file: str
    document_id: uuid.UUID
    created: bool
    spans: int


class ImportPublic(BaseModel):
    """What an import stored: each document now carries the caller's review."""

    documents: list[ImportedDocument]
