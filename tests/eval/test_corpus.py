from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from eval.corpus import Corpus, GoldDocument, load_corpus
from eval.evaluate import evaluate
from extractors.errors import ConfigError
from extractors.labels import ClauseType

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "corpus"
REAL_CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"


def by_name(corpus: Corpus) -> dict[str, GoldDocument]:
    return {document.name: document for document in corpus.documents}


def copy_fixture(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    shutil.copytree(FIXTURE, root)
    return root


def gold_scan(document: GoldDocument) -> list[dict[str, Any]]:
    return [
        {"type": s.type.value, "start": s.start, "end": s.end, "quote": s.quote}
        | {"params": dict(s.params)}
        for s in document.spans
    ]


def test_fixture_corpus_loads_without_problems() -> None:
    corpus = load_corpus(FIXTURE)
    assert corpus.problems == ()
    assert sorted(by_name(corpus)) == ["alpha-license.txt", "beta-card.md", "delta.pdf"]
    assert corpus.unscored == ("notes.txt",)


def test_crlf_text_keeps_its_carriage_returns() -> None:
    beta = by_name(load_corpus(FIXTURE))["beta-card.md"]
    assert "\r\n" in beta.text
    assert all(beta.text[s.start : s.end] == s.quote for s in beta.spans)
    assert beta.spans[0].params["text"] == "Made with Acme"


def test_pdf_is_scored_on_the_text_beside_it() -> None:
    delta = by_name(load_corpus(FIXTURE))["delta.pdf"]
    assert delta.doc_path.name == "delta.pdf"
    assert delta.text.startswith("Delta Research Terms\n\f")
    assert [s.type for s in delta.spans] == [
        ClauseType.COMMERCIAL_RESTRICTION,
        ClauseType.UNILATERAL_CHANGE,
    ]


def test_manifest_fields_reach_the_documents() -> None:
    alpha = by_name(load_corpus(FIXTURE))["alpha-license.txt"]
    assert (alpha.family, alpha.version, alpha.kind) == ("acme", "1.0", "license")


def test_corpus_without_manifest_still_loads(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path)
    (root / "manifest.json").unlink()
    alpha = by_name(load_corpus(root))["alpha-license.txt"]
    assert alpha.family is None


def test_a_quote_that_is_not_at_its_offsets_is_a_problem(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path)
    label = root / "labels" / "alpha-license.txt.json"
    data = json.loads(label.read_text(encoding="utf-8"))
    data["spans"][1]["start"] += 1
    data["spans"][0]["end"] = 10_000
    label.write_text(json.dumps(data), encoding="utf-8")
    problems = load_corpus(root).problems
    assert len(problems) == 2
    assert all(p.startswith("alpha-license.txt:") for p in problems)


def test_orphan_label_and_stale_manifest_entry_are_problems(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path)
    (root / "docs" / "alpha-license.txt").unlink()
    corpus = load_corpus(root)
    assert "alpha-license.txt" not in by_name(corpus)
    assert len(corpus.problems) == 2
    assert any("label file alpha-license.txt.json" in p for p in corpus.problems)
    assert any("manifest" in p for p in corpus.problems)


def test_missing_corpus_folder_raises_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="corpus folder"):
        load_corpus(tmp_path / "nowhere")
    (tmp_path / "docs").mkdir()
    with pytest.raises(ConfigError, match="labels"):
        load_corpus(tmp_path)


def test_malformed_label_file_raises_config_error(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path)
    label = root / "labels" / "beta-card.md.json"
    label.write_text('{"doc": "beta-card.md", "spans": [{"type": "nope"}]}')
    with pytest.raises(ConfigError, match="beta-card.md.json"):
        load_corpus(root)


def test_gold_as_prediction_scores_perfectly_on_the_fixture() -> None:
    report = evaluate(load_corpus(FIXTURE), gold_scan)
    assert report.micro.f1 == 1.0
    assert report.params_overall.checked == 7
    assert report.params_overall.accuracy == 1.0
    assert report.citations.validity == 1.0


@pytest.mark.corpus
@pytest.mark.skipif(not REAL_CORPUS.is_dir(), reason="shared corpus not present")
def test_real_corpus_is_consistent_and_scores_itself_perfectly() -> None:
    corpus = load_corpus(REAL_CORPUS)
    assert corpus.problems == ()
    assert corpus.documents
    report = evaluate(corpus, gold_scan)
    assert report.micro.f1 == 1.0
    assert report.micro.fp == 0 and report.micro.fn == 0
    assert all(prf.f1 == 1.0 for prf in report.per_type.values())
    assert report.doc_level_micro.f1 == 1.0
    assert report.params_overall.checked > 0
    assert report.params_overall.accuracy == 1.0
    assert report.citations.validity == 1.0
    assert report.param_mismatches == ()
