"""What reviews tell: live accuracy, the review queue, reviewer agreement."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from service.deps import SessionDep, TenantDep
from service.documents.queries import get_document
from service.problems import problem_responses
from service.reviews.accuracy import VersionScore, figures, tenant_accuracy
from service.reviews.agreement import PairAgreement, agreements
from service.reviews.archive import reviewed_documents
from service.reviews.queue import review_queue
from service.reviews.schemas import ReviewClausePublic
from service.reviews.store import reviews_of

router = APIRouter(tags=["reviews"], responses=problem_responses(401, 422, 429))


class SpanPublic(BaseModel):
    """A miss or a false clause, with the document it is in."""

    document_id: uuid.UUID
    doc: str
    type: str
    start: int
    end: int
    line: int
    quote: str


class VersionPublic(BaseModel):
    """One engine version's figures on the reviewed documents."""

    engine: str
    first_scan_at: str
    documents: int
    figures: dict[str, Any]
    misses: list[SpanPublic]
    false_clauses: list[SpanPublic]

    @classmethod
    def of(cls, score: VersionScore) -> VersionPublic:
        """Return the public form, each span linked to its document."""
        report = score.report

        def spans(records: Any) -> list[SpanPublic]:
            return [
                SpanPublic(document_id=score.documents[r.doc], **r.to_dict())
                for r in records
            ]

        return cls(
            engine=score.engine,
            first_scan_at=score.first_scan_at,
            documents=report.documents,
            figures=figures(report),
            misses=spans(report.false_negatives),
            false_clauses=spans(report.false_positives),
        )


class AccuracyPublic(BaseModel):
    """Each engine version scored on the tenant's reviewed documents."""

    reviewed_documents: int
    versions: list[VersionPublic]


class QueueItemPublic(BaseModel):
    """A document to review and why it is where it is in the queue."""

    document_id: uuid.UUID
    name: str | None
    family: str | None
    version: str | None
    priority: float
    reasons: list[str]
    in_progress: bool


class DisagreementPublic(BaseModel):
    """A clause the two reviewers did not keep alike."""

    type: str
    kind: str
    first: ReviewClausePublic | None
    second: ReviewClausePublic | None


class AgreementPublic(BaseModel):
    """Two reviewers' agreement on one document, per type and overall."""

    first: str
    second: str
    per_type: dict[str, float]
    overall: float
    disagreements: list[DisagreementPublic]

    @classmethod
    def of(cls, pair: PairAgreement) -> AgreementPublic:
        """Return the public form of a pair's agreement."""
        return cls(
            first=pair.first,
            second=pair.second,
            per_type={t.value: v for t, v in pair.per_type.items()},
            overall=pair.overall,
            disagreements=[
                DisagreementPublic(
                    type=d.type.value,
                    kind=d.kind,
                    first=ReviewClausePublic.of(d.first) if d.first else None,
                    second=ReviewClausePublic.of(d.second) if d.second else None,
                )
                for d in pair.disagreements
            ],
        )


@router.get("/reviews/accuracy", response_model=AccuracyPublic)
def get_accuracy(session: SessionDep, caller: TenantDep) -> AccuracyPublic:
    """Score each engine version's scans against the tenant's reviewed documents."""
    accuracy = tenant_accuracy(session, caller.tenant_id)
    return AccuracyPublic(
        reviewed_documents=accuracy.reviewed,
        versions=[VersionPublic.of(v) for v in accuracy.versions],
    )


@router.get("/reviews/queue", response_model=list[QueueItemPublic])
def get_queue(
    session: SessionDep,
    caller: TenantDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[QueueItemPublic]:
    """Return unreviewed documents, where a reviewer helps most first."""
    reviewed = reviewed_documents(session, caller.tenant_id)
    accuracy = tenant_accuracy(session, caller.tenant_id)
    items = review_queue(session, caller.tenant_id, reviewed, accuracy, limit)
    return [
        QueueItemPublic(
            document_id=i.document.id,
            name=i.document.name,
            family=i.document.family,
            version=i.document.version,
            priority=round(i.priority, 3),
            reasons=list(i.reasons),
            in_progress=i.in_progress,
        )
        for i in items
    ]


@router.get(
    "/documents/{document_id}/review/agreement",
    response_model=list[AgreementPublic],
    responses=problem_responses(404),
)
def get_agreement(
    document_id: str, session: SessionDep, caller: TenantDep
) -> list[AgreementPublic]:
    """Return each pair of reviewers' agreement on this document."""
    document = get_document(
        session, tenant_id=caller.tenant_id, document_id=document_id
    )
    return [AgreementPublic.of(p) for p in agreements(reviews_of(session, document))]
