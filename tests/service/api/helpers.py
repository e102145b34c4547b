"""Shared test data and helpers for the API tests (fixtures are in conftest)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from service.auth.keys import create_key
from tests.licenses import four_clause_license

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "parse"

LICENSE = four_clause_license("Quillfeather")
LICENSE_TYPES = {
    "usage_threshold",
    "attribution",
    "aup_incorporation",
    "geographic_restriction",
}


@dataclass(frozen=True)
class Tenant:
    """A tenant's name, plaintext key and ready-made auth headers."""

    name: str
    key: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}


def new_tenant(app: FastAPI, name: str, reviewer: str | None = None) -> Tenant:
    with Session(app.state.db_engine) as session:
        key, _ = create_key(session, name, reviewer)
    return Tenant(name, key)


def upload(
    client: TestClient,
    tenant: Tenant,
    content: bytes | str = LICENSE,
    name: str = "quill.txt",
    content_type: str = "application/octet-stream",
    **form: Any,
) -> Any:
    """POST a file to /v1/documents and return the response."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    return client.post(
        "/v1/documents",
        files={"file": (name, data, content_type)},
        data=form,
        headers=tenant.headers,
    )


def scan(client: TestClient, tenant: Tenant, document_id: str, **params: str) -> Any:
    """POST a scan of a document and return the response."""
    return client.post(
        f"/v1/documents/{document_id}/scans", params=params, headers=tenant.headers
    )


def assert_problem(
    response: Any, status: int, *, slug: str | None = None
) -> dict[str, Any]:
    """Check an RFC 9457 problem response and return its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["title"]
    assert body["detail"]
    assert body["instance"] == response.request.url.path
    if slug is not None:
        assert body["type"].endswith("/" + slug), body["type"]
    return body


def wait_for_scan(client: TestClient, tenant: Tenant, scan_id: str) -> dict[str, Any]:
    """Poll the scan until it has ended (at most 30 s) and return it."""
    deadline = time.monotonic() + 30
    while True:
        response = client.get(f"/v1/scans/{scan_id}", headers=tenant.headers)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        if body["status"] in ("succeeded", "failed"):
            return body
        assert time.monotonic() < deadline, f"scan still {body['status']}"
        time.sleep(0.05)
