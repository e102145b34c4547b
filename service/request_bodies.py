"""How request bodies are read: size limits while they stream, JSON off the loop.

`BodyLimitMiddleware` refuses a declared `Content-Length` over the route's
limit before reading a byte, and counts the bytes of a chunked body as they
arrive, answering 413 as soon as the count passes the limit; so what the
server holds is bounded by the limit, never by what the client sends. The
limits come from the settings (see `body_limit`).

`JsonBodyRoute` decodes a JSON body in a worker thread with the bounds of
`service.input_rules.loads_bounded`, so a body of a million keys neither
stalls the event loop in the decoder nor reaches validation.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, Final

from fastapi import Request, Response
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.input_rules import JsonLimitError, loads_bounded
from service.problems import PROBLEM_MEDIA_TYPE, BodyProblemError, problem_body
from service.settings import Settings

MIB: Final = 1024 * 1024
DEFAULT_BODY_LIMIT: Final = MIB
"""Routes that take no document (profiles, sign-in, scans) need far less."""
FORM_SLACK: Final = MIB
"""Room for multipart boundaries, part headers and the small metadata fields."""
JSON_ESCAPE_FACTOR: Final = 3
"""A 2-byte UTF-8 character escaped as `\\u00e9` takes 6 bytes: text within
`max_upload_bytes` fits a JSON body three times that size."""


def body_limit(scope: Scope) -> int:
    """Return the most bytes the body of this request may have.

    Documents get `limits.max_upload_bytes` (plus room for the form or the
    JSON escaping), batches `batches.max_bytes`; anything else
    `DEFAULT_BODY_LIMIT`.
    """
    if scope["method"] != "POST":
        return DEFAULT_BODY_LIMIT
    settings: Settings = scope["app"].state.settings
    upload = settings.limits.max_upload_bytes
    batch = settings.batches.max_bytes
    limits = {
        "/v1/documents": upload + FORM_SLACK,
        "/v1/documents/text": JSON_ESCAPE_FACTOR * upload + FORM_SLACK,
        "/v1/batches": batch,
        "/upload": upload + FORM_SLACK,
        "/batches": batch + FORM_SLACK,
    }
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    if root and path.startswith(root):  # mounted under a proxy's prefix
        path = path[len(root) :]
    return limits.get(path.rstrip("/") or "/", DEFAULT_BODY_LIMIT)


class BodyTooLargeError(BodyProblemError):
    """The body passed its route's limit while streaming in."""

    def __init__(self, scope: Scope, limit: int) -> None:
        super().__init__(413, _too_large(scope, limit), slug="too-large")


def _too_large(scope: Scope, limit: int) -> str:
    return (
        f"the request body is over the {limit:,}-byte limit of"
        f" {scope['method']} {scope['path']}"
    )


class BodyLimitMiddleware:
    """Refuse bodies over the route's limit, declared or counted as they stream."""

    def __init__(
        self, app: ASGIApp, limit_for: Callable[[Scope], int] = body_limit
    ) -> None:
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer 413 at once for a declared oversize; else count what arrives."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope)
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            response = JSONResponse(
                problem_body(
                    scope["path"], 413, _too_large(scope, limit), slug="too-large"
                ),
                status_code=413,
                media_type=PROBLEM_MEDIA_TYPE,
            )
            await response(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLargeError(scope, limit)
            return message

        await self.app(scope, counted, send)


class JsonBodyRequest(Request):
    """A request whose JSON body is decoded, with bounds, in a worker thread."""

    async def json(self) -> Any:
        """Return the decoded body (decoded once, off the event loop)."""
        if not hasattr(self, "_json"):
            body = await self.body()
            self._json = await run_in_threadpool(_decode, body)
        return self._json


def _decode(body: bytes) -> Any:
    """Decode a JSON body; over a bound or not UTF-8 is a 422 problem.

    Malformed JSON keeps FastAPI's own 422 (`json.JSONDecodeError` passes).
    """
    try:
        return loads_bounded(body)
    except JsonLimitError as exc:
        raise BodyProblemError(422, str(exc), slug="invalid-request") from exc
    except UnicodeDecodeError as exc:
        detail = f"the JSON body is not valid UTF-8 (byte {exc.start})"
        raise BodyProblemError(422, detail, slug="invalid-request") from exc


class JsonBodyRoute(APIRoute):
    """A route that reads its JSON body through `JsonBodyRequest`."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """Wrap the handler so that FastAPI's `request.json()` runs in a thread."""
        handler = super().get_route_handler()

        async def json_off_loop(request: Request) -> Response:
            return await handler(JsonBodyRequest(request.scope, request.receive))

        return json_off_loop
