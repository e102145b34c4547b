from __future__ import annotations

import json
from typing import Any

import pytest

from extractors.identify.match import Identification, identify
from extractors.identify.modelcard import (
    KnownLicense,
    ModelCardNote,
    check_model_card,
    front_matter_evidence,
    resolve_base_model,
    resolve_declared,
)
from extractors.types import Citation, Document

from . import NORTHWIND, document, make_index

BODY = "\n".join(
    f"Evaluation {i}: the model answered {i * 7} questions on topic {i}."
    for i in range(40)
)


def _card(front: str, meta: dict[str, Any], body: str = BODY) -> Document:
    return document(f"---\n{front}---\n# A model\n\n{body}\n", meta, "text/markdown")


def _notes(
    doc: Document, family: str = "llama", version: str = "3.1"
) -> list[ModelCardNote]:
    # The made-up Northwind text stands in for a known license of `family`.
    index = make_index(family=family, version=version)
    return list(check_model_card(doc, identify(doc, [], index)))


def _kinds(notes: list[ModelCardNote]) -> list[str]:
    return [note.kind for note in notes]


def test_declared_license_that_matches_the_embedded_one() -> None:
    doc = _card("license: llama3.1\n", {"license": "llama3.1"}, NORTHWIND + BODY)
    notes = _notes(doc)
    assert _kinds(notes) == ["declared_license", "license_consistent"]
    declared = notes[0].evidence
    assert isinstance(declared, Citation)
    assert declared.quote == "license: llama3.1"
    assert declared.line == 2
    declared.verify(doc)


def test_declared_license_that_differs_from_the_embedded_one() -> None:
    doc = _card("license: apache-2.0\n", {"license": "apache-2.0"}, NORTHWIND + BODY)
    notes = _notes(doc)
    assert "license_mismatch" in _kinds(notes)
    mismatch = next(n for n in notes if n.kind == "license_mismatch")
    assert "Apache License 2.0" in mismatch.message
    assert "embeds the Northwind Model License" in mismatch.message
    assert isinstance(mismatch.evidence, Citation)
    assert "NORTHWIND MODEL LICENSE" in mismatch.evidence.quote


def test_version_mismatch_is_flagged() -> None:
    doc = _card("license: llama3.1\n", {"license": "llama3.1"}, NORTHWIND + BODY)
    assert "license_mismatch" in _kinds(_notes(doc, version="3.2"))


def test_other_with_license_name_is_resolved() -> None:
    front = "license: other\nlicense_name: gemma-terms-of-use\nlicense_link: https://x.test/t\n"
    meta = {"license": "other", "license_name": "gemma-terms-of-use"}
    notes = _notes(_card(front, meta, NORTHWIND + BODY), family="gemma", version="2024")
    assert _kinds(notes) == ["declared_license", "license_consistent"]
    assert isinstance(notes[0].evidence, Citation)
    assert notes[0].evidence.quote == "license_name: gemma-terms-of-use"


def test_unrecognised_license_points_to_its_link() -> None:
    front = "license: other\nlicense_name: acme-terms\nlicense_link: https://x.test/t\n"
    meta = {
        "license": "other",
        "license_name": "acme-terms",
        "license_link": "https://x.test/t",
    }
    notes = _notes(_card(front, meta))
    assert _kinds(notes) == ["unrecognised_license"]
    assert "https://x.test/t" in notes[0].message


def test_named_license_that_differs_from_the_declared_one() -> None:
    body = BODY + "\nThis model is released under the Gemma Terms of Use.\n"
    notes = _notes(_card("license: mit\n", {"license": "mit"}, body))
    assert _kinds(notes) == ["declared_license", "license_mention", "license_mismatch"]
    mention = notes[1].evidence
    assert isinstance(mention, Citation) and mention.quote == "Gemma Terms of Use"
    assert (
        "declares MIT License but the text names Gemma Terms of Use" in notes[2].message
    )


def test_named_license_that_agrees_is_not_a_mismatch() -> None:
    body = BODY + "\nUse is governed by the Llama 3.1 Community License.\n"
    notes = _notes(_card("license: llama3.1\n", {"license": "llama3.1"}, body))
    assert _kinds(notes) == ["declared_license", "license_mention"]


def test_base_model_with_a_known_license_flows_down() -> None:
    front = "license: llama3.1\nbase_model: meta-llama/Llama-3.1-8B\n"
    meta = {"license": "llama3.1", "base_model": "meta-llama/Llama-3.1-8B"}
    notes = _notes(_card(front, meta))
    flow = next(n for n in notes if n.kind == "base_model_flowdown")
    assert flow.message == (
        "base_model meta-llama/Llama-3.1-8B: terms of the base model's license "
        "(Llama 3.1 Community License) may flow down to this model"
    )
    assert isinstance(flow.evidence, Citation)
    assert flow.evidence.quote == "base_model: meta-llama/Llama-3.1-8B"
    assert "base_model_conflict" not in _kinds(notes)


def test_base_model_under_another_license_than_declared_is_a_conflict() -> None:
    front = "license: apache-2.0\nbase_model:\n- org/other-model\n- google/gemma-2b\n"
    meta = {
        "license": "apache-2.0",
        "base_model": ["org/other-model", "google/gemma-2b"],
    }
    notes = _notes(_card(front, meta))
    assert _kinds(notes) == [
        "declared_license",
        "base_model_flowdown",
        "base_model_flowdown",
        "base_model_conflict",
    ]
    generic, gemma, conflict = notes[1:]
    assert "org/other-model: terms of the base model's license may flow down" in (
        generic.message
    )
    assert "(Gemma Terms of Use)" in gemma.message
    assert isinstance(gemma.evidence, Citation)
    assert gemma.evidence.quote == "- google/gemma-2b"
    assert "Apache License 2.0" in conflict.message


def test_front_matter_without_license_is_noted() -> None:
    notes = _notes(_card("pipeline_tag: text-generation\n", {"pipeline_tag": "x"}))
    assert _kinds(notes) == ["undeclared_license"]
    assert notes[0].evidence == "license"


def test_plain_text_without_front_matter_has_no_notes() -> None:
    assert _notes(document(BODY)) == []


def test_found_license_without_declaration() -> None:
    notes = _notes(document(NORTHWIND))
    assert _kinds(notes) == ["found_license"]
    assert notes[0].message == "the text is the Northwind Model License"


def test_evidence_falls_back_to_the_key() -> None:
    doc = document("no front matter here", {"license": "mit"})
    assert front_matter_evidence(doc, "license", "mit") == "license"
    doc = _card("tags: []\n", {"license": "mit"})
    assert front_matter_evidence(doc, "license", "mit") == "license"


def test_evidence_handles_crlf_front_matter() -> None:
    text = "---\r\nlicense: mit\r\n---\r\nbody\r\n"
    doc = document(text, {"license": "mit"})
    cited = front_matter_evidence(doc, "license", "mit")
    assert isinstance(cited, Citation) and cited.quote == "license: mit"


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("meta-llama/Meta-Llama-3.1-70B-Instruct", "Llama 3.1 Community License"),
        ("meta-llama/Meta-Llama-3-8B", "Meta Llama 3 Community License"),
        ("meta-llama/Llama-2-7b-hf", "Llama 2 Community License"),
        ("meta-llama/Llama-4-Scout-17B-16E", "Llama 4 Community License"),
        ("codellama/CodeLlama-7b-hf", "Llama 2 Community License"),
        ("bigscience/bloomz-7b1", "BigScience RAIL v1.0"),
        ("mistralai/Mistral-7B-v0.1", None),
    ],
)
def test_base_model_names(name: str, title: str | None) -> None:
    found = resolve_base_model(name)
    assert (found.title if found else None) == title


def test_declared_ids_resolve_case_insensitively() -> None:
    assert resolve_declared(" Llama3.1 ") == KnownLicense(
        "Llama 3.1 Community License", "llama", "3.1"
    )
    assert resolve_declared("tongyi-qianwen") == resolve_declared("qwen")
    assert resolve_declared("nothing-like-it") is None


def test_agreement_rules() -> None:
    mit = KnownLicense("MIT", spdx="MIT")
    llama = KnownLicense("L", "llama", "3.1")
    assert mit.agrees(KnownLicense("MIT (DeepSeek)", "deepseek", "r1", "MIT"))
    assert not KnownLicense("D", "deepseek").agrees(
        KnownLicense("MIT (DeepSeek)", "deepseek", "r1", "MIT")
    )
    assert llama.agrees(KnownLicense("L", "llama"))
    assert not llama.agrees(KnownLicense("L", "llama", "3.2"))
    assert not KnownLicense("X").agrees(KnownLicense("X"))


def test_notes_are_json() -> None:
    front = "license: llama3.1\nbase_model: meta-llama/Llama-3.1-8B\n"
    meta = {"license": "llama3.1", "base_model": "meta-llama/Llama-3.1-8B"}
    notes = _notes(_card(front, meta))
    data = json.loads(json.dumps([n.to_dict() for n in notes]))
    assert data[0]["evidence"]["quote"] == "license: llama3.1"
    assert {"kind", "message", "evidence"} == set(data[0])
    undeclared = ModelCardNote("undeclared_license", "m", "license").to_dict()
    assert undeclared["evidence"] == "license"


def test_identification_is_all_the_check_needs() -> None:
    unknown = Identification("unknown", None, None, None, None, None, 0.0, ())
    doc = _card("license: mit\n", {"license": "mit"})
    assert _kinds(list(check_model_card(doc, unknown))) == ["declared_license"]
