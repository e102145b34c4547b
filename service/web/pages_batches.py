"""Batch pages: submit a JSON Lines file, watch progress, filter, open a card.

Submitting uses the same steps as `POST /v1/batches` (`parse_jsonl`,
`create_batch`, then the job runtime's `dispatch`); the progress the page
polls is `BatchPublic`'s, read through the session cookie.
"""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Depends, File, Path, Query, Request, Response, UploadFile
from fastapi.responses import JSONResponse, RedirectResponse
from sqlmodel import Session, col, select

from extractors.labels import ClauseType, Severity
from service.batches.jsonl import BatchInputError, parse_jsonl
from service.batches.queries import ItemFilter, list_items
from service.batches.schemas import BatchPublic
from service.batches.service import create_batch
from service.batches.tables import BatchRecord, ItemStatus
from service.deps import MAX_OFFSET, OffsetQuery, SessionDep, SettingsDep
from service.job_runtime import JobRuntime, get_jobs
from service.problems import ProblemError, not_found
from service.queries import get_owned
from service.web.batch_view import item_row
from service.web.deps import PostDep, WebDep
from service.web.document_view import group_by_severity
from service.web.rendering import PageRoute, render
from service.web.vocabulary import SEVERITIES, TYPE_STYLES

router = APIRouter(route_class=PageRoute, include_in_schema=False)
JobsDep = Annotated[JobRuntime, Depends(get_jobs)]
PAGE_ITEMS = 100


def _owned(session: Session, tenant_id: uuid.UUID, batch_id: str) -> BatchRecord:
    return get_owned(
        session, BatchRecord, tenant_id=tenant_id, ident=batch_id, kind="batch"
    )


@router.get("/batches")
def batches(request: Request, session: SessionDep, web: WebDep) -> Response:
    """List the tenant's latest batches and offer the submission form."""
    return _batches_page(request, session, web, None, 200)


def _batches_page(
    request: Request, session: Session, web: WebDep, error: str | None, status: int
) -> Response:
    rows = session.exec(
        select(BatchRecord)
        .where(BatchRecord.tenant_id == web.caller.tenant_id)
        .order_by(col(BatchRecord.created_at).desc())
        .limit(50)
    ).all()
    context = {
        "web": web,
        "batches": [BatchPublic.from_record(r) for r in rows],
        "error": error,
    }
    return render(request, "batches.html", context, status_code=status)


@router.post("/batches")
def submit(
    request: Request,
    session: SessionDep,
    jobs: JobsDep,
    settings: SettingsDep,
    web: PostDep,
    file: Annotated[UploadFile, File()],
) -> Response:
    """Store and queue the cards of an uploaded `.jsonl` file; go to its page."""
    limits = settings.batches
    data = file.file.read(limits.max_bytes + 1)
    if len(data) > limits.max_bytes:
        message = f"the file is over the {limits.max_bytes:,}-byte limit"
        return _batches_page(request, session, web, message, 413)
    try:
        cards = parse_jsonl(data, max_items=limits.max_items)
    except BatchInputError as exc:
        return _batches_page(request, session, web, str(exc), 422)
    created = create_batch(
        session,
        tenant_id=web.caller.tenant_id,
        cards=cards,
        idempotency_key=None,
        use_cache=limits.scan_cache,
        chunk_size=limits.chunk_size,
    )
    jobs.dispatch(created.job_ids)
    return RedirectResponse(f"/batches/{created.batch_id}", 303)


@router.get("/batches/{batch_id}")
def batch(
    request: Request,
    batch_id: str,
    session: SessionDep,
    web: WebDep,
    clause_type: Annotated[str, Query(max_length=60)] = "",
    severity: Annotated[str, Query(max_length=40)] = "",
    status: Annotated[str, Query(max_length=40)] = "",
    offset: OffsetQuery = 0,
) -> Response:
    """Show progress and the results table, filtered by type and severity.

    An empty filter (the form's "any" option) means no filter.
    """
    record = _owned(session, web.caller.tenant_id, batch_id)
    where = ItemFilter(
        status=_choice("status", status, ItemStatus),
        clause_type=_choice("clause_type", clause_type, ClauseType),
        severity=_choice("severity", severity, Severity),
    )
    views, count = list_items(
        session, record.id, where, limit=PAGE_ITEMS, offset=offset
    )
    context = {
        "web": web,
        "batch": BatchPublic.from_record(record),
        "rows": [item_row(v) for v in views],
        "count": count,
        "offset": offset,
        "page_items": PAGE_ITEMS,
        "types": TYPE_STYLES,
        "severities": SEVERITIES,
        "statuses": [s.value for s in ItemStatus],
        "chosen": where,
    }
    return render(request, "batch.html", context)


def _choice(name: str, value: str, allowed: type[StrEnum]) -> str | None:
    """Return a filter value, None for "any"; 422 for one that is not allowed."""
    if not value:
        return None
    if value not in {member.value for member in allowed}:
        known = ", ".join(member.value for member in allowed)
        raise ProblemError(422, f"unknown {name} '{value}'; use one of: {known}")
    return value


@router.get("/batches/{batch_id}/progress")
def progress(batch_id: str, session: SessionDep, web: WebDep) -> JSONResponse:
    """Return the batch's status and counts, for the page's polling script."""
    record = _owned(session, web.caller.tenant_id, batch_id)
    body = BatchPublic.from_record(record)
    return JSONResponse(
        {"status": body.status, "progress": body.progress.model_dump()},
        headers={"Cache-Control": "no-store"},
    )


@router.get("/batches/{batch_id}/items/{position}")
def card(
    request: Request,
    batch_id: str,
    position: Annotated[int, Path(ge=0, le=MAX_OFFSET)],
    session: SessionDep,
    web: WebDep,
) -> Response:
    """Show one card's outcome: its clauses and its findings by severity."""
    record = _owned(session, web.caller.tenant_id, batch_id)
    views, _ = list_items(session, record.id, ItemFilter(), limit=1, offset=position)
    if not views or views[0].position != position:
        raise not_found("batch item", str(position))
    view = views[0]
    result = view.result or {}
    context = {
        "web": web,
        "batch": BatchPublic.from_record(record),
        "item": view,
        "clauses": result.get("clauses", []),
        "groups": group_by_severity(result.get("findings", [])),
    }
    return render(request, "card.html", context)
