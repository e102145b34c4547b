"""Review routes: a reviewer's clauses, decisions, history and gold labels.

Thin handlers: checks and the fold live in `decisions`, `store` and `state`.
Every route is scoped to the caller's tenant (another tenant's document is
a 404), and a decision is signed by the reviewer name the key carries.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Query, Response, UploadFile
from fastapi.responses import StreamingResponse

from service.auth.keys import Caller
from service.deps import SessionDep, SettingsDep, TenantDep
from service.documents.queries import get_document
from service.problems import ProblemError, problem_responses
from service.request_bodies import JsonBodyRoute
from service.reviews.archive import (
    archive_response,
    import_archive,
    reviewed_documents,
)
from service.reviews.decisions import Decision
from service.reviews.labels import document_file_name, gold_labels
from service.reviews.params import param_schemas
from service.reviews.schemas import (
    DecisionPublic,
    GoldLabelsPublic,
    ImportedDocument,
    ImportPublic,
    ReviewEventCreate,
    ReviewEventPublic,
    ReviewEventsPublic,
    ReviewPublic,
)
from service.reviews.store import (
    decide,
    document_events,
    review_of,
    reviewer_summaries,
    reviews_of,
    signed_off,
)

router = APIRouter(
    tags=["reviews"],
    responses=problem_responses(401, 404, 422, 429),
    route_class=JsonBodyRoute,
)
ReviewerQuery = Annotated[str | None, Query(max_length=200)]


def reviewer_of(caller: Caller) -> str:
    """Return the reviewer the key signs for; a key without one cannot review."""
    if caller.reviewer is None:
        raise ProblemError(
            403,
            "this API key carries no reviewer name; create one with"
            " `clausewise keys create --tenant T --reviewer NAME`",
            slug="no-reviewer",
        )
    return caller.reviewer


@router.get(
    "/documents/{document_id}/review",
    response_model=ReviewPublic,
    responses=problem_responses(403),
)
def get_review(
    document_id: str,
    session: SessionDep,
    caller: TenantDep,
    reviewer: ReviewerQuery = None,
) -> ReviewPublic:
    """Return a reviewer's clauses (the caller's unless `reviewer` is named)."""
    document = get_document(
        session, tenant_id=caller.tenant_id, document_id=document_id
    )
    name = reviewer if reviewer is not None else reviewer_of(caller)
    review = review_of(session, document, name)
    return ReviewPublic.build(
        document.id, review, reviewer_summaries(session, document)
    )


@router.post(
    "/documents/{document_id}/review/events",
    status_code=201,
    response_model=DecisionPublic,
    responses=problem_responses(403, 409, 413),
)
def post_decision(
    document_id: str, body: ReviewEventCreate, session: SessionDep, caller: TenantDep
) -> DecisionPublic:
    """Store one decision (see `ReviewEventCreate` for the actions)."""
    reviewer = reviewer_of(caller)
    document = get_document(
        session, tenant_id=caller.tenant_id, document_id=document_id
    )
    decision = Decision(**body.model_dump())
    outcome = decide(session, document, reviewer, decision)
    everyone = reviewer_summaries(session, document)
    return DecisionPublic.build(
        document.id, outcome.event, outcome.clause, outcome.review, everyone
    )


@router.get("/documents/{document_id}/review/events", response_model=ReviewEventsPublic)
def list_decisions(
    document_id: str,
    session: SessionDep,
    caller: TenantDep,
    reviewer: ReviewerQuery = None,
) -> ReviewEventsPublic:
    """Return the document's review history, oldest first, every reviewer's."""
    document = get_document(
        session, tenant_id=caller.tenant_id, document_id=document_id
    )
    events = document_events(session, document, reviewer)
    return ReviewEventsPublic(
        data=[ReviewEventPublic.of(e) for e in events], count=len(events)
    )


@router.get(
    "/documents/{document_id}/labels",
    response_model=GoldLabelsPublic,
    responses=problem_responses(409),
)
def get_labels(
    document_id: str,
    response: Response,
    session: SessionDep,
    caller: TenantDep,
    reviewer: ReviewerQuery = None,
) -> GoldLabelsPublic:
    """Return the reviewed clauses as a gold label file (ANNOTATION.md format).

    The labels are those of the review signed off last, or of `reviewer`'s;
    a document nobody has marked reviewed is a 409.
    """
    document = get_document(
        session, tenant_id=caller.tenant_id, document_id=document_id
    )
    reviews = reviews_of(session, document)
    if reviewer is not None:
        reviews = [r for r in reviews if r.reviewer == reviewer]
    review = signed_off(reviews)
    if review is None:
        who = f"by {reviewer} " if reviewer is not None else ""
        raise ProblemError(
            409,
            f"this document has not been marked reviewed {who}yet",
            slug="not-reviewed",
        )
    response.headers["X-Reviewer"] = review.reviewer
    return GoldLabelsPublic.model_validate(
        gold_labels(review, document_file_name(document))
    )


@router.get("/clause-types", tags=["reviews"])
def clause_types() -> dict[str, dict[str, object]]:
    """Return each clause type's parameter JSON Schema (the review form's source)."""
    return {name: {"params": schema} for name, schema in param_schemas().items()}


@router.get(
    "/labels/export",
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {"application/gzip": {}},
            "description": "docs/, labels/, manifest.json of every reviewed document",
        }
    },
)
def export_labels(session: SessionDep, caller: TenantDep) -> StreamingResponse:
    """Stream the tenant's reviewed documents as a corpus archive (tar.gz)."""
    return archive_response(reviewed_documents(session, caller.tenant_id))


@router.post(
    "/labels/import",
    status_code=201,
    response_model=ImportPublic,
    responses=problem_responses(403, 409, 413),
)
def import_labels(
    session: SessionDep,
    caller: TenantDep,
    settings: SettingsDep,
    file: Annotated[UploadFile, File(description="tar(.gz) or zip corpus archive")],
) -> ImportPublic:
    """Import a corpus archive: documents, and the caller's reviews of them.

    Everything is checked first; one bad member or label is a 4xx and
    nothing is stored.
    """
    reviewer = reviewer_of(caller)
    data = file.file.read(settings.limits.max_import_bytes + 1)
    if len(data) > settings.limits.max_import_bytes:
        raise ProblemError(
            413,
            f"the archive is over {settings.limits.max_import_bytes:,} bytes",
            slug="too-large",
        )
    summary = import_archive(
        session,
        tenant_id=caller.tenant_id,
        reviewer=reviewer,
        data=data,
        settings=settings,
    )
    return ImportPublic(
        documents=[
            ImportedDocument(file=n, document_id=i, created=c, spans=s)
            for n, i, c, s in summary.documents
        ]
    )
