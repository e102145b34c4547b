"""The batch routes through core's app and client fixtures (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from service.batches.tables import BATCHES
from tests.service.api.helpers import LICENSE, Tenant, assert_problem

from .conftest import CARD, PLAIN

NDJSON = {"Content-Type": "application/x-ndjson"}


@pytest.fixture
def app(settings: Any) -> FastAPI:
    """Core's app with fast polling and a small batch limit, set before start-up."""
    from service.app import create_app

    application = create_app(
        settings.updated(
            job_poll_seconds=0.05, batch_max_items=20, batch_max_bytes=64 * 1024
        )
    )
    return application


def _jsonl(*rows: dict[str, Any]) -> bytes:
    return b"".join(json.dumps(row).encode() + b"\n" for row in rows)


def _wait(client: TestClient, tenant: Tenant, batch_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        body: dict[str, Any] = client.get(
            f"/v1/batches/{batch_id}", headers=tenant.headers
        ).json()
        if body["status"] == "done":
            return body
        time.sleep(0.05)
    raise AssertionError(f"batch {batch_id} not done in 30 s: {body}")


MIXED = _jsonl(
    {"id": "quill", "text": LICENSE},
    {"id": "kestrel", "markdown": CARD},
    {"id": "empty", "text": ""},
    {"id": "plain", "text": PLAIN},
    {"id": "quill-again", "text": LICENSE},
)
"""A license, a card, an empty card, plain text, and the license again."""


def _submit(client: TestClient, tenant: Tenant, body: bytes, **headers: str) -> Any:
    return client.post(
        "/v1/batches", content=body, headers={**tenant.headers, **NDJSON, **headers}
    )


def test_submit_progress_items_and_stream(
    client: TestClient, app: FastAPI, tenant_a: Tenant
) -> None:
    response = _submit(client, tenant_a, MIXED)
    assert response.status_code == 202, response.text
    batch = response.json()
    assert response.headers["location"] == f"/v1/batches/{batch['id']}"
    assert batch["progress"]["total"] == 5
    done = _wait(client, tenant_a, batch["id"])
    assert done["progress"] == {"total": 5, "done": 4, "failed": 1, "pending": 0}
    assert done["finished_at"] is not None

    url = f"/v1/batches/{batch['id']}/items"
    page = client.get(url, params={"limit": 2, "offset": 1}, headers=tenant_a.headers)
    assert page.status_code == 200
    assert [i["id"] for i in page.json()["data"]] == ["kestrel", "empty"]
    assert page.json()["count"] == 5
    failed = client.get(url, params={"status": "failed"}, headers=tenant_a.headers)
    [empty] = failed.json()["data"]
    assert empty["id"] == "empty" and "is empty" in empty["error"]
    assert empty["result"] is None
    threshold = client.get(
        url, params={"clause_type": "usage_threshold"}, headers=tenant_a.headers
    ).json()
    assert [i["id"] for i in threshold["data"]] == ["quill", "kestrel", "quill-again"]
    assert threshold["data"][2]["result"]["document"]["name"] == "quill-again"
    bad = client.get(url, params={"clause_type": "nonsense"}, headers=tenant_a.headers)
    assert_problem(bad, 422)

    stream = client.get(
        f"/v1/batches/{batch['id']}/results.ndjson", headers=tenant_a.headers
    )
    assert stream.status_code == 200
    assert stream.headers["content-type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in stream.text.splitlines()]
    assert [line["id"] for line in lines] == [
        "quill",
        "kestrel",
        "empty",
        "plain",
        "quill-again",
    ]
    assert lines[1]["result"]["document"]["metadata"]["license_name"] == (
        "kestrel-community"
    )
    samples = app.state.metrics.batch_items.labels(status="done")._value.get()
    assert samples == 4


def test_idempotency_key_replays_the_same_batch(
    client: TestClient, tenant_a: Tenant
) -> None:
    body = _jsonl({"id": "a", "text": PLAIN})
    first = _submit(client, tenant_a, body, **{"Idempotency-Key": "retry-1"})
    again = _submit(client, tenant_a, body, **{"Idempotency-Key": "retry-1"})
    assert (first.status_code, again.status_code) == (202, 200)
    assert again.json()["id"] == first.json()["id"]
    other = _submit(
        client,
        tenant_a,
        _jsonl({"id": "b", "text": PLAIN}),
        **{"Idempotency-Key": "retry-1"},
    )
    assert_problem(other, 409, slug="idempotency-conflict")


def test_invalid_jsonl_is_422_naming_the_line_and_stores_nothing(
    client: TestClient, app: FastAPI, tenant_a: Tenant
) -> None:
    body = _jsonl({"id": "a", "text": PLAIN}) + b'{"id": "b", "text": oops}\n'
    problem = assert_problem(_submit(client, tenant_a, body), 422, slug="invalid-batch")
    assert problem["detail"].startswith("line 2: not valid JSON")
    missing = _submit(client, tenant_a, _jsonl({"id": "a"}, {"text": "x"}))
    assert assert_problem(missing, 422)["detail"].startswith("line 1: ")
    too_many = _jsonl(*({"id": str(n), "text": PLAIN} for n in range(21)))
    assert (
        "more than 20 cards"
        in assert_problem(_submit(client, tenant_a, too_many), 422)["detail"]
    )
    with app.state.db_engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(BATCHES)).scalar() == 0
    wrong = client.post(
        "/v1/batches",
        content=b"{}",
        headers={**tenant_a.headers, "Content-Type": "text/csv"},
    )
    assert_problem(wrong, 415)
    huge = _jsonl({"id": "big", "text": "x" * 70_000})
    assert_problem(_submit(client, tenant_a, huge), 413, slug="too-large")


def test_another_tenants_batch_is_404(
    client: TestClient, tenant_a: Tenant, tenant_b: Tenant
) -> None:
    batch_id = _submit(client, tenant_a, _jsonl({"id": "a", "text": PLAIN})).json()[
        "id"
    ]
    for suffix in ("", "/items", "/results.ndjson"):
        response = client.get(
            f"/v1/batches/{batch_id}{suffix}", headers=tenant_b.headers
        )
        assert_problem(response, 404, slug="not-found")
    assert_problem(client.get("/v1/batches/not-a-uuid", headers=tenant_a.headers), 404)


def test_multipart_files_with_a_binary_one(
    client: TestClient, tenant_a: Tenant
) -> None:
    files = [
        ("files", ("card.md", CARD.encode(), "text/markdown")),
        ("files", ("blob.bin", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png")),
    ]
    response = client.post("/v1/batches", files=files, headers=tenant_a.headers)
    assert response.status_code == 202, response.text
    done = _wait(client, tenant_a, response.json()["id"])
    assert done["progress"]["done"] == 1 and done["progress"]["failed"] == 1
    items = client.get(
        f"/v1/batches/{done['id']}/items", headers=tenant_a.headers
    ).json()["data"]
    assert [i["id"] for i in items] == ["card.md", "blob.bin"]
    assert "PNG" in items[1]["error"]


def test_worker_processes_give_the_results_of_the_job_thread(settings: Any) -> None:
    from service.app import create_app
    from tests.service.api.helpers import new_tenant

    outputs = []
    for processes in (1, 2):
        application = create_app(
            settings.updated(scan_processes=processes, job_poll_seconds=0.05)
        )
        with TestClient(application) as client:
            tenant = new_tenant(application, f"tenant-{processes}")
            batch = _submit(client, tenant, MIXED).json()
            _wait(client, tenant, batch["id"])
            stream = client.get(
                f"/v1/batches/{batch['id']}/results.ndjson", headers=tenant.headers
            )
            pool = application.state.jobs.pool
            used = pool is not None and pool.started
        assert used is (processes > 1)
        lines = [json.loads(line) for line in stream.text.splitlines()]
        outputs.append([(r["id"], r["status"], r["error"], r["result"]) for r in lines])
    assert outputs[0] == outputs[1]
    assert [status for _, status, _, _ in outputs[1]].count("failed") == 1
