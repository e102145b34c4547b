"""The scan result's JSON contract: one typed model, a published JSON Schema.

What `clausewise scan --format json` prints, what `--out` writes, what the
API returns inside a scan and a batch item, is one document whose shape is
`ScanResult`. Unknown fields are refused (`extra="forbid"`), so the model
cannot drift from `extractors.output.result_to_dict` without a test failing,
and clients can generate types from `ScanResult.model_json_schema()`, served
at `GET /schemas/scan-result` and committed as
`service/data/scan-result.schema.json`.

`schema_version` (`extractors.output.SCHEMA_VERSION`) changes when a field
is removed or changes meaning; adding an optional field does not.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from extractors.labels import ClauseType, RiskCategory, Severity
from extractors.output import SCHEMA_VERSION
from extractors.types import DiscardReason

SCHEMA_ID = "urn:clausewise:schema:scan-result:{version}"


def _absent(value: object) -> bool:
    """Fields the engine leaves out stay out (not `null`) when re-serialised."""
    return value is None


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Citation(_Strict):
    """Evidence: `quote` is exactly `text[start:end]` of the document."""

    start: int = Field(ge=0, description="character offset, inclusive")
    end: int = Field(ge=0, description="character offset, exclusive")
    quote: str
    line: int = Field(ge=1, description="1-based line of `start`")
    page: int = Field(ge=1, description="1-based page of `start` (1 for text)")


class Clause(Citation):
    """A clause found in the document, with its parameters and provenance."""

    type: ClauseType
    score: float = Field(ge=0, le=1)
    params: dict[str, Any] = Field(
        description="the clause type's parameters (ANNOTATION.md)"
    )
    extractor: str
    pattern_id: str | None
    explanation: str | None


class Finding(_Strict):
    """A risk finding; `verdict` is set when a profile was applied."""

    rule_id: str
    category: RiskCategory
    severity: Severity
    title: str
    rationale: str
    verdict: str | None
    clause_types: list[ClauseType]
    citations: list[Citation]


class Discarded(Citation):
    """A candidate clause a veto removed, with the reason (`--explain`)."""

    type: ClauseType
    reason: DiscardReason
    detail: str | None
    pattern_id: str | None


class ResultDocument(_Strict):
    """The document as the engine saw it."""

    name: str | None
    sha256: str
    media_type: str
    chars: int = Field(ge=0)
    lines: int = Field(ge=0)
    pages: int = Field(ge=0)
    metadata: dict[str, Any] = Field(description="YAML front matter, if any")


class Candidate(_Strict):
    """A known license the document was compared with."""

    family: str | None
    version: str | None
    title: str | None
    file: str | None
    score: float
    reference_containment: float
    document_containment: float


class Difference(_Strict):
    """A clause the document states differently from the known license."""

    kind: Literal["changed", "added", "removed"]
    clause_type: ClauseType
    reference_params: dict[str, Any] | None
    params: dict[str, Any] | None
    detail: str
    citation: Citation | None


class ModelCardNote(_Strict):
    """What a model card declares, checked against what its text is."""

    kind: str
    message: str
    evidence: str | Citation


class License(_Strict):
    """Which known license the document is, how sure, and what differs."""

    status: Literal["exact", "modified", "embedded", "unknown"]
    family: str | None
    version: str | None
    title: str | None
    file: str | None
    spdx: str | None
    similarity: float
    candidates: list[Candidate]
    differences: list[Difference]
    region: list[int] | None = Field(
        description="[start, end) of the embedded license text, if embedded"
    )
    model_card_notes: list[ModelCardNote] | None = Field(
        default=None,
        exclude_if=_absent,
        description="only for a document with front matter (a model card)",
    )


class ResultEngine(_Strict):
    """The engine and data versions that produced the result."""

    version: str
    patterns_sha256: str
    rules_sha256: str
    model: str | None = None


class ScanResult(_Strict):
    """One document's analysis."""

    model_config = ConfigDict(
        extra="forbid",
        title="clausewise scan result",
        json_schema_extra={"$id": SCHEMA_ID.format(version=SCHEMA_VERSION)},
    )

    schema_version: Literal["1"] = Field(
        default="1",
        description="changes when a field is removed or changes meaning",
    )
    document: ResultDocument
    clauses: list[Clause]
    findings: list[Finding]
    license: License | None
    engine: ResultEngine
    discarded: list[Discarded] | None = Field(
        default=None,
        exclude_if=_absent,
        description="vetoed candidates, only when asked for (`--explain`)",
    )


def scan_result_schema() -> dict[str, Any]:
    """Return the published JSON Schema of `ScanResult`."""
    return ScanResult.model_json_schema()
