"""License families, version histories, and clause-level diffs of documents.

File a document as version N of a family by uploading it with the `family`
and `version` form fields (or JSON keys). Versions are ordered by a natural
sort of their labels ("3" < "3.1" < "3.2" < "10"), ties by upload time.
After uploading a new version, `GET /v1/documents/{id}/diff-previous` shows
what changed since the version before it; `GET /v1/compare` diffs any two of
the tenant's documents. A document with no successful scan is scanned on
demand first (synchronously, and the scan is kept). Another tenant's family
or document is a 404, as an unknown one.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Response

from extractors.compare_render import diff_to_markdown
from service.deps import EngineDep, MetricsDep, SessionDep, TenantDep
from service.documents.queries import get_document
from service.families.schemas import (
    DiffPublic,
    FamiliesPublic,
    FamilyPublic,
    VersionPublic,
    VersionsPublic,
)
from service.families.versions import (
    DocumentDiff,
    diff_documents,
    list_families,
    pick_pair,
    previous_version,
    version_history,
)
from service.problems import problem_responses

router = APIRouter(tags=["families"], responses=problem_responses(401, 422, 429))

DiffFormat = Literal["json", "markdown"]
MARKDOWN = "text/markdown; charset=utf-8"
_DIFF_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The diff as JSON, or as a Markdown report",
        "content": {"text/markdown": {"schema": {"type": "string"}}},
    },
    **problem_responses(404, 422),
}
FamilyName = Annotated[str, Path(min_length=1, max_length=200)]
FormatQuery = Annotated[
    DiffFormat, Query(description="json (default) or a Markdown report")
]


@router.get("/families", response_model=FamiliesPublic)
def get_families(session: SessionDep, caller: TenantDep) -> FamiliesPublic:
    """List the tenant's license families, each with its number of versions."""
    found = list_families(session, caller.tenant_id)
    data = [FamilyPublic.from_summary(f) for f in found]
    return FamiliesPublic(data=data, count=len(data))


@router.get(
    "/families/{family}/versions",
    response_model=VersionsPublic,
    responses=problem_responses(404),
)
def get_versions(
    family: FamilyName, session: SessionDep, caller: TenantDep
) -> VersionsPublic:
    """Return a family's version history, oldest first (natural sort of labels)."""
    history = version_history(session, caller.tenant_id, family)
    data = [VersionPublic.from_entry(e) for e in history]
    return VersionsPublic(family=family, data=data, count=len(data))


@router.get(
    "/families/{family}/diff", response_model=DiffPublic, responses=_DIFF_RESPONSES
)
def diff_family(
    family: FamilyName,
    session: SessionDep,
    caller: TenantDep,
    engine: EngineDep,
    metrics: MetricsDep,
    old: Annotated[
        str | None,
        Query(
            alias="from",
            max_length=100,
            description="version label (default: the one before `to`)",
        ),
    ] = None,
    new: Annotated[
        str | None,
        Query(alias="to", max_length=100, description="default: the latest version"),
    ] = None,
    format: FormatQuery = "json",  # noqa: A002 - the public query parameter's name
) -> DiffPublic | Response:
    """Diff two versions of a family; by default the latest against its previous.

    A label carried by several documents names the latest uploaded of them;
    a label the family does not have is a 422 that lists the ones it has.
    """
    history = version_history(session, caller.tenant_id, family)
    before, after = pick_pair(history, old, new)
    return _answer(
        diff_documents(session, engine, before, after, metrics=metrics), format
    )


@router.get(
    "/documents/{document_id}/diff-previous",
    response_model=DiffPublic,
    responses=_DIFF_RESPONSES,
)
def diff_previous(
    document_id: str,
    session: SessionDep,
    caller: TenantDep,
    engine: EngineDep,
    metrics: MetricsDep,
    format: FormatQuery = "json",  # noqa: A002 - the public query parameter's name
) -> DiffPublic | Response:
    """Diff a document against the previous version of its family.

    404 (`no-previous-version`) when the document has no family or is the
    first version of it.
    """
    document = get_document(
        session, tenant_id=caller.tenant_id, document_id=document_id
    )
    before = previous_version(session, caller.tenant_id, document)
    return _answer(
        diff_documents(session, engine, before, document, metrics=metrics), format
    )


@router.get("/compare", response_model=DiffPublic, responses=_DIFF_RESPONSES)
def compare_documents(
    session: SessionDep,
    caller: TenantDep,
    engine: EngineDep,
    metrics: MetricsDep,
    old: Annotated[str, Query(description="the old document's id")],
    new: Annotated[str, Query(description="the new document's id")],
    format: FormatQuery = "json",  # noqa: A002 - the public query parameter's name
) -> DiffPublic | Response:
    """Compare any two of the tenant's documents clause by clause."""
    before = get_document(session, tenant_id=caller.tenant_id, document_id=old)
    after = get_document(session, tenant_id=caller.tenant_id, document_id=new)
    return _answer(
        diff_documents(session, engine, before, after, metrics=metrics), format
    )


def _answer(found: DocumentDiff, fmt: DiffFormat) -> DiffPublic | Response:
    """Return the diff as the JSON body, or as the Markdown report."""
    if fmt == "markdown":
        return Response(content=diff_to_markdown(found.diff), media_type=MARKDOWN)
    return DiffPublic.from_diff(found)
