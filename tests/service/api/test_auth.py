"""API keys, tenant isolation (always 404, never 403) and the rate limit."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Callable

import pytest
import redis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlmodel import Session, select

from service.app import create_app
from service.auth.tables import ApiKeyRecord
from service.rate_limits import RateLimiter
from service.settings import Settings
from tests.service.api.helpers import Tenant, assert_problem, new_tenant, scan, upload


def test_requests_without_a_valid_key_are_401(
    client: TestClient, app: FastAPI, tenant_a: Tenant
) -> None:
    for headers in (
        {},
        {"Authorization": "Bearer cw_not-a-real-key"},
        {"X-API-Key": "cw_not-a-real-key"},
        {"Authorization": f"Basic {tenant_a.key}"},
    ):
        response = client.get("/v1/documents", headers=headers)
        assert_problem(response, 401, slug="unauthorized")
        assert response.headers["www-authenticate"] == "Bearer"
    ok = client.get("/v1/documents", headers={"X-API-Key": tenant_a.key})
    assert ok.status_code == 200
    with Session(app.state.db_engine) as session:
        record = session.exec(select(ApiKeyRecord)).one()
        record.revoked_at = dt.datetime.now(dt.UTC)
        session.add(record)
        session.commit()
    revoked = client.get("/v1/documents", headers=tenant_a.headers)
    assert "revoked" in assert_problem(revoked, 401)["detail"]


def test_a_tenant_sees_nothing_of_another(
    client: TestClient, tenant_a: Tenant, tenant_b: Tenant
) -> None:
    document_id = upload(client, tenant_a).json()["id"]
    scan_id = scan(client, tenant_a, document_id).json()["id"]
    profile = client.post(
        "/v1/profiles",
        json={"name": "p", "profile": {"regions": ["US"]}},
        headers=tenant_a.headers,
    ).json()
    b = tenant_b.headers
    for response in (
        client.get(f"/v1/documents/{document_id}", headers=b),
        client.get(f"/v1/documents/{document_id}/text", headers=b),
        client.get(f"/v1/documents/{document_id}/scans", headers=b),
        client.post(f"/v1/documents/{document_id}/scans", headers=b),
        client.get(f"/v1/scans/{scan_id}", headers=b),
        client.get(f"/v1/scans/{scan_id}/export", headers=b),
        client.post(
            f"/v1/scans/{scan_id}/evaluate",
            params={"profile": profile["id"]},
            headers=b,
        ),
        client.get(f"/v1/profiles/{profile['id']}", headers=b),
    ):
        assert_problem(response, 404, slug="not-found")
    own_profile = client.post(
        "/v1/profiles", json={"name": "q", "profile": {}}, headers=b
    ).json()
    b_document = upload(client, tenant_b, "Terms of tenant B.").json()["id"]
    b_scan = scan(client, tenant_b, b_document).json()["id"]
    foreign_profile = client.post(
        f"/v1/scans/{b_scan}/evaluate", params={"profile": profile["id"]}, headers=b
    )
    assert_problem(foreign_profile, 404)
    foreign_scan = client.post(
        f"/v1/scans/{scan_id}/evaluate",
        params={"profile": own_profile["id"]},
        headers=b,
    )
    assert_problem(foreign_scan, 404)
    assert client.get("/v1/documents", headers=b).json()["count"] == 1
    assert client.get("/v1/profiles", headers=b).json()["count"] == 1
    still = client.get(f"/v1/documents/{document_id}", headers=tenant_a.headers)
    assert still.status_code == 200


def test_rate_limit_answers_429_with_retry_after(
    make_settings: Callable[..., Settings],
) -> None:
    app = create_app(make_settings(rate_limit_per_minute=3))
    with TestClient(app) as client:
        one, other = new_tenant(app, "one"), new_tenant(app, "other")
        for _ in range(3):
            assert client.get("/v1/documents", headers=one.headers).status_code == 200
        limited = client.get("/v1/documents", headers=one.headers)
        assert_problem(limited, 429, slug="rate-limited")
        assert 1 <= int(limited.headers["retry-after"]) <= 60
        assert client.get("/v1/documents", headers=other.headers).status_code == 200
        assert client.get("/healthz").status_code == 200  # not rate limited


def test_rate_limiter_windows_reset() -> None:
    limiter = RateLimiter(2, window_s=1, namespace=f"t-{uuid.uuid4()}")
    key = uuid.uuid4()
    assert limiter.hit(key) is None and limiter.hit(key) is None
    wait = limiter.hit(key)
    assert wait is not None and 0.0 <= wait <= 1.0
    time.sleep(wait + 0.05)  # the window has passed
    assert limiter.hit(key) is None


def test_blocked_reads_the_window_without_counting() -> None:
    throttle = RateLimiter(2, window_s=60, namespace=f"t-{uuid.uuid4()}")
    address = "192.0.2.1"
    assert throttle.blocked(address) is None
    throttle.hit(address)
    assert throttle.blocked(address) is None  # one failure left
    throttle.hit(address)
    first = throttle.blocked(address)
    assert first is not None and 0.0 < first <= 60.0
    again = throttle.blocked(address)  # asking does not count
    assert again is not None and again <= first
    assert throttle.hit("192.0.2.2") is None  # another address is apart


def _redis_url() -> str:
    url = "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError as exc:
        pytest.skip(f"Redis unreachable at {url}: {exc}")
    return url


def test_a_limit_counted_in_redis_holds_across_processes() -> None:
    # two limiters on one Redis stand for two server processes: together
    # they allow the limit once, where in memory each would allow it
    url, namespace = _redis_url(), f"t-{uuid.uuid4()}"
    first = RateLimiter(3, storage=url, namespace=namespace)
    second = RateLimiter(3, storage=url, namespace=namespace)
    key = uuid.uuid4()
    answers = [limiter.hit(key) for limiter in (first, second, first, second)]
    assert answers[:3] == [None, None, None] and answers[3] is not None
    alone = [RateLimiter(3, namespace=f"m-{uuid.uuid4()}") for _ in range(2)]
    assert [limiter.hit(key) for limiter in (*alone, *alone)] == [None] * 4


def test_an_unreachable_rate_limit_store_is_a_503_not_a_500(
    make_settings: Callable[..., Settings],
) -> None:
    settings = make_settings(rate_limit_storage="redis://127.0.0.1:9/0")
    app = create_app(settings)
    with TestClient(app) as client:
        tenant = new_tenant(app, "unlucky")
        response = client.get("/v1/documents", headers=tenant.headers)
        assert_problem(response, 503, slug="rate-limit-store-unavailable")
        assert response.headers["retry-after"] == "5"


def test_a_storage_url_of_no_known_kind_is_refused_at_start() -> None:
    with pytest.raises(ValidationError, match="must start with one of"):
        Settings(rate_limit_storage="memcached://127.0.0.1:11211")
