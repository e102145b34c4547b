"""Hostile PDFs uploaded to the API are refused quickly and store nothing.

The limits come from the settings (`CLAUSEWISE_PDF_*`), lowered here so that
each refusal takes about a second; the defaults are tested in
tests/extractors/test_pdf_sandbox.py.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from extractors.pdf_sandbox import _SLOTS, parallel_readers, set_parallel_readers
from service.app import create_app
from service.settings import Settings
from tests.extractors.hostile_pdfs import MB, glyph_flood, inflate_bomb, text_pdf
from tests.service.api.helpers import Tenant, assert_problem, new_tenant, upload


@pytest.fixture
def limited(
    make_settings: Callable[..., Settings],
) -> Iterator[tuple[TestClient, Tenant]]:
    """A client on an app whose PDF reader has low limits."""
    app = create_app(
        make_settings(
            pdf_timeout_s=2.0,
            pdf_max_inflated_bytes=8 * MB,
            pdf_max_content_tokens=10**9,
            pdf_max_chars=10**9,
        )
    )
    with TestClient(app) as client:
        yield client, new_tenant(app, "limited")


def _stored(client: TestClient, tenant: Tenant) -> list[str]:
    """Names of the tenant's stored documents."""
    response = client.get("/v1/documents", headers=tenant.headers)
    assert response.status_code == 200
    return [document["name"] for document in response.json()["data"]]


def test_inflate_bomb_is_413_and_stores_nothing(
    limited: tuple[TestClient, Tenant],
) -> None:
    client, tenant = limited
    start = time.monotonic()
    response = upload(client, tenant, inflate_bomb(200 * MB), name="bomb.pdf")
    assert time.monotonic() - start < 10
    body = assert_problem(response, 413, slug="too-large")
    assert "'bomb.pdf' inflates to more than 8,388,608 bytes" in body["detail"]
    assert _stored(client, tenant) == []


def test_slow_pdf_is_422_and_the_service_goes_on(
    limited: tuple[TestClient, Tenant],
) -> None:
    client, tenant = limited
    start = time.monotonic()
    response = upload(client, tenant, glyph_flood(1_000_000), name="flood.pdf")
    assert time.monotonic() - start < 8
    body = assert_problem(response, 422, slug="pdf-too-costly")
    assert "'flood.pdf' took more than 2 s to read" in body["detail"]
    assert _stored(client, tenant) == []
    normal = upload(client, tenant, text_pdf("Licensee may use it."), name="ok.pdf")
    assert normal.status_code == 201, normal.text
    assert _stored(client, tenant) == ["ok.pdf"]


def test_a_pdf_waiting_past_its_time_limit_for_a_reader_is_503_with_retry_after(
    limited: tuple[TestClient, Tenant],
) -> None:
    client, tenant = limited
    assert parallel_readers() >= 1
    held = [_SLOTS.acquire(timeout=1) for _ in range(parallel_readers())]
    try:
        assert all(held)  # every reader slot is busy
        response = upload(client, tenant, text_pdf("Licensee may use it."))
        body = assert_problem(response, 503, slug="pdf-readers-busy")
        assert response.headers["retry-after"] == "5"
        assert "send it again later" in body["detail"]
        assert _stored(client, tenant) == []
    finally:
        for _ in held:
            _SLOTS.release()
    again = upload(client, tenant, text_pdf("Licensee may use it."), name="ok.pdf")
    assert again.status_code == 201, again.text


def test_the_service_sets_how_many_pdfs_are_read_at_once(
    make_settings: Callable[..., Settings],
) -> None:
    before = parallel_readers()
    try:
        with TestClient(create_app(make_settings(pdf_max_parallel=3))):
            assert parallel_readers() == 3
    finally:
        set_parallel_readers(before)
