from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from eval.corpus import Corpus, GoldDocument, GoldSpan
from eval.evaluate import evaluate, score_document
from eval.scorer import (
    PARAM_TYPES,
    PRF,
    ParamScore,
    PredictedSpan,
    jaccard,
    line_of,
    match_spans,
    normalise_params,
    params_equal,
    presence,
    word_set,
)
from extractors.errors import ExtractionError
from extractors.labels import ClauseType

UT = ClauseType.USAGE_THRESHOLD
GL = ClauseType.GOVERNING_LAW

TEXT = (
    "Preamble line.\n"
    "If you exceed ten million daily users, you need our written permission.\n"
    "These terms follow the law of Utopia.\n"
)


def cite(text: str, ctype: ClauseType, quote: str, **params: Any) -> PredictedSpan:
    start = text.index(quote)
    return PredictedSpan(ctype, start, start + len(quote), quote, params)


THRESHOLD = "If you exceed ten million daily users, you need our written permission."
LAW = "These terms follow the law of Utopia."


# --- words and overlap -------------------------------------------------------


def test_word_set_lowercases_and_drops_punctuation() -> None:
    assert word_set("The Model's use, the MODEL.") == {"the", "model", "s", "use"}


def test_each_cjk_character_is_a_word_of_its_own() -> None:
    # ANNOTATION.md: Chinese has no spaces, so each ideograph is one word;
    # a run rule would make the whole sentence a single word.
    assert word_set("许可证第3条") == {"许", "可", "证", "第", "3", "条"}
    assert word_set("Llama 3许可") == {"llama", "3", "许", "可"}
    assert word_set("ひらがな와한국") == {"ひ", "ら", "が", "な", "와", "한", "국"}
    assert word_set("snake_case") == {"snake", "case"}


def test_two_chinese_sentences_sharing_most_characters_overlap() -> None:
    a = word_set("您不得将本模型用于任何商业用途。")
    b = word_set("您不得将本模型用于商业用途。")
    assert jaccard(a, b) >= 0.5


def test_jaccard_of_overlapping_and_empty_sets() -> None:
    assert jaccard({"a", "b"}, {"b", "c"}) == pytest.approx(1 / 3)
    assert jaccard({"a"}, {"a"}) == 1.0
    assert jaccard(set(), set()) == 0.0


# --- matching ------------------------------------------------------------------


def test_two_predictions_compete_for_one_gold_span_and_the_closer_wins() -> None:
    gold = [PredictedSpan(UT, 0, 10, "alpha beta gamma delta")]
    loose = PredictedSpan(UT, 0, 10, "alpha beta gamma delta epsilon zeta")  # 4/6
    close = PredictedSpan(UT, 20, 30, "alpha beta gamma delta epsilon")  # 4/5
    assert match_spans(gold, [loose, close]) == [(0, 1)]


def test_ties_go_to_the_earlier_start() -> None:
    gold = [PredictedSpan(UT, 0, 5, "one two")]
    later = PredictedSpan(UT, 50, 55, "one two")
    earlier = PredictedSpan(UT, 10, 15, "one two")
    assert match_spans(gold, [later, earlier]) == [(0, 1)]


def test_matching_is_one_to_one_and_needs_half_the_words() -> None:
    gold = [PredictedSpan(UT, 0, 5, "a b"), PredictedSpan(UT, 9, 14, "a b")]
    pred = [PredictedSpan(UT, 0, 5, "a b")]
    assert len(match_spans(gold, pred)) == 1
    # Jaccard exactly 0.5 matches; just below does not.
    assert match_spans([PredictedSpan(UT, 0, 1, "a b")], [PredictedSpan(UT, 0, 1, "a")])
    below = [PredictedSpan(UT, 0, 1, "a b c")]
    assert match_spans(below, [PredictedSpan(UT, 0, 1, "a")]) == []


def test_spans_of_different_types_never_match() -> None:
    assert (
        match_spans([PredictedSpan(UT, 0, 1, "x y")], [PredictedSpan(GL, 0, 1, "x y")])
        == []
    )


# --- PRF -------------------------------------------------------------------------


def test_prf_arithmetic() -> None:
    prf = PRF(tp=3, fp=1, fn=2)
    assert prf.precision == 0.75
    assert prf.recall == 0.6
    assert prf.f1 == pytest.approx(2 * 0.75 * 0.6 / 1.35)
    assert (prf.gold, prf.predicted) == (5, 4)
    assert prf + PRF(1, 2, 3) == PRF(4, 3, 5)


def test_prf_edge_cases() -> None:
    assert PRF().f1 == 1.0  # nothing to find, nothing found
    assert PRF(fn=2).f1 == 0.0 and PRF(fn=2).precision == 1.0
    assert PRF(fp=2).f1 == 0.0 and PRF(fp=2).recall == 1.0
    as_dict = PRF(tp=1, fp=1).to_dict()
    assert as_dict == {"tp": 1, "fp": 1, "fn": 0, "precision": 0.5, "recall": 1.0} | {
        "f1": pytest.approx(2 / 3)
    }


def test_document_presence_outcomes() -> None:
    assert presence(True, True) == PRF(tp=1)
    assert presence(False, True) == PRF(fp=1)
    assert presence(True, False) == PRF(fn=1)
    assert presence(False, False) == PRF()


def test_param_score_accuracy() -> None:
    assert ParamScore(4, 3).accuracy == 0.75
    assert ParamScore().accuracy == 1.0
    assert ParamScore(1, 1) + ParamScore(1, 0) == ParamScore(2, 1)


def test_line_of_counts_line_feeds_only() -> None:
    assert line_of("a\r\nb\r\nc", 0) == 1
    assert line_of("a\r\nb\r\nc", 6) == 3


# --- parameter normalisation -----------------------------------------------------


def test_one_element_list_equals_its_scalar() -> None:
    assert params_equal({"scope": ["research_only"]}, {"scope": "research_only"})
    assert params_equal({"kind": "notice_file"}, {"kind": ["notice_file"]})


def test_lists_of_scalars_compare_as_sets() -> None:
    assert params_equal({"regions": ["EU", "GB"]}, {"regions": ["gb", "EU", "GB"]})
    assert not params_equal({"regions": ["EU", "GB"]}, {"regions": ["EU"]})


def test_url_ignores_scheme_and_trailing_slash() -> None:
    assert params_equal({"url": "https://x.example/y/"}, {"url": "x.example/y"})
    assert params_equal({"url": "http://X.example/y"}, {"url": "https://x.example/y/"})
    assert not params_equal({"url": "https://x.example/y"}, {"url": "x.example/z"})


def test_thresholds_compare_as_a_multiset_in_any_order() -> None:
    users = {
        "metric": "monthly_active_users",
        "value": 700000000,
        "consequence": "license_required",
    }
    revenue = {
        "metric": "annual_revenue",
        "value": 1e6,
        "currency": "USD",
        "consequence": "fee_required",
    }
    gold = {"thresholds": [users, revenue]}
    assert params_equal(gold, {"thresholds": [revenue, users]})
    as_text = dict(users, value="700,000,000")
    assert params_equal(gold, {"thresholds": [revenue, as_text]})
    assert not params_equal(gold, {"thresholds": [users, users]})
    assert not params_equal(gold, {"thresholds": [users]})
    assert params_equal(
        {"thresholds": [users]}, {"thresholds": [dict(users, currency=None)]}
    )


def test_false_and_empty_values_mean_not_stated() -> None:
    base = {"policy": "Use Policy"}
    assert params_equal({**base, "updatable": False}, base)
    assert params_equal({**base, "url": "", "text": [], "note": None}, base)
    assert not params_equal({**base, "updatable": True}, base)


def test_strings_ignore_case_spacing_and_emphasis() -> None:
    assert params_equal({"text": "**Built  with\nAcme**"}, {"text": "built with acme"})
    assert params_equal({"text": "_Built with Acme_"}, {"text": "Built with Acme"})
    assert params_equal(
        {"metric": "monthly_active_users"}, {"metric": "MONTHLY_ACTIVE_USERS"}
    )
    assert not params_equal(
        {"metric": "monthly_active_users"}, {"metric": "monthlyactiveusers"}
    )


def test_normalise_params_drops_empty_keys() -> None:
    assert normalise_params({"a": None, "b": "", "c": [], "d": False, "e": "X"}) == {
        "e": "x"
    }


def test_param_types_are_the_types_with_parameters() -> None:
    without = {"output_restriction", "restriction_flowdown", "litigation_termination"}
    assert without.isdisjoint(PARAM_TYPES)
    assert {"usage_threshold", "aup_incorporation", "governing_law"} <= set(PARAM_TYPES)
    assert list(PARAM_TYPES) == sorted(PARAM_TYPES, key=list(ClauseType).index)


# --- documents: citations, FPs, FNs, params ------------------------------------------


def test_citation_error_is_counted_listed_and_a_false_positive() -> None:
    gold = [cite(TEXT, UT, THRESHOLD)]
    wrong_quote = PredictedSpan(UT, gold[0].start, gold[0].end, THRESHOLD.upper())
    report = score_document("d", TEXT, gold, [wrong_quote])
    assert report.citations.checked == 1 and report.citations.valid == 0
    assert report.citations.errors[0].reason.startswith("quote does not match")
    assert report.per_type[UT] == PRF(tp=0, fp=1, fn=1)
    assert report.doc_level[UT] == PRF(fn=1)  # an invalid citation is no evidence
    assert [r.quote for r in report.false_positives] == []  # listed as an error instead


def test_offsets_outside_the_text_are_a_citation_error() -> None:
    bad = PredictedSpan(GL, len(TEXT) - 2, len(TEXT) + 5, "Utopia.\n")
    report = score_document("d", TEXT, [], [bad])
    assert "outside the text" in report.citations.errors[0].reason
    assert report.per_type[GL] == PRF(fp=1)


def test_score_document_counts_matches_misses_and_param_mismatches() -> None:
    gold = [
        cite(
            TEXT,
            UT,
            THRESHOLD,
            thresholds=[{"metric": "daily_active_users", "value": 1e7}],
        )
    ]
    gold.append(cite(TEXT, GL, LAW, jurisdiction="XU"))
    predicted = [
        cite(
            TEXT,
            UT,
            THRESHOLD,
            thresholds=[{"metric": "daily_active_users", "value": 10000000}],
        ),
        cite(TEXT, GL, "Preamble line.", jurisdiction="XU"),
    ]
    report = score_document("d", TEXT, gold, predicted)
    assert report.per_type[UT] == PRF(tp=1)
    assert report.per_type[GL] == PRF(fp=1, fn=1)
    assert report.doc_level[GL] == PRF(tp=1)
    assert report.params[UT] == ParamScore(1, 1)
    (missed,) = report.false_negatives
    assert (missed.type, missed.line, missed.quote) == (GL, 3, LAW)
    assert report.false_positives[0].line == 1


def test_param_mismatch_lists_gold_and_predicted_params() -> None:
    gold = [cite(TEXT, GL, LAW, jurisdiction="XU")]
    report = score_document("d", TEXT, gold, [cite(TEXT, GL, LAW, jurisdiction="XV")])
    assert report.params[GL] == ParamScore(1, 0)
    (mismatch,) = report.param_mismatches
    assert (mismatch.doc, mismatch.type) == ("d", GL)
    assert mismatch.gold == {"jurisdiction": "XU"}
    assert mismatch.predicted == {"jurisdiction": "XV"}


# --- evaluate() -----------------------------------------------------------------------


def tiny_corpus() -> Corpus:
    law = TEXT.index(LAW)
    spans = (GoldSpan(GL, law, law + len(LAW), LAW, {"jurisdiction": "XU"}),)
    document = GoldDocument("t.txt", Path("t.txt"), TEXT, spans)
    return Corpus(Path("."), (document,), ("u.txt",), ("p",))


def test_evaluate_reads_mappings_and_ignores_extra_keys() -> None:
    def scan(document: GoldDocument) -> Sequence[Mapping[str, Any]]:
        start = document.text.index(LAW)
        item = {"type": "governing_law", "start": start, "end": start + len(LAW)}
        return [item | {"quote": LAW, "params": {"jurisdiction": "xu"}, "score": 0.9}]

    report = evaluate(tiny_corpus(), scan)
    assert report.micro == PRF(tp=1)
    assert report.params_overall == ParamScore(1, 1)
    assert report.documents == 1
    assert report.unscored == ("u.txt",) and report.corpus_problems == ("p",)
    assert report.timing.documents == 1 and report.timing.total_seconds >= 0


def test_evaluate_rejects_a_malformed_prediction() -> None:
    def scan(document: GoldDocument) -> Sequence[Mapping[str, Any]]:
        return [{"type": "no_such_type", "start": 0, "end": 1, "quote": "P"}]

    with pytest.raises(ExtractionError, match="t.txt"):
        evaluate(tiny_corpus(), scan)
