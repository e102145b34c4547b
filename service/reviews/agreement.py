"""Agreement between reviewers of one document, under the scoring rule.

Two reviewers agree on a clause when their spans of the same type match as
`clausewise eval` matches a prediction to gold (word-set Jaccard >= 0.5,
one to one). Per type, agreement is 2 x matched / (one's + other's): the
F1 of either review scored against the other. What does not match, and
matched spans whose parameters differ, are the disagreements to adjudicate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

from eval.corpus import GoldSpan
from eval.scorer import match_spans, params_equal
from extractors.labels import ClauseType
from service.reviews.state import Review, ReviewClause


@dataclass(frozen=True, slots=True)
class Disagreement:
    """A clause one reviewer kept that the other did not, or kept otherwise."""

    type: ClauseType
    kind: str
    """`only_first`, `only_second` or `params`."""
    first: ReviewClause | None
    second: ReviewClause | None


@dataclass(frozen=True, slots=True)
class PairAgreement:
    """How far two reviewers agree, type by type."""

    first: str
    second: str
    per_type: dict[ClauseType, float]
    overall: float
    disagreements: tuple[Disagreement, ...]


def _span(clause: ReviewClause) -> GoldSpan:
    return GoldSpan(clause.type, clause.start, clause.end, clause.quote, clause.params)


def compare(first: Review, second: Review) -> PairAgreement:
    """Return the agreement of two reviews of the same document."""
    per_type: dict[ClauseType, float] = {}
    found: list[Disagreement] = []
    matched_total = kept_total = 0
    for ctype in ClauseType:
        a = [c for c in first.kept if c.type is ctype]
        b = [c for c in second.kept if c.type is ctype]
        if not a and not b:
            continue
        pairs = match_spans([_span(c) for c in a], [_span(c) for c in b])
        per_type[ctype] = 2 * len(pairs) / (len(a) + len(b))
        matched_total += len(pairs)
        kept_total += len(a) + len(b)
        found += [
            Disagreement(ctype, "params", a[i], b[j])
            for i, j in pairs
            if not params_equal(a[i].params, b[j].params)
        ]
        found += [
            Disagreement(ctype, "only_first", c, None)
            for i, c in enumerate(a)
            if i not in {i for i, _ in pairs}
        ]
        found += [
            Disagreement(ctype, "only_second", None, c)
            for j, c in enumerate(b)
            if j not in {j for _, j in pairs}
        ]
    overall = 2 * matched_total / kept_total if kept_total else 1.0
    return PairAgreement(
        first.reviewer, second.reviewer, per_type, overall, tuple(found)
    )


def agreements(reviews: Sequence[Review]) -> list[PairAgreement]:
    """Return the agreement of every pair of reviewers who have begun."""
    begun = [r for r in reviews if r.events]
    return [compare(a, b) for a, b in combinations(begun, 2)]
