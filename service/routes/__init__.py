"""The routers, one module per resource; `API_ROUTERS` are mounted under /v1.

To add a resource: write `service/routes/<resource>.py` with a `router`
(thin handlers, dependencies from `service.deps`) and append it here.
"""

from __future__ import annotations

from fastapi import APIRouter

from service.reviews import report_routes as review_reports
from service.reviews import routes as reviews
from service.routes import documents, families, health, profiles, scans, schemas

API_PREFIX = "/v1"
API_ROUTERS: tuple[APIRouter, ...] = (
    documents.router,
    scans.router,
    profiles.router,
    families.router,
    reviews.router,
    review_reports.router,
)
ROOT_ROUTERS: tuple[APIRouter, ...] = (health.router, schemas.router)


def api_router() -> APIRouter:
    """Return one router holding every `/v1` resource router."""
    router = APIRouter(prefix=API_PREFIX)
    for child in API_ROUTERS:
        router.include_router(child)
    return router
