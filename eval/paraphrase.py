"""The paraphrase set: clauses reworded so that no pattern matches them.

Each line of `eval/data/paraphrases.jsonl` is one sentence in our own words
with the clause type it states (`null` for a sentence that states none). The
measure is what the model stage recovers of what patterns miss, and how
precise its additions are, negatives included.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from extractors.engine import ClauseEngine
from extractors.labels import ClauseType
from extractors.parse import parse_bytes


@dataclass(frozen=True, slots=True)
class Paraphrase:
    """One reworded sentence and the clause type it states, if any."""

    text: str
    type: ClauseType | None


@dataclass(frozen=True, slots=True)
class ParaphraseScore:
    """Recall over the sentences patterns miss; precision of the model's tags."""

    positives: int
    missed_by_patterns: int
    recovered: int
    model_tags: int
    correct_model_tags: int

    @property
    def recovery(self) -> float:
        """Share of the pattern misses the model stage tags correctly."""
        return (
            self.recovered / self.missed_by_patterns if self.missed_by_patterns else 1.0
        )

    @property
    def precision(self) -> float:
        """Share of model-added tags whose type is right."""
        return self.correct_model_tags / self.model_tags if self.model_tags else 1.0


def paraphrase_path(name: str) -> Path:
    """Return the path of a shipped paraphrase set."""
    return Path(str(resources.files("eval") / "data" / name))


def load_paraphrases(path: Path | None = None) -> list[Paraphrase]:
    """Read the paraphrase set (the shipped one by default)."""
    path = path or paraphrase_path("paraphrases.jsonl")
    items = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            ctype = ClauseType(row["type"]) if row["type"] else None
            items.append(Paraphrase(row["text"], ctype))
    return items


def types_found(
    engine: ClauseEngine, text: str, *, method: str | None = None
) -> set[ClauseType]:
    """Return the clause types `engine` tags in a one-sentence document."""
    document = parse_bytes(text.encode("utf-8"), name="paraphrase.txt")
    clauses, _ = engine.tag(document)
    return {
        c.clause_type
        for c in clauses
        if method is None or c.explanation.method == method
    }


def score_paraphrases(
    items: Sequence[Paraphrase], patterns: ClauseEngine, combined: ClauseEngine
) -> ParaphraseScore:
    """Score the model stage on the sentences the patterns alone miss."""
    positives = missed = recovered = model_tags = correct = 0
    for item in items:
        added = types_found(combined, item.text, method="model")
        model_tags += len(added)
        correct += int(item.type in added)
        if item.type is None:
            continue
        positives += 1
        if item.type not in types_found(patterns, item.text):
            missed += 1
            recovered += int(item.type in added)
    return ParaphraseScore(positives, missed, recovered, model_tags, correct)


@dataclass(frozen=True, slots=True)
class TypeCounts:
    """Sentence-level counts for one clause type (or all of them, micro)."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __add__(self, other: TypeCounts) -> TypeCounts:
        return TypeCounts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    @property
    def precision(self) -> float:
        """Share of the sentences tagged with the type that state it."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        """Share of the sentences stating the type that are tagged with it."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall (0 when both are 0)."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True, slots=True)
class SentenceScore:
    """How a tagger reads a paraphrase set, one sentence at a time.

    A sentence is predicted as the set of types tagged anywhere in it, so a
    hard negative with any tag is a false positive of that tag's type: a
    negative tagged costs as much as a positive missed.
    """

    per_type: dict[ClauseType, TypeCounts]
    negatives: int
    negatives_tagged: int

    @property
    def micro(self) -> TypeCounts:
        """Counts summed over every type."""
        return sum(self.per_type.values(), TypeCounts())


def score_sentences(
    items: Sequence[Paraphrase], predicted: Sequence[set[ClauseType]]
) -> SentenceScore:
    """Score `predicted` (the types tagged in each item, in order) per type."""
    if len(items) != len(predicted):
        raise ValueError(f"{len(items)} sentences but {len(predicted)} predictions")
    counts = {ctype: TypeCounts() for ctype in ClauseType}
    negatives = tagged = 0
    for item, found in zip(items, predicted, strict=True):
        gold = {item.type} if item.type else set()
        negatives += item.type is None
        tagged += item.type is None and bool(found)
        for ctype in gold | found:
            hit = TypeCounts(
                tp=int(ctype in gold and ctype in found),
                fp=int(ctype in found and ctype not in gold),
                fn=int(ctype in gold and ctype not in found),
            )
            counts[ctype] = counts[ctype] + hit
    return SentenceScore(counts, negatives, tagged)
