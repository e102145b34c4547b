"""Combine pattern tags with model evidence into one score per clause.

Patterns are precise where the wording is known; the model generalises to
wording nobody wrote a pattern for. A pattern tag keeps its span and gains
the model's probability (noisy-OR of the two). A segment no pattern tagged
becomes a clause only when the model is confident (`add_threshold`), so the
model adds recall without eroding the patterns' precision; a model candidate
below that bar is kept as `Discarded` for `--explain`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from extractors.labels import ClauseType
from extractors.types import (
    CharSpan,
    ClauseTag,
    Discarded,
    DiscardReason,
    Explanation,
    Segment,
    SegmentKind,
)
from extractors.words import words

if TYPE_CHECKING:  # annotations only: a patterns-only run never imports numpy
    import numpy as np
    import numpy.typing as npt

DEFAULT_ADD_THRESHOLD = 0.9
VERIFY_PATTERN_SCORE = 0.8
"""Pattern rules scored this low are broad: the model may veto their tags."""
VERIFY_MIN_PROBABILITY = 0.0
"""A broad pattern tag whose type the model gives less than this is dropped.

Off (0.0): measured out of family on the corpus, a veto at 0.05 raised
precision 0.962 -> 0.971 but cost more recall (micro F1 0.975 -> 0.963),
because the models cannot yet recognise some types the patterns find
(geographic_restriction out of family: F1 0.0 for either model alone).
"""
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
    parts: Mapping[str, npt.NDArray[np.float32]] = field(default_factory=dict)
    """For an ensemble: each member's own probabilities, by a short name."""

    def describe(self, rows: Sequence[int], col: int) -> str:
        """Say what each model gave `rows` for type `col` (the max over rows)."""
        prob = float(self.probabilities[list(rows), col].max())
        if not self.parts:
            return f"{self.model} {prob:.2f}"
        each = ", ".join(
            f"{name} {float(p[list(rows), col].max()):.2f}"
            for name, p in self.parts.items()
        )
        return f"{each} (mean {prob:.2f})"


_DEFINITION = re.compile(
    r"^[\W\d]*[\"“「『][^\"”」』]{1,80}[\"”」』]\s*"
    r"(?:shall\s+mean|means|refers?\s+to|is\s+defined\s+as|shall\s+refer\s+to"
    r"|是指|指的是|系指)",
    re.IGNORECASE,
)


def is_definition(text: str) -> bool:
    """Return True for a sentence that defines a quoted term.

    ANNOTATION.md: a definition states no term, even one that names a policy
    or a law; the model, which reads topics, tags such sentences often.
    """
    return _DEFINITION.match(text) is not None


FRAGMENT_MAX_WORDS = 3


def fragment_reason(text: str) -> str | None:
    """Return why a segment cannot state a clause on its own, or None if it can.

    The model reads one segment at a time; a list's lead-in ("You agree
    to:") says nothing until its items, a segment that opens in lower case
    ("directly or indirectly, contest ...") finishes a sentence begun
    elsewhere, and a few words with no full stop ("Outside the Territory;")
    are a heading or a list item, not a term. Patterns see the whole
    sentence; the model does not. A terse sentence ("Swiss law applies.")
    is still one.
    """
    body = text.strip()
    if body.endswith(":"):
        return "a list's lead-in"
    if body[:1].isalpha() and body[:1].islower() and body[:1].isascii():
        return "the rest of a sentence begun elsewhere"
    short = len(words(body)) <= FRAGMENT_MAX_WORDS  # a CJK character is a word
    if short and not body.endswith((".", "!", "。")):
        return "a few words with no full stop"
    return None


def combine(
    tags: Sequence[ClauseTag], evidence: ModelEvidence, text: str = ""
) -> tuple[list[ClauseTag], list[Discarded]]:
    """Return pattern tags scored with the model, plus confident model-only tags."""
    combined: list[ClauseTag] = []
    discarded: list[Discarded] = []
    for tag in tags:
        rows = [
            row
            for row, seg in enumerate(evidence.segments)
            if seg.span.overlaps(tag.span)
        ]
        if not rows:
            combined.append(tag)
            continue
        col = evidence.types.index(tag.clause_type)
        prob = float(evidence.probabilities[rows, col].max())
        if tag.score <= VERIFY_PATTERN_SCORE and prob < VERIFY_MIN_PROBABILITY:
            detail = (
                f"broad pattern ({tag.score:.2f}) and the model disagrees"
                f" ({evidence.model} {prob:.3f})"
            )
            discarded.append(Discarded(tag, DiscardReason.LOOK_ALIKE, detail))
            continue
        combined.append(_with_model(tag, prob, evidence.describe(rows, col)))
    # A pattern clause may span several segments (a joined continuation):
    # every segment it covers is explained, not only one it equals.
    explained = {
        row
        for row, seg in enumerate(evidence.segments)
        if any(seg.span.overlaps(tag.span) for tag in tags)
    }
    for row, seg in enumerate(evidence.segments):
        if seg.kind is SegmentKind.HEADING or row in explained:
            continue
        col = int(evidence.probabilities[row].argmax())
        prob = float(evidence.probabilities[row, col])
        if prob < CANDIDATE_MIN:
            continue
        ctype = evidence.types[col]
        tag = _model_tag(seg, ctype, prob, evidence.describe([row], col))
        bar = evidence.add_threshold.get(ctype, DEFAULT_ADD_THRESHOLD)
        seg_text = text[seg.span.start : seg.span.end]
        if is_definition(seg_text):
            why_not: str | None = "a definition"
        elif prob >= bar:
            why_not = fragment_reason(seg_text)
        else:
            detail = f"model probability {prob:.2f} below {bar:.2f}"
            discarded.append(Discarded(tag, DiscardReason.BELOW_THRESHOLD, detail))
            continue
        if why_not is None:
            combined.append(tag)
        else:
            detail = f"model probability {prob:.2f}, but {why_not}"
            discarded.append(Discarded(tag, DiscardReason.NOT_A_CLAUSE, detail))
    combined.sort(key=lambda t: (t.span.start, t.clause_type))
    return merge_continuations(combined, evidence.segments, text), discarded


_CONTINUATION = re.compile(
    r"(?:therefore|thus|hence|accordingly|consequently|otherwise|any such|such"
    r"|this|these|that|in (?:that|such) case|in addition|furthermore)\b",
    re.IGNORECASE,
)


def merge_continuations(
    tags: Sequence[ClauseTag], segments: Sequence[Segment], text: str
) -> list[ClauseTag]:
    """Join a model-only tag to a tag of its type on the sentence just before.

    A clause that runs over two sentences of one paragraph ("The restrictions
    in Attachment A apply. Therefore you cannot ...") is one span under
    ANNOTATION.md; patterns join such continuations in the tagger, and the
    model's sentence-by-sentence tags are joined the same way here. Only a
    sentence that opens as a continuation ("Therefore", "Any such", "This")
    joins: the items of a list of prohibited uses are clauses of their own.
    """
    block_of = {seg.span.start: seg.block for seg in segments}
    block_end = {seg.span.end: seg.block for seg in segments}
    merged: list[ClauseTag] = []
    for tag in tags:
        before = _previous_of_type(merged, tag)
        if (
            before is not None
            and tag.explanation.method == "model"
            and block_end.get(before.span.end) is not None
            and block_end.get(before.span.end) == block_of.get(tag.span.start)
            and not text[before.span.end : tag.span.start].strip()
            and _CONTINUATION.match(text, tag.span.start) is not None
        ):
            merged[merged.index(before)] = _joined(before, tag)
            continue
        merged.append(tag)
    return merged


def _previous_of_type(tags: Sequence[ClauseTag], tag: ClauseTag) -> ClauseTag | None:
    same = [t for t in tags if t.clause_type == tag.clause_type]
    return same[-1] if same and same[-1].span.end <= tag.span.start else None


def _joined(first: ClauseTag, second: ClauseTag) -> ClauseTag:
    note = f"{first.explanation.note or ''}; continued by the next sentence"
    return replace(
        first,
        span=CharSpan(first.span.start, second.span.end),
        score=max(first.score, second.score),
        explanation=replace(first.explanation, note=note.lstrip("; ")),
    )


def _with_model(tag: ClauseTag, prob: float, said: str) -> ClauseTag:
    score = 1.0 - (1.0 - tag.score) * (1.0 - prob)
    note = (
        f"{tag.explanation.note or ''}; pattern {tag.score:.2f}"
        f" + model ({said}) -> {score:.2f}"
    ).lstrip("; ")
    return replace(
        tag, score=round(score, 4), explanation=replace(tag.explanation, note=note)
    )


def _model_tag(seg: Segment, ctype: ClauseType, prob: float, said: str) -> ClauseTag:
    return ClauseTag(
        clause_type=ctype,
        span=seg.span,
        score=round(prob, 4),
        explanation=Explanation(
            extractor="model",
            method="model",
            score=prob,
            note=f"model ({said}); no pattern matched",
        ),
    )
