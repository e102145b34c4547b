"""Leave-one-writer-out: how the heads do on wording by someone they never read.

Each training paraphrase file was written by a different writer. A head
scored on held-out lines of a file it trained on learns that writer's habits
and looks better than it is on a new writer's wording, which is what a user's
unseen license is. So each file is held out whole: the head trains on the
corpus and the other files, and is scored on the clauses of the held-out file
that patterns miss. The add bar of the model stage is chosen on this table,
never on the untouched test set B.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from eval.paraphrase import ParaphraseScore
from eval.train import (
    PARAPHRASE_FAMILY,
    TYPES,
    FeatureSet,
    example_weights,
    label_matrix,
    train_head,
)
from extractors.labels import ClauseType
from models.head import Matrix

BARS = (0.9, 0.7, 0.6, 0.5)


def writer_of(doc: str) -> str:
    """Return the paraphrase file an example came from ("name.jsonl:row")."""
    return doc.rsplit(":", 1)[0]


def held_out_probabilities(fs: FeatureSet) -> Matrix:
    """Return P(type) for every paraphrase row from a head that never read its file.

    Corpus rows are always trained on and get zeros; they are not scored here.
    """
    y = label_matrix(fs.examples)
    para = np.array([ex.family == PARAPHRASE_FAMILY for ex in fs.examples])
    writer = np.array(
        [
            writer_of(ex.doc) if p else ""
            for ex, p in zip(fs.examples, para, strict=True)
        ]
    )
    rows = example_weights(fs.examples)
    probs = np.zeros_like(y)
    for name in sorted(set(writer[para])):
        held = writer == name
        head = train_head(
            fs.x[~held],
            y[~held],
            encoder=fs.name,
            standardise=fs.standardise,
            rows=rows[~held],
        )
        probs[held] = head.probabilities(fs.x[held])
    return probs


def score_at(
    probs: Matrix,
    labels: Sequence[ClauseType | None],
    pattern_types: Sequence[set[ClauseType]],
    bar: float | Mapping[ClauseType, float],
) -> ParaphraseScore:
    """Score the model's best type per sentence where patterns found nothing.

    This mirrors `extractors.combine`: a model clause is added only on a
    segment no pattern clause covers, and only its best type. The counts are
    those of `eval.paraphrase.score_paraphrases`, from held-out probabilities.
    """
    bars = bar if isinstance(bar, Mapping) else dict.fromkeys(TYPES, bar)
    positives = missed = recovered = tags = correct = 0
    for row, (gold, found) in enumerate(zip(labels, pattern_types, strict=True)):
        best = TYPES[int(probs[row].argmax())]
        tagged = not found and float(probs[row].max()) >= bars[best]
        tags += tagged
        correct += tagged and best == gold
        if gold is not None:
            positives += 1
        if gold is not None and gold not in found:
            missed += 1
            recovered += tagged and best == gold
    return ParaphraseScore(positives, missed, recovered, tags, correct)


def writer_table(
    features: Mapping[str, FeatureSet],
    pattern_types: Sequence[set[ClauseType]],
    bars: Sequence[float] = BARS,
    shipped: Mapping[ClauseType, float] | None = None,
) -> list[str]:
    """Return Markdown rows: each model and their mean, at each bar.

    `pattern_types` gives, for every paraphrase example in order, the types
    the patterns alone find in it. `shipped`, the ensemble's per-type bars,
    adds a row for the mean at those bars.
    """
    tables = {kind: held_out_probabilities(fs) for kind, fs in features.items()}
    first = next(iter(features.values()))
    para = [ex.family == PARAPHRASE_FAMILY for ex in first.examples]
    labels = [
        next(iter(ex.labels), None)
        for ex, p in zip(first.examples, para, strict=True)
        if p
    ]
    configs = {kind: probs[para] for kind, probs in tables.items()}
    if len(tables) > 1:
        configs["+".join(tables)] = np.mean([p[para] for p in tables.values()], axis=0)
    lines = [
        "| model | bar | recovers of misses | precision |",
        "|---|---|---|---|",
    ]
    rows: list[tuple[str, Matrix, float | Mapping[ClauseType, float], str]] = [
        (name, probs, bar, f"{bar:.2f}")
        for name, probs in configs.items()
        for bar in bars
    ]
    if shipped is not None and len(tables) > 1:
        mean = "+".join(tables)
        rows.append((mean, configs[mean], shipped, "per type (shipped)"))
    for name, probs, bar, label in rows:
        s = score_at(probs, labels, pattern_types, bar)
        lines.append(
            f"| {name} | {label} | {s.recovered}/{s.missed_by_patterns}"
            f" ({s.recovery:.2f})"
            f" | {s.precision:.2f} |"
        )
    return lines
