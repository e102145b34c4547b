from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from extractors.errors import ConfigError, DecodeError
from extractors.identify import build
from extractors.identify.build import (
    build_from_corpus,
    engine_tagger,
    gold_tagger,
    main,
    read_manifest,
    reference_document,
    spdx_of,
)
from extractors.identify.fingerprint import text_sha256
from extractors.identify.index import load_index
from extractors.identify.match import identify
from extractors.labels import ClauseType
from extractors.types import ClauseTag, Document

from . import LAW, LUMEN, NORTHWIND, THRESHOLD, sentence, tag

CARD = "---\nlicense: other\n---\n# A card\n\nA model card is not a license.\n"


def _entry(file: str, kind: str, family: str = "fam", version: str = "1") -> dict:
    return {
        "file": file,
        "title": f"Title of {file}",
        "family": family,
        "version": version,
        "kind": kind,
        "sha256": "x",
    }


def _label(text: str, start: str, clause_type: str, params: dict) -> dict:
    span = sentence(text, start)
    return {
        "type": clause_type,
        "quote": text[span.start : span.end],
        "start": span.start,
        "end": span.end,
        "params": params,
    }


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    docs, labels = tmp_path / "docs", tmp_path / "labels"
    docs.mkdir()
    labels.mkdir()
    (docs / "northwind.txt").write_text(NORTHWIND, encoding="utf-8")
    (docs / "lumen.pdf").write_bytes(b"%PDF-1.7 not read")
    (docs / "lumen.pdf.txt").write_text(LUMEN, encoding="utf-8")
    (docs / "card.md").write_text(CARD, encoding="utf-8")
    manifest = [
        _entry("northwind.txt", "license", "northwind", "1"),
        _entry("lumen.pdf", "aup", "lumen", "2"),
        _entry("card.md", "model_card"),
    ]
    (tmp_path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    spans = [
        _label(NORTHWIND, LAW, "governing_law", {"jurisdiction": "US-OR"}),
        _label(NORTHWIND, THRESHOLD, "usage_threshold", {"thresholds": []}),
    ]
    gold = {"doc": "northwind.txt", "spans": spans}
    (labels / "northwind.txt.json").write_text(json.dumps(gold), encoding="utf-8")
    return tmp_path


def test_manifest_keeps_licenses_and_use_policies(corpus: Path) -> None:
    metas = read_manifest(corpus)
    assert [(m.file, m.kind, m.family, m.version) for m in metas] == [
        ("northwind.txt", "license", "northwind", "1"),
        ("lumen.pdf", "aup", "lumen", "2"),
    ]
    assert metas[0].title == "Title of northwind.txt"


def test_pdf_text_is_read_beside_the_pdf(corpus: Path) -> None:
    doc = reference_document(corpus, "lumen.pdf")
    assert doc.text == LUMEN
    assert doc.source == "lumen.pdf"
    assert doc.media_type == "text/plain"
    assert reference_document(corpus, "card.md").media_type == "text/markdown"


def test_gold_tagger_reads_labels(corpus: Path) -> None:
    tags = gold_tagger(corpus)(reference_document(corpus, "northwind.txt"))
    assert [t.clause_type for t in tags] == [
        ClauseType.GOVERNING_LAW,
        ClauseType.USAGE_THRESHOLD,
    ]
    assert tags[0].params == {"jurisdiction": "US-OR"}
    assert tags[0].explanation.extractor == "gold"
    # A document without a label file has no labelled clauses.
    assert gold_tagger(corpus)(reference_document(corpus, "lumen.pdf")) == ()


def test_gold_quote_that_does_not_match_is_a_config_error(corpus: Path) -> None:
    path = corpus / "labels" / "northwind.txt.json"
    gold = json.loads(path.read_text(encoding="utf-8"))
    gold["spans"][0]["start"] += 1
    path.write_text(json.dumps(gold), encoding="utf-8")
    with pytest.raises(ConfigError, match="quote"):
        gold_tagger(corpus)(reference_document(corpus, "northwind.txt"))


def test_unknown_gold_type_is_a_config_error(corpus: Path) -> None:
    path = corpus / "labels" / "northwind.txt.json"
    gold = json.loads(path.read_text(encoding="utf-8"))
    gold["spans"][0]["type"] = "warranty"
    path.write_text(json.dumps(gold), encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown clause type"):
        gold_tagger(corpus)(reference_document(corpus, "northwind.txt"))


def test_bad_corpus_files_are_reported(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="manifest"):
        read_manifest(tmp_path)
    (tmp_path / "manifest.json").write_text("{}", encoding="utf-8")
    with pytest.raises(ConfigError, match="JSON list"):
        read_manifest(tmp_path)
    (tmp_path / "manifest.json").write_text("[{}]", encoding="utf-8")
    with pytest.raises(ConfigError, match="invalid"):
        read_manifest(tmp_path)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "bad.txt").write_bytes(b"\xff\xfe\xfa")
    with pytest.raises(DecodeError, match="not UTF-8"):
        reference_document(tmp_path, "bad.txt")
    with pytest.raises(ConfigError, match="cannot read"):
        reference_document(tmp_path, "missing.txt")


def test_main_builds_an_index_from_gold_labels(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out" / "index.json"
    assert main(["--corpus", str(corpus), "--out", str(out), "--clauses", "gold"]) == 0
    index = load_index(out)
    assert [e.file for e in index.entries] == ["northwind.txt", "lumen.pdf"]
    north = index.entries[0]
    assert north.sha256 == text_sha256(NORTHWIND)
    assert [r.clause_type for r in north.clauses] == [
        ClauseType.USAGE_THRESHOLD,
        ClauseType.GOVERNING_LAW,
    ]
    result = identify(Document("d", NORTHWIND, "text/plain"), [], index)
    assert (result.status, result.family) == ("exact", "northwind")


def test_engine_tagger_is_used_by_default(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fake(document: Document) -> Sequence[ClauseTag]:
        if document.source != "northwind.txt":
            return ()
        return [tag(document.text, LAW, ClauseType.GOVERNING_LAW, jurisdiction="US-OR")]

    monkeypatch.setattr(build, "default_tagger", lambda: fake)
    assert engine_tagger() is fake
    index = build_from_corpus(corpus, engine_tagger())
    assert [r.clause_type for r in index.entries[0].clauses] == [
        ClauseType.GOVERNING_LAW
    ]
    out = tmp_path / "index.json"
    assert main(["--corpus", str(corpus), "--out", str(out)]) == 0


def test_spdx_is_read_from_standard_titles() -> None:
    assert spdx_of("Grok-1 Apache License 2.0 - Apache control") == "Apache-2.0"
    assert spdx_of("Apache License, Version 2.0") == "Apache-2.0"
    assert spdx_of("Some MIT License") == "MIT"
    assert spdx_of("Apache-2.0 code + Other Model License") is None
