from __future__ import annotations

import json

import extractors.identify as identify_pkg
from extractors.identify import identify_document

from . import LUMEN, document


def test_public_names_are_exported() -> None:
    for name in identify_pkg.__all__:
        assert hasattr(identify_pkg, name)


def test_identify_document_reports_as_result_json() -> None:
    report = identify_document(document(LUMEN), [])
    assert report.identification.status == "unknown"
    assert report.model_card_notes is None
    result = report.to_dict()
    assert json.loads(json.dumps(result))["status"] == "unknown"
    assert "model_card_notes" not in result


def test_identify_document_checks_model_cards() -> None:
    text = "---\nlicense: llama3.1\nbase_model: meta-llama/Llama-3.1-8B\n---\n" + LUMEN
    meta = {"license": "llama3.1", "base_model": "meta-llama/Llama-3.1-8B"}
    result = identify_document(document(text, meta, "text/markdown"), []).to_dict()
    kinds = [note["kind"] for note in result["model_card_notes"]]
    assert kinds == ["declared_license", "base_model_flowdown"]
    assert result["model_card_notes"][0]["evidence"]["quote"] == "license: llama3.1"
