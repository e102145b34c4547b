"""`GET /v1/scans/{id}/export`: every format of the export registry, one dispatch."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from service.exports import export
from tests.service.api.helpers import LICENSE, Tenant, assert_problem, scan, upload


def _scanned(client: TestClient, tenant: Tenant) -> str:
    document = upload(client, tenant, LICENSE, name="quill.txt").json()
    response = scan(client, tenant, document["id"])
    assert response.status_code == 201, response.text
    scan_id: str = response.json()["id"]
    return scan_id


def test_sarif_export_points_at_the_stored_text(
    client: TestClient, tenant_a: Tenant
) -> None:
    scan_id = _scanned(client, tenant_a)
    response = client.get(
        f"/v1/scans/{scan_id}/export",
        params={"format": "sarif"},
        headers=tenant_a.headers,
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/sarif+json")
    log = response.json()
    assert log["version"] == "2.1.0"
    results = log["runs"][0]["results"]
    assert results, "a license with an EU exclusion yields SARIF results"
    uris = {
        loc["physicalLocation"]["artifactLocation"]["uri"]
        for r in results
        for loc in r["locations"]
    }
    assert uris == {"quill.txt"}
    stored = client.get(f"/v1/scans/{scan_id}", headers=tenant_a.headers).json()
    expected, _ = export("sarif", stored["result"], name="quill.txt", text=LICENSE)
    assert log == json.loads(expected)


def test_cyclonedx_export_is_a_1_6_bom(client: TestClient, tenant_a: Tenant) -> None:
    scan_id = _scanned(client, tenant_a)
    response = client.get(
        f"/v1/scans/{scan_id}/export",
        params={"format": "cyclonedx"},
        headers=tenant_a.headers,
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/vnd.cyclonedx+json")
    bom = response.json()
    assert (bom["bomFormat"], bom["specVersion"]) == ("CycloneDX", "1.6")


def test_json_export_unchanged_and_unknown_format_lists_all(
    client: TestClient, tenant_a: Tenant
) -> None:
    scan_id = _scanned(client, tenant_a)
    url = f"/v1/scans/{scan_id}/export"
    body = client.get(url, headers=tenant_a.headers)
    stored = client.get(f"/v1/scans/{scan_id}", headers=tenant_a.headers).json()
    assert body.headers["content-type"].startswith("application/json")
    assert json.loads(body.text) == stored["result"]
    assert body.text.startswith('{\n  "') and body.text.endswith("}\n")  # indent 2
    bad = client.get(url, params={"format": "spdx"}, headers=tenant_a.headers)
    problem = assert_problem(bad, 422, slug="unknown-format")
    assert "cyclonedx, json, markdown, sarif" in problem["detail"]
