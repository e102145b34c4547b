"""Combine pattern tags with model evidence into one score per clause.

Patterns are precise where the wording is known; the model generalises to
wording nobody wrote a pattern for. A pattern tag keeps its span and gains
the model's probability (noisy-OR of the two). A segment no pattern tagged
becomes a clause only when the model is confident (`add_threshold`), so the
model adds recall without eroding the patterns' precision; a model candidate
below that bar is kept as `Discarded` for `--explain`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from extractors.labels import ClauseType
from extractors.types import (
    ClauseTag,
    Discarded,
    DiscardReason,
    Explanation,
    Segment,
    SegmentKind,
)

DEFAULT_ADD_THRESHOLD = 0.9
CANDIDATE_MIN = 0.3
"""Below this, a model guess is not even kept as a discarded candidate."""


@dataclass(frozen=True)
class ModelEvidence:
    """A model's P(type | segment) for every segment of one document."""

    model: str
    segments: tuple[Segment, ...]
    types: tuple[ClauseType, ...]
    probabilities: npt.NDArray[np.float32]  # (segments, types)
    add_threshold: Mapping[ClauseType, float]


def combine(
    tags: Sequence[ClauseTag], evidence: ModelEvidence
) -> tuple[list[ClauseTag], list[Discarded]]:
    """Return pattern tags scored with the model, plus confident model-only tags."""
    index = {seg.span: row for row, seg in enumerate(evidence.segments)}
    combined: list[ClauseTag] = []
    tagged: set[tuple[ClauseType, int]] = set()
    for tag in tags:
        row = index.get(tag.span)
        if row is None:
            combined.append(tag)
            continue
        prob = float(evidence.probabilities[row, evidence.types.index(tag.clause_type)])
        tagged.add((tag.clause_type, row))
        combined.append(_with_model(tag, prob, evidence.model))
    discarded: list[Discarded] = []
    explained = {row for _, row in tagged}
    for row, seg in enumerate(evidence.segments):
        if seg.kind is SegmentKind.HEADING or row in explained:
            continue
        col = int(np.argmax(evidence.probabilities[row]))
        prob = float(evidence.probabilities[row, col])
        if prob < CANDIDATE_MIN:
            continue
        ctype = evidence.types[col]
        tag = _model_tag(seg, ctype, prob, evidence.model)
        bar = evidence.add_threshold.get(ctype, DEFAULT_ADD_THRESHOLD)
        if prob >= bar:
            combined.append(tag)
        else:
            detail = f"model probability {prob:.2f} below {bar:.2f}"
            discarded.append(Discarded(tag, DiscardReason.BELOW_THRESHOLD, detail))
    combined.sort(key=lambda t: (t.span.start, t.clause_type))
    return combined, discarded


def _with_model(tag: ClauseTag, prob: float, model: str) -> ClauseTag:
    score = 1.0 - (1.0 - tag.score) * (1.0 - prob)
    note = (
        f"{tag.explanation.note or ''}; pattern {tag.score:.2f}"
        f" + {model} {prob:.2f} -> {score:.2f}"
    ).lstrip("; ")
    return replace(
        tag, score=round(score, 4), explanation=replace(tag.explanation, note=note)
    )


def _model_tag(seg: Segment, ctype: ClauseType, prob: float, model: str) -> ClauseTag:
    return ClauseTag(
        clause_type=ctype,
        span=seg.span,
        score=round(prob, 4),
        explanation=Explanation(
            extractor="encoder",
            method="model",
            score=prob,
            note=f"{model} probability {prob:.2f}; no pattern matched",
        ),
    )
