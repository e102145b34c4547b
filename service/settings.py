"""Service configuration, read from `CLAUSEWISE_*` environment variables.

One `Settings` object is built per app (`create_app(settings)`); routes read it
through `service.deps.SettingsDep`, so a test can run an app with a tiny rate
limit or size limit without touching the environment.
"""

from __future__ import annotations

from functools import cache
from typing import Literal

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from extractors.pdf_limits import DEFAULT_PDF_LIMITS
from extractors.pdf_sandbox import DEFAULT_PARALLEL_READERS
from models.choices import ModelChoice
from service.cores import usable_cores
from service.rate_limits import STORAGE_SCHEMES

MIB = 1024 * 1024


class Settings(BaseSettings):
    """Every knob of the HTTP service; defaults suit one local process."""

    model_config = SettingsConfigDict(env_prefix="CLAUSEWISE_", extra="ignore")

    database_url: str = Field(
        default="sqlite:///./clausewise.db",
        description="SQLAlchemy URL: sqlite:///FILE or postgresql+psycopg://...",
    )
    max_upload_bytes: int = Field(default=20 * MIB, gt=0)
    max_import_bytes: int = Field(
        default=100 * MIB,
        gt=0,
        description="largest label archive POST /v1/labels/import reads",
    )
    max_pdf_pages: int = Field(default=300, gt=0)
    pdf_timeout_s: float = Field(
        default=DEFAULT_PDF_LIMITS.timeout_s,
        gt=0,
        description="wall-clock seconds one PDF may take to read (422 above)",
    )
    pdf_max_cpu_s: int = Field(
        default=DEFAULT_PDF_LIMITS.cpu_s,
        ge=1,
        description="CPU seconds one PDF may take to read (422 above)",
    )
    pdf_max_memory_mb: int = Field(
        default=DEFAULT_PDF_LIMITS.max_memory_bytes // MIB,
        ge=128,
        description="address space of the process that reads one PDF (422 above)",
    )
    pdf_max_inflated_bytes: int = Field(
        default=DEFAULT_PDF_LIMITS.max_inflated_bytes,
        gt=0,
        description="bytes a PDF's compressed streams may inflate to (413 above)",
    )
    pdf_max_content_tokens: int = Field(
        default=DEFAULT_PDF_LIMITS.max_content_tokens,
        gt=0,
        description="operators and operands in a PDF's page content (413 above)",
    )
    pdf_max_chars: int = Field(
        default=DEFAULT_PDF_LIMITS.max_chars,
        gt=0,
        description="characters a PDF may draw, all pages together (413 above)",
    )
    pdf_max_parallel: int = Field(
        default=DEFAULT_PARALLEL_READERS,
        ge=1,
        description="PDF readers at once per process; more wait (503 when the"
        " wait passes the PDF time limit)",
    )
    max_documents_per_tenant: int = Field(default=100_000, gt=0)
    rate_limit_per_minute: int = Field(
        default=600, gt=0, description="requests per API key per minute, per process"
    )
    rate_limit_storage: str = Field(
        default="memory://",
        description="where rate limits are counted: memory:// (each process alone)"
        " or redis://host:port/db (one limit across every process sharing it)",
    )
    auth_failures_per_minute: int = Field(
        default=20,
        gt=0,
        description="failed authentications per client address per minute, "
        "per process; over it, that address is refused (429) until the minute ends",
    )
    job_mode: Literal["inprocess", "celery"] = "inprocess"
    redis_url: str = "redis://127.0.0.1:6379/0"
    sync_scan_max_bytes: int = Field(
        default=2 * MIB,
        gt=0,
        description="documents above this size are meant to be scanned as a job",
    )
    scan_processes: int = Field(
        default_factory=usable_cores,
        ge=1,
        le=64,
        validation_alias=AliasChoices(
            "CLAUSEWISE_SCAN_PROCESSES", "CLAUSEWISE_JOB_PROCESSES", "scan_processes"
        ),
        description="worker processes that analyse documents: scans in the request,"
        " in-process scan jobs and batch cards (default: the cores this process may"
        " use; 1: in the calling thread, no worker processes)",
    )
    log_json: bool = False
    model: ModelChoice = Field(
        default="none",
        description="model stage added to the patterns (needs the model extra)",
    )

    @field_validator("rate_limit_storage")
    @classmethod
    def _known_storage(cls, value: str) -> str:
        """Refuse at start-up a storage the rate limiter cannot open."""
        if not value.startswith(STORAGE_SCHEMES):
            raise ValueError(f"must start with one of {', '.join(STORAGE_SCHEMES)}")
        return value

    @field_validator("database_url")
    @classmethod
    def _psycopg_driver(cls, value: str) -> str:
        """Use psycopg 3 for PostgreSQL URLs naming no driver (psycopg2 is absent)."""
        for bare in ("postgresql://", "postgres://"):
            if value.startswith(bare):
                return "postgresql+psycopg://" + value[len(bare) :]
        return value


@cache
def get_settings() -> Settings:
    """Return the settings from the environment, read once per process."""
    return Settings()
