"""RFC 9457 problem details: the one shape every error response has.

Every error leaves as `application/problem+json` with `type`, `title`,
`status`, `detail` and `instance` (the request path). Status codes:

* 400 a body that cannot be parsed at all (broken multipart, say)
* 401 missing, unknown or revoked API key (with `WWW-Authenticate: Bearer`)
* 403 the tenant's document quota is full
* 404 unknown id, *including another tenant's id* (never 403: ids do not leak)
* 409 a name already taken (profiles); a family version already taken, or
  the same bytes stored under other labels (`existing_document_id` and
  `existing_document_url` name the document in the way)
* 413 document over `max_upload_bytes`, a PDF over `max_pdf_pages`, a PDF
  over a content limit (inflated bytes, content tokens, characters: see
  `extractors.pdf_limits`), or a request body over its route's limit
  (refused while it streams)
* 415 not a text, Markdown or PDF document (binary junk, images, archives),
  or a declared content type that the bytes contradict (mislabelled)
* 422 request validation (NUL or lone surrogates in text, JSON too deep or
  too large included); a document that is empty, not decodable, or an
  encrypted/corrupt/image-only PDF; a PDF whose reader ran out of time or
  memory (`pdf-too-costly`); an invalid organisation profile
* 429 rate limit, or too many failed authentications, with `Retry-After`
* 500 anything unexpected: logged with its traceback, never swallowed
* 503 `/readyz` when a readiness check fails; an upload whose PDF waited
  its whole time limit for a reader (`pdf-readers-busy`, with `Retry-After`)
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any, Final

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException as StarletteHTTPException

from extractors.errors import (
    ConfigError,
    DecodeError,
    EmptyDocumentError,
    InputError,
    PdfBusyError,
    PdfError,
    PdfResourceError,
    TooLargeError,
    UnsupportedFormatError,
)
from service.rate_limits import RateLimitStoreError

PROBLEM_MEDIA_TYPE: Final = "application/problem+json"
TYPE_BASE: Final = "tag:clausewise.dev,2026:problems/"
"""Problem types are tag URIs (RFC 4151): stable names, not pages to fetch."""

logger = logging.getLogger("clausewise.service")


class ProblemDetail(BaseModel):
    """An RFC 9457 problem; extension members (e.g. `errors`) may be added."""

    model_config = ConfigDict(extra="allow")

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None


class ProblemError(Exception):
    """Raise from routes and services to answer with one problem document."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        slug: str | None = None,
        title: str | None = None,
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.type = TYPE_BASE + slug if slug else "about:blank"
        self.title = title or HTTPStatus(status).phrase
        self.headers = dict(headers or {})
        self.extra = dict(extra or {})
        """RFC 9457 extension members, e.g. the id of the document in the way."""


class BodyProblemError(StarletteHTTPException):
    """A problem found while a request body is read, before the route runs.

    FastAPI answers any other exception raised while it reads a body with a
    bare 400; an `HTTPException` passes through, so this one reaches
    `_on_http` and keeps its status, type and detail.
    """

    def __init__(self, status: int, detail: str, *, slug: str) -> None:
        super().__init__(status, detail)
        self.type = TYPE_BASE + slug


def not_found(kind: str, ident: str) -> ProblemError:
    """Return the 404 for an id that does not exist for the caller's tenant."""
    return ProblemError(404, f"no {kind} with id '{ident}'", slug="not-found")


BUSY_RETRY_AFTER_S: Final = "5"
"""Seconds a client is asked to wait when every PDF reader is busy."""
# Most specific first: the first class the error is an instance of wins.
_INPUT_PROBLEMS: Final[tuple[tuple[type[InputError], int, str, str], ...]] = (
    (TooLargeError, 413, "too-large", "Document too large"),
    (UnsupportedFormatError, 415, "unsupported-format", "Unsupported document type"),
    (EmptyDocumentError, 422, "empty-document", "Empty document"),
    (DecodeError, 422, "undecodable-text", "Text cannot be decoded"),
    (PdfError, 422, "unreadable-pdf", "Unreadable PDF"),
    (PdfResourceError, 422, "pdf-too-costly", "PDF too costly to read"),
    (PdfBusyError, 503, "pdf-readers-busy", "Every PDF reader is busy"),
    (InputError, 422, "invalid-document", "Invalid document"),
)


def problem_response(
    request: Request,
    status: int,
    *,
    title: str,
    detail: str | None,
    type_: str = "about:blank",
    headers: Mapping[str, str] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> JSONResponse:
    """Build the problem+json response for the current request."""
    body = ProblemDetail(
        type=type_,
        title=title,
        status=status,
        detail=detail,
        instance=request.url.path,
        **dict(extra or {}),
    )
    return JSONResponse(
        body.model_dump(),
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=dict(headers or {}),
    )


async def _on_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ProblemError)
    return problem_response(
        request,
        exc.status,
        title=exc.title,
        detail=exc.detail,
        type_=exc.type,
        headers=exc.headers,
        extra=exc.extra,
    )


async def _on_http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    phrase = HTTPStatus(exc.status_code).phrase
    detail = exc.detail if isinstance(exc.detail, str) else phrase
    type_ = exc.type if isinstance(exc, BodyProblemError) else "about:blank"
    return problem_response(
        request,
        exc.status_code,
        title=phrase,
        detail=detail,
        type_=type_,
        headers=exc.headers,
    )


async def _on_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [_error_item(error) for error in exc.errors()]
    detail = "; ".join(f"{e['loc']}: {e['msg']}" for e in errors)
    return problem_response(
        request,
        422,
        title="Invalid request",
        detail=detail or "the request is invalid",
        type_=TYPE_BASE + "invalid-request",
        extra={"errors": errors},
    )


def _error_item(error: Mapping[str, Any]) -> dict[str, str]:
    """Keep where and what; drop `input` (it may echo a whole document)."""
    loc: Sequence[Any] = error.get("loc", ())
    return {
        "loc": ".".join(str(part) for part in loc) or "request",
        "msg": str(error.get("msg", "invalid")),
        "type": str(error.get("type", "invalid")),
    }


async def _on_input(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, InputError)
    for cls, status, slug, title in _INPUT_PROBLEMS:
        if isinstance(exc, cls):
            return problem_response(
                request,
                status,
                title=title,
                detail=str(exc),
                type_=TYPE_BASE + slug,
                headers={"Retry-After": BUSY_RETRY_AFTER_S} if status == 503 else None,
            )
    raise AssertionError("InputError is the last entry")  # pragma: no cover


async def _on_config(request: Request, exc: Exception) -> JSONResponse:
    return problem_response(
        request,
        422,
        title="Invalid profile",
        detail=str(exc),
        type_=TYPE_BASE + "invalid-profile",
    )


async def _on_rate_store(request: Request, exc: Exception) -> JSONResponse:
    return problem_response(
        request,
        503,
        title="Rate-limit store unavailable",
        detail=f"requests cannot be counted against their limit now: {exc}",
        type_=TYPE_BASE + "rate-limit-store-unavailable",
        headers={"Retry-After": BUSY_RETRY_AFTER_S},
    )


def problem_body(
    path: str,
    status: int,
    detail: str,
    *,
    slug: str,
    title: str | None = None,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Return a problem body for middleware, which answers without a `Request`."""
    return ProblemDetail(
        type=TYPE_BASE + slug,
        title=title or HTTPStatus(status).phrase,
        status=status,
        detail=detail,
        instance=path,
        **dict(extra or {}),
    ).model_dump()


def internal_error_body(path: str, request_id: str) -> dict[str, Any]:
    """Return the 500 problem body; the traceback is in the log, under request_id."""
    return ProblemDetail(
        title="Internal Server Error",
        status=500,
        detail=f"an unexpected error occurred; it was logged as request {request_id}",
        instance=path,
    ).model_dump()


def install_problem_handlers(app: FastAPI) -> None:
    """Register the handlers that turn every expected error into a problem."""
    app.add_exception_handler(ProblemError, _on_problem)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(InputError, _on_input)
    app.add_exception_handler(ConfigError, _on_config)
    app.add_exception_handler(RateLimitStoreError, _on_rate_store)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """Document error statuses in OpenAPI, each as a problem+json body."""
    schema = {"$ref": "#/components/schemas/ProblemDetail"}
    return {
        status: {
            "description": HTTPStatus(status).phrase,
            "content": {PROBLEM_MEDIA_TYPE: {"schema": schema}},
        }
        for status in statuses
    }


def add_problem_schema(app: FastAPI) -> None:
    """Make the generated OpenAPI define `ProblemDetail` for those responses."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = build()  # FastAPI caches this very dict in app.openapi_schema
        schemas = schema.setdefault("components", {}).setdefault("schemas", {})
        schemas["ProblemDetail"] = ProblemDetail.model_json_schema()
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
