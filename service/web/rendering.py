"""Templates, the page route class, and HTML answers for errors.

Pages are server-rendered Jinja2 templates. `PageRoute` turns what the API
would answer as problem+json into HTML a reviewer can read: no session is a
redirect to the sign-in page, a problem (404 for another tenant's id, 422 for
a bad version label) is an error page with the same status. Requests that ask
for JSON (the upload and progress scripts) keep the problem documents.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping
from pathlib import Path
from typing import Any, Final
from urllib.parse import quote

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates

from extractors.errors import InputError, TooLargeError, UnsupportedFormatError
from service.problems import ProblemError
from service.web.session import CsrfError, NotSignedInError
from service.web.vocabulary import clause_label, severity_label

HERE: Final = Path(__file__).resolve().parent
STATIC_DIR: Final = HERE / "static"
CSP: Final = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

templates = Jinja2Templates(directory=str(HERE / "templates"))
templates.env.filters["clause_label"] = clause_label
templates.env.filters["severity_label"] = severity_label


def render(
    request: Request,
    name: str,
    context: Mapping[str, Any],
    *,
    status_code: int = 200,
) -> HTMLResponse:
    """Render a template with the security headers every page carries."""
    response = templates.TemplateResponse(
        request, name, dict(context), status_code=status_code
    )
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cache-Control"] = "no-store"
    return response


def wants_json(request: Request) -> bool:
    """Return True for the scripts' requests, which read problem documents."""
    return "application/json" in request.headers.get("accept", "")


def error_page(
    request: Request,
    status: int,
    title: str,
    detail: str,
    *,
    existing: str | None = None,
) -> Response:
    """Render the error page (the session, if any, keeps the navigation).

    `existing` is the id of a document the problem names (a version label
    or the same bytes already stored): the page links to it.
    """
    context = {"title": title, "detail": detail, "status": status}
    context["web"] = getattr(request.state, "web_session", None)
    context["existing"] = existing
    return render(request, "error.html", context, status_code=status)


def _input_status(exc: InputError) -> int:
    """Return the status the API gives a refused document."""
    if isinstance(exc, TooLargeError):
        return 413
    if isinstance(exc, UnsupportedFormatError):
        return 415
    return 422


class PageRoute(APIRoute):
    """A route answering HTML errors and sign-in redirects instead of JSON."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """Wrap the normal handler with the page error handling."""
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except NotSignedInError:
                if wants_json(request):
                    raise ProblemError(
                        401, "sign in first", slug="unauthorized"
                    ) from None
                target = request.url.path
                if request.url.query:
                    target += "?" + request.url.query
                return RedirectResponse(f"/login?next={quote(target)}", 303)
            except CsrfError:
                detail = "the form's security token is missing or stale; reload"
                if wants_json(request):
                    raise ProblemError(403, detail, slug="csrf") from None
                return error_page(request, 403, "Forbidden", detail)
            except ProblemError as exc:
                if wants_json(request):
                    raise
                existing = exc.extra.get("existing_document_id")
                page = error_page(
                    request, exc.status, exc.title, exc.detail, existing=existing
                )
                page.headers.update(exc.headers)  # e.g. a 429's Retry-After
                return page
            except RequestValidationError as exc:
                if wants_json(request):
                    raise
                detail = "; ".join(str(e.get("msg", "invalid")) for e in exc.errors())
                return error_page(request, 422, "Invalid request", detail)
            except InputError as exc:
                if wants_json(request):
                    raise
                status = _input_status(exc)
                return error_page(request, status, "Document refused", str(exc))

        return page_handler
