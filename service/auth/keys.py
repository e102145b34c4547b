"""API keys, the `current_tenant` dependency, the rate limiter and the throttle.

A key is `cw_` + 43 URL-safe random characters, shown once at creation;
only its SHA-256 is stored, with the first characters kept as a `prefix`
people can recognise. A request presents it as `Authorization: Bearer <key>`
or `X-API-Key: <key>`. Everything a route reads or writes is scoped to the
tenant this returns.

Two fixed-window counters guard it (`service.rate_limits`, in this process or
in Redis): requests per key (the API's and its web sessions' together), and
failed authentications per client address, so that nobody can try keys, or
make the service look them up, without limit.
"""

from __future__ import annotations

import hashlib
import math
import secrets
import uuid
from dataclasses import dataclass
from typing import Annotated, Final

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import ColumnElement
from sqlmodel import Session, col, select

from service.auth.tables import ApiKeyRecord, TenantRecord
from service.db import get_session
from service.problems import ProblemError
from service.rate_limits import RateLimiter

KEY_PREFIX: Final = "cw_"
DISPLAY_CHARS: Final = 11
"""`cw_` and 8 random characters: enough to tell keys apart, useless to guess."""

_bearer = HTTPBearer(auto_error=False, description="Authorization: Bearer cw_...")
_header = APIKeyHeader(name="X-API-Key", auto_error=False)


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is calling: the tenant every query is scoped to, and through which key."""

    tenant_id: uuid.UUID
    tenant_name: str
    key_id: uuid.UUID
    reviewer: str | None = None
    """The reviewer the key signs for; review actions need one."""


def hash_key(key: str) -> str:
    """Return the SHA-256 hex digest under which a key is stored."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def get_or_create_tenant(session: Session, name: str) -> TenantRecord:
    """Return the tenant called `name`, creating it if needed (not committed)."""
    tenant = session.exec(select(TenantRecord).where(TenantRecord.name == name)).first()
    if tenant is None:
        tenant = TenantRecord(name=name)
        session.add(tenant)
        session.flush()
    return tenant


def create_key(
    session: Session, tenant_name: str, reviewer: str | None = None
) -> tuple[str, ApiKeyRecord]:
    """Create a key for `tenant_name` (and the tenant if new); commit.

    `reviewer` names the person whose review decisions the key signs.
    Returns the plaintext, which is never stored and cannot be shown again.
    """
    if not tenant_name.strip():
        raise ValueError("a tenant name must not be blank")
    if reviewer is not None and not reviewer.strip():
        raise ValueError("a reviewer name must not be blank")
    tenant = get_or_create_tenant(session, tenant_name.strip())
    plaintext = KEY_PREFIX + secrets.token_urlsafe(32)
    record = ApiKeyRecord(
        tenant_id=tenant.id,
        key_sha256=hash_key(plaintext),
        prefix=plaintext[:DISPLAY_CHARS],
        reviewer=reviewer.strip() if reviewer else None,
    )
    session.add(record)
    session.commit()
    session.refresh(record)
    return plaintext, record


def active_caller(session: Session, where: ColumnElement[bool]) -> Caller | None:
    """Return the caller of the unrevoked key matching `where`, else None.

    The API looks keys up by hash, the web pages by the id their session
    cookie names; both go through here, so revocation means the same to both.
    """
    row = session.exec(
        select(ApiKeyRecord, TenantRecord)
        .join(TenantRecord, col(TenantRecord.id) == col(ApiKeyRecord.tenant_id))
        .where(where)
        .where(col(ApiKeyRecord.revoked_at).is_(None))
    ).first()
    if row is None:
        return None
    key, tenant = row
    return Caller(
        tenant_id=tenant.id,
        tenant_name=tenant.name,
        key_id=key.id,
        reviewer=key.reviewer,
    )


def get_rate_limiter(request: Request) -> RateLimiter:
    """Return the app's rate limiter."""
    limiter: RateLimiter = request.app.state.rate_limiter
    return limiter


def get_auth_throttle(request: Request) -> RateLimiter:
    """Return the app's counter of failed authentications per client address."""
    throttle: RateLimiter = request.app.state.auth_throttle
    return throttle


def client_address(request: Request) -> str:
    """Return the client's address (the proxy's, unless uvicorn trusts it)."""
    return request.client.host if request.client is not None else "unknown"


def enforce_rate_limit(limiter: RateLimiter, key_id: uuid.UUID) -> None:
    """Count one request of a key, API or web session; 429 over the limit."""
    retry_after = limiter.hit(key_id)
    if retry_after is not None:
        raise _too_many(
            f"rate limit of {limiter.limit} requests per minute for this key reached",
            retry_after,
        )


def current_tenant(
    request: Request,
    session: Annotated[Session, Depends(get_session)],
    limiter: Annotated[RateLimiter, Depends(get_rate_limiter)],
    throttle: Annotated[RateLimiter, Depends(get_auth_throttle)],
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)],
    header_key: Annotated[str | None, Security(_header)],
) -> Caller:
    """Authenticate the request's API key, apply its rate limit, name its tenant.

    An address that failed `throttle.limit` times this minute is refused
    before its key is even looked up, whatever key it sends.
    """
    key = bearer.credentials if bearer is not None else header_key
    if not key:
        raise _unauthorized("no API key: send 'Authorization: Bearer <key>'")
    address = client_address(request)
    wait = throttle.blocked(address)
    if wait is not None:
        raise _too_many(
            f"too many failed authentications from this address"
            f" ({throttle.limit} a minute); wait before trying again",
            wait,
        )
    caller = active_caller(session, col(ApiKeyRecord.key_sha256) == hash_key(key))
    if caller is None:
        throttle.hit(address)
        raise _unauthorized("the API key is unknown or revoked")
    request.state.tenant = caller.tenant_name
    enforce_rate_limit(limiter, caller.key_id)
    return caller


def _too_many(detail: str, retry_after: float) -> ProblemError:
    return ProblemError(
        429,
        detail,
        slug="rate-limited",
        headers={"Retry-After": str(max(1, math.ceil(retry_after)))},
    )


def _unauthorized(detail: str) -> ProblemError:
    return ProblemError(
        401, detail, slug="unauthorized", headers={"WWW-Authenticate": "Bearer"}
    )
