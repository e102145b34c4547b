"""One log line per request, JSON on request, and the last-resort 500.

`RequestLogMiddleware` wraps the whole app: it stamps each response with an
`X-Request-ID`, logs method, path, status, duration and tenant on the
`clausewise.access` logger, and turns an exception no handler claimed into a
500 problem response after logging it with its traceback (so it is seen, not
swallowed, and the client still gets a problem document).
"""

from __future__ import annotations

import json
import logging
import sys
import time
import uuid
from typing import Any, Final

from starlette.datastructures import MutableHeaders
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.problems import PROBLEM_MEDIA_TYPE, internal_error_body

access_logger = logging.getLogger("clausewise.access")
error_logger = logging.getLogger("clausewise.service")
REQUEST_FIELDS: Final = (
    "method",
    "path",
    "status",
    "duration_ms",
    "tenant",
    "request_id",
)


class JsonFormatter(logging.Formatter):
    """Format a record as one JSON object: time, level, message, request fields."""

    def format(self, record: logging.LogRecord) -> str:
        """Return the record as a JSON line (traceback included when present)."""
        entry: dict[str, Any] = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for field in REQUEST_FIELDS:
            if hasattr(record, field):
                entry[field] = getattr(record, field)
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(log_json: bool) -> None:
    """Send `clausewise.*` logs as JSON lines to stderr, or leave them to the root.

    Idempotent: a second app in the same process replaces the handler.
    """
    logger = logging.getLogger("clausewise")
    for handler in list(logger.handlers):
        if isinstance(handler.formatter, JsonFormatter):
            logger.removeHandler(handler)
    access_logger.setLevel(logging.INFO)
    logger.propagate = not log_json
    if log_json:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
        logger.addHandler(handler)


class RequestLogMiddleware:
    """Log every HTTP request once and answer unhandled errors with a 500 problem."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the request, watching its status; see the module docstring."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = uuid.uuid4().hex
        state: dict[str, Any] = scope.setdefault("state", {})
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status = message["status"]
                response_started = True
                MutableHeaders(scope=message).append("X-Request-ID", request_id)
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            error_logger.exception(
                "unhandled error in %s %s (request %s)",
                scope["method"],
                scope["path"],
                request_id,
            )
            if response_started:
                raise
            response = JSONResponse(
                internal_error_body(scope["path"], request_id),
                status_code=500,
                media_type=PROBLEM_MEDIA_TYPE,
            )
            await response(scope, receive, send_with_id)
        finally:
            _log_request(scope, state, status, started, request_id)


def _log_request(
    scope: Scope, state: dict[str, Any], status: int, started: float, rid: str
) -> None:
    duration_ms = round((time.perf_counter() - started) * 1000, 2)
    fields = {
        "method": scope["method"],
        "path": scope["path"],
        "status": status,
        "duration_ms": duration_ms,
        "tenant": state.get("tenant"),
        "request_id": rid,
    }
    access_logger.info(
        "%s %s %s %.1f ms",
        fields["method"],
        fields["path"],
        status,
        duration_ms,
        extra=fields,
    )
