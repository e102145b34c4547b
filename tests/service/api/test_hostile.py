"""Hostile requests: oversized and streamed bodies, text no database stores.

Streamed bodies go through `httpx.ASGITransport`, which hands the app one
chunk per `receive()` as the generator yields it, so a test can count how
much of a body the server pulled before it answered: a limit is enforced
while the body streams, not after it has been buffered.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from service.app import create_app
from service.batches.tables import BATCHES
from service.documents.tables import DocumentRecord
from service.profiles.tables import ProfileRecord
from service.settings import Settings
from tests.service.api.helpers import LICENSE, Tenant, assert_problem, new_tenant

KIB = 1024
UPLOAD_LIMIT = 64 * KIB
BATCH_LIMIT = 64 * KIB
NDJSON = {"Content-Type": "application/x-ndjson"}


@pytest.fixture
def app(make_settings: Callable[..., Settings]) -> FastAPI:
    """An app with small body limits, set before start-up."""
    application = create_app(
        make_settings(
            max_upload_bytes=UPLOAD_LIMIT,
            batch_max_items=20,
            batch_max_bytes=BATCH_LIMIT,
        )
    )
    return application


def _stream(
    app: FastAPI, url: str, chunks: Iterator[bytes], headers: dict[str, str]
) -> tuple[httpx.Response, int]:
    """POST a streamed body (no Content-Length unless given); count chunks pulled."""
    pulled = 0

    async def body() -> AsyncIterator[bytes]:
        nonlocal pulled
        for chunk in chunks:
            pulled += 1
            yield chunk

    async def post() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver"
        ) as client:
            return await client.post(url, content=body(), headers=headers)

    return asyncio.run(post()), pulled


def _count(app: FastAPI, table: Any) -> int:
    with app.state.db_engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def _multipart(files: list[tuple[str, bytes]], boundary: str = "b0und") -> bytes:
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; '
        f'filename="{name}"\r\nContent-Type: text/plain\r\n\r\n'.encode()
        + content
        + b"\r\n"
        for name, content in files
    ]
    return b"".join(parts) + f"--{boundary}--\r\n".encode()


def _chunks(data: bytes, size: int) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


# 1. Bodies are limited while they stream, before anything is buffered or stored.


def test_declared_oversized_upload_is_refused_before_reading_it(
    client: TestClient, app: FastAPI, tenant_a: Tenant
) -> None:
    headers = {
        **tenant_a.headers,
        "Content-Type": "multipart/form-data; boundary=b0und",
        "Content-Length": str(2**30),
    }
    response, pulled = _stream(
        app, "/v1/documents", iter([b"x" * KIB] * 4), headers=headers
    )
    assert_problem(response, 413, slug="too-large")
    assert pulled == 0
    assert _count(app, DocumentRecord) == 0


def test_streamed_json_text_is_cut_off_at_the_limit(
    client: TestClient, app: FastAPI, tenant_a: Tenant
) -> None:
    def body() -> Iterator[bytes]:
        yield b'{"name": "big.txt", "text": "'
        for _ in range(64):
            yield b"terms " * (KIB * 256 // 6)
        yield b'"}'

    headers = {**tenant_a.headers, "Content-Type": "application/json"}
    response, pulled = _stream(app, "/v1/documents/text", body(), headers)
    problem = assert_problem(response, 413, slug="too-large")
    assert "limit" in problem["detail"]
    assert pulled < 10  # a few 256 KiB chunks past a ~1.2 MiB limit, not 16 MiB
    assert _count(app, DocumentRecord) == 0


def test_streamed_ndjson_batch_is_cut_off_at_the_limit(
    client: TestClient, app: FastAPI, tenant_a: Tenant
) -> None:
    line = json.dumps({"id": "x", "text": "terms " * 1000}).encode() + b"\n"
    lines = (line.replace(b'"x"', f'"{n}"'.encode()) for n in range(2000))
    response, pulled = _stream(
        app, "/v1/batches", lines, headers={**tenant_a.headers, **NDJSON}
    )
    assert_problem(response, 413, slug="too-large")
    assert pulled <= BATCH_LIMIT // len(line) + 2
    assert _count(app, BATCHES) == 0


def test_streamed_multipart_batch_over_the_limit_is_413_and_not_stored(
    client: TestClient, app: FastAPI, tenant_a: Tenant
) -> None:
    body = _multipart([("card.md", b"# Card\n" + b"terms " * (BATCH_LIMIT // 3))])
    headers = {
        **tenant_a.headers,
        "Content-Type": "multipart/form-data; boundary=b0und",
    }
    response, pulled = _stream(app, "/v1/batches", _chunks(body, 8 * KIB), headers)
    assert_problem(response, 413, slug="too-large")
    assert pulled <= BATCH_LIMIT // (8 * KIB) + 1
    assert _count(app, BATCHES) == 0


def test_chunked_multipart_batch_through_the_test_client(
    client: TestClient, app: FastAPI, tenant_a: Tenant
) -> None:
    """The probe's case: a chunked multipart batch past the limit was stored."""
    body = _multipart([("card.md", b"# Card\n" + b"terms " * (BATCH_LIMIT // 3))])
    headers = {
        **tenant_a.headers,
        "Content-Type": "multipart/form-data; boundary=b0und",
    }
    response = client.post(
        "/v1/batches", content=_chunks(body, 8 * KIB), headers=headers
    )
    assert "content-length" not in response.request.headers
    assert_problem(response, 413, slug="too-large")
    assert _count(app, BATCHES) == 0


def test_a_body_under_the_limit_still_streams_in(
    client: TestClient, app: FastAPI, tenant_a: Tenant
) -> None:
    body = json.dumps({"name": "quill.txt", "text": LICENSE}).encode()
    headers = {**tenant_a.headers, "Content-Type": "application/json"}
    response, pulled = _stream(app, "/v1/documents/text", _chunks(body, 100), headers)
    assert response.status_code == 201, response.text
    assert pulled == len(range(0, len(body), 100))


# 2. Text that cannot be stored is a 422, on SQLite and PostgreSQL alike.


def test_lone_surrogates_in_document_json_are_422(
    client: TestClient, app: FastAPI, tenant_a: Tenant
) -> None:
    headers = {**tenant_a.headers, "Content-Type": "application/json"}
    for body in (
        '{"text": "Some terms \\ud800 of use."}',
        '{"text": "Some terms of use.", "name": "a\\udfffb.txt"}',
        '{"text": "Some terms of use.", "tags": ["ok", "\\ud83d"]}',
    ):
        response = client.post("/v1/documents/text", content=body, headers=headers)
        problem = assert_problem(response, 422, slug="invalid-request")
        assert "surrogate" in problem["detail"]
    assert _count(app, DocumentRecord) == 0


@pytest.mark.parametrize(
    "fields",
    [
        {"name": "a\x00.txt"},
        {"family": "llama\x00"},
        {"version": "\x001"},
        {"tags": ["fine", "bad\x00tag"]},
        {"source_url": "https://example.com/\x00"},
    ],
)
def test_nul_in_document_labels_is_422(
    client: TestClient, app: FastAPI, tenant_a: Tenant, fields: dict[str, Any]
) -> None:
    body = {"text": "Some terms of use.", **fields}
    response = client.post("/v1/documents/text", json=body, headers=tenant_a.headers)
    assert "NUL" in assert_problem(response, 422, slug="invalid-request")["detail"]
    assert _count(app, DocumentRecord) == 0


def test_nul_in_relabelled_document_labels_is_422(
    client: TestClient, tenant_a: Tenant
) -> None:
    document = client.post(
        "/v1/documents/text",
        json={"text": LICENSE, "family": "quill"},
        headers=tenant_a.headers,
    ).json()
    url = f"/v1/documents/{document['id']}"
    for body in ({"family": "qu\x00ill"}, {"version": "\x00"}, {"tags": ["a\x00"]}):
        response = client.patch(url, json=body, headers=tenant_a.headers)
        assert "NUL" in assert_problem(response, 422, slug="invalid-request")["detail"]
    stored = client.get(url, headers=tenant_a.headers).json()
    assert (stored["family"], stored["version"], stored["tags"]) == ("quill", None, [])


def test_nul_in_upload_form_fields_and_file_name_is_422(
    client: TestClient, app: FastAPI, tenant_a: Tenant
) -> None:
    for form in ({"family": "quill\x00"}, {"tags": "a,b\x00"}):
        response = client.post(
            "/v1/documents",
            files={"file": ("quill.txt", LICENSE.encode(), "text/plain")},
            data=form,
            headers=tenant_a.headers,
        )
        assert "NUL" in assert_problem(response, 422)["detail"]
    # httpx escapes a NUL in a file name; a raw body carries it as is.
    body = _multipart([("qu\x00ill.txt", LICENSE.encode())]).replace(
        b'name="files"', b'name="file"'
    )
    response = client.post(
        "/v1/documents",
        content=body,
        headers={
            **tenant_a.headers,
            "Content-Type": "multipart/form-data; boundary=b0und",
        },
    )
    problem = assert_problem(response, 422, slug="invalid-request")
    assert problem["errors"][0]["loc"] == "body.name"
    assert "NUL" in problem["detail"]
    assert _count(app, DocumentRecord) == 0


def test_too_many_tags_on_an_upload_is_422_not_500(
    client: TestClient, tenant_a: Tenant
) -> None:
    response = client.post(
        "/v1/documents",
        files={"file": ("quill.txt", LICENSE.encode(), "text/plain")},
        data={"tags": ",".join(f"t{n}" for n in range(60))},
        headers=tenant_a.headers,
    )
    assert_problem(response, 422, slug="invalid-request")


def test_nul_and_surrogates_in_profiles_are_422(
    client: TestClient, app: FastAPI, tenant_a: Tenant
) -> None:
    headers = {**tenant_a.headers, "Content-Type": "application/json"}
    for body in (
        '{"name": "p\\u0000", "profile": {}}',
        '{"name": "p", "profile": {"regions": ["U\\u0000S"]}}',
        '{"name": "p", "profile": {"regions": ["\\ud800"]}}',
        '{"name": "p", "profile": {"\\u0000": 1}}',
    ):
        response = client.post("/v1/profiles", content=body, headers=headers)
        assert_problem(response, 422)
    assert _count(app, ProfileRecord) == 0


@pytest.mark.parametrize(
    "url",
    [
        "/v1/documents?family=llama%00",
        "/v1/families/llama%00/versions",
        "/v1/families/llama/diff?from=1%00",
        "/v1/profiles?limit=5&x=%00",
    ],
)
def test_nul_in_query_and_path_parameters_is_422(
    client: TestClient, tenant_a: Tenant, url: str
) -> None:
    problem = assert_problem(
        client.get(url, headers=tenant_a.headers), 422, slug="invalid-request"
    )
    assert "NUL" in problem["detail"]
    assert problem["errors"][0]["loc"].startswith(("query.", "path"))


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"id": "a", "text": "Some \\ud800 terms."}', "surrogate"),
        ('{"id": "\\udc00", "text": "Some terms."}', "surrogate"),
        ('{"id": "a\\u0000b", "text": "Some terms."}', "NUL"),
        ('{"id": "a", "deep": ' + "[" * 5_000 + "]" * 5_000 + "}", "deep"),
    ],
)
def test_unstorable_or_deep_batch_lines_are_422_naming_the_line(
    client: TestClient, app: FastAPI, tenant_a: Tenant, line: str, message: str
) -> None:
    body = b'{"id": "ok", "text": "Fine terms."}\n' + line.encode() + b"\n"
    response = client.post(
        "/v1/batches", content=body, headers={**tenant_a.headers, **NDJSON}
    )
    problem = assert_problem(response, 422, slug="invalid-batch")
    assert problem["detail"].startswith("line 2: ")
    assert message in problem["detail"]
    assert _count(app, BATCHES) == 0


def test_nul_in_a_multipart_card_name_is_422(
    client: TestClient, app: FastAPI, tenant_a: Tenant
) -> None:
    body = _multipart([("ok.md", b"# Fine\n"), ("b\x00d.md", b"# Card\n")])
    headers = {
        **tenant_a.headers,
        "Content-Type": "multipart/form-data; boundary=b0und",
    }
    response = client.post("/v1/batches", content=body, headers=headers)
    assert "NUL" in assert_problem(response, 422, slug="invalid-batch")["detail"]
    assert _count(app, BATCHES) == 0


# 4. Bounds on what one body may hold.


def test_json_bodies_have_a_depth_and_size_bound(
    client: TestClient, app: FastAPI, tenant_a: Tenant
) -> None:
    headers = {**tenant_a.headers, "Content-Type": "application/json"}
    deep = '{"name": "p", "profile": {"x": ' + "[" * 100 + "]" * 100 + "}}"
    problem = assert_problem(
        client.post("/v1/profiles", content=deep, headers=headers), 422
    )
    assert "deeper" in problem["detail"]
    wide = json.dumps({"name": "p", "profile": {f"k{n}": n for n in range(20_000)}})
    problem = assert_problem(
        client.post("/v1/profiles", content=wide, headers=headers), 422
    )
    assert "members" in problem["detail"]
    very_deep = "[" * 100_000 + "]" * 100_000
    problem = assert_problem(
        client.post("/v1/documents/text", content=very_deep, headers=headers), 422
    )
    assert "deeper" in problem["detail"]
    assert _count(app, ProfileRecord) == 0


def test_multipart_batches_have_a_part_bound(
    client: TestClient, app: FastAPI, tenant_a: Tenant
) -> None:
    body = _multipart([(f"c{n}.md", b"# Card\n") for n in range(40)])
    headers = {
        **tenant_a.headers,
        "Content-Type": "multipart/form-data; boundary=b0und",
    }
    response = client.post("/v1/batches", content=body, headers=headers)
    problem = assert_problem(response, 422, slug="invalid-batch")
    assert "more than 20" in problem["detail"]
    assert _count(app, BATCHES) == 0


def test_heavy_bodies_are_decoded_off_the_event_loop(
    client: TestClient, tenant_a: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    import service.batches.routes as batches
    import service.request_bodies as bodies

    on_loop: dict[str, bool] = {}

    def spy(name: str, real: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                asyncio.get_running_loop()
                on_loop[name] = True
            except RuntimeError:
                on_loop[name] = False
            return real(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(bodies, "loads_bounded", spy("json", bodies.loads_bounded))
    monkeypatch.setattr(
        batches, "parse_multipart", spy("multipart", batches.parse_multipart)
    )
    monkeypatch.setattr(batches, "parse_jsonl", spy("jsonl", batches.parse_jsonl))
    ok = client.post(
        "/v1/documents/text", json={"text": LICENSE}, headers=tenant_a.headers
    )
    assert ok.status_code == 201, ok.text
    cards = _multipart([("a.md", b"# A\n"), ("b.md", b"# B\n")])
    multipart = client.post(
        "/v1/batches",
        content=cards,
        headers={
            **tenant_a.headers,
            "Content-Type": "multipart/form-data; boundary=b0und",
        },
    )
    assert multipart.status_code == 202, multipart.text
    jsonl = client.post(
        "/v1/batches",
        content=b'{"id": "a", "text": "Fine terms."}\n',
        headers={**tenant_a.headers, **NDJSON},
    )
    assert jsonl.status_code == 202, jsonl.text
    assert on_loop == {"json": False, "multipart": False, "jsonl": False}


# 5. Headers and methods.


def test_every_response_says_nosniff(client: TestClient, tenant_a: Tenant) -> None:
    document = client.post(
        "/v1/documents/text", json={"text": LICENSE}, headers=tenant_a.headers
    ).json()
    for response in (
        client.get(f"/v1/documents/{document['id']}/text", headers=tenant_a.headers),
        client.get("/v1/documents/nope", headers=tenant_a.headers),
        client.get("/v1/documents"),
        client.get("/healthz"),
        client.get("/nowhere"),
        client.get("/openapi.json"),
    ):
        assert response.headers["x-content-type-options"] == "nosniff"


def test_options_lists_the_documented_methods_of_every_path(
    client: TestClient,
) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for template, operations in paths.items():
        path = re.sub(r"\{[^}]+\}", "some-id", template)
        options = client.options(path)
        assert options.status_code == 204, path
        assert options.content == b""
        # /v1/documents/text is also /v1/documents/{id}: both templates' methods.
        allowed = options.headers["allow"].split(", ")
        assert allowed == sorted(allowed)
        assert {method.upper() for method in operations} | {"OPTIONS"} <= set(
            allowed
        ), path


@pytest.mark.parametrize(
    ("path", "methods"),
    [
        ("/v1/documents", "GET, OPTIONS, POST"),
        ("/v1/batches", "OPTIONS, POST"),
        ("/healthz", "GET, OPTIONS"),
        ("/static/app.css", "GET, HEAD, OPTIONS"),
        ("/login", "GET, OPTIONS, POST"),
    ],
)
def test_options_and_405_list_every_method_of_the_path(
    client: TestClient, path: str, methods: str
) -> None:
    options = client.options(path)
    assert options.status_code == 204
    assert options.headers["allow"] == methods
    refused = client.request("PUT", path)
    assert refused.status_code == 405
    assert refused.headers["allow"] == methods


def test_options_on_an_unknown_path_is_404(client: TestClient) -> None:
    assert_problem(client.options("/v1/nothing-here"), 404)


def test_openapi_documents_problem_422_and_400(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    problem = {"$ref": "#/components/schemas/ProblemDetail"}
    for path, operations in paths.items():
        for method, operation in operations.items():
            responses = operation["responses"]
            has_input = operation.get("parameters") or operation.get("requestBody")
            if has_input:
                content = responses["422"]["content"]
                assert content == {"application/problem+json": {"schema": problem}}, (
                    method,
                    path,
                )
            if operation.get("requestBody"):
                assert "413" in responses, (method, path)
    # FastAPI answers a form it cannot parse with 400 (the batches parse theirs).
    assert "400" in paths["/v1/documents"]["post"]["responses"]
    assert "HTTPValidationError" not in json.dumps(paths)


# 3. Failed authentications from one address are throttled.


def test_failed_authentications_are_throttled_per_address(
    make_settings: Callable[..., Settings],
) -> None:
    app = create_app(make_settings(auth_failures_per_minute=3))
    with TestClient(app) as client:
        good = new_tenant(app, "good")
        bad = {"Authorization": "Bearer cw_not-a-real-key"}
        for _ in range(3):
            assert_problem(client.get("/v1/documents", headers=bad), 401)
        throttled = client.get("/v1/documents", headers=bad)
        assert "failed" in assert_problem(throttled, 429, slug="rate-limited")["detail"]
        assert 1 <= int(throttled.headers["retry-after"]) <= 60
        # The address is refused, whatever key it sends, until the window ends.
        assert_problem(client.get("/v1/documents", headers=good.headers), 429)
        other = TestClient(app, client=("192.0.2.7", 50000))
        assert other.get("/v1/documents", headers=good.headers).status_code == 200
        assert_problem(other.get("/v1/documents", headers=bad), 401)


def test_body_limits_follow_the_settings_and_the_mount_prefix(app: FastAPI) -> None:
    from service.request_bodies import DEFAULT_BODY_LIMIT, FORM_SLACK, body_limit

    def limit(method: str, path: str, root: str = "") -> int:
        scope = {"app": app, "method": method, "path": root + path, "root_path": root}
        return body_limit(scope)

    assert limit("POST", "/v1/documents") == UPLOAD_LIMIT + FORM_SLACK
    assert limit("POST", "/v1/documents/text/") == 3 * UPLOAD_LIMIT + FORM_SLACK
    assert limit("POST", "/v1/batches", root="/api") == BATCH_LIMIT
    assert limit("POST", "/upload") == UPLOAD_LIMIT + FORM_SLACK
    assert limit("POST", "/v1/profiles") == DEFAULT_BODY_LIMIT
    assert limit("GET", "/v1/documents") == DEFAULT_BODY_LIMIT
