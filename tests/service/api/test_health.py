"""Liveness, readiness, Prometheus metrics and the OpenAPI document."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text

from service.app import create_app
from service.db import head_revision
from service.settings import Settings
from tests.service.api.helpers import Tenant, assert_problem, scan, upload


def test_healthz_and_readyz(client: TestClient, app: FastAPI) -> None:
    assert client.get("/healthz").json() == {"status": "ok", "checks": {}}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {
        "status": "ready",
        "checks": {"database": "ok", "migrations": "ok", "engine": "ok"},
    }
    with app.state.db_engine.begin() as connection:
        connection.execute(text("DELETE FROM alembic_version"))
    not_ready = client.get("/readyz")
    body = assert_problem(not_ready, 503, slug="not-ready")
    assert body["checks"]["migrations"] == f"at None, head is {head_revision()}"
    assert body["checks"]["database"] == "ok"


def test_metrics_count_documents_and_scans(
    client: TestClient, tenant_a: Tenant, settings: Settings
) -> None:
    document_id = upload(client, tenant_a).json()["id"]
    upload(client, tenant_a)
    scan(client, tenant_a, document_id)
    response = client.get("/metrics")
    assert response.headers["content-type"].startswith("text/plain")
    lines = set(response.text.splitlines())
    assert 'clausewise_documents_total{outcome="created"} 1.0' in lines
    assert 'clausewise_documents_total{outcome="existing"} 1.0' in lines
    assert 'clausewise_scans_total{status="succeeded"} 1.0' in lines
    assert "clausewise_scan_seconds_count 1.0" in lines
    assert "clausewise_queue_depth 0.0" in lines
    assert "# TYPE clausewise_batch_items_total counter" in lines
    with TestClient(create_app(settings)) as fresh:  # a registry per app
        assert "clausewise_scan_seconds_count 0.0" in fresh.get("/metrics").text


def test_openapi_describes_every_operation(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert "ProblemDetail" in spec["components"]["schemas"]
    v1 = {path: ops for path, ops in spec["paths"].items() if path.startswith("/v1/")}
    assert "/v1/documents" in v1 and "/v1/scans/{scan_id}/evaluate" in v1
    for path, operations in v1.items():
        for method, operation in operations.items():
            where = f"{method.upper()} {path}"
            assert operation.get("description") or operation.get("summary"), where
            success = [c for c in operation["responses"] if c.startswith("2")]
            assert success and all(
                operation["responses"][c].get("content") for c in success
            ), where
            unauthorized = operation["responses"]["401"]["content"]
            schema = unauthorized["application/problem+json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/ProblemDetail"}, where
    scan_response = v1["/v1/scans/{scan_id}"]["get"]["responses"]["200"]
    ref = scan_response["content"]["application/json"]["schema"]["$ref"]
    assert ref.endswith("/ScanPublic")
