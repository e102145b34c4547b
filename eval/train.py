"""Train the encoder head on a labelled corpus, and cross-validate it by family.

A training example is a segment (the engine's own unit) with the set of
clause types whose gold span it matches under the scorer's rule (word-set
Jaccard >= 0.5). Training is deterministic: full-batch L-BFGS from zeros on
fixed data. Cross-validation leaves one license *family* out at a time, so
no score comes from a family the head was trained on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from eval.corpus import Corpus, GoldDocument
from eval.scorer import jaccard, word_set
from extractors.labels import ClauseType
from extractors.segment import segment
from extractors.types import CharSpan, SegmentKind
from models.head import ClauseHead, Matrix

TYPES: tuple[ClauseType, ...] = tuple(ClauseType)
L2 = 1e-6
MAX_ITER = 200
MAX_POS_WEIGHT = 20.0
MATCH_JACCARD = 0.5


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


def fit(x: Matrix, y: Matrix) -> tuple[Matrix, Matrix]:
    """Fit one logistic unit per type with L2 and capped positive weights."""
    import torch

    torch.manual_seed(0)
    inputs = torch.from_numpy(x)
    targets = torch.from_numpy(y)
    positives = targets.sum(0)
    pos_weight = ((len(targets) - positives) / positives.clamp(min=1.0)).clamp(
        max=MAX_POS_WEIGHT
    )
    weight = torch.zeros((y.shape[1], x.shape[1]), requires_grad=True)
    bias = torch.zeros(y.shape[1], requires_grad=True)
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=pos_weight)
    optimizer = torch.optim.LBFGS(
        [weight, bias], max_iter=MAX_ITER, line_search_fn="strong_wolfe"
    )

    def closure() -> torch.Tensor:
        optimizer.zero_grad()
        loss: torch.Tensor = loss_fn(inputs @ weight.T + bias, targets)
        loss = loss + L2 * weight.pow(2).sum()
        loss.backward()  # type: ignore[no-untyped-call]
        return loss

    optimizer.step(closure)  # type: ignore[no-untyped-call]
    return weight.detach().numpy().copy(), bias.detach().numpy().copy()


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


def train_head(x: Matrix, y: Matrix, *, encoder: str) -> ClauseHead:
    """Train a head on all of `x`, with thresholds chosen on the same data."""
    weights, bias = fit(x, y)
    head = ClauseHead(TYPES, weights, bias, {}, encoder)
    thresholds = best_thresholds(head.probabilities(x), y)
    settings = {
        "l2": L2,
        "max_iter": MAX_ITER,
        "max_pos_weight": MAX_POS_WEIGHT,
        "optimizer": "LBFGS strong-Wolfe, zero init",
        "examples": int(len(x)),
    }
    return ClauseHead(TYPES, weights, bias, thresholds, encoder, settings)


def out_of_family(
    examples: Sequence[Example], x: Matrix, y: Matrix, *, encoder: str
) -> tuple[Matrix, dict[str, dict[ClauseType, float]]]:
    """Return leave-one-family-out probabilities for every example.

    Each family's rows are predicted by a head trained on all other families,
    with thresholds chosen on those other families only.
    """
    families = sorted({ex.family for ex in examples})
    member = np.array([ex.family for ex in examples])
    probs = np.zeros_like(y)
    cuts: dict[str, dict[ClauseType, float]] = {}
    for family in families:
        held = member == family
        head = train_head(x[~held], y[~held], encoder=encoder)
        probs[held] = head.probabilities(x[held])
        cuts[family] = dict(head.thresholds)
    return probs, cuts


def embed_examples(examples: Sequence[Example]) -> tuple[Matrix, str]:
    """Embed every example with the verified encoder, through the cache."""
    from models.cache import VectorCache
    from models.encoder import load_encoder

    encoder = load_encoder()
    cache = VectorCache()
    texts = [ex.text for ex in examples]
    return cache.cached(encoder.name, texts, encoder.embed), encoder.name


def train_and_save(corpus: Corpus, out: Path | None) -> tuple[Path, str]:
    """Train on all families, score out of family, and write the head."""
    from eval.ablation import run_ablation
    from models.head import default_head_path, save_head

    examples = corpus_examples(corpus)
    x, encoder = embed_examples(examples)
    head = train_head(x, label_matrix(examples), encoder=encoder)
    reports = run_ablation(corpus, x, name=encoder)
    scores = {
        config: {
            "micro_f1": round(report.micro.f1, 4),
            "per_type_f1": {
                t.value: round(p.f1, 4) for t, p in report.per_type.items()
            },
        }
        for config, report in reports.items()
    }
    scores["protocol"] = {"cross_validation": "leave one license family out"}
    trained = ClauseHead(
        head.types, head.weights, head.bias, head.thresholds, head.encoder,
        head.settings, scores,
    )  # fmt: skip
    path = out or default_head_path()
    save_head(trained, path)
    summary = "\n".join(
        f"{config:20s} micro F1 {s['micro_f1']:.3f} (out of family)"
        for config, s in scores.items()
        if config != "protocol"
    )
    return path, summary
