"""Render a scan result as a SARIF 2.1.0 log, for CI and code-scanning UIs.

One run, one artifact (the scanned document), one result per risk finding.
Choices, and why:

- `level` follows the severity: blocker and high are `error` (they block
  shipping), medium is `warning`, low and info are `note`. A finding that a
  profile judged `does_not_apply` gets `kind: notApplicable` with level
  `none`, because SARIF requires level `none` for any kind but `fail`.
- Offsets are Python string indices, i.e. Unicode code points, so the run
  declares `columnKind: unicodeCodePoints`; lines are split exactly as the
  engine splits them (LF, CRLF, lone CR), so `startLine` equals the cited line.
- For a PDF the offsets index the extracted text (`--out` writes it as
  NAME.text); point `artifact_uri` there if a viewer should open the region.
- Without the document text only `startLine`, `charOffset`, `charLength` and
  the snippet are known; columns and the end line need the text.
- `partialFingerprints["clausewise/ruleQuote/v1"]` hashes the rule id and the
  cited quotes with white space collapsed, so a finding keeps its identity
  when the document is re-wrapped or text is added above it.
- A rule's `defaultConfiguration.level` is its own severity; a result's
  `level` is the finding's, which an organisation profile may have changed.
- Clauses are not results (they are facts, not problems to fix); they are
  listed in `run.properties.clauses` so nothing the engine found is lost.
"""

from __future__ import annotations

import bisect
import hashlib
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any, Final

from extractors.errors import CitationError
from extractors.labels import Severity
from extractors.parse import line_starts
from extractors.result_json import FindingJSON, ResultJSON
from extractors.risk import load_rules, rules_sha256
from extractors.risk.rules import DEFAULT_RULES_PATH

SARIF_SCHEMA: Final = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION: Final = "2.1.0"
FINGERPRINT_KEY: Final = "clausewise/ruleQuote/v1"

LEVELS: Final[Mapping[str, str]] = {
    Severity.BLOCKER: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
    Severity.DOES_NOT_APPLY: "none",
}
"""SARIF `level` per clausewise severity; every `Severity` has an entry."""


def to_sarif(
    result: ResultJSON, *, artifact_uri: str, text: str | None = None
) -> dict[str, Any]:
    """Return the SARIF 2.1.0 log of one document's result dict.

    :param artifact_uri: the document's URI as the consumer knows it (for CI,
        the path relative to the repository root).
    :param text: the exact text the offsets index; enables columns and end lines.
    :raises CitationError: when `text` is given and a quote is not at its offsets.
    """
    findings = result["findings"]
    rule_ids = list(dict.fromkeys(f["rule_id"] for f in findings))
    starts = line_starts(text) if text is not None else None
    results = [
        _result(f, rule_ids.index(f["rule_id"]), artifact_uri, text, starts)
        for f in findings
    ]
    run: dict[str, Any] = {
        "tool": {"driver": _driver(result, rule_ids)},
        "artifacts": [_artifact(result, artifact_uri)],
        "columnKind": "unicodeCodePoints",
        "results": results,
        "properties": _run_properties(result),
    }
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def level_of(severity: str) -> str:
    """Return the SARIF level of a clausewise severity (`ValueError` if unknown)."""
    return LEVELS[Severity(severity)]


def fingerprint(rule_id: str, quotes: Sequence[str]) -> str:
    """Return a hash of the rule and its cited text that survives re-wrapping."""
    flat = "\x1f".join(" ".join(q.split()) for q in quotes)
    return hashlib.sha256(f"{rule_id}\x1e{flat}".encode()).hexdigest()


def rule_name(rule_id: str) -> str:
    """Return the PascalCase name SARIF suggests for a rule (`a-b` -> `AB`)."""
    return "".join(part.capitalize() for part in rule_id.split("-") if part)


def _driver(result: ResultJSON, rule_ids: Sequence[str]) -> dict[str, Any]:
    version = str(result["engine"]["version"])
    first = [_first_finding(result["findings"], rid) for rid in rule_ids]
    return {
        "name": "clausewise",
        "version": version,
        "semanticVersion": version,
        "rules": [_rule(f, default_severity(result, f)) for f in first],
    }


def _first_finding(findings: Sequence[FindingJSON], rid: str) -> FindingJSON:
    """Return the finding that describes rule `rid` in `driver.rules`."""
    return next(f for f in findings if f["rule_id"] == rid)


def default_severity(result: ResultJSON, finding: FindingJSON) -> str:
    """Return the rule's own severity, before any profile judged the finding.

    Without a verdict the finding's severity is the rule's. With one, the
    shipped rule says, provided the result was made with the shipped rules
    (same digest); otherwise the judged severity is the best there is.
    """
    if not finding.get("verdict"):
        return str(finding["severity"])
    shipped = _shipped_rules()
    if result["engine"].get("rules_sha256") == shipped[0]:
        return shipped[1].get(finding["rule_id"], str(finding["severity"]))
    return str(finding["severity"])


@cache
def _shipped_rules() -> tuple[str, Mapping[str, str]]:
    """Return the digest of the shipped rules and each rule's default severity."""
    rules = load_rules(DEFAULT_RULES_PATH)
    severities = {rule.id: rule.severity.value for rule in rules}
    return rules_sha256([DEFAULT_RULES_PATH]), severities


def _rule(finding: FindingJSON, severity: str) -> dict[str, Any]:
    return {
        "id": finding["rule_id"],
        "name": rule_name(finding["rule_id"]),
        "shortDescription": {"text": finding["title"]},
        "fullDescription": {"text": finding["rationale"]},
        "defaultConfiguration": {"level": level_of(severity)},
        "properties": {
            "category": finding["category"],
            "severity": severity,
            "tags": ["license", finding["category"]],
        },
    }


def _result(
    finding: FindingJSON,
    rule_index: int,
    uri: str,
    text: str | None,
    starts: Sequence[int] | None,
) -> dict[str, Any]:
    citations: Sequence[Mapping[str, Any]] = finding["citations"]
    level = level_of(finding["severity"])
    out: dict[str, Any] = {
        "ruleId": finding["rule_id"],
        "ruleIndex": rule_index,
        "level": level,
        "message": {"text": f"{finding['title']}: {finding['rationale']}"},
        "locations": [_location(c, uri, text, starts) for c in citations],
        "partialFingerprints": {
            FINGERPRINT_KEY: fingerprint(
                finding["rule_id"], [c["quote"] for c in citations]
            )
        },
        "properties": _result_properties(finding),
    }
    if level == "none":
        out["kind"] = "notApplicable"
    return out


def _result_properties(finding: FindingJSON) -> dict[str, Any]:
    props: dict[str, Any] = {
        "category": finding["category"],
        "severity": finding["severity"],
        "clauseTypes": list(finding["clause_types"]),
    }
    if finding.get("verdict"):
        props["verdict"] = finding["verdict"]
    return props


def _location(
    citation: Mapping[str, Any],
    uri: str,
    text: str | None,
    starts: Sequence[int] | None,
) -> dict[str, Any]:
    return {
        "physicalLocation": {
            "artifactLocation": {"uri": uri, "index": 0},
            "region": region(citation, text, starts),
        }
    }


def region(
    citation: Mapping[str, Any],
    text: str | None,
    starts: Sequence[int] | None = None,
) -> dict[str, Any]:
    """Return the SARIF region of a citation; columns only when `text` is given.

    `endColumn` is the column just after the last cited character, as SARIF
    defines it; lines and columns are 1-based, offsets 0-based.
    """
    start, end, quote = citation["start"], citation["end"], citation["quote"]
    out: dict[str, Any] = {"startLine": citation["line"]}
    if text is not None:
        if text[start:end] != quote:
            raise CitationError(
                f"citation [{start}, {end}) does not match the text given for SARIF"
            )
        index = starts if starts is not None else line_starts(text)
        out["startLine"], out["startColumn"] = _line_column(index, start)
        out["endLine"], out["endColumn"] = _line_column(index, end)
    out["charOffset"] = start
    out["charLength"] = end - start
    out["snippet"] = {"text": quote}
    return out


def _line_column(starts: Sequence[int], offset: int) -> tuple[int, int]:
    line = bisect.bisect_right(starts, offset)
    return line, offset - starts[line - 1] + 1


def _artifact(result: ResultJSON, uri: str) -> dict[str, Any]:
    """Describe the scanned file; its hash is of the bytes, as SARIF wants."""
    document: Mapping[str, Any] = result["document"]
    out: dict[str, Any] = {
        "location": {"uri": uri},
        "mimeType": document["media_type"],
    }
    if document.get("sha256"):
        out["hashes"] = {"sha-256": document["sha256"]}
    return out


def _run_properties(result: ResultJSON) -> dict[str, Any]:
    info = result["license"]
    named = (
        {}
        if info is None
        else {
            "status": info.get("status"),
            "family": info.get("family"),
            "version": info.get("version"),
            "title": info.get("title"),
            "spdx": info.get("spdx"),
        }
    )
    return {
        "engine": dict(result["engine"]),
        "license": {
            k: named.get(k) for k in ("status", "family", "version", "title", "spdx")
        },
        "clauses": [
            {
                "type": c["type"],
                "line": c["line"],
                "page": c["page"],
                "charOffset": c["start"],
                "charLength": c["end"] - c["start"],
                "quote": c["quote"],
            }
            for c in result["clauses"]
        ],
    }
