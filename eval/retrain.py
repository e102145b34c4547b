"""Train a shipped head on every family, score it out of family, save both.

Apart from `eval.train` (examples, fitting) and `eval.ablation` (scoring),
which it joins: the head file carries the out-of-family scores it was
shipped with.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from eval.ablation import run_ablation
from eval.corpus import Corpus
from eval.train import (
    STANDARDISE,
    TRAIN_PARAPHRASES,
    FeatureSet,
    HeadKind,
    corpus_examples,
    embed_examples,
    example_weights,
    label_matrix,
    load_feature_encoder,
    paraphrase_examples,
    train_head,
)
from models.head import save_head
from models.settings import DEFAULT_MODEL_SETTINGS, ModelSettings
from models.stage import head_path


def train_and_save(
    corpus: Corpus,
    out: Path | None,
    *,
    kind: HeadKind = "encoder",
    settings: ModelSettings = DEFAULT_MODEL_SETTINGS,
) -> tuple[Path, str]:
    """Train on all families and the team's paraphrases; score out of family."""
    examples = corpus_examples(corpus) + paraphrase_examples()
    features = load_feature_encoder(kind, settings)
    x, encoder = embed_examples(examples, features, settings=settings)
    standardise = STANDARDISE[kind]
    head = train_head(
        x,
        label_matrix(examples),
        encoder=encoder,
        standardise=standardise,
        rows=example_weights(examples),
    )
    reports = run_ablation(
        corpus, {kind: FeatureSet(examples, x, encoder, standardise)}
    )
    scores: dict[str, Any] = {
        config: {
            "micro_f1": round(report.micro.f1, 4),
            "per_type_f1": {
                t.value: round(p.f1, 4) for t, p in report.per_type.items()
            },
        }
        for config, report in reports.items()
    }
    scores["protocol"] = {
        "cross_validation": "leave one license family out",
        "also_trained_on": list(TRAIN_PARAPHRASES),
    }
    trained = replace(head, scores=scores)
    path = out or head_path(kind, settings)
    save_head(trained, path)
    summary = "\n".join(
        f"{config:28s} micro F1 {s['micro_f1']:.3f} (out of family)"
        for config, s in scores.items()
        if config != "protocol"
    )
    return path, summary
