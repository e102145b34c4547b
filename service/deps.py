"""The dependencies routes declare, as `Annotated` aliases.

Everything a route needs comes from here, bound to the app instance (through
`request.app.state`), so two apps in one process never share state and a test
can swap any piece with `app.dependency_overrides[get_engine] = ...`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request
from sqlmodel import Session

from service.analysis_pool import Analyzer
from service.auth.keys import Caller, current_tenant
from service.db import get_session
from service.metrics import Metrics
from service.queries import Page
from service.settings import Settings

MAX_PAGE_SIZE = 500
MAX_OFFSET = 2**31 - 1
"""Larger offsets overflow SQLite's INTEGER (a 500, not an empty page)."""
OffsetQuery = Annotated[int, Query(ge=0, le=MAX_OFFSET)]
"""`offset` of every listing, API and web pages alike: bounded, so a 422."""


def get_app_settings(request: Request) -> Settings:
    """Return the settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


def get_engine(request: Request) -> Analyzer:
    """Return the clause engine built once when the app started (pool-backed or not)."""
    engine: Analyzer = request.app.state.clause_engine
    return engine


def get_metrics(request: Request) -> Metrics:
    """Return the app's metrics registry."""
    metrics: Metrics = request.app.state.metrics
    return metrics


def page_params(
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
    offset: OffsetQuery = 0,
) -> Page:
    """Read `limit` and `offset` from the query string."""
    return Page(limit=limit, offset=offset)


SessionDep = Annotated[Session, Depends(get_session)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
EngineDep = Annotated[Analyzer, Depends(get_engine)]
MetricsDep = Annotated[Metrics, Depends(get_metrics)]
TenantDep = Annotated[Caller, Depends(current_tenant)]
PageDep = Annotated[Page, Depends(page_params)]
