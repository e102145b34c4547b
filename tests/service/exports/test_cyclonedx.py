"""CycloneDX 1.6 export: ML-BOM component, valid licenses, findings as properties."""

from __future__ import annotations

import copy
import datetime as dt
import functools
import json
import re
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest

from extractors.engine import ClauseEngine
from extractors.output import result_to_dict
from extractors.parse import parse_bytes
from service.exports.cyclonedx import to_cyclonedx
from service.exports.licenses import SPDX_IDS, idstring, is_license_ref
from service.exports.markdown import to_markdown
from tests.service.exports.conftest import LICENSE, scan

SERIAL = re.compile(
    r"^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
)
LICENSE_KEYS = {"bom-ref", "id", "name", "acknowledgement", "text", "url"}
WHEN = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)


@functools.cache
def _schema() -> Any:
    """The CycloneDX 1.6 JSON schema as cyclonedx-python-lib ships it, offline.

    The BOM is built by hand (service/exports/cyclonedx.py says why); this
    checks every BOM a test builds against the real schema, SPDX ids included.
    """
    import cyclonedx.schema._res as shipped

    folder = Path(shipped.__file__).parent

    def retrieve(uri: str) -> Any:
        return json.loads((folder / uri.rsplit("/", 1)[-1]).read_text())

    schema = json.loads((folder / "bom-1.6.SNAPSHOT.schema.json").read_text())
    return jsonschema_rs.validator_for(
        schema, retriever=retrieve, validate_formats=True
    )


def assert_valid_bom(bom: dict[str, Any]) -> None:
    errors = [str(error).splitlines()[0] for error in _schema().iter_errors(bom)]
    assert errors == []


def _bom(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    bom = to_cyclonedx(
        result, component_name="orbit-7b", component_version="2.0", **kwargs
    )
    assert_valid_bom(bom)
    return bom


def _component(bom: dict[str, Any]) -> dict[str, Any]:
    [component] = bom["components"]
    out: dict[str, Any] = component
    return out


def _with_license(result: dict[str, Any], **fields: Any) -> dict[str, Any]:
    changed = copy.deepcopy(result)
    changed["license"] = {
        "status": "exact",
        "family": None,
        "version": None,
        "title": None,
        "spdx": None,
    } | fields
    return changed


def assert_valid_license_choice(choice: list[dict[str, Any]]) -> None:
    """The rules of the 1.6 schema's `licenseChoice` and `license` definitions."""
    assert choice
    if "expression" in choice[0]:
        assert len(choice) == 1  # a tuple of exactly one expression
        assert set(choice[0]) <= {"expression", "acknowledgement", "bom-ref"}
        return
    for entry in choice:
        assert set(entry) == {"license"}
        lic = entry["license"]
        assert set(lic) <= LICENSE_KEYS
        assert ("id" in lic) != ("name" in lic)  # oneOf id / name
        if "id" in lic:
            assert lic["id"] in SPDX_IDS
            assert not lic["id"].startswith("LicenseRef-")


def test_bom_header_and_model_component(result: dict[str, Any]) -> None:
    bom = _bom(result, timestamp=WHEN)
    json.dumps(bom)
    assert bom["bomFormat"] == "CycloneDX"
    assert bom["specVersion"] == "1.6"
    assert bom["version"] == 1
    assert SERIAL.match(bom["serialNumber"])
    assert bom["metadata"]["timestamp"] == "2026-11-23T12:00:00Z"
    [tool] = bom["metadata"]["tools"]["components"]
    assert tool["name"] == "clausewise"
    assert tool["version"] == result["engine"]["version"]
    component = _component(bom)
    assert component["type"] == "machine-learning-model"
    assert component["name"] == "orbit-7b" and component["version"] == "2.0"
    assert component["bom-ref"]


def test_version_is_left_out_when_unknown(result: dict[str, Any]) -> None:
    component = _component(to_cyclonedx(result, component_name="orbit"))
    assert "version" not in component
    assert component["bom-ref"] == "model:orbit"


def test_serial_is_deterministic_per_document(
    engine: ClauseEngine, result: dict[str, Any]
) -> None:
    again = _bom(scan(engine, LICENSE))["serialNumber"]
    assert _bom(result)["serialNumber"] == again
    other = scan(engine, LICENSE + "\n6. Notices. Keep this file.\n")
    assert _bom(other)["serialNumber"] != again
    given = "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79"
    assert _bom(result, serial=given)["serialNumber"] == given


def test_serial_without_a_document_hash_is_still_stable(
    result: dict[str, Any],
) -> None:
    bare = copy.deepcopy(result)
    del bare["document"]["sha256"]
    assert SERIAL.match(_bom(bare)["serialNumber"])
    assert _bom(bare)["serialNumber"] == _bom(copy.deepcopy(bare))["serialNumber"]
    assert _bom(bare)["serialNumber"] != _bom(result)["serialNumber"]


def test_unidentified_license_is_a_license_ref_expression(
    result: dict[str, Any],
) -> None:
    assert result["license"]["status"] == "unknown"
    choice = _component(_bom(result))["licenses"]
    assert_valid_license_choice(choice)
    sha = result["document"]["sha256"]
    assert choice == [
        {
            "expression": f"LicenseRef-clausewise-unidentified-{sha[:12]}",
            "acknowledgement": "concluded",
        }
    ]
    assert is_license_ref(choice[0]["expression"])


def test_spdx_license_gets_an_id(result: dict[str, Any]) -> None:
    choice = _component(_bom(_with_license(result, family="x", spdx="MIT")))["licenses"]
    assert_valid_license_choice(choice)
    assert choice == [{"license": {"id": "MIT", "acknowledgement": "concluded"}}]


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            {"family": "llama", "version": "3.1", "spdx": None},
            "LicenseRef-clausewise-llama-3.1",
        ),
        (  # not on the SPDX list: never an id
            {"family": "llama", "version": "2", "spdx": "Llama-2-Community"},
            "LicenseRef-clausewise-llama-2",
        ),
        (
            {"family": "qwen", "version": "tongyi-2023-08-03 (rev. 2023-11-30)"},
            "LicenseRef-clausewise-qwen-tongyi-2023-08-03-rev.-2023-11-30",
        ),
        (  # a modified MIT text is not MIT any more
            {
                "status": "modified",
                "family": "deepseek",
                "version": "r1",
                "spdx": "MIT",
            },
            "LicenseRef-clausewise-deepseek-r1-modified-{sha}",
        ),
    ],
)
def test_other_licenses_get_license_refs(
    result: dict[str, Any], fields: dict[str, Any], expected: str
) -> None:
    choice = _component(_bom(_with_license(result, **fields)))["licenses"]
    assert_valid_license_choice(choice)
    ref = expected.format(sha=result["document"]["sha256"][:12])
    assert choice == [{"expression": ref, "acknowledgement": "concluded"}]
    assert is_license_ref(ref)


def test_idstring_keeps_only_spdx_characters() -> None:
    assert idstring("stability", "openrail++-m-2022-11-24") == (
        "stability-openrail-m-2022-11-24"
    )
    assert idstring(None, "") == "unnamed"


def test_properties_hold_every_finding_and_clause(result: dict[str, Any]) -> None:
    props = _component(_bom(result))["properties"]
    assert all(isinstance(p["value"], str) for p in props)
    assert all(p["name"].startswith("clausewise:") for p in props)
    names = [p["name"] for p in props]
    values = {p["name"]: p["value"] for p in props}
    assert values["clausewise:engine.version"] == result["engine"]["version"]
    for finding in result["findings"]:
        value = values[f"clausewise:finding:{finding['rule_id']}"]
        assert value.startswith(f"{finding['severity']}: {finding['title']}")
        assert f"line {finding['citations'][0]['line']}" in value
    clause_names = [n for n in names if n.startswith("clausewise:clause:")]
    assert clause_names == [f"clausewise:clause:{c['type']}" for c in result["clauses"]]
    threshold = values["clausewise:clause:usage_threshold"]
    assert threshold.startswith("line 6: Should the services you offer reach")
    assert "\n" not in threshold and len(threshold) <= len("line 6: ") + 120


def test_verdicts_are_properties_when_a_profile_was_applied(
    profiled: dict[str, Any],
) -> None:
    values = {p["name"]: p["value"] for p in _component(_bom(profiled))["properties"]}
    verdict = values["clausewise:finding:scale-usage-threshold:verdict"]
    assert "700,000,000" in verdict
    assert values["clausewise:finding:scale-usage-threshold"].startswith(
        "does_not_apply: "
    )


CARD = """---
license: {license}
base_model: meta-llama/Llama-3.1-8B
{extra}---

# Nimbus-8B

A fine-tune for summarising meeting notes.
"""


def _card(engine: ClauseEngine, license: str, extra: str = "") -> dict[str, Any]:
    text = CARD.format(license=license, extra=extra)
    document = parse_bytes(text.encode("utf-8"), name="README.md")
    return result_to_dict(engine.analyze(document), name="README.md")


@pytest.mark.parametrize(
    ("license", "extra", "declared"),
    [
        ("llama3.1", "", {"name": "llama3.1"}),
        ("apache-2.0", "", {"id": "Apache-2.0"}),
        (
            "other",
            "license_name: nimbus-license\nlicense_link: https://nimbus.example/l\n",
            {"name": "nimbus-license", "url": "https://nimbus.example/l"},
        ),
        (
            "other",
            "license_name: nimbus-license\nlicense_link: LICENSE\n",
            {"name": "nimbus-license"},
        ),
    ],
)
def test_a_model_card_license_is_exported_as_declared(
    engine: ClauseEngine, license: str, extra: str, declared: dict[str, str]
) -> None:
    result = _card(engine, license, extra)
    bom = to_cyclonedx(result, component_name="README.md")
    assert_valid_bom(bom)
    choice = bom["components"][0]["licenses"]
    assert_valid_license_choice(choice)
    # the card's text is no known license: nothing is concluded, the
    # declaration is kept as the card spells it
    assert choice == [{"license": declared | {"acknowledgement": "declared"}}]


def test_model_card_notes_become_properties(engine: ClauseEngine) -> None:
    bom = to_cyclonedx(_card(engine, "llama3.1"), component_name="README.md")
    assert_valid_bom(bom)
    props = {p["name"]: p["value"] for p in bom["components"][0]["properties"]}
    assert "Llama 3.1" in props["clausewise:model_card:declared_license"]
    assert "may flow down" in props["clausewise:model_card:base_model_flowdown"]


def test_markdown_report_of_a_card_shows_what_it_declares(engine: ClauseEngine) -> None:
    report = to_markdown(_card(engine, "llama3.1"))
    assert "the front matter declares 'llama3.1'" in report
    assert "line 2: `license: llama3.1`" in report
    assert "meta-llama/Llama-3.1-8B" in report and "may flow down" in report
    assert "No risk findings.\n" not in report


def test_the_schema_check_refuses_an_invalid_license_choice(
    result: dict[str, Any],
) -> None:
    bom = to_cyclonedx(result, component_name="orbit-7b")
    bom["components"][0]["licenses"] = [{"license": {"id": "LicenseRef-x"}}]
    with pytest.raises(AssertionError):
        assert_valid_bom(bom)
