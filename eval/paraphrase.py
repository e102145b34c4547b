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
