"""Document request and response bodies (`DocumentCreate`, `DocumentPublic`...).

Tables never leave the service: routes answer with these models, built by
their `from_record` constructors, so a column can change without changing
the API. Ids are strings.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi.exceptions import RequestValidationError
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
)

from service.columns import as_utc
from service.documents.labels import Labels
from service.documents.tables import DocumentRecord
from service.input_rules import EncodableText, StoredText, storable_tree

URL_PATTERN = r"^https?://\S+$"


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


class DocumentLabelsUpdate(BaseModel):
    """New labels for a stored document (`PATCH /v1/documents/{id}`).

    A member left out keeps its value; `null` clears it (a document without a
    family leaves its family). Moving into a (family, version) another
    document holds is a 409 naming that document.
    """

    model_config = ConfigDict(extra="forbid")

    family: StoredText | None = Field(default=None, min_length=1, max_length=200)
    version: StoredText | None = Field(default=None, min_length=1, max_length=100)
    tags: list[StoredText] | None = Field(default=None, max_length=50)

    def applied_to(self, record: DocumentRecord) -> Labels:
        """Return the record's labels with the members this body sets replaced."""
        given = self.model_fields_set
        return Labels(
            family=self.family if "family" in given else record.family,
            version=self.version if "version" in given else record.version,
            tags=tuple(self.tags or ()) if "tags" in given else tuple(record.tags),
        )
