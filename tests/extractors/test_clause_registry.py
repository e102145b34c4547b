"""The clause registry: one complete, consistent spec per clause type."""

from __future__ import annotations

from typing import get_type_hints

import pytest

from extractors.clauses import REGISTRY, spec_of
from extractors.clauses.spec import DocumentContext
from extractors.labels import ClauseType
from extractors.params import EXTRACTORS, extract_params


def test_every_clause_type_has_its_own_spec_in_enum_order() -> None:
    assert list(REGISTRY) == list(ClauseType)
    for ctype, spec in REGISTRY.items():
        assert spec.clause_type is ctype
        assert spec_of(ctype) is spec


def test_names_and_badges_tell_the_types_apart() -> None:
    labels = [spec.label for spec in REGISTRY.values()]
    badges = [spec.abbr for spec in REGISTRY.values()]
    assert len(set(labels)) == len(labels)
    assert len(set(badges)) == len(badges)
    assert all(len(abbr) == 2 and abbr.isupper() for abbr in badges)


@pytest.mark.parametrize("ctype", list(ClauseType), ids=str)
def test_declared_param_names_are_the_typed_params_keys(ctype: ClauseType) -> None:
    spec = REGISTRY[ctype]
    typed = get_type_hints(spec.parse)["return"]
    assert set(typed.__annotations__) == set(spec.param_names)
    assert len(spec.param_names) == len(set(spec.param_names))
    assert spec.has_params is bool(spec.param_names)


@pytest.mark.parametrize("ctype", list(ClauseType), ids=str)
def test_a_fallback_has_a_key_field_a_question_and_a_check(ctype: ClauseType) -> None:
    spec = REGISTRY[ctype]
    assert (spec.ground is None) is (spec.question is None)
    if spec.key_field is not None:
        assert spec.key_field in spec.param_names
    if spec.ground is not None:
        assert spec.key_field is not None
        assert f'"{spec.key_field}"' in str(spec.question)
    assert 0.0 < spec.model_bar <= 1.0


def test_the_parsers_are_the_registry_parsers() -> None:
    assert {t: s.parse for t, s in REGISTRY.items()} == dict(EXTRACTORS)
    text = "monthly active users greater than 700 million, you must request a license"
    assert extract_params(ClauseType.USAGE_THRESHOLD, text) == {
        "thresholds": [
            {
                "metric": "monthly_active_users",
                "value": 700_000_000,
                "consequence": "license_required",
            }
        ]
    }
    assert extract_params(ClauseType.OUTPUT_RESTRICTION, text) == {}


def test_a_document_fact_is_computed_once() -> None:
    context = DocumentContext("text", ())
    calls: list[str] = []

    def fact(found: DocumentContext) -> int:
        calls.append(found.text)
        return len(calls)

    assert context.once(fact) == 1
    assert context.once(fact) == 1
    assert calls == ["text"]
    assert DocumentContext("text", ()).once(fact) == 2
