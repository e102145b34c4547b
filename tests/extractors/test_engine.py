"""The whole clause engine on tiny documents: resolution, citations, provenance.

Data-driven cases live in `tests/fixtures/engine/`: each document `NAME.txt`
or `NAME.md` has its expected clauses, with offsets, lines and pages, in
`NAME.expected.json`. Run pytest with `--regen-cases` (the flag that also
rewrites `tests/cases/`) to rewrite the expectations after an intended
change, then review the diff.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from extractors.engine import (
    ENGINE_VERSION,
    ClauseEngine,
    build_engine,
)
from extractors.labels import ClauseType
from extractors.output import result_to_dict
from extractors.parse import parse_bytes, parse_path
from extractors.types import Citation, ClauseTag, Document

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "engine"
T = ClauseType


@cache
def _engine() -> ClauseEngine:
    return build_engine(identify=False)


def _quote(document: Document, tag: ClauseTag) -> str:
    return document.text[tag.span.start : tag.span.end]


def _find(
    document: Document, clauses: tuple[ClauseTag, ...], clause_type: ClauseType
) -> list[tuple[str, dict[str, Any]]]:
    return [
        (_quote(document, tag), dict(tag.params))
        for tag in clauses
        if tag.clause_type is clause_type
    ]


def _assert_citations_verify(
    document: Document, clauses: tuple[ClauseTag, ...]
) -> None:
    for tag in clauses:
        citation = Citation.from_span(document, tag.span)
        citation.verify(document)
        before = document.text[: tag.span.start]
        assert citation.line == before.count("\n") + 1
        assert citation.page == before.count("\f") + 1


# --- data-driven fixtures ---------------------------------------------------------


def _fixture_docs() -> list[Path]:
    return sorted(p for p in FIXTURES.iterdir() if p.suffix in (".txt", ".md"))


def _summary(
    document: Document, clauses: tuple[ClauseTag, ...]
) -> list[dict[str, Any]]:
    return [
        {
            "type": tag.clause_type.value,
            "start": tag.span.start,
            "end": tag.span.end,
            "quote": _quote(document, tag),
            "line": document.line_of(tag.span.start),
            "page": document.page_of(tag.span.start),
            "params": json.loads(json.dumps(dict(tag.params))),
        }
        for tag in clauses
    ]


@pytest.mark.parametrize("path", _fixture_docs(), ids=lambda p: p.name)
def test_fixture_documents(path: Path, request: pytest.FixtureRequest) -> None:
    document = parse_path(path)
    clauses, _ = _engine().tag(document)
    _assert_citations_verify(document, clauses)
    actual = _summary(document, clauses)
    expected_path = path.with_suffix(".expected.json")
    if request.config.getoption("regen_cases"):
        expected_path.write_text(
            json.dumps(actual, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    assert actual == expected


def test_every_fixture_has_expectations() -> None:
    docs = _fixture_docs()
    assert docs
    for path in docs:
        assert path.with_suffix(".expected.json").is_file(), path.name


# --- resolution ---------------------------------------------------------------------


def test_defined_territory_gives_its_regions() -> None:
    document = parse_path(FIXTURES / "territory.txt")
    clauses, _ = _engine().tag(document)
    geo = _find(document, clauses, T.GEOGRAPHIC_RESTRICTION)
    assert [quote for quote, _ in geo] == [
        '"Territory" means the whole world, excluding the European Union and the\n'
        "United Kingdom.",
        "You may use the Model exclusively in the Territory.",
        "You may not use the Model\noutside the Territory.",
    ]
    for _, params in geo:
        assert params == {"regions": ["EU", "GB"], "mode": "excluded"}


def test_territory_without_definition_stays_empty() -> None:
    text = "You may use the Model exclusively in the Territory.\n"
    document = parse_bytes(text.encode(), name="t.txt")
    clauses, _ = _engine().tag(document)
    for _, params in _find(document, clauses, T.GEOGRAPHIC_RESTRICTION):
        assert params["regions"] == []


def test_short_policy_name_resolved_from_its_definition() -> None:
    document = parse_path(FIXTURES / "aup_and_courts.txt")
    clauses, _ = _engine().tag(document)
    [(quote, params)] = _find(document, clauses, T.AUP_INCORPORATION)
    assert quote == "You must comply with the AUP when you use the Model."
    assert params == {
        "policy": "Zephyr Acceptable Use Policy",
        "url": "https://zephyr.example.com/aup",
        "updatable": True,
    }
    [(_, change)] = _find(document, clauses, T.UNILATERAL_CHANGE)
    assert change == {"target": "policy"}


def test_policy_not_updatable_without_a_change_clause() -> None:
    text = (
        '"AUP" means the Zephyr Acceptable Use Policy at https://zephyr.example.com/aup.'
        "\n\nYou must comply with the AUP when you use the Model.\n"
    )
    document = parse_bytes(text.encode(), name="t.txt")
    clauses, _ = _engine().tag(document)
    [(_, params)] = _find(document, clauses, T.AUP_INCORPORATION)
    assert params["updatable"] is False
    assert params["url"] == "https://zephyr.example.com/aup"


def test_bare_courts_sentence_inherits_the_governing_law() -> None:
    document = parse_path(FIXTURES / "aup_and_courts.txt")
    clauses, _ = _engine().tag(document)
    law = _find(document, clauses, T.GOVERNING_LAW)
    assert law == [
        (
            "This Agreement is governed by the laws of the State of New York.",
            {"jurisdiction": "US-NY"},
        ),
        (
            "The courts where the Licensor is located shall have exclusive"
            " jurisdiction over\nany dispute arising out of this Agreement.",
            {"jurisdiction": "US-NY"},
        ),
    ]


def test_named_courts_keep_their_own_place() -> None:
    text = (
        "This Agreement is governed by the laws of the State of Delaware.\n"
        "Any dispute shall be submitted to the courts of Singapore.\n"
    )
    document = parse_bytes(text.encode(), name="t.txt")
    clauses, _ = _engine().tag(document)
    codes = [p["jurisdiction"] for _, p in _find(document, clauses, T.GOVERNING_LAW)]
    assert codes == ["US-DE", "SG"]


# --- citations, lines and pages ----------------------------------------------------

PAGED = (
    "Zephyr Terms\r\n"
    "\r\n"
    "You may use the Model solely for non-commercial purposes.\r\n"
    "\f"
    "This Agreement is governed by the laws of\r\n"
    "the State of California.\r\n"
    "\f\r\n"
    "You must not use the outputs of the Model to train any other model.\r\n"
)


def test_citations_carry_line_and_page() -> None:
    document = parse_bytes(PAGED.encode(), name="paged.txt")
    clauses, _ = _engine().tag(document)
    _assert_citations_verify(document, clauses)
    cited = [
        (
            tag.clause_type,
            document.line_of(tag.span.start),
            document.page_of(tag.span.start),
        )
        for tag in clauses
    ]
    assert cited == [
        (T.COMMERCIAL_RESTRICTION, 3, 1),
        (T.GOVERNING_LAW, 4, 2),
        (T.OUTPUT_RESTRICTION, 7, 3),
    ]
    law = next(t for t in clauses if t.clause_type is T.GOVERNING_LAW)
    assert _quote(document, law) == (
        "This Agreement is governed by the laws of\r\nthe State of California."
    )


def test_result_dict_citations_verify() -> None:
    document = parse_bytes(PAGED.encode(), name="paged.txt")
    data = result_to_dict(_engine().analyze(document), name="paged.txt")
    assert data["document"]["pages"] == 3
    assert data["document"]["sha256"] == document.id
    for clause in data["clauses"]:
        assert PAGED[clause["start"] : clause["end"]] == clause["quote"]
    for finding in data["findings"]:
        for cite in finding["citations"]:
            assert PAGED[cite["start"] : cite["end"]] == cite["quote"]


def test_model_card_citations_verify() -> None:
    document = parse_path(FIXTURES / "model_card.md")
    assert document.media_type == "text/markdown"
    clauses, _ = _engine().tag(document)
    _assert_citations_verify(document, clauses)
    assert {tag.clause_type for tag in clauses} == {
        T.ATTRIBUTION,
        T.USAGE_THRESHOLD,
        T.OUTPUT_RESTRICTION,
    }


# --- engine API -------------------------------------------------------------------


def test_analyze_reports_provenance_and_findings() -> None:
    document = parse_bytes(PAGED.encode(), name="paged.txt")
    result = _engine().analyze(document)
    assert result.provenance.engine_version == ENGINE_VERSION
    assert len(result.provenance.patterns_sha256) == 64
    assert len(result.provenance.rules_sha256) == 64
    assert result.license is None
    categories = {finding.category.value for finding in result.findings}
    assert "commercial_use" in categories
    for finding in result.findings:
        for citation in finding.citations:
            citation.verify(document)


def test_engine_is_deterministic() -> None:
    document = parse_path(FIXTURES / "model_card.md")
    first = _engine().tag(document)
    second = build_engine(identify=False).tag(document)
    assert first == second


def test_no_clauses_in_plain_prose() -> None:
    text = "Zephyr-mini is a small model. It was trained on public text in 2025.\n"
    clauses, discarded = _engine().tag(parse_bytes(text.encode(), name="t.txt"))
    assert clauses == ()
    assert discarded == ()


def test_a_document_over_a_million_characters_is_analysed_with_exact_citations() -> (
    None
):
    # spaCy alone refuses texts over 1,000,000 characters (E088); the engine
    # matches in pieces, so a large document loses neither clauses nor offsets
    filler = "The parties met on a sunny day and talked about the harvest.\n\n"
    law = "This Agreement is governed by the laws of the State of New York."
    text = filler * (1_100_000 // len(filler)) + law + "\n"
    document = parse_bytes(text.encode("utf-8"), name="long.txt")
    result = build_engine().analyze(document)
    [clause] = result.clauses
    assert clause.clause_type is T.GOVERNING_LAW
    assert _quote(document, clause) == law
    assert clause.params["jurisdiction"] == "US-NY"
