"""The result's JSON contract as types: what `result_to_dict` builds and everyone reads.

A scan result crosses process and storage boundaries as JSON (the CLI's
output, the API's bodies, the stored scan, the batch cache). These
TypedDicts give that JSON one static shape for the code that builds it
(`extractors.output`) and the code that reads it back (the diff, the
scorer, the exporters, the web pages), so mypy checks every field access.
`service.result_contract.ScanResult` is the same contract as a pydantic
model at the service edge, where it validates and publishes the JSON
Schema; a test keeps the two field for field equal.
"""

# No `from __future__ import annotations` here: with string annotations a
# TypedDict cannot see `NotRequired` at run time, and `as_result` reads it.
from collections.abc import Mapping
from typing import Any, Literal, NotRequired, TypedDict, cast


class CitationJSON(TypedDict):
    """Evidence: `quote` is exactly `text[start:end]` of the document."""

    start: int
    end: int
    quote: str
    line: int
    page: int


class ClauseJSON(CitationJSON):
    """A clause found in the document, with its parameters and provenance."""

    type: str
    score: float
    params: dict[str, Any]
    extractor: str
    pattern_id: str | None
    explanation: str | None


class FindingJSON(TypedDict):
    """A risk finding; `verdict` is set when a profile was applied."""

    rule_id: str
    category: str
    severity: str
    title: str
    rationale: str
    verdict: str | None
    clause_types: list[str]
    citations: list[CitationJSON]


class DiscardedJSON(CitationJSON):
    """A candidate clause a veto removed, with the reason (`--explain`)."""

    type: str
    reason: str
    detail: str | None
    pattern_id: str | None


class DocumentJSON(TypedDict):
    """The document as the engine saw it."""

    name: str | None
    sha256: str
    media_type: str
    chars: int
    lines: int
    pages: int
    metadata: dict[str, Any]


class CandidateJSON(TypedDict):
    """A known license the document was compared with."""

    family: str | None
    version: str | None
    title: str | None
    file: str | None
    score: float
    reference_containment: float
    document_containment: float


class DifferenceJSON(TypedDict):
    """A clause the document states differently from the known license."""

    kind: Literal["changed", "added", "removed"]
    clause_type: str
    reference_params: dict[str, Any] | None
    params: dict[str, Any] | None
    detail: str
    citation: CitationJSON | None


class ModelCardNoteJSON(TypedDict):
    """What a model card declares, checked against what its text is."""

    kind: str
    message: str
    evidence: str | CitationJSON


class LicenseJSON(TypedDict):
    """Which known license the document is, how sure, and what differs."""

    status: Literal["exact", "modified", "embedded", "unknown"]
    family: str | None
    version: str | None
    title: str | None
    file: str | None
    spdx: str | None
    similarity: float
    candidates: list[CandidateJSON]
    differences: list[DifferenceJSON]
    region: list[int] | None
    model_card_notes: NotRequired[list[ModelCardNoteJSON]]


class EngineJSON(TypedDict):
    """The engine and data versions that produced the result."""

    version: str
    patterns_sha256: str
    rules_sha256: str
    model: str | None


class ResultJSON(TypedDict):
    """One document's analysis."""

    schema_version: str
    document: DocumentJSON
    clauses: list[ClauseJSON]
    findings: list[FindingJSON]
    license: LicenseJSON | None
    engine: EngineJSON
    discarded: NotRequired[list[DiscardedJSON]]


_RESULT_KEYS = frozenset(ResultJSON.__required_keys__)


def as_result(data: Mapping[str, Any]) -> ResultJSON:
    """Type JSON that `result_to_dict` wrote (a stored scan, a `--out` file).

    The top level is checked, so a file that is not a result fails here with
    what it lacks rather than later with a bare KeyError; the fields below
    are the writer's, and the service checks them with its pydantic contract.
    """
    missing = sorted(_RESULT_KEYS - data.keys())
    if missing:
        raise ValueError(f"not a clausewise result: no {', '.join(missing)}")
    return cast(ResultJSON, data)


def as_record(data: ResultJSON) -> dict[str, Any]:
    """Return `data` as the plain dict a JSON column or `json.dumps` takes."""
    return dict(data)
