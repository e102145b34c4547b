"""The service settings as `serve` and `keys` read them (not the other commands).

Kept out of `common.py`, which every command imports: reading settings
imports pydantic-settings and the rate-limit store's client.
"""

from __future__ import annotations

from pydantic import ValidationError

from extractors.errors import ConfigError
from service.settings import Settings


def service_settings(database_url: str | None = None) -> Settings:
    """Read the service settings; a bad CLAUSEWISE_* value is a ConfigError."""
    try:
        if database_url:
            return Settings(database_url=database_url)
        return Settings()
    except ValidationError as exc:
        raise ConfigError(f"invalid CLAUSEWISE_* setting: {exc}") from exc
