"""Experiment: a lexical segment classifier, out of family, with the patterns.

TF-IDF over character n-grams (2-5, so Chinese and Japanese work) and word
n-grams (1-2), one logistic regression per clause type (scikit-learn,
balanced classes), trained on the development split's segments plus the
team's paraphrases (weighted 0.3, as the heads are). Probabilities come from
10 folds grouped by license family: no document is scored by a model that
saw its family. The rows show patterns alone and patterns with the model's
confident additions at several bars, on the old documents and on the
documents added on 2026-12-04 (which the patterns were not written for).

    .venv/bin/python scripts/exp_lexical_tagger.py [--c 4.0] [--folds 10]

It needs scikit-learn (installed with the model extra). Its result decided
that no lexical stage ships: see README, "Out of sample".
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

from eval.ablation import OfflineStage, _with_patterns
from eval.corpus import Corpus, load_corpus
from eval.evaluate import EvalReport, evaluate, scan_with
from eval.splits import Split, load_locked, select
from eval.train import (
    PARAPHRASE_FAMILY,
    TYPES,
    Example,
    corpus_examples,
    example_weights,
    label_matrix,
    paraphrase_examples,
)
from extractors.engine import build_engine

BARS = (0.5, 0.7, 0.8, 0.9)


def vectorizers() -> tuple[TfidfVectorizer, TfidfVectorizer]:
    """Character and word n-gram TF-IDF, both sublinear."""
    chars = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True
    )
    words = TfidfVectorizer(
        analyzer="word",
        ngram_range=(1, 2),
        min_df=2,
        sublinear_tf=True,
        token_pattern=r"(?u)\b\w+\b",
    )
    return chars, words


def fit_predict(
    texts: list[str],
    y: np.ndarray,
    w: np.ndarray,
    train: np.ndarray,
    test: np.ndarray,
    c: float,
) -> np.ndarray:
    """Train on `train` rows, return P(type) for `test` rows."""
    chars, words = vectorizers()
    fit = [texts[i] for i in train]
    run = [texts[i] for i in test]
    x_train = csr_matrix(hstack([chars.fit_transform(fit), words.fit_transform(fit)]))
    x_test = csr_matrix(hstack([chars.transform(run), words.transform(run)]))
    out = np.zeros((len(test), len(TYPES)), np.float32)
    for k in range(len(TYPES)):
        if y[train, k].sum() == 0:
            continue
        model = LogisticRegression(C=c, class_weight="balanced", max_iter=2000)
        model.fit(x_train, y[train, k], sample_weight=w[train])
        out[:, k] = model.predict_proba(x_test)[:, 1]
    return out


def out_of_family(examples: list[Example], c: float, folds: int) -> np.ndarray:
    """P(type | segment) for every corpus example, from family-grouped folds."""
    texts = [ex.text for ex in examples]
    y, w = label_matrix(examples), example_weights(examples)
    families = np.array([ex.family for ex in examples])
    corpus_rows = np.flatnonzero(families != PARAPHRASE_FAMILY)
    paraphrase_rows = np.flatnonzero(families == PARAPHRASE_FAMILY)
    probs = np.zeros((len(examples), len(TYPES)), np.float32)
    grouped = GroupKFold(n_splits=folds)
    for train, test in grouped.split(corpus_rows, groups=families[corpus_rows]):
        rows = np.concatenate([corpus_rows[train], paraphrase_rows])
        probs[corpus_rows[test]] = fit_predict(texts, y, w, rows, corpus_rows[test], c)
    return probs


def line(name: str, report: EvalReport) -> str:
    """One row: micro precision, recall, F1."""
    m = report.micro
    return f"| {name} | {m.precision:.3f} | {m.recall:.3f} | {m.f1:.3f} |"


def main() -> None:
    """Print the table (Markdown) for old and new documents of the dev split."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=Path("../shared/corpus"))
    parser.add_argument("--c", type=float, default=4.0)
    parser.add_argument("--folds", type=int, default=10)
    args = parser.parse_args()
    corpus = select(load_corpus(args.corpus), Split.DEV, load_locked())
    examples = corpus_examples(corpus) + paraphrase_examples()
    started = time.perf_counter()
    probs = out_of_family(examples, args.c, args.folds)
    table = {
        (ex.doc, ex.span): probs[row]
        for row, ex in enumerate(examples)
        if ex.family != PARAPHRASE_FAMILY
    }
    seconds = time.perf_counter() - started
    out = [f"{args.folds} family folds in {seconds:.0f} s", ""]
    out += ["| documents, configuration | P | R | F1 |", "|---|---|---|---|"]
    for group, keep in (("old", False), ("added 2026-12-04", True)):
        part: Corpus = replace(
            corpus,
            documents=tuple(d for d in corpus.documents if bool(d.added) == keep),
        )
        out.append(
            line(
                f"{group}, patterns",
                evaluate(part, scan_with(build_engine(identify=False))),
            )
        )
        for bar in BARS:
            stage = OfflineStage("lexical", table, dict.fromkeys(TYPES, bar))
            out.append(
                line(
                    f"{group}, patterns + lexical (bar {bar})",
                    _with_patterns(part, stage),
                )
            )
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
