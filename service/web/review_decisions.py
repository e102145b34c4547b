"""The document page's review decisions, sent by its script with the session.

The `/v1` review routes take an API key in a header, which a browser never
holds (sign-in keeps only a session cookie), so the page posts here: the
same `ReviewEventCreate` body, the same `store.decide`, the same answer as
`POST /v1/documents/{id}/review/events`. The CSRF token travels in the
`X-CSRF-Token` header, as with the upload script; refusals stay problem
documents (the script asks for JSON), so the page can show their detail.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from service.deps import SessionDep
from service.documents.queries import get_document
from service.problems import ProblemError
from service.reviews.decisions import Decision
from service.reviews.schemas import DecisionPublic, ReviewEventCreate
from service.reviews.store import decide, reviewer_summaries
from service.web.deps import WebDep
from service.web.rendering import PageRoute
from service.web.session import check_csrf

router = APIRouter(route_class=PageRoute, include_in_schema=False)


@router.post("/documents/{document_id}/review")
def post_decision(
    request: Request,
    document_id: str,
    body: ReviewEventCreate,
    session: SessionDep,
    web: WebDep,
) -> JSONResponse:
    """Store one decision of the signed-in reviewer; answer it and the review."""
    check_csrf(request, web.csrf, None)
    reviewer = web.caller.reviewer
    if reviewer is None:
        raise ProblemError(
            403,
            "this session's API key carries no reviewer name, so it can only"
            " read reviews; sign in with a key made by"
            " `clausewise keys create --tenant T --reviewer NAME`",
            slug="no-reviewer",
        )
    document = get_document(
        session, tenant_id=web.caller.tenant_id, document_id=document_id
    )
    outcome = decide(session, document, reviewer, Decision(**body.model_dump()))
    everyone = reviewer_summaries(session, document)
    answer = DecisionPublic.build(
        document.id, outcome.event, outcome.clause, outcome.review, everyone
    )
    return JSONResponse(answer.model_dump(mode="json"), status_code=201)
