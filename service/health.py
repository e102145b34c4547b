"""Health and metrics: liveness, readiness, and Prometheus exposition."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from service.db import current_revision, get_db_engine, head_revision, ping
from service.deps import MetricsDep
from service.metrics import METRICS_MEDIA_TYPE
from service.observability import error_logger
from service.problems import TYPE_BASE, problem_response, problem_responses


class HealthPublic(BaseModel):
    """Liveness or readiness, with each readiness check's outcome."""

    status: str
    checks: dict[str, str] = Field(default_factory=dict)


router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=HealthPublic)
def healthz() -> HealthPublic:
    """Say the process is up (no dependency is checked)."""
    return HealthPublic(status="ok")


@router.get("/readyz", response_model=HealthPublic, responses=problem_responses(503))
def readyz(
    request: Request, db: Annotated[Engine, Depends(get_db_engine)]
) -> HealthPublic | JSONResponse:
    """Check the database answers, its schema is at head, and the engine is loaded."""
    checks = {
        "database": _database(db),
        "migrations": _migrations(db),
        "engine": "ok" if request.app.state.clause_engine is not None else "not loaded",
    }
    if all(value == "ok" for value in checks.values()):
        return HealthPublic(status="ready", checks=checks)
    failed = ", ".join(f"{k}: {v}" for k, v in checks.items() if v != "ok")
    return problem_response(
        request,
        503,
        title="Not ready",
        detail=failed,
        type_=TYPE_BASE + "not-ready",
        extra={"checks": checks},
    )


def _database(db: Engine) -> str:
    try:
        ping(db)
    except SQLAlchemyError as exc:
        error_logger.warning("readiness: database unreachable: %s", exc)
        return f"unreachable ({type(exc).__name__})"
    return "ok"


def _migrations(db: Engine) -> str:
    try:
        current = current_revision(db)
    except SQLAlchemyError as exc:
        error_logger.warning("readiness: cannot read the schema revision: %s", exc)
        return f"unknown ({type(exc).__name__})"
    head = head_revision()
    return "ok" if current == head else f"at {current}, head is {head}"


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {METRICS_MEDIA_TYPE: {}}}},
)
def metrics(metrics: MetricsDep) -> Response:
    """Expose the app's metrics in the Prometheus text format."""
    return Response(metrics.render(), media_type=METRICS_MEDIA_TYPE)
