"""The pattern tagger's discards, through the engine: a veto is kept with its reason.

What the tagger tags, and must not, sentence by sentence, is in the
data-driven cases (`tests/cases/`, `tests/extractors/test_cases.py`). The
sentence here is written for this test, never taken from the corpus.
"""

from __future__ import annotations

from functools import cache

from extractors.engine import ClauseEngine, build_engine
from extractors.labels import ClauseType
from extractors.parse import parse_bytes
from extractors.types import DiscardReason, Document

HEAD = "Zephyr Model Terms\n\n"
TAIL = "\n\nThe Model was trained on publicly available text.\n"
SELF_BINDING = (
    "If you access or use Zephyr models, you agree to this Acceptable Use Policy."
)


@cache
def _engine() -> ClauseEngine:
    return build_engine(identify=False)


def _document(sentence: str) -> Document:
    return parse_bytes((HEAD + sentence + TAIL).encode("utf-8"), name="terms.txt")


def test_vetoed_candidate_is_explained() -> None:
    document = _document(SELF_BINDING)
    result = _engine().analyze(document, explain=True)
    assert result.clauses == ()
    assert result.discarded
    for item in result.discarded:
        assert item.tag.clause_type is ClauseType.AUP_INCORPORATION
        assert item.reason is DiscardReason.LOOK_ALIKE
        assert item.detail.startswith(
            f"rule {item.tag.explanation.pattern_id} vetoed by"
        )
        assert document.text[item.tag.span.start : item.tag.span.end] == SELF_BINDING
    assert any("SELF_POLICY" in item.detail for item in result.discarded)


def test_discards_are_hidden_without_explain() -> None:
    result = _engine().analyze(_document(SELF_BINDING))
    assert result.discarded == ()


def test_every_rule_is_tried_when_its_labels_are_found() -> None:
    # the rule index must never hide a rule: with its `all` labels and one
    # label of each `any` group present, every shipped rule is a candidate
    tagger = _engine().tagger
    for rule in tagger.patterns.rules:
        for group in rule.any or ((),):
            for label in group or ("",):
                labels = {*rule.all, label, *(g[0] for g in rule.any)} - {""}
                assert rule in tagger._candidates(labels), rule.id


def test_candidates_keep_the_data_order() -> None:
    tagger = _engine().tagger
    labels = {term.label for term in tagger.patterns.terms}
    candidates = tagger._candidates(labels)
    assert candidates == list(tagger.patterns.rules)
