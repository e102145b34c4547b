"""CI guard: the pattern engine must keep the accuracy floors on the real corpus."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from eval.corpus import GoldDocument, load_corpus
from eval.evaluate import evaluate
from eval.floors import check_floors, load_floors
from eval.report import render_table
from eval.splits import Split, load_locked, select
from extractors.engine import build_engine
from extractors.output import clause_to_dict
from extractors.parse import parse_path

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(not CORPUS.is_dir(), reason=f"no labelled corpus at {CORPUS}"),
]


def test_corpus_meets_accuracy_floors() -> None:
    # the development split: the locked families are scored at the end only
    corpus = select(load_corpus(CORPUS), Split.DEV, load_locked())
    engine = build_engine()

    def scan(gold: GoldDocument) -> list[dict[str, Any]]:
        document = parse_path(gold.doc_path)
        clauses, _ = engine.tag(document)
        return [clause_to_dict(document, tag) for tag in clauses]

    report = evaluate(corpus, scan)
    violations = check_floors(report, load_floors())
    assert violations == [], "\n".join([*violations, "", render_table(report)])
    assert report.citations.validity == 1.0
