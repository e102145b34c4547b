"""HTTP conformance at the edge: nosniff, OPTIONS and `Allow`, storable URLs.

Pure ASGI middleware, so each applies to every response, the API's, the
pages', the static files' and the errors' alike:

* `SecurityHeadersMiddleware`: `X-Content-Type-Options: nosniff` everywhere
  (a stored document served as `text/plain` must never be sniffed as HTML).
* `AllowMiddleware`: `OPTIONS` answers 204 with an `Allow` header listing
  every method the path supports, and a 405 gets that same complete list
  (the router alone names only the methods of the first route it matched).
* `UrlTextMiddleware`: a path or query parameter with text no database can
  store (`service.input_rules.unstorable`) is a 422 before any route runs.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final
from urllib.parse import parse_qsl

from starlette.datastructures import MutableHeaders
from starlette.responses import JSONResponse, Response
from starlette.routing import Match, Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.input_rules import unstorable
from service.problems import PROBLEM_MEDIA_TYPE, problem_body

METHODS: Final = ("DELETE", "GET", "HEAD", "PATCH", "POST", "PUT")
STATIC_METHODS: Final = frozenset({"GET", "HEAD"})


class SecurityHeadersMiddleware:
    """Add `X-Content-Type-Options: nosniff` to every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on; stamp the header on the response start."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def stamped(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["X-Content-Type-Options"] = "nosniff"
            await send(message)

        await self.app(scope, receive, stamped)


def allowed_methods(app: Any, path: str, root_path: str = "") -> set[str]:
    """Return every method some route of `app` answers at `path`."""
    allowed: set[str] = set()
    for route in app.router.routes:
        if isinstance(route, Mount):
            if _matches(route, path, root_path, "GET"):
                static = isinstance(route.app, StaticFiles)
                allowed |= STATIC_METHODS if static else set(METHODS)
            continue
        allowed.update(m for m in METHODS if _matches(route, path, root_path, m))
    return allowed


def _matches(route: Any, path: str, root_path: str, method: str) -> bool:
    """Ask the route itself, on a scope of its own (routes may annotate it)."""
    probe: Scope = {
        "type": "http",
        "method": method,
        "path": path,
        "root_path": root_path,
        "headers": [],
        "query_string": b"",
    }
    match, _ = route.matches(probe)
    return bool(match is Match.FULL)


def allow_header(methods: Iterable[str]) -> str:
    """Return the `Allow` value: the methods and OPTIONS, sorted."""
    return ", ".join(sorted({*methods, "OPTIONS"}))


class AllowMiddleware:
    """Answer OPTIONS with 204 and `Allow`; complete the `Allow` of a 405."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """OPTIONS on a known path is answered here; everything else goes on."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path, root = scope["path"], scope.get("root_path", "")
        if scope["method"] == "OPTIONS":
            methods = allowed_methods(scope["app"], path, root)
            if methods:
                response = Response(
                    status_code=204, headers={"Allow": allow_header(methods)}
                )
                await response(scope, receive, send)
                return

        async def completed(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 405:
                methods = allowed_methods(scope["app"], path, root)
                MutableHeaders(scope=message)["Allow"] = allow_header(methods)
            await send(message)

        await self.app(scope, receive, completed)


def url_errors(scope: Scope) -> list[dict[str, str]]:
    """Return a validation error for each path or query text no database stores."""
    errors: list[dict[str, str]] = []
    reason = unstorable(scope["path"])
    if reason is not None:
        errors.append({"loc": "path", "msg": reason, "type": "value_error"})
    query = scope.get("query_string", b"").decode("latin-1")
    for name, value in parse_qsl(query, keep_blank_values=True):
        reason = unstorable(name) or unstorable(value)
        if reason is not None:
            loc = "query" if unstorable(name) else f"query.{name}"
            errors.append({"loc": loc, "msg": reason, "type": "value_error"})
    return errors


class UrlTextMiddleware:
    """Refuse a URL whose path or query holds NUL, as the schemas refuse bodies."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer 422 with the offending parameters, or pass the request on."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        errors = url_errors(scope)
        if not errors:
            await self.app(scope, receive, send)
            return
        detail = "; ".join(f"{e['loc']}: {e['msg']}" for e in errors)
        body = problem_body(
            scope["path"],
            422,
            detail,
            slug="invalid-request",
            title="Invalid request",
            extra={"errors": errors},
        )
        response = JSONResponse(body, status_code=422, media_type=PROBLEM_MEDIA_TYPE)
        await response(scope, receive, send)
