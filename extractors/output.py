"""Render an `AnalysisResult` as the JSON document and the Markdown report users get.

The JSON shape is the product's contract (CLI `--format json`, `--out`, and
the service): `clauses` with `type`, `start`, `end`, `quote`, `line`, `page`,
`score`, `params` and the extractor that found each; `findings` with their
citations; `license` identification; `discarded` candidates on request.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from extractors.engine import AnalysisResult
from extractors.result_json import (
    ClauseJSON,
    DiscardedJSON,
    DocumentJSON,
    FindingJSON,
    LicenseJSON,
    ModelCardNoteJSON,
    ResultJSON,
)
from extractors.types import Citation, ClauseTag, Discarded, Document, RiskFinding

SCHEMA_VERSION = "1"
"""The result's `schema_version` (`service.result_contract.ScanResult`)."""


def result_to_dict(result: AnalysisResult, *, name: str | None = None) -> ResultJSON:
    """Return the JSON-ready dict of one document's analysis."""
    document = result.document
    out: ResultJSON = {
        "schema_version": SCHEMA_VERSION,
        "document": _document(document, name),
        "clauses": [clause_to_dict(document, tag) for tag in result.clauses],
        "findings": [_finding(f) for f in result.findings],
        "license": None if result.license is None else result.license.to_dict(),
        "engine": {
            "version": result.provenance.engine_version,
            "patterns_sha256": result.provenance.patterns_sha256,
            "rules_sha256": result.provenance.rules_sha256,
            "model": result.provenance.model,
        },
    }
    if result.discarded:
        out["discarded"] = [_discarded(document, d) for d in result.discarded]
    return out


def clause_to_dict(document: Document, tag: ClauseTag) -> ClauseJSON:
    """Return one clause with its verified citation and its provenance."""
    citation = Citation.from_span(document, tag.span)
    return {
        "type": tag.clause_type.value,
        "start": citation.start,
        "end": citation.end,
        "quote": citation.quote,
        "line": citation.line,
        "page": citation.page,
        "score": round(tag.score, 3),
        "params": json_safe(dict(tag.params)),
        "extractor": tag.explanation.extractor,
        "pattern_id": tag.explanation.pattern_id,
        "explanation": tag.explanation.note,
    }


def _document(document: Document, name: str | None) -> DocumentJSON:
    return {
        "name": name or document.source,
        "sha256": document.id,
        "media_type": document.media_type,
        "chars": len(document.text),
        "lines": len(document.line_starts),
        "pages": len(document.page_starts),
        "metadata": json_safe(dict(document.metadata)),
    }


def _finding(finding: RiskFinding) -> FindingJSON:
    return {
        "rule_id": finding.rule_id,
        "category": finding.category.value,
        "severity": finding.severity.value,
        "title": finding.title,
        "rationale": finding.rationale,
        "verdict": finding.verdict,
        "clause_types": [t.value for t in finding.clause_types],
        "citations": [c.to_dict() for c in finding.citations],
    }


def _discarded(document: Document, item: Discarded) -> DiscardedJSON:
    citation = Citation.from_span(document, item.tag.span)
    return {
        "type": item.tag.clause_type.value,
        "reason": item.reason.value,
        "detail": item.detail,
        "pattern_id": item.tag.explanation.pattern_id,
        **citation.to_dict(),
    }


def json_safe(value: Any) -> Any:
    """Return `value` with YAML-only types (dates, tuples, sets) made JSON types."""
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [json_safe(v) for v in value]
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def result_to_markdown(data: ResultJSON) -> str:
    """Return a Markdown report of a result dict (as made by `result_to_dict`)."""
    doc = data["document"]
    lines = [
        f"# {doc['name']}",
        "",
        f"{doc['media_type']}, {doc['chars']} characters",
        "",
    ]
    license_info = data.get("license")
    notes = license_info.get("model_card_notes", []) if license_info else []
    if license_info:
        lines += ["## License", "", _license_line(license_info), ""]
        lines += [f"- {_note_line(note)}" for note in notes]
        lines += [""] if notes else []
    lines += ["## Findings", ""]
    if not data["findings"]:
        lines.append(
            "No risk findings in the text; the model card's license notes are above."
            if notes
            else "No risk findings."
        )
    for finding in data["findings"]:
        lines.append(
            f"- **{finding['severity']}** {finding['title']}: {finding['rationale']}"
        )
        if finding.get("verdict"):
            lines.append(f"  - verdict: {finding['verdict']}")
        for c in finding["citations"]:
            lines.append(
                f"  - line {c['line']}, page {c['page']}: “{_short(c['quote'])}”"
            )
    lines += [
        "",
        "## Clauses",
        "",
        "| type | line | page | quote | params |",
        "|---|---|---|---|---|",
    ]
    for clause in data["clauses"]:
        params = ", ".join(f"{k}={v}" for k, v in clause["params"].items())
        lines.append(
            f"| {clause['type']} | {clause['line']} | {clause['page']} "
            f"| {_short(clause['quote'])} | {params.replace('|', '/')} |"
        )
    for item in data.get("discarded", []):
        lines.append(
            f"- discarded {item['type']} (line {item['line']}): {item['detail']}"
        )
    return "\n".join(lines) + "\n"


def _license_line(info: LicenseJSON) -> str:
    """Say what the text is; a card's declaration is a note of its own below."""
    status = info.get("status", "unknown")
    title = info.get("title") or "no known license"
    similarity = f"similarity {info.get('similarity', 0):.2f}"
    if status == "unknown" and info.get("model_card_notes"):
        return f"The text itself is not a known license ({similarity})."
    return f"{status}: {title} ({similarity})"


def _note_line(note: ModelCardNoteJSON) -> str:
    """One model-card note: its message and where the card says it."""
    evidence = note.get("evidence")
    if isinstance(evidence, Mapping):
        return f"{note['message']} (line {evidence['line']}: `{evidence['quote']}`)"
    return f"{note['message']} (front matter `{evidence}`)"


def _short(quote: str, limit: int = 140) -> str:
    flat = " ".join(quote.split()).replace("|", "/")
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
