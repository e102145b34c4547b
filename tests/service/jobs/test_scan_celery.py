"""A big document's scan job on a real Celery worker (skipped without Redis)."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient

from service.app import create_app
from tests.service.api.helpers import LICENSE, new_tenant, upload

from .test_celery import Worker, worker  # noqa: F401 - the worker fixture, by name


def test_api_scan_job_runs_on_a_celery_worker(worker: Worker) -> None:  # noqa: F811
    """job_mode=celery: the API queues the scan, the worker process runs it."""
    settings = worker.settings.updated(sync_scan_max_bytes=100)
    app = create_app(settings)
    with TestClient(app) as client:
        assert app.state.jobs.runner is None  # no threads: Celery does the work
        tenant = new_tenant(app, "celery-scans")
        document = upload(client, tenant)
        assert document.status_code == 201, document.text
        response = client.post(
            f"/v1/documents/{document.json()['id']}/scans", headers=tenant.headers
        )
        assert response.status_code == 202, response.text
        url = response.headers["location"]
        deadline = time.monotonic() + 60
        body = client.get(url, headers=tenant.headers).json()
        while body["status"] in ("pending", "running") and time.monotonic() < deadline:
            worker.alive()
            time.sleep(0.1)
            body = client.get(url, headers=tenant.headers).json()
    assert body["status"] == "succeeded", (body, worker.tail())
    for clause in body["result"]["clauses"]:
        assert LICENSE[clause["start"] : clause["end"]] == clause["quote"]
