"""Web pages for legal reviewers, served by the service itself.

`router` holds every page (sign-in, documents, upload, families and diffs,
batches) and the document page's review decisions; `STATIC_DIR` is mounted
at `/static`. Pages authenticate with a session cookie made at sign-in from
an API key (see `service.web.session`) and read and write through the same
domain functions as the `/v1` API.
"""

from __future__ import annotations

from fastapi import APIRouter

from service.web import (
    pages_auth,
    pages_batches,
    pages_documents,
    pages_families,
    pages_reviews,
    review_decisions,
)
from service.web.rendering import STATIC_DIR

router = APIRouter(include_in_schema=False)
for _pages in (
    pages_auth,
    pages_documents,
    pages_families,
    pages_batches,
    pages_reviews,
    review_decisions,
):
    router.include_router(_pages.router)

__all__ = ["STATIC_DIR", "router"]
