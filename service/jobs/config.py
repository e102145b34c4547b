"""Job runner settings, read from the same `CLAUSEWISE_*` environment as `Settings`.

Kept apart from `service.settings` (which owns `database_url`, `job_mode` and
`redis_url`) so that the job knobs live with the code that reads them.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class JobSettings(BaseSettings):
    """How jobs run: thread count, lease length, retries, Celery queue."""

    model_config = SettingsConfigDict(env_prefix="CLAUSEWISE_", extra="ignore")

    job_threads: int = Field(default=2, ge=1, le=64)
    job_poll_seconds: float = Field(default=0.5, gt=0)
    job_lease_seconds: float = Field(
        default=30.0,
        gt=0,
        description="a running job whose lease is not renewed for this long is"
        " requeued (its worker died); renewed every third of it",
    )
    job_max_attempts: int = Field(default=3, ge=1)
    celery_queue: str = Field(default="clausewise", min_length=1)
    celery_visibility_seconds: int = Field(
        default=3600,
        gt=0,
        description="Redis redelivers a task unacknowledged this long (worker lost)",
    )
