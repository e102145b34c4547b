"""The published JSON Schemas of what the API and the CLI return (no key needed)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from service.result_contract import scan_result_schema

router = APIRouter(tags=["schemas"])


@router.get("/schemas/scan-result")
def scan_result() -> dict[str, Any]:
    """Return the JSON Schema of a scan result (`schema_version` inside).

    Public, like `/openapi.json`: clients generate their types from it.
    """
    return scan_result_schema()
