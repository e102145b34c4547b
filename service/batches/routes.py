"""Batches: submit many model cards at once, follow progress, read the results.

`POST /v1/batches` takes JSON Lines (`application/x-ndjson`, one
`{"id", "text" | "markdown"}` object a line) or `multipart/form-data` files
(each file one card, its file name the id). The submission is validated as a
whole first (a bad line is a 422 naming it, and nothing is stored), then
stored and queued; the answer is `202` with the batch. An `Idempotency-Key`
header makes a retry return the same batch with `200` instead of a new one.

The body's size is bounded while it streams (`service.request_bodies`);
decoding it, line by line or part by part, runs in a worker thread so that
ten thousand cards do not hold the event loop.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Annotated, Final

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, StreamingResponse
from sqlalchemy import Engine
from sqlmodel import Session

from extractors.labels import ClauseType, Severity
from service.batches.jsonl import BatchInputError, CardInput, parse_jsonl
from service.batches.multipart import parse_multipart
from service.batches.queries import ItemFilter, list_items, stream_items
from service.batches.schemas import BatchItemPublic, BatchItemsPublic, BatchPublic
from service.batches.service import IdempotencyConflictError, create_batch
from service.batches.tables import BatchRecord, ItemStatus
from service.deps import PageDep, SessionDep, SettingsDep, TenantDep
from service.job_runtime import JobRuntime, get_jobs
from service.problems import ProblemError, problem_responses
from service.queries import get_owned
from service.settings import BatchSettings

router = APIRouter(tags=["batches"], responses=problem_responses(401, 404, 422, 429))

JobsDep = Annotated[JobRuntime, Depends(get_jobs)]
JSONL_TYPES: Final = frozenset(
    {
        "application/x-ndjson",
        "application/ndjson",
        "application/jsonl",
        "application/x-jsonlines",
        "application/json-lines",
    }
)
NDJSON: Final = "application/x-ndjson"
REQUEST_BODY: Final = {
    "required": True,
    "description": "JSON Lines, one card a line, or several files (one card each)",
    "content": {
        NDJSON: {
            "schema": {"type": "string"},
            "example": '{"id": "acme/m-7b", "text": "Use is limited to research."}\n'
            '{"id": "acme/m-2b", "markdown": "---\\nlicense: mit\\n---\\n# M-2B"}\n',
        },
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {
                    "files": {
                        "type": "array",
                        "items": {"type": "string", "format": "binary"},
                    }
                },
            }
        },
    },
}


@router.post(
    "/batches",
    status_code=202,
    response_model=BatchPublic,
    responses={
        200: {"model": BatchPublic, "description": "Idempotent replay"},
        **problem_responses(409, 413, 415, 422),
    },
    openapi_extra={"requestBody": REQUEST_BODY},
)
async def submit_batch(
    request: Request,
    caller: TenantDep,
    jobs: JobsDep,
    settings: SettingsDep,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> JSONResponse:
    """Store a batch of model cards and queue it; 202 with its id and progress."""
    cards = await _read_cards(request, settings.batches)
    engine = request.app.state.db_engine
    batch, created = await run_in_threadpool(
        _create,
        engine,
        caller.tenant_id,
        cards,
        jobs,
        settings.batches,
        idempotency_key,
    )
    return JSONResponse(
        batch.model_dump(mode="json"),
        status_code=202 if created else 200,
        headers={"Location": batch.links["self"]},
    )


@router.get("/batches/{batch_id}", response_model=BatchPublic)
def get_batch(batch_id: str, caller: TenantDep, session: SessionDep) -> BatchPublic:
    """Return a batch with its progress (total, done, failed, pending)."""
    return BatchPublic.from_record(_owned(session, caller.tenant_id, batch_id))


@router.get("/batches/{batch_id}/items", response_model=BatchItemsPublic)
def get_batch_items(
    batch_id: str,
    caller: TenantDep,
    session: SessionDep,
    page: PageDep,
    status: Annotated[ItemStatus | None, Query()] = None,
    clause_type: Annotated[ClauseType | None, Query()] = None,
    severity: Annotated[Severity | None, Query()] = None,
) -> BatchItemsPublic:
    """Page through items in submission order, filtered by outcome or content."""
    batch = _owned(session, caller.tenant_id, batch_id)
    where = ItemFilter(
        status=status.value if status else None,
        clause_type=clause_type.value if clause_type else None,
        severity=severity.value if severity else None,
    )
    views, count = list_items(
        session, batch.id, where, limit=page.limit, offset=page.offset
    )
    return BatchItemsPublic(
        data=[BatchItemPublic.from_view(v) for v in views],
        count=count,
        limit=page.limit,
        offset=page.offset,
    )


@router.get(
    "/batches/{batch_id}/results.ndjson",
    response_class=StreamingResponse,
    responses={200: {"content": {NDJSON: {}}, "description": "One item a line"}},
)
def stream_batch_results(
    batch_id: str, caller: TenantDep, session: SessionDep, request: Request
) -> StreamingResponse:
    """Stream every item, one JSON object a line, in submission order."""
    owned = _owned(session, caller.tenant_id, batch_id).id
    engine = request.app.state.db_engine

    def lines() -> Iterator[bytes]:
        for view in stream_items(lambda: Session(engine), owned):
            yield json.dumps(view.as_dict(), ensure_ascii=False).encode() + b"\n"

    return StreamingResponse(lines(), media_type=NDJSON)


def _owned(session: Session, tenant_id: uuid.UUID, batch_id: str) -> BatchRecord:
    """Return the tenant's batch, or 404 (another tenant's id included)."""
    return get_owned(
        session, BatchRecord, tenant_id=tenant_id, ident=batch_id, kind="batch"
    )


def _create(
    engine: Engine,
    tenant_id: uuid.UUID,
    cards: tuple[CardInput, ...],
    jobs: JobRuntime,
    batches: BatchSettings,
    key: str | None,
) -> tuple[BatchPublic, bool]:
    """Store the batch (or find the key's earlier one), then dispatch its jobs."""
    with Session(engine) as session:
        try:
            created = create_batch(
                session,
                tenant_id=tenant_id,
                cards=cards,
                idempotency_key=key,
                use_cache=batches.scan_cache,
                chunk_size=batches.chunk_size,
                max_attempts=jobs.max_attempts,
            )
        except IdempotencyConflictError as exc:
            raise ProblemError(409, str(exc), slug="idempotency-conflict") from exc
        jobs.dispatch(created.job_ids)
        batch = session.get(BatchRecord, created.batch_id)
        assert batch is not None
        return BatchPublic.from_record(batch), created.created


async def _read_cards(request: Request, limits: BatchSettings) -> tuple[CardInput, ...]:
    """Read and validate the whole submission before anything is stored.

    The body (at most `batches.max_bytes`, enforced as it streams) is read on
    the loop; the cards are decoded from it in a worker thread.
    """
    content_type = request.headers.get("content-type", "")
    media_type = content_type.split(";")[0].strip().lower()
    if media_type not in JSONL_TYPES and media_type != "multipart/form-data":
        raise ProblemError(
            415,
            f"send JSON Lines ({NDJSON}) or multipart/form-data files,"
            f" not {media_type!r}",
            slug="unsupported-media-type",
        )
    body = await request.body()
    try:
        if media_type in JSONL_TYPES:
            return await run_in_threadpool(
                parse_jsonl, body, max_items=limits.max_items
            )
        return await run_in_threadpool(
            parse_multipart, body, content_type, max_items=limits.max_items
        )
    except BatchInputError as exc:
        raise ProblemError(
            422, str(exc), slug="invalid-batch", title="Invalid batch submission"
        ) from exc
