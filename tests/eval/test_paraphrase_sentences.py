"""Sentence-level scoring of a paraphrase set: per type, negatives as FPs."""

import pytest

from eval.paraphrase import Paraphrase, TypeCounts, score_sentences, types_found
from extractors.engine import build_engine
from extractors.labels import ClauseType

LAW = ClauseType.GOVERNING_LAW
OUT = ClauseType.OUTPUT_RESTRICTION


def test_counts_per_type_and_negatives() -> None:
    items = [
        Paraphrase("a", LAW),
        Paraphrase("b", LAW),
        Paraphrase("c", OUT),
        Paraphrase("d", None),
        Paraphrase("e", None),
    ]
    predicted: list[set[ClauseType]] = [{LAW}, set(), {OUT, LAW}, {OUT}, set()]
    score = score_sentences(items, predicted)
    assert score.per_type[LAW] == TypeCounts(tp=1, fp=1, fn=1)
    assert score.per_type[OUT] == TypeCounts(tp=1, fp=1, fn=0)
    assert score.micro == TypeCounts(tp=2, fp=2, fn=1)
    assert (score.negatives, score.negatives_tagged) == (2, 1)
    assert score.micro.precision == pytest.approx(0.5)
    assert score.micro.recall == pytest.approx(2 / 3)
    assert score.micro.f1 == pytest.approx(4 / 7)


def test_lengths_must_agree() -> None:
    with pytest.raises(ValueError, match="2 sentences but 1"):
        score_sentences([Paraphrase("a", LAW), Paraphrase("b", None)], [set()])


def test_types_found_runs_the_patterns() -> None:
    engine = build_engine(identify=False)
    text = "This Agreement is governed by the laws of the State of New York."
    assert types_found(engine, text) == {LAW}
    assert types_found(engine, "The weather was fine that day.") == set()
