"""Sign-in and sign-out pages, and the start page."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse

from service.auth.keys import current_tenant, get_auth_throttle, get_rate_limiter
from service.deps import SessionDep
from service.problems import ProblemError
from service.web.deps import PostDep, WebDep
from service.web.rendering import PageRoute, render
from service.web.session import (
    LOGIN_COOKIE,
    SESSION_COOKIE,
    NotSignedInError,
    check_csrf,
    clear_cookie,
    load_session,
    login_csrf,
    new_session_token,
    set_cookie,
    web_state,
)

router = APIRouter(route_class=PageRoute, include_in_schema=False)


def safe_next(target: str | None) -> str:
    """Return a local path to go to after sign-in (never another site)."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/documents"


@router.get("/")
def home(web: WebDep) -> RedirectResponse:
    """Send a signed-in reviewer to the documents."""
    del web  # only the sign-in check matters here
    return RedirectResponse("/documents", 303)


@router.get("/login")
def login_form(
    request: Request, session: SessionDep, next: str | None = None
) -> Response:
    """Show the sign-in form (or go on if already signed in)."""
    try:
        load_session(request, session)
    except NotSignedInError:
        return _form(request, safe_next(next), None, 200)
    return RedirectResponse(safe_next(next), 303)


def _form(
    request: Request,
    target: str,
    error: str | None,
    status: int,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """Render the sign-in form bound to a fresh `cw_login` nonce."""
    nonce = secrets.token_urlsafe(16)
    context = {"next": target, "error": error, "csrf": login_csrf(request, nonce)}
    response = render(request, "login.html", context, status_code=status)
    response.headers.update(headers or {})
    set_cookie(request, response, LOGIN_COOKIE, nonce)
    return response


@router.post("/login")
def login(
    request: Request,
    session: SessionDep,
    api_key: Annotated[str, Form(max_length=200)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Check the key as the API does; on success set the session cookie.

    Failed keys count against the client's address as on the API: past the
    limit the form answers 429 with `Retry-After`, whatever key is sent.
    """
    nonce = request.cookies.get(LOGIN_COOKIE, "")
    check_csrf(request, login_csrf(request, nonce) if nonce else "", csrf_token)
    target = safe_next(next)
    try:
        caller = current_tenant(
            request,
            session,
            get_rate_limiter(request),
            get_auth_throttle(request),
            None,
            api_key.strip(),
        )
    except ProblemError as exc:
        unknown = "That API key is unknown or revoked."
        message = unknown if exc.status == 401 else exc.detail
        headers = {k: v for k, v in exc.headers.items() if k == "Retry-After"}
        return _form(request, target, message, exc.status, headers)
    response = RedirectResponse(target, 303)
    token = new_session_token(web_state(request), caller.key_id)
    set_cookie(request, response, SESSION_COOKIE, token)
    clear_cookie(request, response, LOGIN_COOKIE)
    return response


@router.post("/logout")
def logout(request: Request, web: PostDep) -> RedirectResponse:
    """Delete the session cookie and return to the sign-in page."""
    del web  # the CSRF check is what matters
    response = RedirectResponse("/login", 303)
    clear_cookie(request, response, SESSION_COOKIE)
    return response
