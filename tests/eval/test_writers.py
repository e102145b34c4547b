"""Leave-one-writer-out: whole paraphrase files held out, and the bar's counts."""

from __future__ import annotations

import numpy as np

from eval.train import PARAPHRASE_FAMILY, TYPES, Example, FeatureSet
from eval.writers import held_out_probabilities, score_at, writer_table
from extractors.labels import ClauseType
from extractors.types import CharSpan

THRESHOLD = ClauseType.USAGE_THRESHOLD


def _example(doc: str, family: str, positive: bool) -> Example:
    labels = frozenset([THRESHOLD]) if positive else frozenset()
    return Example(doc, family, CharSpan(0, 4), "text", labels)


def _features() -> FeatureSet:
    """Corpus and file b state thresholds along feature 0; file a only along 1.

    A head that never read file a has no reason to weigh feature 1, so file
    a's clauses must score low when a is held out; file b's must score high.
    """
    rng = np.random.default_rng(0)
    rows: list[tuple[Example, list[float]]] = []
    for i in range(40):
        rows.append((_example(f"c{i}.txt", "corpus", i % 2 == 0), [i % 2 == 0, 0.0]))
    for i in range(10):
        rows.append((_example(f"a.jsonl:{i}", PARAPHRASE_FAMILY, True), [0.0, 1.0]))
        rows.append((_example(f"b.jsonl:{i}", PARAPHRASE_FAMILY, True), [1.0, 0.0]))
    noise = rng.normal(scale=0.05, size=(len(rows), 2))
    x = (np.array([f for _, f in rows], dtype=np.float32) + noise).astype(np.float32)
    return FeatureSet([ex for ex, _ in rows], x, "fake", False)


def test_a_file_is_scored_by_a_head_that_never_read_it() -> None:
    fs = _features()
    probs = held_out_probabilities(fs)
    col = TYPES.index(THRESHOLD)
    docs = [ex.doc for ex in fs.examples]
    from_a = [row for row, doc in enumerate(docs) if doc.startswith("a.jsonl")]
    from_b = [row for row, doc in enumerate(docs) if doc.startswith("b.jsonl")]
    assert probs[from_b, col].min() > 0.9
    assert probs[from_a, col].max() < 0.5
    assert not probs[:40].any()


def test_score_counts_only_what_patterns_missed() -> None:
    probs = np.zeros((4, len(TYPES)), dtype=np.float32)
    probs[0, TYPES.index(THRESHOLD)] = 0.8  # recovered
    probs[1, TYPES.index(ClauseType.GOVERNING_LAW)] = 0.8  # wrong type
    probs[2, TYPES.index(THRESHOLD)] = 0.8  # patterns already found it
    probs[3, TYPES.index(THRESHOLD)] = 0.8  # a negative: a false tag
    labels = [THRESHOLD, THRESHOLD, THRESHOLD, None]
    found: list[set[ClauseType]] = [set(), set(), {THRESHOLD}, set()]
    score = score_at(probs, labels, found, 0.5)
    assert (score.positives, score.missed_by_patterns, score.recovered) == (3, 2, 1)
    assert (score.model_tags, score.correct_model_tags) == (3, 1)
    assert score_at(probs, labels, found, 0.9).model_tags == 0


def test_table_has_a_row_per_model_and_bar_with_the_mean() -> None:
    fs = _features()
    n = sum(ex.family == PARAPHRASE_FAMILY for ex in fs.examples)
    shipped = dict.fromkeys(TYPES, 0.99)
    lines = writer_table({"x": fs, "y": fs}, [set()] * n, bars=(0.5,), shipped=shipped)
    names = [line.split(" | ")[0] for line in lines[2:]]
    assert names == ["| x", "| y", "| x+y", "| x+y"]
    assert "| 0.50 | 10/20 (0.50) | 1.00 |" in lines[2]
    assert lines[5].startswith("| x+y | per type (shipped) |")
