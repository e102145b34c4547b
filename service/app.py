"""The FastAPI application factory.

`create_app(settings)` builds a self-contained app: its own database engine,
metrics registry, rate limiter and settings on `app.state`, so several apps
(one per test) can live in one process. Start-up (the lifespan) migrates the
database to head and loads the clause engine once; routes get it through
`service.deps.EngineDep`.

Middleware, outermost first: the nosniff header, the request log (and the
last-resort 500), refusal of URLs with unstorable text, OPTIONS and `Allow`,
then the body size limits, so every answer of the inner ones is logged and
stamped.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

from extractors.engine import ENGINE_VERSION
from extractors.pdf_sandbox import set_parallel_readers
from service import health, schema_routes
from service.analysis_pool import AnalysisPool, PooledEngine
from service.batches import routes as batches
from service.db import init_db, make_engine
from service.documents import routes as documents
from service.engine import service_engine
from service.families import routes as families
from service.http_edges import (
    AllowMiddleware,
    SecurityHeadersMiddleware,
    UrlTextMiddleware,
)
from service.metrics import Metrics
from service.observability import RequestLogMiddleware, configure_logging
from service.problems import add_problem_schema, install_problem_handlers
from service.profiles import routes as profiles
from service.rate_limits import RateLimiter
from service.request_bodies import BodyLimitMiddleware
from service.reviews import report_routes as review_reports
from service.reviews import routes as reviews
from service.scans import routes as scans
from service.settings import Settings, get_settings
from service.web import STATIC_DIR
from service.web import router as web_router
from service.wiring import start_jobs, stop_jobs

API_PREFIX = "/v1"
API_ROUTERS: tuple[APIRouter, ...] = (
    documents.router,
    scans.router,
    profiles.router,
    families.router,
    reviews.router,
    review_reports.router,
    batches.router,
)
"""Every resource's router, mounted under `/v1`: add a new resource's here."""
ROOT_ROUTERS: tuple[APIRouter, ...] = (health.router, schema_routes.router)
"""Routers at the root: health, metrics and the published JSON Schemas."""

DESCRIPTION = (
    "Find, cite and assess the clauses of AI-model licenses and model cards. "
    "Authenticate with `Authorization: Bearer <key>` or `X-API-Key`. "
    "Errors are RFC 9457 problem details (`application/problem+json`)."
)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Migrate the database and load the engine before the first request."""
    init_db(app.state.db_engine)
    set_parallel_readers(app.state.settings.pdf.max_parallel)
    start_analysis(app)
    start_jobs(app)  # in-process job threads, or the Celery publisher
    try:
        yield
    finally:
        stop_jobs(app)
        stop_analysis(app)  # after the job threads: none of them is using it
        app.state.db_engine.dispose()


def start_analysis(app: FastAPI) -> None:
    """Load the engine; with `scan_processes` > 1, start its worker processes.

    Routes and job handlers then get a `PooledEngine`, so no request or job
    thread analyses in this interpreter and every core is used.
    """
    settings: Settings = app.state.settings
    engine = service_engine(settings.models)
    app.state.clause_engine = engine
    app.state.analysis_pool = None
    if settings.scan_processes > 1:
        pool = AnalysisPool(settings.scan_processes, settings.models)
        pool.start()
        app.state.analysis_pool = pool
        app.state.clause_engine = PooledEngine(engine, pool)


def stop_analysis(app: FastAPI) -> None:
    """Stop the analysis workers, if any (they finish what they hold)."""
    pool: AnalysisPool | None = getattr(app.state, "analysis_pool", None)
    if pool is not None:
        pool.close()


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the service app (settings from the environment by default)."""
    settings = settings or get_settings()
    configure_logging(settings.log_json)
    app = FastAPI(
        title="clausewise",
        version=ENGINE_VERSION,
        description=DESCRIPTION,
        lifespan=_lifespan,
    )
    app.state.settings = settings
    app.state.db_engine = make_engine(settings.database.url)
    app.state.metrics = Metrics()
    limits = settings.limits
    app.state.rate_limiter = RateLimiter(
        limits.rate_limit_per_minute,
        storage=limits.rate_limit_storage,
        namespace="clausewise-requests",
    )
    app.state.auth_throttle = RateLimiter(
        limits.auth_failures_per_minute,
        storage=limits.rate_limit_storage,
        namespace="clausewise-auth-failures",
    )
    app.state.clause_engine = None
    app.state.analysis_pool = None
    install_problem_handlers(app)
    add_problem_schema(app)
    # add_middleware wraps what is there: the last added is the outermost.
    app.add_middleware(BodyLimitMiddleware)
    app.add_middleware(AllowMiddleware)
    app.add_middleware(UrlTextMiddleware)
    app.add_middleware(RequestLogMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)
    for router in API_ROUTERS:
        app.include_router(router, prefix=API_PREFIX)
    for router in ROOT_ROUTERS:
        app.include_router(router)
    app.include_router(web_router)  # the reviewer pages (service/web)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
