"""Sentence-level P/R/F1 of the pattern tagger on the training paraphrase sets.

The paraphrase sets are sentences in wording the patterns were not written
against, each with the clause type it states or null for a hard negative.
This runs the real engine (patterns only, no model stage) on each sentence
as a one-sentence document; the sentence's prediction is the set of types
tagged in it, so a negative with any tag is a false positive. It prints, per
set and per clause type, precision, recall and F1, and the micro figures.

    .venv/bin/python scripts/paraphrase_patterns.py [FILE.jsonl ...] [--errors]

Without files it reads the training sets shipped in `eval/data/`. The test
and held-out sets are scored by the lead only, so this script refuses them.
`--errors` lists each set's misses and false positives, for pattern work.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from eval.paraphrase import (
    Paraphrase,
    SentenceScore,
    load_paraphrases,
    paraphrase_path,
    score_sentences,
    types_found,
)
from extractors.engine import build_engine
from extractors.labels import ClauseType

TRAIN_SETS = (
    "paraphrases.jsonl",
    "paraphrases_train.jsonl",
    "paraphrases_train2.jsonl",
    "paraphrases_train3.jsonl",
    "paraphrases_train4.jsonl",
)
NOT_FOR_TUNING = frozenset(
    {
        "paraphrases_heldout.jsonl",
        "paraphrases_test_b.jsonl",
        "paraphrases_test_c.jsonl",
        "paraphrases_test_d.jsonl",
    }
)


def main(argv: list[str] | None = None) -> int:
    """Score each set and print the tables (and the errors when asked)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--errors", action="store_true", help="list misses and FPs")
    args = parser.parse_args(argv)
    files = args.files or [p for p in map(paraphrase_path, TRAIN_SETS) if p.is_file()]
    refused = [f for f in files if f.name in NOT_FOR_TUNING or "testsets" in f.parts]
    if refused:
        parser.error(f"test sets are scored by the lead only: {refused[0]}")
    engine = build_engine(identify=False)
    out: list[str] = []
    total: SentenceScore | None = None
    for path in files:
        items = load_paraphrases(path)
        predicted = [types_found(engine, item.text) for item in items]
        score = score_sentences(items, predicted)
        out += [f"== {path.name} ({len(items)} sentences)", *_table(score), ""]
        if args.errors:
            out += [*_errors(items, predicted), ""]
        total = score if total is None else _sum(total, score)
    if total is not None and len(files) > 1:
        out += ["== all sets", *_table(total)]
    sys.stdout.write("\n".join(out) + "\n")
    return 0


def _table(score: SentenceScore) -> list[str]:
    rows = [f"{'type':<24}{'TP':>5}{'FP':>5}{'FN':>5}{'P':>8}{'R':>8}{'F1':>8}"]
    for ctype, counts in [*score.per_type.items(), ("micro", score.micro)]:
        if counts.tp + counts.fp + counts.fn == 0:
            continue
        name = ctype.value if isinstance(ctype, ClauseType) else ctype
        rows.append(
            f"{name:<24}{counts.tp:>5}{counts.fp:>5}{counts.fn:>5}"
            f"{counts.precision:>8.3f}{counts.recall:>8.3f}{counts.f1:>8.3f}"
        )
    rows.append(f"negatives tagged: {score.negatives_tagged} of {score.negatives}")
    return rows


def _errors(items: list[Paraphrase], predicted: list[set[ClauseType]]) -> list[str]:
    lines = []
    for item, found in zip(items, predicted, strict=True):
        gold = {item.type} if item.type else set()
        if found != gold:
            want = item.type.value if item.type else "null"
            got = ",".join(sorted(t.value for t in found)) or "-"
            lines.append(f"[{want} -> {got}] {item.text}")
    return lines


def _sum(a: SentenceScore, b: SentenceScore) -> SentenceScore:
    per_type = {t: a.per_type[t] + b.per_type[t] for t in a.per_type}
    return SentenceScore(
        per_type, a.negatives + b.negatives, a.negatives_tagged + b.negatives_tagged
    )


if __name__ == "__main__":
    raise SystemExit(main())
