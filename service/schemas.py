"""Request and response bodies (`*Create`, `*Public`, `*sPublic` list wrappers).

Tables (`service.tables`) never leave the service: routes answer with these
models, built by their `from_record` constructors, so a column can change
without changing the API. Ids are strings. The scan result models mirror the
JSON contract of `extractors.output.result_to_dict`; they allow extra keys so
that a field the engine adds later passes through instead of failing.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi.exceptions import RequestValidationError
from pydantic import (
    BaseModel,
    BeforeValidator,
    Field,
    ValidationError,
    field_validator,
)

from service.input_rules import EncodableText, StoredText, storable_tree
from service.result_contract import Finding, ScanResult
from service.tables import DocumentRecord, ProfileRecord, ScanRecord

URL_PATTERN = r"^https?://\S+$"


def as_utc(moment: dt.datetime) -> dt.datetime:
    """Return `moment` as aware UTC (SQLite hands back naive UTC datetimes)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


class DocumentLabels(BaseModel):
    """What the caller says about a document: labels for families and search."""

    name: str | None = Field(default=None, max_length=500)
    family: str | None = Field(
        default=None, max_length=200, description="license family, e.g. 'llama'"
    )
    version: str | None = Field(default=None, max_length=100)
    source_url: str | None = Field(default=None, max_length=2000, pattern=URL_PATTERN)
    tags: list[str] = Field(default_factory=list, max_length=50)


class DocumentMeta(DocumentLabels):
    """Labels as a client sends them: only text that any database can store.

    Stored labels are shown through `DocumentLabels`, unchecked, so a row
    written before this rule still reads.
    """

    @field_validator("name", "family", "version", "source_url", "tags", mode="before")
    @classmethod
    def _storable(cls, value: Any) -> Any:
        return storable_tree(value)


def document_meta(**fields: Any) -> DocumentMeta:
    """Build labels from form fields and a file name; invalid ones are a 422.

    Routes build these from several request fields, after FastAPI validated
    the request, so a refusal here must still answer as request validation.
    """
    try:
        return DocumentMeta(**fields)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        raise RequestValidationError(
            [{**error, "loc": ("body", *error["loc"])} for error in errors]
        ) from exc


class DocumentCreate(DocumentMeta):
    """A document sent as JSON text (UTF-8; its type is sniffed from the text)."""

    text: EncodableText = Field(
        description="the document text, exactly as it should be cited"
    )


class DocumentPublic(DocumentLabels):
    """A stored document, without its text (see `GET .../text`)."""

    id: str
    sha256: str
    media_type: str
    size: int = Field(description="bytes as uploaded")
    chars: int = Field(description="characters of the parsed text offsets index")
    pages: int
    metadata: dict[str, Any] = Field(description="Markdown front matter, if any")
    created_at: dt.datetime

    @classmethod
    def from_record(cls, record: DocumentRecord) -> DocumentPublic:
        """Build the public view of a stored document."""
        return cls(
            id=str(record.id),
            name=record.name,
            family=record.family,
            version=record.version,
            source_url=record.source_url,
            tags=list(record.tags),
            sha256=record.sha256,
            media_type=record.media_type,
            size=record.size,
            chars=len(record.text),
            pages=max(1, len(record.page_starts)),
            metadata=dict(record.front_matter),
            created_at=as_utc(record.created_at),
        )


class DocumentsPublic(BaseModel):
    """One page of documents and the total that match."""

    data: list[DocumentPublic]
    count: int


class ResultEnginePublic(BaseModel):
    """The engine and data versions, as recorded inside a result."""

    version: str
    patterns_sha256: str
    rules_sha256: str


class EnginePublic(ResultEnginePublic):
    """The engine and data versions that produced a scan, and the model if any."""

    model: str | None


ScanResultPublic = ScanResult
"""The analysis, as `clausewise scan --format json` prints it: the one contract."""
FindingPublic = Finding


class ScanSummaryPublic(BaseModel):
    """A scan without its result: what history listings show."""

    id: str
    document_id: str
    profile_id: str | None
    status: str
    engine: EnginePublic
    clause_count: int
    finding_count: int
    duration_ms: float | None
    created_at: dt.datetime

    @classmethod
    def from_record(cls, record: ScanRecord) -> ScanSummaryPublic:
        """Build the summary of a stored scan."""
        return cls(**_scan_fields(record))


class ScanPublic(ScanSummaryPublic):
    """A scan with its full result (None until a queued scan has run)."""

    error: str | None
    result: ScanResultPublic | None

    @classmethod
    def from_record(cls, record: ScanRecord) -> ScanPublic:
        """Build the full view of a stored scan."""
        result = (
            ScanResultPublic.model_validate(record.result) if record.result else None
        )
        return cls(**_scan_fields(record), error=record.error, result=result)


def _scan_fields(record: ScanRecord) -> dict[str, Any]:
    result = record.result or {}
    return {
        "id": str(record.id),
        "document_id": str(record.document_id),
        "profile_id": str(record.profile_id) if record.profile_id else None,
        "status": record.status,
        "engine": EnginePublic(
            version=record.engine_version,
            patterns_sha256=record.patterns_sha256,
            rules_sha256=record.rules_sha256,
            model=record.model,
        ),
        "clause_count": len(result.get("clauses", ())),
        "finding_count": len(result.get("findings", ())),
        "duration_ms": record.duration_ms,
        "created_at": as_utc(record.created_at),
    }


class ScansPublic(BaseModel):
    """One page of scans, newest first, and the total."""

    data: list[ScanSummaryPublic]
    count: int


class EvaluationPublic(BaseModel):
    """Findings of a stored scan's document re-assessed with a profile."""

    scan_id: str
    profile_id: str
    profile_name: str
    engine: EnginePublic
    findings: list[FindingPublic]


class ProfileCreate(BaseModel):
    """An organisation profile (fields as in `examples/profile.example.yml`)."""

    name: StoredText = Field(min_length=1, max_length=200)
    profile: Annotated[dict[str, Any], BeforeValidator(storable_tree)] = Field(
        description="monthly_active_users, daily_active_users, annual_revenue,"
        " regions, intended_uses; `name` defaults to the profile's name",
    )


class ProfilePublic(BaseModel):
    """A stored profile, as validated on the way in."""

    id: str
    name: str
    profile: dict[str, Any]
    created_at: dt.datetime

    @classmethod
    def from_record(cls, record: ProfileRecord) -> ProfilePublic:
        """Build the public view of a stored profile."""
        return cls(
            id=str(record.id),
            name=record.name,
            profile=dict(record.profile),
            created_at=as_utc(record.created_at),
        )


class ProfilesPublic(BaseModel):
    """One page of profiles and the total."""

    data: list[ProfilePublic]
    count: int


class HealthPublic(BaseModel):
    """Liveness or readiness, with each readiness check's outcome."""

    status: str
    checks: dict[str, str] = Field(default_factory=dict)
