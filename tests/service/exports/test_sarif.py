"""SARIF 2.1.0 export: structure per the spec, regions that point at the cited text."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from extractors.engine import ClauseEngine
from extractors.errors import CitationError
from extractors.labels import Severity
from service.exports.sarif import FINGERPRINT_KEY, LEVELS, level_of, to_sarif
from tests.service.exports.conftest import LICENSE, scan

URI = "licenses/orbit-license.txt"


def _run(log: dict[str, Any]) -> dict[str, Any]:
    run: dict[str, Any] = log["runs"][0]
    return run


def _line_col(text: str, offset: int) -> tuple[int, int]:
    """An independent oracle: 1-based line and column by counting newlines."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _offset(text: str, line: int, column: int) -> int:
    starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
    return starts[line - 1] + column - 1


def test_log_has_the_required_sarif_properties(result: dict[str, Any]) -> None:
    log = to_sarif(result, artifact_uri=URI, text=LICENSE)
    json.dumps(log)  # JSON-ready: no tuples, enums or other Python-only values
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert log["version"] == "2.1.0"
    assert len(log["runs"]) == 1
    driver = _run(log)["tool"]["driver"]
    assert driver["name"] == "clausewise"
    assert driver["version"] == result["engine"]["version"]
    assert _run(log)["artifacts"][0]["location"]["uri"] == URI
    assert _run(log)["artifacts"][0]["hashes"] == {
        "sha-256": result["document"]["sha256"]
    }
    for rule in driver["rules"]:
        assert rule["id"] and rule["shortDescription"]["text"]
        assert rule["fullDescription"]["text"]
        assert rule["defaultConfiguration"]["level"] in {"error", "warning", "note"}
        assert rule["properties"]["category"]
    for res in _run(log)["results"]:
        assert res["message"]["text"]
        for location in res["locations"]:
            physical = location["physicalLocation"]
            assert physical["artifactLocation"]["uri"] == URI
            assert physical["region"]["startLine"] >= 1


def test_one_result_per_finding_and_one_rule_per_rule_id(
    result: dict[str, Any],
) -> None:
    log = to_sarif(result, artifact_uri=URI, text=LICENSE)
    rules = _run(log)["tool"]["driver"]["rules"]
    results = _run(log)["results"]
    assert [r["ruleId"] for r in results] == [f["rule_id"] for f in result["findings"]]
    assert {r["id"] for r in rules} == {
        "scale-usage-threshold",
        "attribution-duty",
        "policy-incorporated",
        "market-regions-excluded",
    }
    assert len(rules) == len({r["id"] for r in rules})
    for res in results:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]


def test_two_findings_of_one_rule_share_one_descriptor(result: dict[str, Any]) -> None:
    doubled = copy.deepcopy(result)
    extra = copy.deepcopy(doubled["findings"][0])
    extra["citations"] = doubled["findings"][1]["citations"]
    doubled["findings"].append(extra)
    log = to_sarif(doubled, artifact_uri=URI)
    rules = _run(log)["tool"]["driver"]["rules"]
    results = _run(log)["results"]
    assert len(rules) == 4 and len(results) == 5
    assert results[0]["ruleIndex"] == results[4]["ruleIndex"] == 0


def test_regions_point_at_the_cited_text(result: dict[str, Any]) -> None:
    log = to_sarif(result, artifact_uri=URI, text=LICENSE)
    regions = [
        loc["physicalLocation"]["region"]
        for res in _run(log)["results"]
        for loc in res["locations"]
    ]
    assert len(regions) == 4
    for region in regions:
        start, length = region["charOffset"], region["charLength"]
        assert LICENSE[start : start + length] == region["snippet"]["text"]
        assert (region["startLine"], region["startColumn"]) == _line_col(LICENSE, start)
        assert (region["endLine"], region["endColumn"]) == _line_col(
            LICENSE, start + length
        )
        end = _offset(LICENSE, region["endLine"], region["endColumn"])
        assert end == start + length
    # The fixture wraps clauses, so regions really span lines.
    assert all(r["endLine"] > r["startLine"] for r in regions)


def test_crlf_text_gives_the_same_lines_and_columns(engine: ClauseEngine) -> None:
    text = LICENSE.replace("\n", "\r\n")
    log = to_sarif(scan(engine, text), artifact_uri=URI, text=text)
    for res in _run(log)["results"]:
        region = res["locations"][0]["physicalLocation"]["region"]
        start = region["charOffset"]
        assert text[start : start + region["charLength"]] == region["snippet"]["text"]
        assert (region["startLine"], region["startColumn"]) == _line_col(text, start)


def test_without_text_only_line_and_offsets(result: dict[str, Any]) -> None:
    log = to_sarif(result, artifact_uri=URI)
    for res, finding in zip(_run(log)["results"], result["findings"], strict=True):
        region = res["locations"][0]["physicalLocation"]["region"]
        cite = finding["citations"][0]
        assert region == {
            "startLine": cite["line"],
            "charOffset": cite["start"],
            "charLength": cite["end"] - cite["start"],
            "snippet": {"text": cite["quote"]},
        }


def test_text_that_does_not_match_the_citations_is_refused(
    result: dict[str, Any],
) -> None:
    with pytest.raises(CitationError, match="does not match"):
        to_sarif(result, artifact_uri=URI, text=LICENSE.upper())


@pytest.mark.parametrize(
    ("severity", "level"),
    [
        ("blocker", "error"),
        ("high", "error"),
        ("medium", "warning"),
        ("low", "note"),
        ("info", "note"),
        ("does_not_apply", "none"),
    ],
)
def test_level_for_each_severity(
    result: dict[str, Any], severity: str, level: str
) -> None:
    assert level_of(severity) == level
    changed = copy.deepcopy(result)
    for finding in changed["findings"]:
        finding["severity"] = severity
    for res in _run(to_sarif(changed, artifact_uri=URI))["results"]:
        assert res["level"] == level
        assert res["properties"]["severity"] == severity
        assert ("kind" in res) == (level == "none")


def test_every_severity_has_a_level() -> None:
    assert set(LEVELS) == set(Severity)
    with pytest.raises(ValueError, match="bogus"):
        level_of("bogus")


def test_profile_verdicts_are_result_properties(profiled: dict[str, Any]) -> None:
    results = _run(to_sarif(profiled, artifact_uri=URI))["results"]
    by_rule = {r["ruleId"]: r for r in results}
    excluded = by_rule["market-regions-excluded"]
    assert excluded["level"] == "error"
    assert "EU" in excluded["properties"]["verdict"]
    threshold = by_rule["scale-usage-threshold"]
    assert threshold["kind"] == "notApplicable" and threshold["level"] == "none"
    assert "700,000,000" in threshold["properties"]["verdict"]
    assert "kind" not in by_rule["policy-incorporated"]
    # The rule keeps its own default level when a profile judged the finding.
    rules = _run(to_sarif(profiled, artifact_uri=URI))["tool"]["driver"]["rules"]
    default = rules[threshold["ruleIndex"]]["defaultConfiguration"]
    assert default["level"] == "warning"  # the rule's medium, not does_not_apply
    assert rules[excluded["ruleIndex"]]["defaultConfiguration"]["level"] == "error"
    assert rules[excluded["ruleIndex"]]["properties"]["severity"] == "high"


def test_fingerprints_are_stable_and_distinct(
    engine: ClauseEngine, result: dict[str, Any]
) -> None:
    def prints(data: dict[str, Any]) -> dict[str, str]:
        return {
            r["ruleId"]: r["partialFingerprints"][FINGERPRINT_KEY]
            for r in _run(to_sarif(data, artifact_uri=URI))["results"]
        }

    first = prints(result)
    assert prints(scan(engine, LICENSE)) == first
    assert len(set(first.values())) == len(first)
    # Text added above and the clauses re-wrapped: offsets move, identity stays.
    rewrapped = LICENSE.replace("active\nusers", "active users")
    moved = "PREAMBLE\n\nSome words first.\n\n" + rewrapped
    moved_result = scan(engine, moved)
    assert prints(moved_result) == first
    offsets = [f["citations"][0]["start"] for f in result["findings"]]
    assert [f["citations"][0]["start"] for f in moved_result["findings"]] != offsets


def test_clauses_are_run_properties_not_results(result: dict[str, Any]) -> None:
    run = _run(to_sarif(result, artifact_uri=URI))
    clauses = run["properties"]["clauses"]
    assert [c["type"] for c in clauses] == [c["type"] for c in result["clauses"]]
    assert [c["line"] for c in clauses] == [c["line"] for c in result["clauses"]]
    assert all(c["quote"] for c in clauses)
    assert len(run["results"]) == len(result["findings"])
    assert run["columnKind"] == "unicodeCodePoints"
