"""A text over spaCy's 1,000,000-character limit, through the API, both scan paths.

Before the engine matched in pieces, such a text gave 500 on a synchronous
scan and a `failed` job with spaCy's E088 message on the job path.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.service.api.helpers import Tenant, scan

FILLER = "The parties met on a sunny day and talked about the harvest.\n\n"
LAW = "This Agreement is governed by the laws of the State of New York."
TEXT = FILLER * (1_050_000 // len(FILLER)) + LAW + "\n"


def _wait(client: TestClient, tenant: Tenant, scan_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while True:
        body: dict[str, Any] = client.get(
            f"/v1/scans/{scan_id}", headers=tenant.headers
        ).json()
        if body["status"] in ("succeeded", "failed"):
            return body
        assert time.monotonic() < deadline, f"scan still {body['status']}"
        time.sleep(0.1)


@pytest.mark.parametrize("mode", ["sync", "job"])
def test_a_text_over_a_million_characters_is_scanned(
    client: TestClient, tenant_a: Tenant, mode: str
) -> None:
    assert len(TEXT) > 1_000_000
    response = client.post(
        "/v1/documents/text",
        json={"text": TEXT, "name": "long.txt"},
        headers=tenant_a.headers,
    )
    assert response.status_code == 201, response.text
    document_id = response.json()["id"]
    response = scan(client, tenant_a, document_id, mode=mode)
    assert response.status_code == (201 if mode == "sync" else 202), response.text
    body = _wait(client, tenant_a, response.json()["id"])
    assert body["status"] == "succeeded", body.get("error")
    [clause] = body["result"]["clauses"]
    assert clause["type"] == "governing_law"
    assert TEXT[clause["start"] : clause["end"]] == LAW == clause["quote"]
