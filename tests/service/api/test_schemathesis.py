"""Property-based API check: every operation answers as its OpenAPI says.

Schemathesis generates requests for every operation from the app's own
schema and sends them in-process (ASGI) with a valid API key, on SQLite.
Each answer must not be a 5xx, must have a documented status code and
content type (an undocumented 422 or 400 fails), the documented headers,
and `X-Content-Type-Options: nosniff`. Bounded (`MAX_EXAMPLES` per
operation, no shrinking) to stay well under a minute in CI; a failure
names the request that caused it.

The schema is loaded at import (schemathesis 4.32's fixture-based loader
reads `Function._nodeid`, which pytest 9 no longer has); the module fixture
starts the app (its lifespan) and seeds a tenant and a document.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    status_code_conformance,
)

from service.app import create_app
from service.settings import Settings
from tests.service.api.helpers import LICENSE, new_tenant, upload

# CI: 6 cases per operation, the same ones every run. Deeper local hunts:
# CLAUSEWISE_FUZZ_EXAMPLES=100 CLAUSEWISE_FUZZ_RANDOM=1 pytest this file.
MAX_EXAMPLES = int(os.environ.get("CLAUSEWISE_FUZZ_EXAMPLES", "6"))
DERANDOMIZE = os.environ.get("CLAUSEWISE_FUZZ_RANDOM") != "1"
# Removed at interpreter exit, not at module teardown: a batch job thread may
# still be finishing a scan (the job runner joins its threads with a timeout).
_DB_DIR = tempfile.mkdtemp(prefix="clausewise-fuzz-")
atexit.register(shutil.rmtree, _DB_DIR, ignore_errors=True)
DB_FILE = Path(_DB_DIR) / "api.db"
APP = create_app(Settings(database_url=f"sqlite:///{DB_FILE}"))
HEADERS: dict[str, str] = {}

schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@schemathesis.serializer("application/x-ndjson")
def _ndjson(ctx: schemathesis.SerializationContext, value: Any) -> bytes:
    """Send generated JSON Lines bodies (a string in the schema) as UTF-8."""
    del ctx
    text = value if isinstance(value, str) else json.dumps(value)
    return text.encode("utf-8", "surrogatepass")


@schemathesis.check
def says_nosniff(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: Any
) -> bool | None:
    """Every response carries `X-Content-Type-Options: nosniff`."""
    del ctx, case
    found = response.headers.get("x-content-type-options")
    assert found == ["nosniff"], f"X-Content-Type-Options is {found!r}"
    return None


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    says_nosniff,
]


@pytest.fixture(scope="module", autouse=True)
def started_app() -> Iterator[None]:
    """Run the lifespan (migrations, engine); add a tenant and a document."""
    with TestClient(APP) as client:
        tenant = new_tenant(APP, "fuzz")
        HEADERS.update(tenant.headers)
        upload(client, tenant, LICENSE, name="quill.txt", family="quill", version="1")
        yield


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
    database=None,
    derandomize=DERANDOMIZE,  # the same cases on every CI run: failures reproduce
)
def test_every_operation_answers_as_documented(case: Any) -> None:
    case.call_and_validate(headers=HEADERS, checks=CHECKS)
