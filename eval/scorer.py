"""Score predicted clause spans against gold ones, as ANNOTATION.md "Scoring" says.

Pure functions only: the harness around them does the I/O and the timing,
so the arithmetic can be checked on hand-made spans.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import Field, dataclass, field, fields
from typing import Any, ClassVar

from eval.corpus import GoldSpan
from extractors.clauses import REGISTRY
from extractors.labels import ClauseType
from extractors.words import words

MATCH_THRESHOLD = 0.5
PARAM_TYPES: tuple[ClauseType, ...] = tuple(
    t for t in ClauseType if REGISTRY[t].has_params
)
"""Clause types whose parameters are scored, in `ClauseType` order."""

_EMPHASIS = re.compile(r"\*+|(?<![^\W_])_+|_+(?![^\W_])")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.\-]*://")
_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")
_EMPTY: frozenset[Hashable] = frozenset()


@dataclass(frozen=True, slots=True)
class PredictedSpan:
    """A span a scan returned, once its keys have been validated."""

    type: ClauseType
    start: int
    end: int
    quote: str
    params: Mapping[str, Any] = field(default_factory=dict, hash=False)


SpanLike = GoldSpan | PredictedSpan
"""What the scorer compares: gold and predicted spans have the same shape."""


@dataclass(frozen=True, slots=True)
class PRF:
    """Counts of one comparison; ratios derive from them so that sums stay exact.

    An empty denominator counts as perfect (nothing to find, nothing wrongly
    found): a type absent from both gold and predictions scores 1.0.
    """

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __add__(self, other: PRF) -> PRF:
        return PRF(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    @property
    def gold(self) -> int:
        """Gold spans (or documents) compared."""
        return self.tp + self.fn

    @property
    def predicted(self) -> int:
        """Predicted spans (or documents) compared."""
        return self.tp + self.fp

    @property
    def precision(self) -> float:
        """Share of predictions that are right."""
        return self.tp / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        """Share of gold that was found."""
        return self.tp / self.gold if self.gold else 1.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_dict(self) -> dict[str, Any]:
        """Counts and ratios, as the JSON report shows them."""
        ratios = {"precision": self.precision, "recall": self.recall, "f1": self.f1}
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn} | ratios


@dataclass(frozen=True, slots=True)
class ParamScore:
    """Matched pairs whose parameters were compared, and how many agreed."""

    checked: int = 0
    correct: int = 0

    def __add__(self, other: ParamScore) -> ParamScore:
        return ParamScore(self.checked + other.checked, self.correct + other.correct)

    @property
    def accuracy(self) -> float:
        """Share of compared pairs whose parameters agree (1.0 when none)."""
        return self.correct / self.checked if self.checked else 1.0

    def to_dict(self) -> dict[str, Any]:
        """Counts and accuracy, as the JSON report shows them."""
        return {"checked": self.checked, "correct": self.correct} | {
            "accuracy": self.accuracy
        }


class _Record:
    """Shared JSON form of the located records below (all dataclasses)."""

    __slots__ = ()
    __dataclass_fields__: ClassVar[dict[str, Field[Any]]]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON form: enums as their values, mappings as dicts."""
        return {f.name: _plain(getattr(self, f.name)) for f in fields(self)}


@dataclass(frozen=True, slots=True)
class SpanRecord(_Record):
    """A false positive or false negative, located for a human to look at."""

    doc: str
    type: ClauseType
    start: int
    end: int
    line: int
    quote: str


@dataclass(frozen=True, slots=True)
class CitationErrorRecord(_Record):
    """A prediction whose quote is not the text at its offsets."""

    doc: str
    type: ClauseType
    start: int
    end: int
    quote: str
    reason: str


@dataclass(frozen=True, slots=True)
class ParamMismatch(_Record):
    """A matched pair whose parameters differ; offsets and quote are the gold's."""

    doc: str
    type: ClauseType
    start: int
    end: int
    quote: str
    gold: Mapping[str, Any] = field(hash=False)
    predicted: Mapping[str, Any] = field(hash=False)


def word_set(quote: str) -> frozenset[str]:
    """Words of a quote, the unit of the overlap criterion (a CJK character is one)."""
    return frozenset(words(quote))


def jaccard(a: AbstractSet[str], b: AbstractSet[str]) -> float:
    """Overlap of two word sets; two empty sets share nothing, so 0.0."""
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def match_spans(
    gold: Sequence[SpanLike], predicted: Sequence[SpanLike]
) -> list[tuple[int, int]]:
    """Pair gold and predicted spans one-to-one, best overlap first.

    Returns (gold index, predicted index) pairs. Only spans of one type with
    Jaccard >= 0.5 are candidates; ties go to the earlier start. Greedy, as
    the CUAD criterion is, not an optimal assignment.
    """
    gold_words = [word_set(span.quote) for span in gold]
    pred_words = [word_set(span.quote) for span in predicted]
    candidates = [
        (-score, g.start, p.start, gi, pi)
        for gi, g in enumerate(gold)
        for pi, p in enumerate(predicted)
        if g.type == p.type
        and (score := jaccard(gold_words[gi], pred_words[pi])) >= MATCH_THRESHOLD
    ]
    used_gold: set[int] = set()
    used_pred: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for *_, gi, pi in sorted(candidates):
        if gi not in used_gold and pi not in used_pred:
            used_gold.add(gi)
            used_pred.add(pi)
            pairs.append((gi, pi))
    return pairs


def presence(gold: bool, predicted: bool) -> PRF:
    """Document-level outcome of one type: found where it is, or not."""
    return PRF(
        int(gold and predicted),
        int(predicted and not gold),
        int(gold and not predicted),
    )


def line_of(text: str, offset: int) -> int:
    """1-based line of `offset`; counting line feeds keeps CRLF texts right."""
    return text.count("\n", 0, max(offset, 0)) + 1


def citation_error(text: str, span: SpanLike) -> str | None:
    """Why a span does not cite `text`, or None when it does."""
    if not 0 <= span.start < span.end <= len(text):
        where = f"[{span.start}, {span.end})"
        return f"offsets {where} lie outside the text ({len(text)} chars)"
    if text[span.start : span.end] != span.quote:
        return "quote does not match the text at its offsets"
    return None


def normalise_params(params: Mapping[str, Any]) -> dict[str, Hashable]:
    """Canonical form under which equal parameters compare equal.

    Empty values (None, "", [], False) mean "not stated" and are dropped;
    strings lose case, spacing and Markdown emphasis; lists of scalars are
    sets (one element is its scalar); lists of mappings are multisets; a
    `url` loses its scheme and trailing slash; a `value` is a number.
    """
    canonical = {key: _canon(value, key) for key, value in params.items()}
    return {key: value for key, value in canonical.items() if not _is_empty(value)}


def params_equal(gold: Mapping[str, Any], predicted: Mapping[str, Any]) -> bool:
    """Whether predicted parameters say what the gold ones say."""
    return normalise_params(gold) == normalise_params(predicted)


def param_mismatch(doc: str, gold: SpanLike, pred: SpanLike) -> ParamMismatch | None:
    """The mismatch of a matched pair, or None when its parameters agree."""
    if params_equal(gold.params, pred.params):
        return None
    return ParamMismatch(
        doc, gold.type, gold.start, gold.end, gold.quote, gold.params, pred.params
    )


def _is_empty(value: Hashable) -> bool:
    return value is None or value is False or value == "" or value == _EMPTY


def _canon(value: Any, key: str) -> Hashable:
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return _canon_str(value, key)
    if isinstance(value, Mapping):
        return frozenset(normalise_params(value).items())
    if isinstance(value, list | tuple | set | frozenset):
        return _canon_list(value, key)
    return repr(value)


def _canon_list(values: Any, key: str) -> Hashable:
    items = [c for c in (_canon(v, key) for v in values) if not _is_empty(c)]
    if all(not isinstance(item, frozenset | tuple) for item in items):
        unique = frozenset(items)
        return next(iter(unique)) if len(unique) == 1 else unique
    if len(items) == 1:
        return items[0]
    return ("multiset", frozenset(Counter(items).items()))


def _canon_str(value: str, key: str) -> Hashable:
    if key == "url":
        return _SCHEME.sub("", value.strip().casefold()).rstrip("/")
    folded = " ".join(_EMPHASIS.sub("", value).split()).casefold()
    number = re.sub(r"[,_ ]", "", folded)
    if key == "value" and _NUMBER.fullmatch(number):
        return float(number)
    return folded


def _plain(value: Any) -> Any:
    if isinstance(value, ClauseType):
        return value.value
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    return value
