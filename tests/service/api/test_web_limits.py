"""The reviewer pages under hostile use: rate limits, sign-in throttling, paging."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from service.app import create_app
from service.settings import Settings
from tests.service.api.helpers import assert_problem, new_tenant
from tests.web.helpers import csrf_of, sign_in

HUGE = "9223372036854775808"


def _browser(app: FastAPI) -> TestClient:
    """A cookie-keeping client on https (the session cookie is Secure)."""
    return TestClient(app, base_url="https://testserver")


def test_page_requests_count_against_the_keys_rate_limit(
    make_settings: Callable[..., Settings],
) -> None:
    app = create_app(make_settings(rate_limit_per_minute=4))
    with TestClient(app):
        tenant = new_tenant(app, "pages")
        browser = _browser(app)
        sign_in(browser, tenant.key)  # the key check counts: 1
        for _ in range(3):
            assert browser.get("/documents").status_code == 200
        page = browser.get("/documents")
        assert page.status_code == 429
        assert "rate limit" in page.text
        assert 1 <= int(page.headers["retry-after"]) <= 60
        scripted = browser.get("/documents", headers={"Accept": "application/json"})
        assert_problem(scripted, 429, slug="rate-limited")
        # The API shares the key's counter with its sessions.
        assert_problem(browser.get("/v1/documents", headers=tenant.headers), 429)


def test_failed_sign_ins_are_throttled_per_address(
    make_settings: Callable[..., Settings],
) -> None:
    app = create_app(make_settings(auth_failures_per_minute=2))
    with TestClient(app):
        tenant = new_tenant(app, "pages")
        browser = _browser(app)
        for _ in range(2):
            page = browser.get("/login")
            refused = browser.post(
                "/login", data={"api_key": "cw_nope", "csrf_token": csrf_of(page.text)}
            )
            assert refused.status_code == 401
        page = browser.get("/login")
        throttled = browser.post(
            "/login", data={"api_key": tenant.key, "csrf_token": csrf_of(page.text)}
        )
        assert throttled.status_code == 429
        assert "failed" in throttled.text
        assert 1 <= int(throttled.headers["retry-after"]) <= 60
        assert "cw_session" not in throttled.headers.get("set-cookie", "")


@pytest.fixture
def signed_in(app: FastAPI, client: TestClient) -> TestClient:
    tenant = new_tenant(app, "pager")
    browser = _browser(app)
    sign_in(browser, tenant.key)
    browser.headers["X-Test-Key"] = tenant.key
    return browser


@pytest.mark.parametrize("offset", ["2147483648", HUGE, "1" + HUGE])
def test_web_paging_offsets_are_bounded(signed_in: TestClient, offset: str) -> None:
    key = signed_in.headers["X-Test-Key"]
    cards = json.dumps({"id": "a", "text": "Use is limited to research."})
    batch = signed_in.post(
        "/v1/batches",
        content=cards,
        headers={
            "Authorization": f"Bearer {key}",
            "Content-Type": "application/x-ndjson",
        },
    ).json()["id"]
    for url in (
        f"/documents?offset={offset}",
        f"/batches/{batch}?offset={offset}",
        f"/batches/{batch}/items/{offset}",
    ):
        response = signed_in.get(url)
        assert response.status_code == 422, (url, response.status_code)
    assert signed_in.get(f"/batches/{batch}?offset=2147483647").status_code == 200
