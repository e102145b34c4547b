"""The page dependencies: the signed-in session, and a CSRF-checked one."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Form, Request

from service.auth.keys import enforce_rate_limit, get_rate_limiter
from service.deps import SessionDep
from service.rate_limits import RateLimiter
from service.web.session import CSRF_FIELD, WebSession, check_csrf, load_session


def current_session(
    request: Request,
    session: SessionDep,
    limiter: Annotated[RateLimiter, Depends(get_rate_limiter)],
) -> WebSession:
    """Return the signed-in session (raises `NotSignedInError` without one).

    Each page request counts against the session's key, as an API request
    would: a browser is no way around the key's rate limit (429 page).
    """
    web = load_session(request, session)
    request.state.web_session = web
    enforce_rate_limit(limiter, web.caller.key_id)
    return web


WebDep = Annotated[WebSession, Depends(current_session)]


def checked_session(
    request: Request,
    web: WebDep,
    csrf_token: Annotated[str | None, Form(alias=CSRF_FIELD)] = None,
) -> WebSession:
    """Return the session of an unsafe request whose CSRF token is right."""
    check_csrf(request, web.csrf, csrf_token)
    return web


PostDep = Annotated[WebSession, Depends(checked_session)]
