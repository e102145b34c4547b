"""CI guard: the pattern engine must keep the accuracy floors on the real corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from eval.corpus import load_corpus
from eval.evaluate import evaluate, scan_with
from eval.floors import check_floors, load_floors
from eval.report import render_table
from eval.splits import Split, load_locked, select
from extractors.engine import build_engine

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(not CORPUS.is_dir(), reason=f"no labelled corpus at {CORPUS}"),
]


def test_corpus_meets_accuracy_floors() -> None:
    # the development split: the locked families are scored at the end only
    corpus = select(load_corpus(CORPUS), Split.DEV, load_locked())
    engine = build_engine()

    report = evaluate(corpus, scan_with(engine))
    violations = check_floors(report, load_floors())
    assert violations == [], "\n".join([*violations, "", render_table(report)])
    assert report.citations.validity == 1.0
