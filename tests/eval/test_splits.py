"""The locked split: families set aside, never mixed into the development split."""

from __future__ import annotations

from pathlib import Path

from eval.corpus import Corpus, GoldDocument
from eval.splits import Split, load_locked, sample_note, select


def _doc(name: str, family: str | None) -> GoldDocument:
    return GoldDocument(name, Path(name), "text", (), family=family)


def test_dev_and_locked_partition_the_corpus() -> None:
    locked = load_locked()
    assert locked.families and locked.created == "2026-12-04"
    inside = sorted(locked.families)[0]
    corpus = Corpus(
        Path("."), (_doc("a", inside), _doc("b", "somebody-else"), _doc("c", None))
    )
    dev = select(corpus, Split.DEV, locked).documents
    held = select(corpus, Split.LOCKED, locked).documents
    assert [d.name for d in dev] == ["b", "c"]
    assert [d.name for d in held] == ["a"]
    assert select(corpus, Split.ALL, locked) == corpus


def test_the_report_says_which_figures_are_in_sample() -> None:
    locked = load_locked()
    assert "IN SAMPLE" in sample_note(Split.DEV, locked)
    assert "OUT OF SAMPLE" in sample_note(Split.LOCKED, locked)
