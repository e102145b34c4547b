"""Uploading documents: sniffed types, dedupe, limits and refusals as problems."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from service.app import create_app
from service.settings import Settings
from tests.service.api.helpers import (
    FIXTURES,
    LICENSE,
    Tenant,
    assert_problem,
    new_tenant,
    upload,
)

CARD = (FIXTURES / "model_card.md").read_bytes()


def test_upload_txt_is_stored_with_sniffed_type(
    client: TestClient, tenant_a: Tenant
) -> None:
    response = upload(client, tenant_a, family="quill", version="1.0", tags="a, b")
    assert response.status_code == 201, response.text
    body = response.json()
    assert response.headers["location"] == f"/v1/documents/{body['id']}"
    assert body["media_type"] == "text/plain"
    assert body["sha256"] == hashlib.sha256(LICENSE.encode()).hexdigest()
    assert (body["family"], body["version"], body["tags"]) == (
        "quill",
        "1.0",
        ["a", "b"],
    )
    assert body["size"] == len(LICENSE.encode()) and body["chars"] == len(LICENSE)
    fetched = client.get(f"/v1/documents/{body['id']}", headers=tenant_a.headers)
    assert fetched.json() == body
    text = client.get(f"/v1/documents/{body['id']}/text", headers=tenant_a.headers)
    assert text.text == LICENSE


def test_markdown_is_sniffed_from_content_not_name(
    client: TestClient, tenant_a: Tenant
) -> None:
    response = upload(
        client, tenant_a, CARD, name="card.txt", content_type="text/plain"
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["media_type"] == "text/markdown"
    assert body["metadata"]["license_name"] == "example-community-license"


def test_pdf_upload_keeps_pages(client: TestClient, tenant_a: Tenant) -> None:
    pdf = (FIXTURES / "two_pages.pdf").read_bytes()
    response = upload(client, tenant_a, pdf, name="terms.bin")
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["media_type"], body["pages"]) == ("application/pdf", 2)
    text = client.get(f"/v1/documents/{body['id']}/text", headers=tenant_a.headers)
    assert "\f" in text.text


def test_same_bytes_are_stored_once_per_tenant(
    client: TestClient, app: Any, tenant_a: Tenant, tenant_b: Tenant
) -> None:
    first = upload(client, tenant_a, family="quill")
    again = upload(client, tenant_a, name="renamed.txt", family="quill")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()  # the stored document, unchanged
    # Other family/version labels are a 409, not ignored (see test_families).
    assert upload(client, tenant_a, family="other").status_code == 409
    text = client.post(
        "/v1/documents/text", json={"text": LICENSE}, headers=tenant_a.headers
    )
    assert text.status_code == 200 and text.json()["id"] == first.json()["id"]
    other = upload(client, tenant_b)
    assert other.status_code == 201 and other.json()["id"] != first.json()["id"]
    listing = client.get("/v1/documents", headers=tenant_a.headers).json()
    assert listing["count"] == 1


def test_json_text_upload(client: TestClient, tenant_a: Tenant) -> None:
    response = client.post(
        "/v1/documents/text",
        json={
            "text": "# Terms\n\nSome **Markdown** terms.\n",
            "name": "terms.md",
            "family": "acme",
            "source_url": "https://example.com/terms",
            "tags": ["x"],
        },
        headers=tenant_a.headers,
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["media_type"] == "text/markdown"
    assert (body["name"], body["source_url"]) == (
        "terms.md",
        "https://example.com/terms",
    )


def test_listing_pages_and_filters_by_family(
    client: TestClient, tenant_a: Tenant
) -> None:
    for index in range(3):
        family = "llama" if index < 2 else "gemma"
        text = f"Terms number {index}.\n"
        body = {"text": text, "family": family}
        created = client.post("/v1/documents/text", json=body, headers=tenant_a.headers)
        assert created.status_code == 201
    page = client.get(
        "/v1/documents", params={"limit": 2, "offset": 0}, headers=tenant_a.headers
    ).json()
    assert page["count"] == 3 and len(page["data"]) == 2
    rest = client.get(
        "/v1/documents", params={"limit": 2, "offset": 2}, headers=tenant_a.headers
    ).json()
    assert len(rest["data"]) == 1
    ids = {d["id"] for d in page["data"]} | {d["id"] for d in rest["data"]}
    assert len(ids) == 3
    llama = client.get(
        "/v1/documents", params={"family": "llama"}, headers=tenant_a.headers
    ).json()
    assert llama["count"] == 2
    assert {d["family"] for d in llama["data"]} == {"llama"}
    bad = client.get("/v1/documents", params={"limit": 0}, headers=tenant_a.headers)
    assert_problem(bad, 422, slug="invalid-request")


def test_refused_documents_are_problems(client: TestClient, tenant_a: Tenant) -> None:
    cases: list[tuple[bytes, int, str, str]] = [
        (b"", 422, "empty-document", "empty"),
        (b"   \n\t\n", 422, "empty-document", "white space"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, 415, "unsupported-format", "PNG image"),
        (b"abc\x00\x01\x02\x00def" * 20, 415, "unsupported-format", "binary"),
        (b"caf\xe9 au lait license", 422, "undecodable-text", "UTF-8"),
        ((FIXTURES / "encrypted.pdf").read_bytes(), 422, "unreadable-pdf", "encrypted"),
        (b"%PDF-1.7\n1 0 obj\n", 422, "unreadable-pdf", "truncated"),
    ]
    for content, status, slug, words in cases:
        response = upload(client, tenant_a, content, name="doc.bin")
        body = assert_problem(response, status, slug=slug)
        assert words in body["detail"], body
    listing = client.get("/v1/documents", headers=tenant_a.headers).json()
    assert listing["count"] == 0


def test_declared_type_that_contradicts_the_bytes_is_mislabelled(
    client: TestClient, tenant_a: Tenant
) -> None:
    pdf = (FIXTURES / "two_pages.pdf").read_bytes()
    as_text = upload(client, tenant_a, pdf, name="a.txt", content_type="text/plain")
    body = assert_problem(as_text, 415, slug="mislabelled")
    assert "is a PDF" in body["detail"]
    as_pdf = upload(client, tenant_a, name="a.pdf", content_type="application/pdf")
    assert "not a PDF" in assert_problem(as_pdf, 415, slug="mislabelled")["detail"]
    generic = upload(client, tenant_a, pdf, content_type="application/octet-stream")
    assert generic.status_code == 201


def test_size_page_and_quota_limits(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings(
        max_upload_bytes=1500, max_pdf_pages=1, max_documents_per_tenant=1
    )
    app = create_app(settings)
    with TestClient(app) as client:
        tenant = new_tenant(app, "small")
        too_big = upload(client, tenant, "x" * 1501)
        assert "1,501" in assert_problem(too_big, 413, slug="too-large")["detail"]
        too_big_json = client.post(
            "/v1/documents/text", json={"text": "y" * 1501}, headers=tenant.headers
        )
        assert_problem(too_big_json, 413, slug="too-large")
        pdf = (FIXTURES / "two_pages.pdf").read_bytes()
        pages = upload(client, tenant, pdf)
        assert "2 pages" in assert_problem(pages, 413, slug="too-large")["detail"]
        assert upload(client, tenant, "First terms.").status_code == 201
        assert upload(client, tenant, "First terms.").status_code == 200
        quota = upload(client, tenant, "Second terms.")
        assert (
            "limit is 1" in assert_problem(quota, 403, slug="quota-exceeded")["detail"]
        )


def test_form_fields_are_validated(client: TestClient, tenant_a: Tenant) -> None:
    response = upload(client, tenant_a, source_url="ftp://example.com/x")
    body = assert_problem(response, 422, slug="invalid-request")
    assert "source_url" in body["detail"]
    missing = client.post("/v1/documents", headers=tenant_a.headers)
    assert "file" in assert_problem(missing, 422)["detail"]
