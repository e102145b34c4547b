"""Train the encoder head on a labelled corpus, and cross-validate it by family.

A training example is a segment (the engine's own unit) with the set of
clause types whose gold span it matches under the scorer's rule (word-set
Jaccard >= 0.5). Training is deterministic: one scikit-learn logistic
regression per type, fitted to convergence on fixed data. Cross-validation
leaves one license *family* out at a time, so no score comes from a family
the head was trained on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from eval.corpus import Corpus, GoldDocument
from eval.paraphrase import load_paraphrases, paraphrase_path
from eval.scorer import jaccard, word_set
from extractors.labels import ClauseType
from extractors.segment import segment
from extractors.types import CharSpan, SegmentKind
from models.cache import VectorCache, default_cache_path
from models.encoder import load_encoder
from models.head import ClauseHead, Matrix
from models.llm_encoder import load_llm_encoder
from models.settings import DEFAULT_MODEL_SETTINGS, ModelSettings
from models.stage import FeatureEncoder

HeadKind = Literal["encoder", "llm"]
STANDARDISE: dict[HeadKind, bool] = {"encoder": False, "llm": True}

TYPES: tuple[ClauseType, ...] = tuple(ClauseType)
L2 = 1e-6
MAX_ITER = 1000
"""A ceiling, not a budget: a fit that reaches it warns (ConvergenceWarning)."""
TOLERANCE = 1e-6
"""Measured on MiniLM-sized data (8,306 x 384, 10 types): scikit-learn's default
1e-4 stops with weights 3.7 % off a 1e-8 fit; 1e-6 is within 0.04 % of it, in
about 60 % of its time."""
MAX_POS_WEIGHT = 20.0
CONSTANT_LOGIT = 20.0
"""The bias of a type whose weighted examples are all of one class (a held-out
family can take the last positives away): there is no boundary to fit, and
scikit-learn refuses one class, so the unit says that class for any input
(probability 2e-9 or 1 - 2e-9, beyond every threshold)."""
MATCH_JACCARD = 0.5
PARAPHRASE_FAMILY = "(paraphrases)"
PARAPHRASE_WEIGHT = 0.3
TRAIN_PARAPHRASES = (
    "paraphrases.jsonl",
    "paraphrases_train.jsonl",
    "paraphrases_train2.jsonl",
    "paraphrases_train3.jsonl",
)


@dataclass(frozen=True, slots=True)
class Example:
    """One segment of one corpus document and its gold clause types."""

    doc: str
    family: str
    span: CharSpan
    text: str
    labels: frozenset[ClauseType]


def examples_of(document: GoldDocument) -> list[Example]:
    """Return the non-heading segments of a gold document with their labels."""
    gold = [(span.type, word_set(span.quote)) for span in document.spans]
    found: list[Example] = []
    for seg in segment(document.text):
        if seg.kind is SegmentKind.HEADING:
            continue
        text = document.text[seg.span.start : seg.span.end]
        words = word_set(text)
        labels = frozenset(
            ctype for ctype, gwords in gold if jaccard(words, gwords) >= MATCH_JACCARD
        )
        family = document.family or document.name
        found.append(Example(document.name, family, seg.span, text, labels))
    return found


def corpus_examples(corpus: Corpus) -> list[Example]:
    """Return the examples of every scored document of `corpus`."""
    return [ex for document in corpus.documents for ex in examples_of(document)]


def label_matrix(examples: Sequence[Example]) -> Matrix:
    """Return the (examples, types) 0/1 label matrix."""
    y = np.zeros((len(examples), len(TYPES)), dtype=np.float32)
    for row, ex in enumerate(examples):
        for ctype in ex.labels:
            y[row, TYPES.index(ctype)] = 1.0
    return y


def example_weights(examples: Sequence[Example]) -> Matrix:
    """Return each example's weight in the loss: paraphrases count for less.

    The team's reworded sentences are short and crisp; given full weight they
    outnumber the corpus clauses and teach the head that a topic word makes a
    clause, which adds false clauses to real licenses out of family.
    """
    return np.array(
        [
            PARAPHRASE_WEIGHT if ex.family == PARAPHRASE_FAMILY else 1.0
            for ex in examples
        ],
        dtype=np.float32,
    )


def fit(x: Matrix, y: Matrix, rows: Matrix | None = None) -> tuple[Matrix, Matrix]:
    """Fit one logistic unit per type with L2 and capped positive weights.

    `rows` weighs each example's loss (all 1 by default); a row of weight
    zero is as if absent. The objective is the head's since its first
    version: the row- and positive-weighted log loss averaged over examples
    and types, plus `L2 * |W|^2`. Per type, that is scikit-learn's
    `C * sum(s_i * loss_i) + |w|^2 / 2` (intercept unpenalised) with
    `s_i = row_i * (pos_weight if positive else 1)` and
    `C = 1 / (2 * L2 * types * sum(row))`, so the library's well-tested
    L-BFGS replaces a hand-written loop that stopped after 200 iterations.
    """
    # Deferred: scikit-learn comes with the model extra and takes seconds to
    # import; only training needs it.
    from sklearn.linear_model import LogisticRegression

    row_w = np.ones(len(y)) if rows is None else rows.astype(np.float64)
    kept = row_w > 0
    inputs, targets, row_w = x[kept].astype(np.float64), y[kept], row_w[kept]
    c = 1.0 / (2.0 * L2 * y.shape[1] * float(row_w.sum()))
    weights = np.zeros((y.shape[1], x.shape[1]), dtype=np.float32)
    bias = np.zeros(y.shape[1], dtype=np.float32)
    for col in range(y.shape[1]):
        target = targets[:, col]
        if target.min() == target.max():
            bias[col] = CONSTANT_LOGIT if target[0] == 1 else -CONSTANT_LOGIT
            continue
        positives = float((target * row_w).sum())
        pos_weight = min(
            (float(row_w.sum()) - positives) / max(positives, 1.0), MAX_POS_WEIGHT
        )
        model = LogisticRegression(C=c, tol=TOLERANCE, max_iter=MAX_ITER)
        model.fit(
            inputs, target, sample_weight=row_w * np.where(target == 1, pos_weight, 1.0)
        )
        weights[col] = model.coef_[0]
        bias[col] = model.intercept_[0]
    return weights, bias


def best_thresholds(p: Matrix, y: Matrix) -> dict[ClauseType, float]:
    """Return, per type, the probability cut that maximises segment-level F1."""
    thresholds: dict[ClauseType, float] = {}
    for col, ctype in enumerate(TYPES):
        best, best_f1 = 0.5, -1.0
        for cut in np.arange(0.3, 0.99, 0.02):
            pred = p[:, col] >= cut
            tp = float((pred & (y[:, col] == 1)).sum())
            fp = float((pred & (y[:, col] == 0)).sum())
            fn = float((~pred & (y[:, col] == 1)).sum())
            f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
            if f1 > best_f1:
                best, best_f1 = float(cut), f1
        thresholds[ctype] = round(best, 2)
    return thresholds


def standardised_fit(
    x: Matrix, y: Matrix, rows: Matrix | None = None
) -> tuple[Matrix, Matrix]:
    """Fit on standardised features, then fold the scaling into the weights.

    LLM hidden states have feature scales from 0.01 to 60; L-BFGS converges
    badly on them raw (and the L2 penalty would weigh features by scale).
    Folding keeps the head a plain linear map of the raw features, so nothing
    else needs to know.
    """
    mean = x.mean(axis=0)
    scale = x.std(axis=0) + 1e-6
    weights, bias = fit(((x - mean) / scale).astype(np.float32), y, rows)
    folded = (weights / scale).astype(np.float32)
    return folded, (bias - folded @ mean).astype(np.float32)


def train_head(
    x: Matrix,
    y: Matrix,
    *,
    encoder: str,
    standardise: bool = False,
    rows: Matrix | None = None,
) -> ClauseHead:
    """Train a head on all of `x`, with thresholds chosen on the same data.

    Standardising helps the LLM's raw hidden states and hurts the MiniLM
    encoder's unit-length embeddings (measured out of family: 0.938 vs 0.926
    for the LLM, 0.895 vs 0.942 for MiniLM), so it is per encoder.
    """
    fitted = standardised_fit(x, y, rows) if standardise else fit(x, y, rows)
    weights, bias = fitted
    head = ClauseHead(TYPES, weights, bias, {}, encoder)
    thresholds = best_thresholds(head.probabilities(x), y)
    settings = {
        "l2": L2,
        "max_iter": MAX_ITER,
        "max_pos_weight": MAX_POS_WEIGHT,
        "tolerance": TOLERANCE,
        "optimizer": "scikit-learn LogisticRegression (lbfgs), one per type",
        "standardised_features": standardise,
        "paraphrase_weight": PARAPHRASE_WEIGHT,
        "examples": int(len(x)),
    }
    return ClauseHead(TYPES, weights, bias, thresholds, encoder, settings)


def out_of_family(
    examples: Sequence[Example],
    x: Matrix,
    y: Matrix,
    *,
    encoder: str,
    standardise: bool = False,
) -> tuple[Matrix, dict[str, dict[ClauseType, float]]]:
    """Return leave-one-family-out probabilities for every corpus example.

    Each family's rows are predicted by a head trained on all other families
    (and on every paraphrase example, which belongs to no license family),
    with thresholds chosen on that training data only. Paraphrase rows are
    never scored here: they get zeros.
    """
    member = np.array([ex.family for ex in examples])
    always = member == PARAPHRASE_FAMILY
    rows = example_weights(examples)
    probs = np.zeros_like(y)
    cuts: dict[str, dict[ClauseType, float]] = {}
    for family in sorted(set(member[~always])):
        held = member == family
        head = train_head(
            x[~held],
            y[~held],
            encoder=encoder,
            standardise=standardise,
            rows=rows[~held],
        )
        probs[held] = head.probabilities(x[held])
        cuts[family] = dict(head.thresholds)
    return probs, cuts


def paraphrase_examples(names: Sequence[str] = TRAIN_PARAPHRASES) -> list[Example]:
    """Return the team's own reworded clauses as training examples.

    They teach the head wording no corpus license uses. The two sets written
    by outsiders (development and test) are never trained on.
    """
    found: list[Example] = []
    for name in names:
        for row, item in enumerate(load_paraphrases(paraphrase_path(name))):
            labels = frozenset([item.type]) if item.type else frozenset()
            span = CharSpan(0, len(item.text))
            doc = f"{name}:{row + 1}"
            found.append(Example(doc, PARAPHRASE_FAMILY, span, item.text, labels))
    return found


def embed_examples(
    examples: Sequence[Example],
    encoder: FeatureEncoder,
    *,
    settings: ModelSettings = DEFAULT_MODEL_SETTINGS,
) -> tuple[Matrix, str]:
    """Embed every example with `encoder`, through the settings' vector cache."""
    texts = [ex.text for ex in examples]
    cache = VectorCache(default_cache_path(settings))
    return cache.cached(encoder.name, texts, encoder.embed), encoder.name


def load_feature_encoder(
    kind: HeadKind, settings: ModelSettings = DEFAULT_MODEL_SETTINGS
) -> FeatureEncoder:
    """Load the verified (or the settings' own) encoder a head of `kind` uses."""
    if kind == "llm":
        return load_llm_encoder(settings=settings)
    return load_encoder(settings=settings)


@dataclass(frozen=True)
class FeatureSet:
    """Examples (corpus and paraphrases), their features, and how to train."""

    examples: Sequence[Example]
    x: Matrix
    name: str
    standardise: bool
