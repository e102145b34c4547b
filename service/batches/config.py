"""Batch settings, from the `CLAUSEWISE_*` environment like `service.settings`."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

MIB = 1024 * 1024


class BatchSettings(BaseSettings):
    """Limits of a submission and how it is cut into jobs."""

    model_config = SettingsConfigDict(env_prefix="CLAUSEWISE_", extra="ignore")

    batch_max_items: int = Field(default=10_000, ge=1)
    batch_max_bytes: int = Field(
        default=256 * MIB, gt=0, description="size limit of one submission body"
    )
    batch_chunk_size: int = Field(default=200, ge=1, le=5000)
    scan_cache: bool = Field(
        default=True,
        description="reuse results of identical texts (turn off for benchmarks)",
    )
