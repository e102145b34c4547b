"""Model stages with fake encoders: head/encoder match, ensembles, training."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from eval.train import (
    PARAPHRASE_FAMILY,
    PARAPHRASE_WEIGHT,
    TYPES,
    Example,
    example_weights,
    fit,
    label_matrix,
    out_of_family,
    paraphrase_examples,
    standardised_fit,
)
from extractors.errors import ConfigError, ModelIntegrityError
from extractors.labels import ClauseType
from extractors.parse import parse_bytes
from extractors.segment import segment
from extractors.types import CharSpan
from models.head import ClauseHead
from models.stage import (
    ENSEMBLE_ADD_THRESHOLDS,
    EncoderStage,
    EnsembleStage,
    load_model_stage,
)


class FakeEncoder:
    """Two features: does the text mention 'law', does it mention 'notice'."""

    def __init__(self, name: str = "fake-encoder") -> None:
        self.name = name
        self.calls = 0

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        return np.array(
            [[float("law" in t), float("notice" in t)] for t in texts],
            dtype=np.float32,
        )


def _head(encoder: str = "fake-encoder", sign: float = 1.0) -> ClauseHead:
    weights = np.zeros((len(TYPES), 2), dtype=np.float32)
    weights[TYPES.index(ClauseType.GOVERNING_LAW), 0] = 8.0 * sign
    weights[TYPES.index(ClauseType.ATTRIBUTION), 1] = 8.0 * sign
    bias = np.full(len(TYPES), -4.0, dtype=np.float32)
    return ClauseHead(TYPES, weights, bias, dict.fromkeys(TYPES, 0.5), encoder)


def test_head_trained_on_other_features_is_refused() -> None:
    with pytest.raises(ModelIntegrityError, match="run `clausewise train`"):
        EncoderStage(FakeEncoder("local:/my/model"), _head("fake-encoder"))


def test_stage_scores_segments_by_type() -> None:
    stage = EncoderStage(FakeEncoder(), _head())
    probs = stage.probabilities(["the law of Ruritania", "keep the notice"])
    assert probs[0, TYPES.index(ClauseType.GOVERNING_LAW)] > 0.9
    assert probs[1, TYPES.index(ClauseType.ATTRIBUTION)] > 0.9
    assert probs[0, TYPES.index(ClauseType.ATTRIBUTION)] < 0.1


def test_ensemble_averages_its_stages() -> None:
    text = "The law of Ruritania applies."
    document = parse_bytes(text.encode(), name="t.txt")
    segments = list(segment(text))
    sure = EncoderStage(FakeEncoder(), _head())
    unsure = EncoderStage(FakeEncoder(), _head(sign=-1.0))
    mean = EnsembleStage([sure, unsure]).evidence(document, segments)
    one = sure.evidence(document, segments).probabilities
    other = unsure.evidence(document, segments).probabilities
    np.testing.assert_allclose(mean.probabilities, (one + other) / 2, rtol=1e-6)
    assert mean.model == f"{sure.name} + {unsure.name}"
    law = TYPES.index(ClauseType.GOVERNING_LAW)
    said = mean.describe([0], law)
    assert said == "fake-encoder#1 0.98, fake-encoder#2 0.00 (mean 0.49)"
    assert mean.add_threshold == dict(ENSEMBLE_ADD_THRESHOLDS)
    strict = EnsembleStage([sure, unsure], add_threshold=dict.fromkeys(TYPES, 0.95))
    assert set(strict.evidence(document, segments).add_threshold.values()) == {0.95}


def test_unknown_model_choice_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="unknown model"):
        load_model_stage("gpt-9")  # type: ignore[arg-type]


def test_standardised_fit_is_a_linear_map_of_raw_features() -> None:
    rng = np.random.default_rng(0)
    x = (rng.normal(size=(60, 3)) * np.array([0.01, 1.0, 50.0])).astype(np.float32)
    y = np.zeros((60, 1), dtype=np.float32)
    y[:, 0] = (x[:, 0] > 0).astype(np.float32)
    weights, bias = standardised_fit(x, y)
    raw = x @ weights.T + bias  # logits: > 0 means the type
    # The folded weights separate on the tiny-scale feature, which a fit on
    # raw features with the same iterations does far less well.
    accuracy = float(((raw[:, 0] > 0) == (y[:, 0] == 1)).mean())
    assert accuracy > 0.95
    plain_w, plain_b = fit(x, y)
    plain = x @ plain_w.T + plain_b
    assert accuracy >= float(((plain[:, 0] > 0) == (y[:, 0] == 1)).mean())


def test_paraphrase_examples_train_but_are_never_scored() -> None:
    paraphrases = paraphrase_examples()
    assert {ex.family for ex in paraphrases} == {PARAPHRASE_FAMILY}
    assert any(ex.labels for ex in paraphrases)
    assert any(not ex.labels for ex in paraphrases)
    corpus = [
        Example("a.txt", "alpha", CharSpan(0, 5), "law one", frozenset()),
        Example("b.txt", "beta", CharSpan(0, 5), "law two", frozenset()),
    ]
    examples = corpus + paraphrases[:20]
    x = np.random.default_rng(1).normal(size=(len(examples), 4)).astype(np.float32)
    probs, cuts = out_of_family(examples, x, label_matrix(examples), encoder="e")
    assert set(cuts) == {"alpha", "beta"}
    assert not probs[len(corpus) :].any()


def _separable_rows() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(2)
    x = rng.normal(size=(40, 3)).astype(np.float32)
    y = (x[:, :1] > 0).astype(np.float32)
    y[30:] = 1.0 - y[30:]  # ten contradicting rows
    return x, y


def _predictions(fitted: tuple[np.ndarray, np.ndarray], x: np.ndarray) -> np.ndarray:
    weights, bias = fitted
    logits: np.ndarray = x @ weights.T + bias
    return logits > 0


def test_rows_of_weight_zero_are_as_if_absent() -> None:
    x, y = _separable_rows()
    rows = np.array([1.0] * 30 + [0.0] * 10, dtype=np.float32)
    weighted = fit(x, y, rows)
    subset = fit(x[:30], y[:30])
    unweighted = fit(x, y)
    # both fits converge to the same optimum: weights about 40, equal to 1e-4
    np.testing.assert_allclose(weighted[0], subset[0], rtol=1e-4)
    np.testing.assert_allclose(weighted[1], subset[1], rtol=1e-4, atol=1e-4)
    np.testing.assert_array_equal(_predictions(weighted, x), _predictions(subset, x))
    # the contradicting rows, counted, change the fit and what it predicts
    assert not np.allclose(unweighted[0], subset[0], rtol=1e-2)
    assert (_predictions(unweighted, x) != _predictions(subset, x)).any()


def test_a_row_of_weight_two_counts_twice() -> None:
    x, y = _separable_rows()
    rows = np.array([2.0] * 5 + [1.0] * 35, dtype=np.float32)
    doubled = np.concatenate([x, x[:5]]), np.concatenate([y, y[:5]])
    weighted = fit(x, y, rows)
    repeated = fit(*doubled)
    np.testing.assert_allclose(weighted[0], repeated[0], rtol=1e-3)
    np.testing.assert_allclose(weighted[1], repeated[1], rtol=1e-3, atol=1e-3)
    assert not np.allclose(fit(x, y)[0], repeated[0], rtol=1e-2)


def test_fit_is_deterministic() -> None:
    x, y = _separable_rows()
    first, second = fit(x, y), fit(x, y)
    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])


def test_a_type_with_one_class_gets_a_constant_unit() -> None:
    x, y = _separable_rows()
    labels = np.concatenate([y, np.zeros_like(y), np.ones_like(y)], axis=1)
    weights, bias = fit(x, labels)
    probs = ClauseHead(TYPES[:3], weights, bias, {}, "e").probabilities(x)
    assert (probs[:, 1] < 1e-6).all()
    assert (probs[:, 2] > 1 - 1e-6).all()
    assert not weights[1:].any()
    assert weights[0].any()


def test_paraphrases_weigh_less_than_corpus_segments() -> None:
    corpus = Example("a.txt", "alpha", CharSpan(0, 3), "law", frozenset())
    rows = example_weights([corpus, *paraphrase_examples()[:3]])
    assert PARAPHRASE_WEIGHT < 1.0
    np.testing.assert_allclose(rows, [1.0] + [PARAPHRASE_WEIGHT] * 3)
