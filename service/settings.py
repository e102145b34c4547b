"""The service's one configuration: `Settings`, in sections, from `CLAUSEWISE_*`.

One `Settings` is read at the edge (`clausewise serve`, `clausewise worker`,
`get_settings()` for `celery -A`) and handed down: `create_app(settings)`
keeps it on `app.state.settings`, routes get it through
`service.deps.SettingsDep`, the job runtime and the web pages read their
sections from it, and the model stage gets `settings.models` (a
`models.settings.ModelSettings`; `models/` reads no environment). A test
builds one with the values it wants instead of touching the environment.

Each section is one concern: `database`, `limits` (HTTP bodies, quotas, rate
limits), `pdf`, `jobs`, `batches`, `web`, `models`; `scan_processes` and
`log_json` concern the whole process. A field is set from the environment
by its nested name, `CLAUSEWISE_<SECTION>__<FIELD>` (`CLAUSEWISE_JOBS__THREADS`),
or by the flat name it had before the sections existed
(`CLAUSEWISE_JOB_THREADS`, listed in `FLAT_NAMES`), which deployments and the
README use; the nested name wins when both are set. The flat names are also
accepted as keyword arguments (`Settings(job_threads=4)`) and by
`Settings.model_validate`, so a flat mapping of the old settings still reads.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Collection, Mapping
from functools import cache
from types import MappingProxyType
from typing import Any, Final, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from extractors.errors import ConfigError
from extractors.pdf_limits import DEFAULT_PDF_LIMITS
from extractors.pdf_sandbox import DEFAULT_PARALLEL_READERS
from models.settings import ModelSettings
from service.cores import usable_cores
from service.rate_limits import STORAGE_SCHEMES

MIB = 1024 * 1024
ENV_PREFIX: Final = "CLAUSEWISE_"
NESTED_DELIMITER: Final = "__"


class _Section(BaseModel):
    """A section: immutable, and refusing names it does not have."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class DatabaseSettings(_Section):
    """Where the service keeps its rows."""

    url: str = Field(
        default="sqlite:///./clausewise.db",
        description="SQLAlchemy URL: sqlite:///FILE or postgresql+psycopg://...",
    )

    @field_validator("url")
    @classmethod
    def _psycopg_driver(cls, value: str) -> str:
        """Use psycopg 3 for PostgreSQL URLs naming no driver (psycopg2 is absent)."""
        for bare in ("postgresql://", "postgres://"):
            if value.startswith(bare):
                return "postgresql+psycopg://" + value[len(bare) :]
        return value


class LimitSettings(_Section):
    """What one client may send and store, and how often it may ask."""

    max_upload_bytes: int = Field(default=20 * MIB, gt=0)
    max_import_bytes: int = Field(
        default=100 * MIB,
        gt=0,
        description="largest label archive POST /v1/labels/import reads",
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
    sync_scan_max_bytes: int = Field(
        default=2 * MIB,
        gt=0,
        description="documents above this size are meant to be scanned as a job",
    )

    @field_validator("rate_limit_storage")
    @classmethod
    def _known_storage(cls, value: str) -> str:
        """Refuse at start-up a storage the rate limiter cannot open."""
        if not value.startswith(STORAGE_SCHEMES):
            raise ValueError(f"must start with one of {', '.join(STORAGE_SCHEMES)}")
        return value


class PdfSettings(_Section):
    """What reading one PDF may cost (each a 413 or 422 above it)."""

    max_pages: int = Field(default=300, gt=0)
    timeout_s: float = Field(
        default=DEFAULT_PDF_LIMITS.timeout_s,
        gt=0,
        description="wall-clock seconds one PDF may take to read (422 above)",
    )
    max_cpu_s: int = Field(
        default=DEFAULT_PDF_LIMITS.cpu_s,
        ge=1,
        description="CPU seconds one PDF may take to read (422 above)",
    )
    max_memory_mb: int = Field(
        default=DEFAULT_PDF_LIMITS.max_memory_bytes // MIB,
        ge=128,
        description="address space of the process that reads one PDF (422 above)",
    )
    max_inflated_bytes: int = Field(
        default=DEFAULT_PDF_LIMITS.max_inflated_bytes,
        gt=0,
        description="bytes a PDF's compressed streams may inflate to (413 above)",
    )
    max_content_tokens: int = Field(
        default=DEFAULT_PDF_LIMITS.max_content_tokens,
        gt=0,
        description="operators and operands in a PDF's page content (413 above)",
    )
    max_chars: int = Field(
        default=DEFAULT_PDF_LIMITS.max_chars,
        gt=0,
        description="characters a PDF may draw, all pages together (413 above)",
    )
    max_parallel: int = Field(
        default=DEFAULT_PARALLEL_READERS,
        ge=1,
        description="PDF readers at once per process; more wait (503 when the"
        " wait passes the PDF time limit)",
    )


class JobSettings(_Section):
    """How jobs run: where, how many threads, leases, retries, the Celery queue."""

    mode: Literal["inprocess", "celery"] = "inprocess"
    redis_url: str = "redis://127.0.0.1:6379/0"
    threads: int = Field(default=2, ge=1, le=64)
    poll_seconds: float = Field(default=0.5, gt=0)
    lease_seconds: float = Field(
        default=30.0,
        gt=0,
        description="a running job whose lease is not renewed for this long is"
        " requeued (its worker died); renewed every third of it",
    )
    max_attempts: int = Field(default=3, ge=1)
    celery_queue: str = Field(default="clausewise", min_length=1)
    celery_visibility_seconds: int = Field(
        default=3600,
        gt=0,
        description="Redis redelivers a task unacknowledged this long (worker lost)",
    )


class BatchSettings(_Section):
    """Limits of a batch submission and how it is cut into jobs."""

    max_items: int = Field(default=10_000, ge=1)
    max_bytes: int = Field(
        default=256 * MIB, gt=0, description="size limit of one submission body"
    )
    chunk_size: int = Field(default=200, ge=1, le=5000)
    scan_cache: bool = Field(
        default=True,
        description="reuse results of identical texts (turn off for benchmarks)",
    )


class WebSettings(_Section):
    """How the reviewer pages' browser sessions are signed and how long they last.

    `session_secret` signs the session cookies: set it (32+ random bytes, the
    same in every worker process) in production. Left empty, each app makes
    a random one at its first page request, so sessions end when the process
    restarts and do not cross worker processes. `cookie_secure` (default
    true) marks the cookies `Secure`: browsers then send them only over
    HTTPS, or to loopback addresses; turn it off only for plain-HTTP
    development on another host name.
    """

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


FLAT_NAMES: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "database_url": ("database", "url"),
        "max_upload_bytes": ("limits", "max_upload_bytes"),
        "max_import_bytes": ("limits", "max_import_bytes"),
        "max_documents_per_tenant": ("limits", "max_documents_per_tenant"),
        "rate_limit_per_minute": ("limits", "rate_limit_per_minute"),
        "rate_limit_storage": ("limits", "rate_limit_storage"),
        "auth_failures_per_minute": ("limits", "auth_failures_per_minute"),
        "sync_scan_max_bytes": ("limits", "sync_scan_max_bytes"),
        "max_pdf_pages": ("pdf", "max_pages"),
        "pdf_timeout_s": ("pdf", "timeout_s"),
        "pdf_max_cpu_s": ("pdf", "max_cpu_s"),
        "pdf_max_memory_mb": ("pdf", "max_memory_mb"),
        "pdf_max_inflated_bytes": ("pdf", "max_inflated_bytes"),
        "pdf_max_content_tokens": ("pdf", "max_content_tokens"),
        "pdf_max_chars": ("pdf", "max_chars"),
        "pdf_max_parallel": ("pdf", "max_parallel"),
        "job_mode": ("jobs", "mode"),
        "redis_url": ("jobs", "redis_url"),
        "job_threads": ("jobs", "threads"),
        "job_poll_seconds": ("jobs", "poll_seconds"),
        "job_lease_seconds": ("jobs", "lease_seconds"),
        "job_max_attempts": ("jobs", "max_attempts"),
        "celery_queue": ("jobs", "celery_queue"),
        "celery_visibility_seconds": ("jobs", "celery_visibility_seconds"),
        "batch_max_items": ("batches", "max_items"),
        "batch_max_bytes": ("batches", "max_bytes"),
        "batch_chunk_size": ("batches", "chunk_size"),
        "scan_cache": ("batches", "scan_cache"),
        "session_secret": ("web", "session_secret"),
        "cookie_secure": ("web", "cookie_secure"),
        "session_max_age_s": ("web", "session_max_age_s"),
        "model": ("models", "stage"),
        "encoder": ("models", "encoder"),
        "llm": ("models", "llm"),
        "encoder_head": ("models", "encoder_head"),
        "llm_head": ("models", "llm_head"),
        "cache_dir": ("models", "cache_dir"),
        "threads": ("models", "threads"),
        "job_processes": ("scan_processes",),
    }
)
"""Each flat name (after `CLAUSEWISE_`, lower case) and the field it sets.

These are the names settings had before they were grouped into sections;
deployments, the Dockerfile, docker-compose.yml and the README use them.
`job_processes` is the earlier name of `scan_processes`.
"""


def _as_mapping(section: Any) -> dict[str, Any]:
    """Return a section given as a mapping, model or dataclass as a new dict."""
    if isinstance(section, BaseModel):
        return dict(section)
    if dataclasses.is_dataclass(section) and not isinstance(section, type):
        return {f.name: getattr(section, f.name) for f in dataclasses.fields(section)}
    return dict(section)


def nest_flat_names(
    values: Mapping[str, Any], fields: Collection[str]
) -> dict[str, Any]:
    """Return `values` with each flat name moved to its section's field.

    A value already given under the nested name is kept (it wins over the
    flat one); flat names of sections not among `fields` are dropped.
    """
    nested = {key: value for key, value in values.items() if key not in FLAT_NAMES}
    for key, value in values.items():
        path = FLAT_NAMES.get(key)
        if path is None or path[0] not in fields:
            continue
        if len(path) == 1:
            nested.setdefault(path[0], value)
            continue
        section, field = path
        current = nested.get(section)
        merged = _as_mapping(current) if current is not None else {}
        merged.setdefault(field, value)
        nested[section] = merged
    return nested


class _FlatNamesOf(PydanticBaseSettingsSource):
    """Another source's values, with flat names moved into their sections."""

    def __init__(
        self, settings_cls: type[BaseSettings], inner: PydanticBaseSettingsSource
    ) -> None:
        super().__init__(settings_cls)
        self.inner = inner

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        """Unused: `__call__` returns the inner source's values, nested."""
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        return nest_flat_names(self.inner(), self.settings_cls.model_fields)


class _FlatEnvironment(PydanticBaseSettingsSource):
    """`CLAUSEWISE_<FLAT_NAME>` variables, set into their sections' fields.

    Ranked below the nested names, so `CLAUSEWISE_JOBS__THREADS` wins over
    `CLAUSEWISE_JOB_THREADS`. Names are matched without regard to case and
    an empty value counts as unset, as for the nested names.
    """

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        """Unused: `__call__` reads every flat name at once."""
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        environ = {key.lower(): value for key, value in os.environ.items()}
        prefix = ENV_PREFIX.lower()
        found = {
            name: environ[prefix + name]
            for name in FLAT_NAMES
            if environ.get(prefix + name)
        }
        return nest_flat_names(found, self.settings_cls.model_fields)


class _SectionedSettings(BaseSettings):
    """The sources and flat-name handling every view of the settings shares."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter=NESTED_DELIMITER,
        env_ignore_empty=True,
        extra="ignore",
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Rank: arguments, nested variables, flat variables, defaults."""
        return (
            _FlatNamesOf(settings_cls, init_settings),
            env_settings,
            _FlatEnvironment(settings_cls),
            dotenv_settings,
            file_secret_settings,
        )

    @model_validator(mode="before")
    @classmethod
    def _nest(cls, data: Any) -> Any:
        """Accept flat names in `model_validate` too (sources are not run there)."""
        if isinstance(data, Mapping):
            return nest_flat_names(data, cls.model_fields)
        return data


class Settings(_SectionedSettings):
    """Every knob of the service; defaults suit one local process."""

    database: DatabaseSettings = DatabaseSettings()
    limits: LimitSettings = LimitSettings()
    pdf: PdfSettings = PdfSettings()
    jobs: JobSettings = JobSettings()
    batches: BatchSettings = BatchSettings()
    web: WebSettings = WebSettings()
    models: ModelSettings = Field(
        default_factory=ModelSettings,
        description="the model stage and where its weights, heads and cache are",
    )
    scan_processes: int = Field(
        default_factory=usable_cores,
        ge=1,
        le=64,
        description="worker processes that analyse documents: scans in the request,"
        " in-process scan jobs and batch cards (default: the cores this process may"
        " use; 1: in the calling thread, no worker processes)",
    )
    log_json: bool = False

    def updated(self, **changes: Any) -> Settings:
        """Return a validated copy with `changes` (flat or nested names) applied.

        Unlike `model_copy(update=...)`, a section is changed field by field
        and every value is checked; the environment is not read again.
        """
        data = self.model_dump()
        for key, value in nest_flat_names(changes, type(self).model_fields).items():
            current = data.get(key)
            if isinstance(value, Mapping) and isinstance(current, dict):
                data[key] = {**current, **value}
            else:
                data[key] = value
        return type(self).model_validate(data)


class _ModelSection(_SectionedSettings):
    """The `models` section alone, as `Settings` reads it from the environment."""

    models: ModelSettings = Field(default_factory=ModelSettings)


@cache
def get_settings() -> Settings:
    """Return the settings from the environment, read once per process."""
    return Settings()


def read_settings(**overrides: Any) -> Settings:
    """Read the settings from the environment; a bad value is a `ConfigError`."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise ConfigError(invalid_settings(exc)) from exc


def read_model_settings() -> ModelSettings:
    """Read the `models` section alone; a bad value is a `ConfigError`.

    For the commands that load a model but run no service (`scan --model`,
    `eval`, `train`, `ablation`): a bad database or web setting is none of
    their business.
    """
    try:
        return _ModelSection().models
    except ValidationError as exc:
        raise ConfigError(invalid_settings(exc)) from exc


def invalid_settings(exc: ValidationError) -> str:
    """Return one line naming each bad setting by the variables that set it."""
    problems = []
    for item in exc.errors():
        path = tuple(str(part) for part in item["loc"])
        problems.append(
            f"{' or '.join(env_names(path))} ({'.'.join(path)}): {item['msg']}"
            f" (got {item.get('input')!r})"
        )
    return "invalid CLAUSEWISE_* setting: " + "; ".join(problems)


def env_names(path: tuple[str, ...]) -> list[str]:
    """Return the variables that set the field at `path`: nested, then flat."""
    names = [ENV_PREFIX + NESTED_DELIMITER.join(path).upper()]
    names += [
        ENV_PREFIX + flat.upper()
        for flat, target in FLAT_NAMES.items()
        if target == path
    ]
    return names
