"""Core domain values shared by every stage of the pipeline.

All are frozen dataclasses: stages pass them along and never mutate them. All
offsets are half-open character offsets into the immutable `Document.text`;
`Citation.verify` is the one check every output must pass.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

from extractors.errors import CitationError
from extractors.labels import ClauseType, RiskCategory, Severity
from extractors.result_json import CitationJSON

MediaType = Literal["text/plain", "text/markdown", "application/pdf"]


@dataclass(frozen=True, slots=True)
class Document:
    """A parsed document: the exact text every offset indexes, never rewritten.

    `line_starts` and `page_starts` are computed once by the parser so that
    turning an offset into a line or page is a binary search, not a rescan.
    """

    id: str
    text: str
    media_type: MediaType
    source: str | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)
    line_starts: tuple[int, ...] = field(default=(0,), compare=False, hash=False)
    page_starts: tuple[int, ...] = field(default=(0,), compare=False, hash=False)

    def line_of(self, offset: int) -> int:
        """Return the 1-based line holding `offset`."""
        return bisect.bisect_right(self.line_starts, offset)

    def page_of(self, offset: int) -> int:
        """Return the 1-based page holding `offset` (form feeds separate pages)."""
        return bisect.bisect_right(self.page_starts, offset)


@dataclass(frozen=True, slots=True, order=True)
class CharSpan:
    """Half-open character range [start, end) into `Document.text`."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start < self.end:
            raise ValueError(f"invalid span [{self.start}, {self.end})")

    def overlaps(self, other: CharSpan) -> bool:
        """Return True when the two spans share at least one character."""
        return self.start < other.end and other.start < self.end

    def contains(self, other: CharSpan) -> bool:
        """Return True when `other` lies wholly inside this span."""
        return self.start <= other.start and other.end <= self.end

    def __len__(self) -> int:
        return self.end - self.start


@dataclass(frozen=True, slots=True)
class Citation:
    """Verifiable evidence: a span, the exact text it covers, and where it is."""

    start: int
    end: int
    quote: str
    line: int
    page: int

    @classmethod
    def from_span(cls, document: Document, span: CharSpan) -> Citation:
        """Cite `span` of `document`, with its line and page."""
        return cls(
            start=span.start,
            end=span.end,
            quote=document.text[span.start : span.end],
            line=document.line_of(span.start),
            page=document.page_of(span.start),
        )

    def to_dict(self) -> CitationJSON:
        """Return the JSON form every result uses for evidence."""
        return {
            "start": self.start,
            "end": self.end,
            "quote": self.quote,
            "line": self.line,
            "page": self.page,
        }

    def verify(self, document: Document) -> None:
        """Raise CitationError unless the quote is really at the offsets."""
        if document.text[self.start : self.end] != self.quote:
            raise CitationError(
                f"citation [{self.start}, {self.end}) does not match the text"
            )


class SegmentKind(StrEnum):
    """What layout unit a segment came from; headings are never clauses."""

    SENTENCE = "sentence"
    ITEM = "item"
    HEADING = "heading"
    TABLE_ROW = "table_row"


@dataclass(frozen=True, slots=True)
class Segment:
    """A sentence or list item: the unit a clause span is made of."""

    span: CharSpan
    kind: SegmentKind
    block: int
    """Index of the paragraph or list item the segment belongs to."""
    lead_in: CharSpan | None = None
    """For a list item: the sentence ending in `:` that introduced its list."""


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why a tag exists: which extractor, which pattern, how sure."""

    extractor: str
    method: Literal["pattern", "model", "rule"]
    score: float
    pattern_id: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class ClauseTag:
    """An extractor's claim that `span` states a clause of `clause_type`."""

    clause_type: ClauseType
    span: CharSpan
    score: float
    explanation: Explanation
    params: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)
    trigger: CharSpan | None = None


class DiscardReason(StrEnum):
    """Why a candidate tag was dropped: kept for `--explain`, never an error."""

    NEGATED = "negated"
    LOOK_ALIKE = "look-alike"
    NOT_A_CLAUSE = "not-a-clause"
    DUPLICATE = "duplicate"
    BELOW_THRESHOLD = "below-threshold"
    HEADING = "heading"


@dataclass(frozen=True, slots=True)
class Discarded:
    """A candidate that did not make it, with the reason and the evidence."""

    tag: ClauseTag
    reason: DiscardReason
    detail: str


@dataclass(frozen=True, slots=True)
class RiskFinding:
    """A risk category triggered by a rule, citing the clauses it rests on."""

    rule_id: str
    category: RiskCategory
    severity: Severity
    title: str
    rationale: str
    citations: tuple[Citation, ...]
    clause_types: tuple[ClauseType, ...]
    verdict: str | None = None
    """Set when an organisation profile was applied: why this severity."""
