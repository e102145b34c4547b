"""Settings of the reviewer pages, from `CLAUSEWISE_*` like `service.settings`.

`CLAUSEWISE_SESSION_SECRET` signs the session cookies: set it (32+ random
bytes, the same in every worker process) in production. Left empty, each app
makes a random one at its first page request, so sessions end when the
process restarts and do not cross worker processes. `CLAUSEWISE_COOKIE_SECURE`
(default true) marks the cookies `Secure`: browsers then send them only over
HTTPS, or to loopback addresses; turn it off only for plain-HTTP development
on another host name.
"""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class WebSettings(BaseSettings):
    """How browser sessions are signed and how long they last."""

    model_config = SettingsConfigDict(env_prefix="CLAUSEWISE_", extra="ignore")

    session_secret: SecretStr = Field(
        default=SecretStr(""),
        description="HMAC key of the session cookie; empty: random per process",
    )
    cookie_secure: bool = Field(
        default=True, description="mark the session cookies Secure (HTTPS only)"
    )
    session_max_age_s: int = Field(
        default=8 * 3600, gt=0, description="a session lasts this long after sign-in"
    )
