"""Every error is a problem document; unexpected ones are logged, and requests too."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from extractors.engine import Provenance
from service.app import create_app
from service.deps import get_engine
from service.observability import JsonFormatter
from service.settings import Settings
from tests.service.api.helpers import Tenant, assert_problem, new_tenant, scan, upload


class _BrokenEngine:
    provenance = Provenance("0.0.0-test", "a" * 64, "b" * 64)

    def analyze(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("engine exploded")


def test_unexpected_errors_are_logged_500_problems(
    client: TestClient,
    app: Any,
    tenant_a: Tenant,
    caplog: pytest.LogCaptureFixture,
) -> None:
    document_id = upload(client, tenant_a).json()["id"]
    app.dependency_overrides[get_engine] = _BrokenEngine
    with caplog.at_level(logging.INFO, logger="clausewise"):
        response = scan(client, tenant_a, document_id)
    body = assert_problem(response, 500)
    request_id = response.headers["x-request-id"]
    assert request_id in body["detail"]
    errors = [r for r in caplog.records if r.name == "clausewise.service"]
    assert errors and errors[0].exc_info is not None
    assert "engine exploded" in str(errors[0].exc_info[1])
    access = [r for r in caplog.records if r.name == "clausewise.access"]
    assert access[-1].status == 500  # type: ignore[attr-defined]
    app.dependency_overrides.clear()
    history = client.get(f"/v1/documents/{document_id}/scans", headers=tenant_a.headers)
    assert history.json()["count"] == 0  # nothing half-stored


def test_framework_errors_are_problems(client: TestClient, tenant_a: Tenant) -> None:
    assert_problem(client.get("/v1/nothing-here"), 404)
    assert_problem(client.delete("/healthz"), 405)
    malformed = client.post(
        "/v1/documents/text",
        content=b"{not json",
        headers={**tenant_a.headers, "Content-Type": "application/json"},
    )
    body = assert_problem(malformed, 422, slug="invalid-request")
    assert body["errors"][0]["type"] == "json_invalid"


def test_json_request_log_line(make_settings: Callable[..., Settings]) -> None:
    app = create_app(make_settings(log_json=True))
    handlers = [
        h
        for h in logging.getLogger("clausewise").handlers
        if isinstance(h.formatter, JsonFormatter)
    ]
    assert len(handlers) == 1
    stream = io.StringIO()
    handler = handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(stream)
    try:
        with TestClient(app) as client:
            tenant = new_tenant(app, "logged")
            client.get("/v1/documents", headers=tenant.headers)
    finally:
        create_app(make_settings(log_json=False))  # restore plain logging
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    entry = next(line for line in lines if line.get("path") == "/v1/documents")
    assert entry["method"] == "GET" and entry["status"] == 200
    assert entry["tenant"] == "logged" and entry["logger"] == "clausewise.access"
    assert isinstance(entry["duration_ms"], float) and entry["request_id"]
    assert not [
        h
        for h in logging.getLogger("clausewise").handlers
        if isinstance(h.formatter, JsonFormatter)
    ]
