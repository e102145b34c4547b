"""The API with a model stage: scans run in the server's thread pool."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.settings import Settings
from tests.service.api.helpers import new_tenant, scan, upload

HAS_MODEL = importlib.util.find_spec("sentence_transformers") is not None


@pytest.mark.model
@pytest.mark.skipif(not HAS_MODEL, reason="model extra not installed")
def test_scan_with_the_encoder_stage_through_the_api(
    make_settings: Callable[..., Settings],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The feature cache's SQLite connection is made in one thread and used in
    # the request threads: this once failed with a 500.
    monkeypatch.setenv("CLAUSEWISE_CACHE_DIR", str(tmp_path / "cache"))
    app = create_app(make_settings(model="encoder"))
    with TestClient(app) as client:
        tenant = new_tenant(app, "model-tenant")
        document = upload(client, tenant).json()
        for _ in range(2):  # the second scan is served from the feature cache
            response = scan(client, tenant, document["id"])
            assert response.status_code == 201, response.text
        result = response.json()["result"]
    assert result["engine"]["model"].startswith("all-minilm-l6-v2@")
    types = {clause["type"] for clause in result["clauses"]}
    assert {"usage_threshold", "attribution"} <= types
