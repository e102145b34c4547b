"""Experiment: MiniLM fine-tuned end to end vs a linear head on frozen MiniLM.

Issue 11 asks whether a segment classifier fine-tuned end to end (every
encoder weight moves, as SetFit's body and a cross-encoder's do) generalises
better than the shipped head on frozen sentence vectors. Both are trained and
scored on the *same* family-grouped folds of the development split (a
family's documents are judged by a model that never saw the family; the
team's training paraphrases, which belong to no family, are always trained
on), then run through the real engine and scorer via `OfflineStage`.

Pattern rows are in sample (the patterns were tuned on the development
split); model-only rows are out of family. Nothing here is shipped: the
script prints the comparison that decides whether to ship it.

    .venv/bin/python scripts/exp_finetune_encoder.py --folds 5 --epochs 2
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from eval.ablation import OfflineStage, model_only_engine  # noqa: E402
from eval.corpus import Corpus, load_corpus  # noqa: E402
from eval.evaluate import (  # noqa: E402
    EvalReport,
    evaluate,
    scan_with,  # noqa: E402
)
from eval.splits import Split, load_locked, select  # noqa: E402
from eval.train import (  # noqa: E402
    PARAPHRASE_FAMILY,
    TYPES,
    Example,
    corpus_examples,
    embed_examples,
    example_weights,
    label_matrix,
    paraphrase_examples,
    train_head,
)
from extractors.combine import DEFAULT_ADD_THRESHOLD  # noqa: E402
from extractors.engine import build_engine  # noqa: E402
from models.encoder import encoder_directory, load_encoder  # noqa: E402
from models.head import Matrix  # noqa: E402
from models.runtime import configure_torch  # noqa: E402
from service.settings import read_model_settings  # noqa: E402

MAX_LEN = 128


def fold_of(examples: Sequence[Example], folds: int, seed: int) -> np.ndarray:
    """Assign each license family to one of `folds` folds; paraphrases get -1."""
    families = sorted({ex.family for ex in examples} - {PARAPHRASE_FAMILY})
    random.Random(seed).shuffle(families)
    where = {family: i % folds for i, family in enumerate(families)}
    return np.array([where.get(ex.family, -1) for ex in examples])


def frozen_probs(examples: Sequence[Example], y: Matrix, fold: np.ndarray) -> Matrix:
    """Linear head on frozen MiniLM vectors, trained per fold (the shipped method)."""
    settings = read_model_settings()  # CLAUSEWISE_ENCODER, _CACHE_DIR, _THREADS
    encoder = load_encoder(settings=settings)
    x, name = embed_examples(examples, encoder, settings=settings)
    rows = example_weights(examples)
    probs = np.zeros_like(y)
    for k in sorted(set(fold) - {-1}):
        held = fold == k
        head = train_head(x[~held], y[~held], encoder=name, rows=rows[~held])
        probs[held] = head.probabilities(x[held])
    return probs


def warmup_then_linear(steps: int) -> Callable[[int], float]:
    """Learning-rate factor: 10% linear warm-up, then linear decay to zero."""

    def factor(step: int) -> float:
        return min(1.0, (step + 1) / (0.1 * steps)) * max(0.0, 1 - step / steps)

    return factor


def say(line: str) -> None:
    """Print progress at once (folds take minutes)."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def finetuned_probs(
    examples: Sequence[Example],
    y: Matrix,
    fold: np.ndarray,
    *,
    epochs: int,
    neg_ratio: float,
    seed: int,
) -> Matrix:
    """MiniLM + a linear layer, all weights trained with BCE, per fold."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    settings = read_model_settings()
    configure_torch(settings)
    directory, _ = encoder_directory(settings=settings)
    tokenizer = AutoTokenizer.from_pretrained(str(directory), local_files_only=True)
    texts = [ex.text for ex in examples]
    weights = example_weights(examples)
    probs = np.zeros_like(y)

    def encode(model: torch.nn.Module, batch: list[str]) -> torch.Tensor:
        enc = tokenizer(
            batch,
            padding=True,
            truncation=True,
            max_length=MAX_LEN,
            return_tensors="pt",
        )
        hidden = model(**enc).last_hidden_state
        mask = enc["attention_mask"].unsqueeze(-1).float()
        pooled: torch.Tensor = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)
        return pooled

    for k in sorted(set(fold) - {-1}):
        torch.manual_seed(seed + int(k))
        rng = np.random.default_rng(seed + int(k))
        train = np.flatnonzero(fold != k)
        positive = train[y[train].sum(1) > 0]
        negative = train[y[train].sum(1) == 0]
        size = min(len(negative), int(neg_ratio * len(positive)))
        keep = rng.choice(negative, size=size, replace=False)
        rows = np.concatenate([positive, keep])
        body = AutoModel.from_pretrained(str(directory), local_files_only=True)
        head = torch.nn.Linear(body.config.hidden_size, len(TYPES))
        params = list(body.parameters()) + list(head.parameters())
        opt = torch.optim.AdamW(params, lr=4e-5, weight_decay=0.01)
        batch_size = 16
        steps = epochs * ((len(rows) + batch_size - 1) // batch_size)
        sched = torch.optim.lr_scheduler.LambdaLR(opt, warmup_then_linear(steps))
        loss_fn = torch.nn.BCEWithLogitsLoss(reduction="none")
        body.train()
        started = time.perf_counter()
        for _ in range(epochs):
            rng.shuffle(rows)
            for at in range(0, len(rows), batch_size):
                idx = rows[at : at + batch_size]
                logits = head(encode(body, [texts[i] for i in idx]))
                target = torch.from_numpy(y[idx])
                w = torch.from_numpy(weights[idx]).unsqueeze(1)
                loss = (loss_fn(logits, target) * w).mean()
                opt.zero_grad()
                loss.backward()
                opt.step()
                sched.step()
        body.eval()
        held = np.flatnonzero(fold == k)
        with torch.no_grad():
            for at in range(0, len(held), 64):
                idx = held[at : at + 64]
                logits = head(encode(body, [texts[i] for i in idx]))
                probs[idx] = torch.sigmoid(logits).numpy()
        say(
            f"fold {k}: trained on {len(rows)} rows ({len(positive)} clauses) "
            f"in {time.perf_counter() - started:.0f} s; scored {len(held)} segments"
        )
    return probs


def reports_for(
    corpus: Corpus, examples: Sequence[Example], probs: Matrix, name: str
) -> dict[str, EvalReport]:
    """Score the model alone (bar 0.5) and added to patterns (the shipped bar)."""
    table = {
        (ex.doc, ex.span): probs[row]
        for row, ex in enumerate(examples)
        if ex.family != PARAPHRASE_FAMILY
    }
    alone = OfflineStage(name, table, dict.fromkeys(TYPES, 0.5))
    both = OfflineStage(name, table, dict.fromkeys(TYPES, DEFAULT_ADD_THRESHOLD))
    return {
        name: evaluate(corpus, scan_with(model_only_engine(alone))),
        f"patterns + {name}": evaluate(
            corpus, scan_with(build_engine(identify=False, model_stage=both))
        ),
    }


def subset(corpus: Corpus, new: bool) -> Corpus:
    """The documents added on 2026-12-04 (new) or the 93 before them."""
    docs = tuple(d for d in corpus.documents if (d.added == "2026-12-04") == new)
    return replace(corpus, documents=docs)


def main() -> None:
    """Train both ways on the same folds and print the scorer's figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=Path("../shared/corpus"))
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--neg-ratio", type=float, default=3.0)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()

    corpus = select(load_corpus(args.corpus), Split.DEV, load_locked())
    examples = corpus_examples(corpus) + paraphrase_examples()
    y = label_matrix(examples)
    fold = fold_of(examples, args.folds, args.seed)
    say(f"{len(examples)} examples, {int((y.sum(1) > 0).sum())} clauses")
    probs = {
        "frozen-head": frozen_probs(examples, y, fold),
        "fine-tuned": finetuned_probs(
            examples,
            y,
            fold,
            epochs=args.epochs,
            neg_ratio=args.neg_ratio,
            seed=args.seed,
        ),
    }
    results: dict[str, dict[str, float]] = {}
    for part, docs in (("old", subset(corpus, False)), ("new", subset(corpus, True))):
        rows = {"patterns": evaluate(docs, scan_with(build_engine(identify=False)))}
        for name, p in probs.items():
            rows.update(reports_for(docs, examples, p, name))
        for config, report in rows.items():
            results[f"{part}: {config}"] = {
                "micro_p": round(report.micro.precision, 3),
                "micro_r": round(report.micro.recall, 3),
                "micro_f1": round(report.micro.f1, 3),
                **{t.value: round(s.f1, 3) for t, s in report.per_type.items()},
            }
    for key, row in results.items():
        say(
            f"{key:36s} P {row['micro_p']:.3f} R {row['micro_r']:.3f} "
            f"F1 {row['micro_f1']:.3f}"
        )
    if args.out:
        args.out.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
