"""The page dependencies: the signed-in session, and a CSRF-checked one."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Form, Request

from service.deps import SessionDep
from service.web.session import CSRF_FIELD, WebSession, check_csrf, load_session


def current_session(request: Request, session: SessionDep) -> WebSession:
    """Return the signed-in session (raises `NotSignedInError` without one)."""
    web = load_session(request, session)
    request.state.web_session = web
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
