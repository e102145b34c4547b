"""Scanning stored documents: persisted, cited, versioned, exported, evaluated."""

from __future__ import annotations

import json
import uuid
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from extractors.engine import ENGINE_VERSION
from service.scans.tables import ClauseRecord, FindingRecord, ScanRecord
from tests.service.api.helpers import (
    LICENSE,
    LICENSE_TYPES,
    Tenant,
    assert_problem,
    scan,
    upload,
)

PROFILE = {
    "monthly_active_users": 800_000_000,
    "regions": ["DE", "US"],
    "intended_uses": ["commercial"],
}


def _document(client: TestClient, tenant: Tenant) -> str:
    response = upload(client, tenant)
    assert response.status_code == 201, response.text
    document_id: str = response.json()["id"]
    return document_id


def _profile(client: TestClient, tenant: Tenant, name: str = "nordlicht") -> str:
    response = client.post(
        "/v1/profiles",
        json={"name": name, "profile": PROFILE},
        headers=tenant.headers,
    )
    assert response.status_code == 201, response.text
    profile_id: str = response.json()["id"]
    return profile_id


def _check_citations(text: str, items: list[dict[str, Any]]) -> None:
    for item in items:
        assert text[item["start"] : item["end"]] == item["quote"]
        assert item["line"] == text.count("\n", 0, item["start"]) + 1


def test_scan_persists_cited_clauses_and_findings(
    client: TestClient, app: FastAPI, tenant_a: Tenant
) -> None:
    document_id = _document(client, tenant_a)
    response = scan(client, tenant_a, document_id)
    assert response.status_code == 201, response.text
    body = response.json()
    assert response.headers["location"] == f"/v1/scans/{body['id']}"
    assert body["status"] == "succeeded" and body["document_id"] == document_id
    assert body["engine"]["version"] == ENGINE_VERSION
    result = body["result"]
    assert {c["type"] for c in result["clauses"]} == LICENSE_TYPES
    threshold = next(c for c in result["clauses"] if c["type"] == "usage_threshold")
    assert threshold["params"]["thresholds"][0]["value"] == 700_000_000
    _check_citations(LICENSE, result["clauses"])
    for finding in result["findings"]:
        assert finding["verdict"] is None
        _check_citations(LICENSE, finding["citations"])
    assert (body["clause_count"], body["finding_count"]) == (
        len(result["clauses"]),
        len(result["findings"]),
    )
    with Session(app.state.db_engine) as session:
        scan_id = uuid.UUID(body["id"])
        stored = session.get(ScanRecord, scan_id)
        assert stored is not None and stored.result == result
        clauses = session.exec(
            select(ClauseRecord).where(ClauseRecord.scan_id == scan_id)
        ).all()
        findings = session.exec(
            select(FindingRecord).where(FindingRecord.scan_id == scan_id)
        ).all()
    assert sorted((c.clause_type, c.start, c.end) for c in clauses) == sorted(
        (c["type"], c["start"], c["end"]) for c in result["clauses"]
    )
    assert {f.category for f in findings} == {f["category"] for f in result["findings"]}
    assert all(LICENSE[f.start : f.end] for f in findings if f.start is not None)


def test_rescan_keeps_history_newest_first(
    client: TestClient, tenant_a: Tenant
) -> None:
    document_id = _document(client, tenant_a)
    first = scan(client, tenant_a, document_id).json()
    second = scan(client, tenant_a, document_id).json()
    assert first["id"] != second["id"]
    history = client.get(
        f"/v1/documents/{document_id}/scans", headers=tenant_a.headers
    ).json()
    assert history["count"] == 2
    assert [s["id"] for s in history["data"]] == [second["id"], first["id"]]
    assert {s["engine"]["version"] for s in history["data"]} == {ENGINE_VERSION}
    assert "result" not in history["data"][0]
    old = client.get(f"/v1/scans/{first['id']}", headers=tenant_a.headers).json()
    assert old["result"] == first["result"]


def test_exports_json_and_markdown(client: TestClient, tenant_a: Tenant) -> None:
    document_id = _document(client, tenant_a)
    scanned = scan(client, tenant_a, document_id).json()
    url = f"/v1/scans/{scanned['id']}/export"
    as_json = client.get(url, params={"format": "json"}, headers=tenant_a.headers)
    assert as_json.status_code == 200
    assert as_json.headers["content-type"].startswith("application/json")
    assert json.loads(as_json.text) == scanned["result"]
    as_md = client.get(url, params={"format": "markdown"}, headers=tenant_a.headers)
    assert as_md.headers["content-type"].startswith("text/markdown")
    assert as_md.text.startswith("# quill.txt\n")
    assert "usage_threshold" in as_md.text
    unknown = client.get(url, params={"format": "docx"}, headers=tenant_a.headers)
    detail = assert_problem(unknown, 422, slug="unknown-format")["detail"]
    assert "json" in detail and "markdown" in detail


def test_scan_with_a_profile_records_verdicts(
    client: TestClient, tenant_a: Tenant
) -> None:
    document_id = _document(client, tenant_a)
    profile_id = _profile(client, tenant_a)
    body = scan(client, tenant_a, document_id, profile=profile_id).json()
    assert body["profile_id"] == profile_id
    verdicts = {f["category"]: f for f in body["result"]["findings"]}
    assert verdicts["scale_limit"]["severity"] == "blocker"
    assert "800,000,000" in verdicts["scale_limit"]["verdict"]
    assert "DE" in verdicts["market_exclusion"]["verdict"]


def test_evaluate_applies_a_profile_without_changing_the_scan(
    client: TestClient, tenant_a: Tenant
) -> None:
    document_id = _document(client, tenant_a)
    scanned = scan(client, tenant_a, document_id).json()
    profile_id = _profile(client, tenant_a)
    response = client.post(
        f"/v1/scans/{scanned['id']}/evaluate",
        params={"profile": profile_id},
        headers=tenant_a.headers,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["scan_id"], body["profile_id"]) == (scanned["id"], profile_id)
    assert body["profile_name"] == "nordlicht"
    assert body["findings"] and all(f["verdict"] for f in body["findings"])
    _check_citations(LICENSE, [c for f in body["findings"] for c in f["citations"]])
    stored = client.get(f"/v1/scans/{scanned['id']}", headers=tenant_a.headers)
    assert stored.json() == scanned  # the stored scan is unchanged


def test_unknown_ids_are_404(client: TestClient, tenant_a: Tenant) -> None:
    document_id = _document(client, tenant_a)
    scan_id = scan(client, tenant_a, document_id).json()["id"]
    missing = str(uuid.uuid4())
    headers = tenant_a.headers
    for response in (
        client.get(f"/v1/documents/{missing}", headers=headers),
        client.get("/v1/documents/not-a-uuid", headers=headers),
        client.get(f"/v1/documents/{missing}/text", headers=headers),
        client.post(f"/v1/documents/{missing}/scans", headers=headers),
        client.get(f"/v1/documents/{missing}/scans", headers=headers),
        client.get(f"/v1/scans/{missing}", headers=headers),
        client.get(f"/v1/scans/{missing}/export", headers=headers),
        client.post(f"/v1/scans/{scan_id}/evaluate?profile={missing}", headers=headers),
        client.post(f"/v1/documents/{document_id}/scans?profile=x", headers=headers),
        client.get(f"/v1/profiles/{missing}", headers=headers),
    ):
        assert_problem(response, 404, slug="not-found")
