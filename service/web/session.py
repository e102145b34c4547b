"""Browser sessions: a signed cookie naming an API-key record, and CSRF tokens.

Signing in posts an API key; it is checked by `service.auth.keys.current_tenant`
(the API's own check, rate limit included) and never stored in the browser.
The cookie holds `<key record id>.<issued>.<nonce>.<HMAC>`; every request
re-reads that key record, so revoking the key ends its sessions at once.
Signing out only deletes the cookie: a copied cookie stays valid until
`session_max_age_s` is over, or until the key is revoked.

Unsafe requests carry a CSRF token: an HMAC of the session cookie, sent as
the `csrf_token` form field or the `X-CSRF-Token` header. The sign-in form,
before any session exists, is bound the same way to a random `cw_login`
cookie.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Final

from fastapi import Request, Response
from sqlmodel import Session, col

from service.auth.keys import Caller, active_caller
from service.auth.tables import ApiKeyRecord
from service.settings import Settings, WebSettings

SESSION_COOKIE: Final = "cw_session"
LOGIN_COOKIE: Final = "cw_login"
CSRF_FIELD: Final = "csrf_token"
CSRF_HEADER: Final = "X-CSRF-Token"
_LOCK = threading.Lock()


class NotSignedInError(Exception):
    """The request has no valid session: the page redirects to sign-in."""


class CsrfError(Exception):
    """An unsafe request without the right CSRF token."""


@dataclass(frozen=True, slots=True)
class WebState:
    """The app's session settings and the key that signs its cookies."""

    settings: WebSettings
    secret: bytes


@dataclass(frozen=True, slots=True)
class WebSession:
    """A signed-in browser: its tenant, and the CSRF token of its forms."""

    caller: Caller
    csrf: str


def web_state(request: Request) -> WebState:
    """Return the app's `WebState`, made once from its settings' `web` section."""
    state = getattr(request.app.state, "web", None)
    if isinstance(state, WebState):
        return state
    with _LOCK:
        state = getattr(request.app.state, "web", None)
        if not isinstance(state, WebState):
            app_settings: Settings = request.app.state.settings
            settings = app_settings.web
            configured = settings.session_secret.get_secret_value().encode()
            state = WebState(settings, configured or secrets.token_bytes(32))
            request.app.state.web = state
    return state


def _sign(secret: bytes, purpose: str, payload: str) -> str:
    """Return the URL-safe HMAC-SHA256 of `payload` for one purpose."""
    mac = hmac.new(secret, f"{purpose}|{payload}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()).rstrip(b"=").decode()


def new_session_token(state: WebState, key_id: uuid.UUID) -> str:
    """Return a signed cookie value naming the API-key record."""
    payload = f"{key_id.hex}.{int(time.time())}.{secrets.token_urlsafe(12)}"
    return f"{payload}.{_sign(state.secret, 'session', payload)}"


def _key_id(state: WebState, token: str) -> uuid.UUID | None:
    """Return the key id of a well-signed, unexpired token, else None."""
    payload, _, signature = token.rpartition(".")
    parts = payload.split(".")
    if len(parts) != 3 or not parts[1].isdigit():
        return None
    if not hmac.compare_digest(signature, _sign(state.secret, "session", payload)):
        return None
    if time.time() - int(parts[1]) > state.settings.session_max_age_s:
        return None
    try:
        return uuid.UUID(hex=parts[0])
    except ValueError:
        return None


def load_session(request: Request, session: Session) -> WebSession:
    """Return the signed-in session, or raise `NotSignedInError`."""
    state = web_state(request)
    token = request.cookies.get(SESSION_COOKIE, "")
    key_id = _key_id(state, token) if token else None
    if key_id is None:
        raise NotSignedInError
    caller = active_caller(session, col(ApiKeyRecord.id) == key_id)
    if caller is None:
        raise NotSignedInError
    request.state.tenant = caller.tenant_name
    return WebSession(caller, _sign(state.secret, "csrf", token))


def check_csrf(request: Request, expected: str, sent: str | None) -> None:
    """Raise `CsrfError` unless the form field or header carries `expected`."""
    token = sent or request.headers.get(CSRF_HEADER, "")
    if not token or not hmac.compare_digest(token, expected):
        raise CsrfError


def login_csrf(request: Request, nonce: str) -> str:
    """Return the sign-in form's CSRF token for the `cw_login` nonce."""
    return _sign(web_state(request).secret, "login", nonce)


def set_cookie(request: Request, response: Response, name: str, value: str) -> None:
    """Set an HttpOnly, SameSite=Lax cookie (Secure unless turned off)."""
    settings = web_state(request).settings
    response.set_cookie(
        name,
        value,
        max_age=settings.session_max_age_s,
        path="/",
        secure=settings.cookie_secure,
        httponly=True,
        samesite="lax",
    )


def clear_cookie(request: Request, response: Response, name: str) -> None:
    """Delete a cookie set by `set_cookie` (same attributes)."""
    response.delete_cookie(
        name,
        path="/",
        secure=web_state(request).settings.cookie_secure,
        httponly=True,
        samesite="lax",
    )
