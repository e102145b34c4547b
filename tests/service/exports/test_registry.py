"""The export registry the CLI and the API dispatch through, by format name."""

from __future__ import annotations

import json
from typing import Any

import pytest

from extractors.errors import ClausewiseError, InputError
from extractors.output import result_to_markdown
from service.exports import (
    EXPORTERS,
    MEDIA_TYPES,
    UnknownFormatError,
    export,
    get_exporter,
    to_json,
    to_markdown,
)
from tests.service.exports.conftest import LICENSE, NAME


def test_registry_names_and_media_types() -> None:
    assert set(EXPORTERS) == {"json", "markdown", "sarif", "cyclonedx", "text"}
    assert set(MEDIA_TYPES) == set(EXPORTERS)
    with pytest.raises(TypeError):
        EXPORTERS["csv"] = EXPORTERS["json"]  # type: ignore[index]


@pytest.mark.parametrize(
    ("fmt", "media_type"),
    [
        ("json", "application/json"),
        ("markdown", "text/markdown; charset=utf-8"),
        ("sarif", "application/sarif+json"),
        ("cyclonedx", "application/vnd.cyclonedx+json; version=1.6"),
        ("text", "text/plain; charset=utf-8"),
    ],
)
def test_each_exporter_returns_body_and_media_type(
    result: dict[str, Any], fmt: str, media_type: str
) -> None:
    body, got = EXPORTERS[fmt](result, name=NAME, text=LICENSE)
    assert got == media_type
    assert body.endswith("\n") and body.strip()
    assert export(fmt, result, name=NAME, text=LICENSE) == (body, got)


def test_json_keeps_the_contract_and_its_order(result: dict[str, Any]) -> None:
    body, _ = export("json", result, name=NAME)
    parsed = json.loads(body)
    assert parsed == result
    assert list(parsed) == list(result)
    assert list(parsed["clauses"][0]) == list(result["clauses"][0])
    assert body == to_json(result)
    assert body.startswith(
        '{\n  "schema_version": "1",\n  "document": {\n    "name": "orbit-license.txt"'
    )


def test_markdown_is_the_engine_report(result: dict[str, Any]) -> None:
    body, _ = export("markdown", result, name="ignored.txt")
    assert body == to_markdown(result) == result_to_markdown(result)
    assert body.startswith(f"# {NAME}\n")


def test_sarif_and_cyclonedx_use_name_and_text(result: dict[str, Any]) -> None:
    sarif = json.loads(export("sarif", result, name="docs/LICENSE", text=LICENSE)[0])
    run = sarif["runs"][0]
    assert run["artifacts"][0]["location"]["uri"] == "docs/LICENSE"
    assert (
        "startColumn" in run["results"][0]["locations"][0]["physicalLocation"]["region"]
    )
    no_text = json.loads(export("sarif", result, name="docs/LICENSE")[0])
    region = no_text["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert "startColumn" not in region["region"]
    bom = json.loads(export("cyclonedx", result, name="orbit-7b")[0])
    assert bom["components"][0]["name"] == "orbit-7b"


def test_unknown_format_names_the_known_ones(result: dict[str, Any]) -> None:
    with pytest.raises(UnknownFormatError) as caught:
        export("spdx", result, name=NAME)
    message = str(caught.value)
    assert "'spdx'" in message
    for fmt in EXPORTERS:
        assert fmt in message
    assert caught.value.format == "spdx"
    assert isinstance(caught.value, InputError)
    assert isinstance(caught.value, ClausewiseError)
    with pytest.raises(UnknownFormatError, match="known formats: cyclonedx, json"):
        get_exporter("SARIF")
