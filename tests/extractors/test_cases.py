"""Clause behaviour as data: every case in `tests/cases/` through the pattern engine.

A case is a short document written for the test (never corpus text),
`tests/cases/<clause_type>/NAME.txt` (or `.md`: the suffix breaks a
Markdown/plain-text tie in the parser, as a file's name does), and beside it
`NAME.yml`: an optional `notes` line saying what the case is about, and
`clauses`, every clause the engine tags in the document, in order, each as
its type, exact quote and parameters; a case that must tag nothing has
`clauses: []`. The folder names the clause type the case is about.

After an intended change, `pytest tests/extractors/test_cases.py
--regen-cases` rewrites every `NAME.yml` from what the engine says (keeping
its notes), so the change is reviewed in the git diff.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from extractors.engine import ClauseEngine, build_engine
from extractors.labels import ClauseType
from extractors.parse import parse_path
from extractors.types import Citation, ClauseTag, Document

CASES = Path(__file__).resolve().parents[1] / "cases"
DOCUMENT_SUFFIXES = (".txt", ".md")


@cache
def pattern_engine() -> ClauseEngine:
    """The shipped patterns only (no model stage), built once for every case."""
    return build_engine(identify=False)


def case_documents() -> list[Path]:
    """Every case document, sorted so that test ids are stable."""
    return sorted(
        path for path in CASES.glob("*/*") if path.suffix in DOCUMENT_SUFFIXES
    )


def _case_id(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


def clause_summary(document: Document, tag: ClauseTag) -> dict[str, Any]:
    """What a case file records of one clause: type, exact quote, parameters."""
    return {
        "type": tag.clause_type.value,
        "quote": document.text[tag.span.start : tag.span.end],
        # through JSON, so tuples read as the lists YAML gives back
        "params": json.loads(json.dumps(dict(tag.params))),
    }


def dump_expected(notes: str | None, clauses: list[dict[str, Any]]) -> str:
    """The text of a case's `NAME.yml`."""
    data: dict[str, Any] = {} if notes is None else {"notes": notes}
    data["clauses"] = clauses
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10_000)


def load_expected(path: Path) -> dict[str, Any]:
    """A case's `NAME.yml`, checked to hold only the keys a case may have."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{path.name}: not a mapping"
    assert set(data) <= {"notes", "clauses"}, f"{path.name}: {sorted(data)}"
    assert isinstance(data.get("clauses"), list), f"{path.name}: no clauses list"
    return data


def _assert_tag_is_explained(document: Document, tag: ClauseTag) -> None:
    Citation.from_span(document, tag.span).verify(document)
    assert tag.explanation.extractor == "patterns"
    assert tag.explanation.pattern_id
    assert 0.0 < tag.score <= 1.0


@pytest.mark.parametrize("path", case_documents(), ids=_case_id)
def test_case(path: Path, request: pytest.FixtureRequest) -> None:
    document = parse_path(path)
    clauses, _ = pattern_engine().tag(document)
    for tag in clauses:
        _assert_tag_is_explained(document, tag)
    actual = [clause_summary(document, tag) for tag in clauses]
    expected_path = path.with_suffix(".yml")
    if request.config.getoption("regen_cases"):
        notes = (
            load_expected(expected_path).get("notes")
            if expected_path.is_file()
            else None
        )
        expected_path.write_text(dump_expected(notes, actual), encoding="utf-8")
    expected = load_expected(expected_path)
    assert actual == expected["clauses"]
    # what --regen-cases writes reads back as what the engine said
    assert yaml.safe_load(dump_expected(None, actual))["clauses"] == actual


def test_every_case_has_a_document_and_expectations() -> None:
    documents = {path.with_suffix("") for path in case_documents()}
    expectations = {path.with_suffix("") for path in CASES.glob("*/*.yml")}
    assert documents
    assert documents == expectations
    assert {path.parent.name for path in documents} <= {t.value for t in ClauseType}


def test_every_clause_type_has_two_positive_cases() -> None:
    positives = dict.fromkeys(ClauseType, 0)
    for path in case_documents():
        folder = ClauseType(path.parent.name)
        clauses = load_expected(path.with_suffix(".yml"))["clauses"]
        positives[folder] += any(c["type"] == folder.value for c in clauses)
    assert all(n >= 2 for n in positives.values()), positives
