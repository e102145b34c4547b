"""Scans in the request and scan jobs analysed in worker processes (`scan_processes`).

The proof that a worker did the analysis: the app's own engine is broken in
the test, and the scan still succeeds with the in-thread result.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from extractors.engine import default_engine
from extractors.parse import parse_bytes
from service.analysis_pool import AnalysisPool, PooledEngine
from service.app import create_app
from service.settings import Settings
from tests.service.api.helpers import LICENSE, new_tenant, scan, upload, wait_for_scan


def _broken(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("analysed in the request thread, not in a worker")


def _scan_result(
    settings: Settings, monkeypatch: pytest.MonkeyPatch | None = None
) -> dict[str, Any]:
    """Scan in the request and queue a scan job; with `monkeypatch`, break the
    app's own engine (shared by every app of the process) for this test."""
    application = create_app(settings)
    with TestClient(application) as client:
        tenant = new_tenant(application, "pooled")
        pooled = application.state.clause_engine
        if monkeypatch is not None:
            assert isinstance(pooled, PooledEngine)
            monkeypatch.setattr(pooled.engine, "analyze", _broken)
        document_id = upload(client, tenant, LICENSE).json()["id"]
        response = scan(client, tenant, document_id, mode="sync")
        assert response.status_code == 201, response.text
        job = scan(client, tenant, document_id, mode="job")
        assert job.status_code == 202, job.text
        queued = wait_for_scan(client, tenant, job.json()["id"])
        body: dict[str, Any] = response.json()
    assert queued["status"] == "succeeded", queued
    assert queued["result"] == body["result"]
    return body


def test_scans_run_in_worker_processes_with_the_same_result(
    make_settings: Callable[..., Settings], monkeypatch: pytest.MonkeyPatch
) -> None:
    here = _scan_result(make_settings(scan_processes=1))
    pooled = _scan_result(make_settings(scan_processes=2), monkeypatch)
    assert pooled["result"] == here["result"]
    assert pooled["engine"] == here["engine"]


def test_one_process_means_no_pool(make_settings: Callable[..., Settings]) -> None:
    application = create_app(make_settings(scan_processes=1))
    with TestClient(application):
        assert application.state.analysis_pool is None
        assert not isinstance(application.state.clause_engine, PooledEngine)


def test_the_old_setting_name_still_sizes_the_pool(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CLAUSEWISE_SCAN_PROCESSES", raising=False)
    monkeypatch.setenv("CLAUSEWISE_JOB_PROCESSES", "3")
    assert Settings().scan_processes == 3
    monkeypatch.setenv("CLAUSEWISE_SCAN_PROCESSES", "2")
    assert Settings().scan_processes == 2


def test_a_worker_engine_unlike_the_apps_is_an_error() -> None:
    engine = default_engine()
    pool = AnalysisPool(1)
    try:
        # an engine with other pattern data stamps results the app did not make
        other = copy.copy(engine)
        other.provenance = dataclasses.replace(engine.provenance, patterns_sha256="x")
        document = parse_bytes(LICENSE.encode(), name="quill.txt")
        with pytest.raises(RuntimeError, match="not the app's"):
            PooledEngine(other, pool).analyze(document)
        assert PooledEngine(engine, pool).analyze(document).clauses
    finally:
        pool.close()
