"""Judge a stored scan's findings for a profile without analysing the text again.

The document page shows one scan's clauses; with a profile chosen, its
findings must carry verdicts for that organisation. Re-running the analysis
(what `POST /v1/scans/{id}/evaluate` does) took seconds on a 500 KB license,
on every view. The rules stage is pure and cheap, so the page re-applies the
rules to the scan's own clauses instead: the verdicts then cite exactly the
clauses highlighted beside them. A scan made with other rules than the
engine's is analysed again, since its clauses may not fit the rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from extractors.engine import AnalysisResult
from extractors.labels import ClauseType
from extractors.output import result_to_dict
from extractors.result_json import FindingJSON, as_result
from extractors.risk import apply_rules
from extractors.types import CharSpan, ClauseTag, Explanation
from service.analysis_pool import Analyzer
from service.documents.tables import DocumentRecord
from service.profiles.tables import ProfileRecord
from service.scans.scanning import document_from_record, evaluate_document, org_profile
from service.scans.tables import ScanRecord


def judged_findings(
    engine: Analyzer,
    record: DocumentRecord,
    scan: ScanRecord,
    profile: ProfileRecord,
) -> list[FindingJSON]:
    """Return the findings of the scan's clauses with verdicts for `profile`."""
    if scan.result is None or scan.rules_sha256 != engine.provenance.rules_sha256:
        return evaluate_document(engine, record, profile)
    document = document_from_record(record)
    tags = tuple(stored_tag(clause) for clause in as_result(scan.result)["clauses"])
    findings = apply_rules(document, tags, engine.rules, org_profile(profile))
    judged = AnalysisResult(document, (), findings, engine.provenance)
    return result_to_dict(judged)["findings"]


def stored_tag(clause: Mapping[str, Any]) -> ClauseTag:
    """Rebuild a clause tag from its stored JSON (rules read type, span, params)."""
    score = float(clause["score"])
    why = Explanation(
        extractor=str(clause["extractor"]),
        method="rule",
        score=score,
        pattern_id=clause.get("pattern_id"),
        note=clause.get("explanation"),
    )
    return ClauseTag(
        ClauseType(clause["type"]),
        CharSpan(int(clause["start"]), int(clause["end"])),
        score,
        why,
        params=dict(clause["params"]),
    )
