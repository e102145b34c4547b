"""The scan result contract: every JSON output fits `ScanResult`; it is published."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel, ValidationError

from extractors import result_json
from service import result_contract
from service.app import create_app
from service.cli import EXIT_OK, main
from service.result_contract import ScanResult, scan_result_schema
from service.settings import Settings
from tests.licenses import eu_exclusion, license_text, threshold

PUBLISHED = Path(__file__).parents[2] / "service" / "data" / "scan-result.schema.json"
CARD = (
    "---\nlicense: llama3.1\nbase_model: meta-llama/Llama-3.1-8B\n---\n"
    "# Wren-8B\n\nUse of Wren is governed by the Llama 3.1 Community License.\n"
    'You must display "Built with Llama" on a related website.\n'
)


def test_the_committed_schema_is_the_models_schema() -> None:
    # regenerate with: python -c "import json; from service.result_contract
    # import scan_result_schema; print(json.dumps(scan_result_schema(), indent=2))"
    assert json.loads(PUBLISHED.read_text(encoding="utf-8")) == scan_result_schema()


@pytest.mark.parametrize("explain", [False, True])
def test_every_cli_json_output_fits_the_contract(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    explain: bool,
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("license.txt").write_text(
        license_text(
            "Kestrel Terms",
            [
                ("Scale", threshold("Kestrel")),
                ("Region", eu_exclusion("Kestrel")),
                ("Copies", "You are not required to include a copy of this license."),
            ],
        ),
        encoding="utf-8",
    )
    Path("README.md").write_text(CARD, encoding="utf-8")
    argv = ["scan", "license.txt", "README.md", "--format", "json", "-j", "1"]
    assert main(argv + (["--explain"] if explain else [])) == EXIT_OK
    results = json.loads(capsys.readouterr().out)
    for data in results:
        parsed = ScanResult.model_validate(data)
        assert parsed.schema_version == "1"
        # nothing is lost or added on the way through the model
        assert parsed.model_dump(mode="json") == data
    assert results[1]["license"]["model_card_notes"]
    assert ("discarded" in results[0]) is explain


def test_an_unknown_or_missing_field_is_refused() -> None:
    doc = {
        "document": {
            "name": "a.txt",
            "sha256": "0" * 64,
            "media_type": "text/plain",
            "chars": 0,
            "lines": 0,
            "pages": 1,
            "metadata": {},
        },
        "clauses": [],
        "findings": [],
        "license": None,
        "engine": {"version": "1", "patterns_sha256": "a", "rules_sha256": "b"},
    }
    ScanResult.model_validate(doc)
    with pytest.raises(ValidationError):
        ScanResult.model_validate(doc | {"surprise": 1})
    with pytest.raises(ValidationError):
        ScanResult.model_validate({k: v for k, v in doc.items() if k != "engine"})


def test_the_schema_is_served_without_a_key(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'c.db'}")
    with TestClient(create_app(settings)) as client:
        response = client.get("/schemas/scan-result")
    assert response.status_code == 200
    assert response.json() == scan_result_schema()


PAIRS = [
    (result_json.ResultJSON, result_contract.ScanResult),
    (result_json.DocumentJSON, result_contract.ResultDocument),
    (result_json.ClauseJSON, result_contract.Clause),
    (result_json.FindingJSON, result_contract.Finding),
    (result_json.CitationJSON, result_contract.Citation),
    (result_json.DiscardedJSON, result_contract.Discarded),
    (result_json.LicenseJSON, result_contract.License),
    (result_json.CandidateJSON, result_contract.Candidate),
    (result_json.DifferenceJSON, result_contract.Difference),
    (result_json.ModelCardNoteJSON, result_contract.ModelCardNote),
    (result_json.EngineJSON, result_contract.ResultEngine),
]


@pytest.mark.parametrize(
    ("typed", "model"), PAIRS, ids=[typed.__name__ for typed, _ in PAIRS]
)
def test_the_typed_json_and_the_pydantic_contract_have_the_same_fields(
    typed: Any, model: type[BaseModel]
) -> None:
    # the code that builds and reads results is typed by extractors.result_json;
    # the service validates and publishes with service.result_contract: one shape
    keys = set(typed.__required_keys__) | set(typed.__optional_keys__)
    assert keys == set(model.model_fields)
    optional = {
        name
        for name, field in model.model_fields.items()
        if not field.is_required() and field.default is None
    }
    assert set(typed.__optional_keys__) <= optional


def test_as_result_names_what_a_non_result_lacks() -> None:
    stored = {"schema_version": "1", "document": {}, "findings": [], "engine": {}}
    with pytest.raises(
        ValueError, match="not a clausewise result: no clauses, license"
    ):
        result_json.as_result(stored)
    assert result_json.as_result({**stored, "clauses": [], "license": None})
