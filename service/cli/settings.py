"""The settings as the commands read them, a bad value being a `ConfigError`.

`serve`, `keys` and `worker` read all of them; the commands that load a
model (`scan --model`, `eval`, `train`, `ablation`) only the `models` section.

Kept out of `common.py`, which every command imports: reading settings
imports pydantic-settings and the rate-limit store's client.
"""

from __future__ import annotations

from models.settings import ModelSettings
from service.settings import Settings, read_model_settings, read_settings


def service_settings(database_url: str | None = None) -> Settings:
    """Read the service settings; a bad CLAUSEWISE_* value is a ConfigError."""
    if database_url:
        return read_settings(database_url=database_url)
    return read_settings()


def model_settings() -> ModelSettings:
    """Read the `models` section; a bad CLAUSEWISE_* value is a ConfigError."""
    return read_model_settings()
