"""Version pages: the families, one family's history, a two-version diff."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from service.deps import EngineDep, MetricsDep, SessionDep
from service.families.versions import (
    diff_documents,
    list_families,
    pick_pair,
    version_history,
)
from service.web.deps import WebDep
from service.web.diff_view import diff_rows
from service.web.rendering import PageRoute, render

router = APIRouter(route_class=PageRoute, include_in_schema=False)
FamilyName = Annotated[str, Path(min_length=1, max_length=200)]
Label = Annotated[str | None, Query(max_length=100)]


@router.get("/families")
def families(request: Request, session: SessionDep, web: WebDep) -> Response:
    """List the tenant's families with their number of versions."""
    found = list_families(session, web.caller.tenant_id)
    return render(request, "families.html", {"web": web, "families": found})


@router.get("/families/{family}")
def family(
    request: Request, family: FamilyName, session: SessionDep, web: WebDep
) -> Response:
    """Show a family's versions, oldest first, and a form to compare two."""
    history = version_history(session, web.caller.tenant_id, family)
    labels = [e.document.version or "" for e in history]
    context = {
        "web": web,
        "family": family,
        "history": history,
        "labels": [label for label in dict.fromkeys(labels) if label],
    }
    return render(request, "family.html", context)


@router.get("/families/{family}/diff")
def diff(
    request: Request,
    family: FamilyName,
    session: SessionDep,
    engine: EngineDep,
    metrics: MetricsDep,
    web: WebDep,
    old: Annotated[str | None, Query(alias="from", max_length=100)] = None,
    new: Annotated[str | None, Query(alias="to", max_length=100)] = None,
) -> Response:
    """Show the clause diff of two versions (default: previous -> latest)."""
    history = version_history(session, web.caller.tenant_id, family)
    before, after = pick_pair(history, old or None, new or None)
    found = diff_documents(session, engine, before, after, metrics=metrics)
    labels = [e.document.version for e in history if e.document.version]
    context = {
        "web": web,
        "family": family,
        "found": found,
        "counts": found.diff.counts,
        "rows": diff_rows(found.diff),
        "labels": list(dict.fromkeys(labels)),
    }
    return render(request, "diff.html", context)
