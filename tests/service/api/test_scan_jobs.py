"""Big documents are scanned as `scan` jobs: 202, pending, polled to the end.

`sync_scan_max_bytes` is set below the test license's size, so `mode=auto`
queues it; the app's in-process job threads run the job.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlmodel import Session, select

from extractors.errors import InputError
from service.documents.tables import DocumentRecord
from service.jobs.tables import JobRecord
from service.scans.jobs import SCAN_JOB, ScanJob
from service.scans.scanning import run_scan
from service.scans.tables import ClauseRecord, FindingRecord, ScanRecord
from service.settings import Settings
from tests.service.api.helpers import (
    LICENSE,
    Tenant,
    assert_problem,
    scan,
    upload,
    wait_for_scan,
)

SMALL = "The model may be used solely for non-commercial research purposes.\n"
LIMIT = 200
"""Bytes of text scanned in the request: SMALL is under it, LICENSE over it."""


@pytest.fixture
def settings(make_settings: Callable[..., Settings]) -> Settings:
    """This module's apps scan anything over LIMIT bytes of text as a job."""
    return make_settings(sync_scan_max_bytes=LIMIT)


def _document(client: TestClient, tenant: Tenant, text: str = LICENSE) -> str:
    response = upload(client, tenant, text)
    assert response.status_code == 201, response.text
    document_id: str = response.json()["id"]
    return document_id


def _counts(app: FastAPI, scan_id: str) -> tuple[int, int]:
    with Session(app.state.db_engine) as session:
        ident = uuid.UUID(scan_id)
        clauses = session.exec(
            select(func.count()).where(ClauseRecord.scan_id == ident)
        ).one()
        findings = session.exec(
            select(func.count()).where(FindingRecord.scan_id == ident)
        ).one()
    return clauses, findings


def test_big_document_is_scanned_as_a_job(
    client: TestClient, app: FastAPI, tenant_a: Tenant
) -> None:
    assert len(LICENSE.encode()) > LIMIT
    document_id = _document(client, tenant_a)
    response = scan(client, tenant_a, document_id)
    assert response.status_code == 202, response.text
    queued = response.json()
    assert queued["status"] in ("pending", "running", "succeeded")
    assert response.headers["location"] == f"/v1/scans/{queued['id']}"
    body = wait_for_scan(client, tenant_a, queued["id"])
    assert body["status"] == "succeeded", body["error"]
    assert body["error"] is None and body["duration_ms"] is not None
    clauses = body["result"]["clauses"]
    assert clauses
    for item in clauses + [
        c for f in body["result"]["findings"] for c in f["citations"]
    ]:
        assert LICENSE[item["start"] : item["end"]] == item["quote"]
        assert item["line"] == LICENSE.count("\n", 0, item["start"]) + 1
    assert _counts(app, body["id"]) == (
        len(clauses),
        len(body["result"]["findings"]),
    )
    export = client.get(f"/v1/scans/{body['id']}/export", headers=tenant_a.headers)
    assert export.status_code == 200, export.text


def test_mode_forces_sync_or_job(client: TestClient, tenant_a: Tenant) -> None:
    big = _document(client, tenant_a)
    forced = scan(client, tenant_a, big, mode="sync")
    assert forced.status_code == 201, forced.text
    assert forced.json()["status"] == "succeeded"
    small = _document(client, tenant_a, SMALL)
    assert scan(client, tenant_a, small).status_code == 201
    queued = scan(client, tenant_a, small, mode="job")
    assert queued.status_code == 202, queued.text
    assert wait_for_scan(client, tenant_a, queued.json()["id"])["status"] == "succeeded"
    assert_problem(scan(client, tenant_a, small, mode="later"), 422)


def test_pending_scan_cannot_be_exported(
    client: TestClient, app: FastAPI, tenant_a: Tenant
) -> None:
    app.state.jobs.runner.stop()  # nobody runs the job: the scan stays pending
    document_id = _document(client, tenant_a)
    response = scan(client, tenant_a, document_id)
    assert response.status_code == 202, response.text
    scan_id = response.json()["id"]
    got = client.get(f"/v1/scans/{scan_id}", headers=tenant_a.headers).json()
    assert (got["status"], got["result"]) == ("pending", None)
    export = client.get(f"/v1/scans/{scan_id}/export", headers=tenant_a.headers)
    detail = assert_problem(export, 409, slug="no-result")["detail"]
    assert "pending" in detail and f"GET /v1/scans/{scan_id}" in detail


def test_a_retried_job_does_not_scan_twice(
    client: TestClient, app: FastAPI, tenant_a: Tenant
) -> None:
    document_id = _document(client, tenant_a)
    scan_id = scan(client, tenant_a, document_id).json()["id"]
    body = wait_for_scan(client, tenant_a, scan_id)
    assert body["status"] == "succeeded"
    rows = _counts(app, scan_id)
    engine = app.state.clause_engine
    handler = ScanJob(engine)
    handler(lambda: Session(app.state.db_engine), {"scan_id": scan_id})
    with Session(app.state.db_engine) as session:  # a run that lost the race
        record = session.get(ScanRecord, uuid.UUID(scan_id))
        document = session.get(DocumentRecord, uuid.UUID(document_id))
        assert record is not None and document is not None
        assert run_scan(session, engine, record, document=document).id == record.id
    assert _counts(app, scan_id) == rows
    assert wait_for_scan(client, tenant_a, scan_id)["result"] == body["result"]


def test_failing_scan_ends_failed_with_its_reason(
    client: TestClient,
    app: FastAPI,
    tenant_a: Tenant,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise InputError("the tagger choked on section 3")

    monkeypatch.setattr(app.state.clause_engine, "analyze", broken)
    document_id = _document(client, tenant_a)
    scan_id = scan(client, tenant_a, document_id).json()["id"]
    body = wait_for_scan(client, tenant_a, scan_id)
    assert body["status"] == "failed"
    assert body["error"] == "the tagger choked on section 3"
    assert body["result"] is None and _counts(app, scan_id) == (0, 0)
    export = client.get(f"/v1/scans/{scan_id}/export", headers=tenant_a.headers)
    assert "failed" in assert_problem(export, 409, slug="no-result")["detail"]
    with Session(app.state.db_engine) as session:  # the job itself is settled
        jobs = session.exec(select(JobRecord).where(JobRecord.kind == SCAN_JOB)).all()
    assert [(j.status, j.attempts) for j in jobs] == [("done", 1)]


def test_unexpected_error_and_give_up_are_recorded(
    client: TestClient,
    app: FastAPI,
    tenant_a: Tenant,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(app.state.clause_engine, "analyze", broken)
    document_id = _document(client, tenant_a)
    first = wait_for_scan(
        client, tenant_a, scan(client, tenant_a, document_id).json()["id"]
    )
    assert first["error"] == "internal error (RuntimeError): boom"
    app.state.jobs.runner.stop()
    second = scan(client, tenant_a, document_id).json()["id"]
    ScanJob().give_up(
        lambda: Session(app.state.db_engine), {"scan_id": second}, "Lost: gone"
    )
    body = wait_for_scan(client, tenant_a, second)
    assert body["status"] == "failed" and "Lost: gone" in body["error"]


def test_other_tenants_scan_is_not_found(
    client: TestClient, tenant_a: Tenant, tenant_b: Tenant
) -> None:
    document_id = _document(client, tenant_a)
    scan_id = scan(client, tenant_a, document_id).json()["id"]
    for path in (f"/v1/scans/{scan_id}", f"/v1/scans/{scan_id}/export"):
        assert_problem(client.get(path, headers=tenant_b.headers), 404)
    assert_problem(scan(client, tenant_b, document_id), 404)
    wait_for_scan(client, tenant_a, scan_id)
