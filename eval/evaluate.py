"""Run a scan over a labelled corpus and score what it returns.

The harness knows nothing of the engine: `scan` is any callable that returns
span mappings, so one scorer judges the pattern stage, the model stage or a
hand-made baseline alike, and a report saved as JSON can be read back to
compare two runs.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError

from eval.corpus import Corpus, GoldDocument
from eval.scorer import (
    PARAM_TYPES,
    PRF,
    CitationErrorRecord,
    ParamMismatch,
    ParamScore,
    PredictedSpan,
    SpanLike,
    SpanRecord,
    citation_error,
    line_of,
    match_spans,
    param_mismatch,
    presence,
)
from extractors.engine import ClauseEngine
from extractors.errors import ConfigError, ExtractionError
from extractors.labels import ClauseType
from extractors.output import clause_to_dict
from extractors.parse import parse_path
from extractors.result_json import ClauseJSON

Scan = Callable[[GoldDocument], Sequence[Mapping[str, Any]]]
"""Maps a document to predicted spans: `type`, `start`, `end`, `quote`, `params`.

Any extractor's output can be scored; `scan_with` makes one of an engine.
"""


def scan_with(engine: ClauseEngine) -> Scan:
    """Return a `scan` that tags each gold document with `engine`, as results do."""

    def scan(gold: GoldDocument) -> list[ClauseJSON]:
        document = parse_path(gold.doc_path)
        clauses, _ = engine.tag(document)
        return [clause_to_dict(document, tag) for tag in clauses]

    return scan


@dataclass(frozen=True, slots=True)
class CitationStats:
    """How many predictions cite their text; every miss is an engine bug."""

    checked: int = 0
    valid: int = 0
    errors: tuple[CitationErrorRecord, ...] = ()

    @property
    def validity(self) -> float:
        """Share of predictions that cite their text (1.0 when none)."""
        return self.valid / self.checked if self.checked else 1.0


@dataclass(frozen=True, slots=True)
class Timing:
    """Time spent inside `scan` only, not in loading or scoring."""

    documents: int = 0
    total_seconds: float = 0.0

    @property
    def docs_per_second(self) -> float:
        """Throughput of the scan (0.0 when nothing was timed)."""
        return self.documents / self.total_seconds if self.total_seconds else 0.0


@dataclass(frozen=True, slots=True)
class EvalReport:
    """The scores of one run, in a form that survives a JSON round trip."""

    per_type: Mapping[ClauseType, PRF]
    doc_level: Mapping[ClauseType, PRF]
    params: Mapping[ClauseType, ParamScore]
    param_mismatches: tuple[ParamMismatch, ...]
    citations: CitationStats
    false_positives: tuple[SpanRecord, ...]
    false_negatives: tuple[SpanRecord, ...]
    documents: int
    unscored: tuple[str, ...] = ()
    corpus_problems: tuple[str, ...] = ()
    timing: Timing = Timing()

    @property
    def micro(self) -> PRF:
        """Span-level counts over all types."""
        return sum(self.per_type.values(), PRF())

    @property
    def doc_level_micro(self) -> PRF:
        """Document-level presence counts over all types."""
        return sum(self.doc_level.values(), PRF())

    @property
    def params_overall(self) -> ParamScore:
        """Parameter agreement over all types that have parameters."""
        return sum(self.params.values(), ParamScore())

    def to_dict(self) -> dict[str, Any]:
        """JSON form; ratios are included for readers, counts are what load back."""
        return {
            "micro": self.micro.to_dict(),
            "per_type": {t.value: prf.to_dict() for t, prf in self.per_type.items()},
            "doc_level": {
                "micro": self.doc_level_micro.to_dict(),
                "per_type": {t.value: p.to_dict() for t, p in self.doc_level.items()},
            },
            "params": {
                "overall": self.params_overall.to_dict(),
                "per_type": {t.value: p.to_dict() for t, p in self.params.items()},
                "mismatches": [m.to_dict() for m in self.param_mismatches],
            },
            "citations": {
                "checked": self.citations.checked,
                "valid": self.citations.valid,
                "validity": self.citations.validity,
                "errors": [e.to_dict() for e in self.citations.errors],
            },
            "false_positives": [r.to_dict() for r in self.false_positives],
            "false_negatives": [r.to_dict() for r in self.false_negatives],
            "documents": self.documents,
            "unscored": list(self.unscored),
            "corpus_problems": list(self.corpus_problems),
            "timing": asdict(self.timing)
            | {"docs_per_second": self.timing.docs_per_second},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> EvalReport:
        """Read back a saved report, e.g. a baseline to compare against."""
        try:
            saved = _SavedReport.model_validate(data)
        except ValidationError as exc:
            raise ConfigError(f"not a saved evaluation report: {exc}") from exc
        return cls(
            per_type={t: saved.per_type.get(t, PRF()) for t in ClauseType},
            doc_level={t: saved.doc_level.per_type.get(t, PRF()) for t in ClauseType},
            params={t: saved.params.per_type.get(t, ParamScore()) for t in PARAM_TYPES},
            param_mismatches=tuple(saved.params.mismatches),
            citations=saved.citations,
            false_positives=tuple(saved.false_positives),
            false_negatives=tuple(saved.false_negatives),
            documents=saved.documents,
            unscored=tuple(saved.unscored),
            corpus_problems=tuple(saved.corpus_problems),
            timing=saved.timing,
        )


class _Prediction(BaseModel):
    model_config = ConfigDict(extra="ignore")

    type: ClauseType
    start: int
    end: int
    quote: str
    params: dict[str, Any] | None = None


class _SavedDocLevel(BaseModel):
    per_type: dict[ClauseType, PRF] = {}


class _SavedParams(BaseModel):
    per_type: dict[ClauseType, ParamScore] = {}
    mismatches: list[ParamMismatch] = []


class _SavedReport(BaseModel):
    per_type: dict[ClauseType, PRF]
    doc_level: _SavedDocLevel
    params: _SavedParams
    citations: CitationStats
    false_positives: list[SpanRecord]
    false_negatives: list[SpanRecord]
    documents: int
    unscored: list[str] = []
    corpus_problems: list[str] = []
    timing: Timing = Timing()


_PREDICTIONS = TypeAdapter(list[_Prediction])


def evaluate(corpus: Corpus, scan: Scan) -> EvalReport:
    """Scan every scored document of `corpus` and score the predictions.

    Only the `scan` calls are timed. A malformed prediction (a missing key,
    an unknown clause type) raises ExtractionError naming the document.
    """
    scores: list[EvalReport] = []
    seconds = 0.0
    for document in corpus.documents:
        started = time.perf_counter()
        raw = scan(document)
        seconds += time.perf_counter() - started
        predicted = _predictions(document.name, raw, scan)
        scores.append(
            score_document(document.name, document.text, document.spans, predicted)
        )
    return _combine(scores, corpus, Timing(len(scores), seconds))


def _combine(
    scores: Sequence[EvalReport], corpus: Corpus, timing: Timing
) -> EvalReport:
    """Add up per-document reports; the corpus adds what was not scored."""
    return add_up(
        scores, unscored=corpus.unscored, problems=corpus.problems, timing=timing
    )


def add_up(
    scores: Sequence[EvalReport],
    *,
    unscored: tuple[str, ...] = (),
    problems: tuple[str, ...] = (),
    timing: Timing = Timing(),
) -> EvalReport:
    """Add up per-document reports (`score_document`) into one.

    Public so that figures computed elsewhere (the service's accuracy on a
    tenant's reviewed documents) are the very sums `clausewise eval` prints.
    """
    errors = tuple(e for s in scores for e in s.citations.errors)
    checked = sum(s.citations.checked for s in scores)
    return EvalReport(
        per_type={t: sum((s.per_type[t] for s in scores), PRF()) for t in ClauseType},
        doc_level={t: sum((s.doc_level[t] for s in scores), PRF()) for t in ClauseType},
        params={
            t: sum((s.params[t] for s in scores), ParamScore()) for t in PARAM_TYPES
        },
        param_mismatches=tuple(m for s in scores for m in s.param_mismatches),
        citations=CitationStats(checked, checked - len(errors), errors),
        false_positives=tuple(r for s in scores for r in s.false_positives),
        false_negatives=tuple(r for s in scores for r in s.false_negatives),
        documents=sum(s.documents for s in scores),
        unscored=unscored,
        corpus_problems=problems,
        timing=timing,
    )


def _predictions(
    doc: str, raw: Sequence[Mapping[str, Any]], scan: Scan
) -> list[PredictedSpan]:
    try:
        items = _PREDICTIONS.validate_python(list(raw))
    except ValidationError as exc:
        name = getattr(scan, "__name__", type(scan).__name__)
        raise ExtractionError(
            f"malformed prediction: {exc}", extractor=name, document=doc
        ) from exc
    return [
        PredictedSpan(item.type, item.start, item.end, item.quote, item.params or {})
        for item in items
    ]


def score_document(
    doc: str, text: str, gold: Sequence[SpanLike], predicted: Sequence[SpanLike]
) -> EvalReport:
    """Score one document's predictions, type by type, as a one-document report.

    A prediction that does not cite the text is a citation error: it never
    matches, yet counts as a false positive so that a broken extractor
    cannot score well; nor does it make its type present in the document.
    """
    errors = [
        CitationErrorRecord(doc, p.type, p.start, p.end, p.quote, reason)
        for p in predicted
        if (reason := citation_error(text, p)) is not None
    ]
    valid = [p for p in predicted if citation_error(text, p) is None]
    bad = Counter(error.type for error in errors)
    spans: dict[ClauseType, PRF] = {}
    present: dict[ClauseType, PRF] = {}
    params: dict[ClauseType, ParamScore] = {}
    fps: list[SpanRecord] = []
    fns: list[SpanRecord] = []
    mismatches: list[ParamMismatch] = []
    for ctype in ClauseType:
        g = [s for s in gold if s.type == ctype]
        p = [s for s in valid if s.type == ctype]
        pairs = match_spans(g, p)
        fp = len(p) - len(pairs) + bad[ctype]
        spans[ctype] = PRF(len(pairs), fp, len(g) - len(pairs))
        present[ctype] = presence(bool(g), bool(p))
        fps += _unmatched(doc, text, p, {pi for _, pi in pairs})
        fns += _unmatched(doc, text, g, {gi for gi, _ in pairs})
        if ctype in PARAM_TYPES:
            wrong = [m for gi, pi in pairs if (m := param_mismatch(doc, g[gi], p[pi]))]
            mismatches += wrong
            params[ctype] = ParamScore(len(pairs), len(pairs) - len(wrong))
    return EvalReport(
        per_type=spans,
        doc_level=present,
        params=params,
        param_mismatches=tuple(mismatches),
        citations=CitationStats(len(predicted), len(valid), tuple(errors)),
        false_positives=tuple(fps),
        false_negatives=tuple(fns),
        documents=1,
    )


def _unmatched(
    doc: str, text: str, spans: Sequence[SpanLike], matched: set[int]
) -> list[SpanRecord]:
    return [
        SpanRecord(doc, s.type, s.start, s.end, line_of(text, s.start), s.quote)
        for i, s in enumerate(spans)
        if i not in matched
    ]
