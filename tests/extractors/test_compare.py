"""Clause-level diff of two analyses: engine runs on two versions, and pairing units."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pytest

from extractors.compare import (
    ClauseChange,
    ClauseSide,
    ParamChange,
    VersionDiff,
    compare_results,
    diff_params,
)
from extractors.compare_render import diff_to_markdown
from extractors.engine import build_engine
from extractors.errors import CitationError
from extractors.output import result_to_dict
from extractors.parse import parse_bytes

V1 = """Acme Model License, version 1

1. Grant. Acme grants you a non-exclusive, worldwide, royalty-free license to use,
copy and modify the Acme Materials.

2. Attribution. Anyone who passes on the Acme Materials, or a product built on them,
must show the words "Built with Acme" clearly on its website or user interface.

3. Use Policy. Your use of the Acme Materials must follow the Acme Acceptable Use
Policy, which is incorporated by reference into this license.

4. Outputs. You may not use outputs of the Acme Materials to train or improve any
other large language model.

5. Additional Commercial Terms. Should the services you offer reach more
than 700 million monthly active users in any calendar month, you must obtain a
separate license from Acme before you go on using the
Acme Materials.
"""

V2 = """Acme Model License, version 2

1. Grant. Acme grants you a non-exclusive, worldwide, royalty-free license to use,
copy and modify the Acme Materials.

2. Attribution. Anyone who passes on the Acme Materials, or a product built on them,
must show  the words "Built with Acme" clearly on its
website or user interface.

3. Use Policy. Your use of the Acme Materials must follow the Acme Acceptable Use
Policy, which is incorporated by reference into this license.

4. Territory. The license in Section 1 does not extend to people resident in, or
companies established in, the member states of the
European Union.

5. Additional Commercial Terms. Should the services you offer reach more
than 1 billion monthly active users in any calendar month, you must obtain a
separate license from Acme before you go on using the
Acme Materials.
"""


@pytest.fixture(scope="module")
def scans() -> dict[str, dict[str, Any]]:
    engine = build_engine(identify=False)
    return {
        name: result_to_dict(
            engine.analyze(parse_bytes(text.encode(), name=name)), name=name
        )
        for name, text in (("v1.txt", V1), ("v2.txt", V2))
    }


@pytest.fixture(scope="module")
def diff(scans: dict[str, dict[str, Any]]) -> VersionDiff:
    return compare_results(scans["v1.txt"], scans["v2.txt"], old_text=V1, new_text=V2)


def _only(diff: VersionDiff, kind: str, clause_type: str) -> ClauseChange:
    found = [c for c in diff.changes if (c.kind, c.clause_type) == (kind, clause_type)]
    assert len(found) == 1, diff.changes
    return found[0]


def _cites(side: ClauseSide | None, text: str) -> ClauseSide:
    assert side is not None
    assert text[side.start : side.end] == side.quote
    assert text.count("\n", 0, side.start) + 1 == side.line
    return side


def test_threshold_change_is_cited_on_both_sides(diff: VersionDiff) -> None:
    change = _only(diff, "changed", "usage_threshold")
    assert change.param_changes == (
        ParamChange("thresholds[0].value", 700_000_000, 1_000_000_000),
    )
    old, new = _cites(change.old, V1), _cites(change.new, V2)
    assert "700 million" in old.quote and "1 billion" in new.quote
    assert (old.line, new.line) == (15, 17)
    assert change.wording_changed and 0.9 < change.similarity < 1.0


def test_new_eu_exclusion_and_dropped_output_clause(diff: VersionDiff) -> None:
    added = _only(diff, "added", "geographic_restriction")
    assert added.old is None
    new = _cites(added.new, V2)
    assert new.params == {"regions": ["EU"], "mode": "excluded"}
    assert "European Union" in new.quote
    removed = _only(diff, "removed", "output_restriction")
    assert removed.new is None
    assert "other large language model" in _cites(removed.old, V1).quote
    assert diff.counts == {"changed": 1, "added": 1, "removed": 1, "unchanged": 2}


def test_whitespace_only_edit_is_not_a_change(
    scans: dict[str, dict[str, Any]], diff: VersionDiff
) -> None:
    quotes = [
        next(c["quote"] for c in scans[n]["clauses"] if c["type"] == "attribution")
        for n in ("v1.txt", "v2.txt")
    ]
    assert quotes[0] != quotes[1]  # the raw text did change
    assert " ".join(quotes[0].split()) == " ".join(quotes[1].split())
    changed_types = {c.clause_type for c in diff.changes}
    assert not changed_types & {"attribution", "aup_incorporation"}


def test_findings_added_and_removed_with_citations(diff: VersionDiff) -> None:
    assert [f.rule_id for f in diff.findings_added] == ["market-regions-excluded"]
    assert [f.rule_id for f in diff.findings_removed] == ["output-use-restricted"]
    (new_cite,) = diff.findings_added[0].citations
    (old_cite,) = diff.findings_removed[0].citations
    assert V2[new_cite.start : new_cite.end] == new_cite.quote
    assert V1[old_cite.start : old_cite.end] == old_cite.quote
    assert new_cite.line == 13 and old_cite.line == 12


def test_a_document_against_itself_has_no_changes(
    scans: dict[str, dict[str, Any]],
) -> None:
    same = compare_results(scans["v1.txt"], scans["v1.txt"], old_text=V1, new_text=V1)
    assert same.changes == ()
    assert same.findings_added == same.findings_removed == ()
    assert same.counts["unchanged"] == len(scans["v1.txt"]["clauses"]) == 4


def test_swapping_versions_swaps_added_and_removed(
    scans: dict[str, dict[str, Any]], diff: VersionDiff
) -> None:
    back = compare_results(scans["v2.txt"], scans["v1.txt"], old_text=V2, new_text=V1)
    kinds = {"added": "removed", "removed": "added", "changed": "changed"}
    assert sorted((kinds[c.kind], c.clause_type) for c in back.changes) == sorted(
        (c.kind, c.clause_type) for c in diff.changes
    )
    change = _only(back, "changed", "usage_threshold")
    assert change.param_changes[0].old == 1_000_000_000
    assert change.param_changes[0].new == 700_000_000
    assert back.findings_added == diff.findings_removed
    assert back.findings_removed == diff.findings_added


def test_json_and_markdown_forms(diff: VersionDiff) -> None:
    data = json.loads(json.dumps(diff.to_dict()))
    assert (data["old"], data["new"]) == ("v1.txt", "v2.txt")
    assert data["counts"]["added"] == 1
    threshold = next(c for c in data["changes"] if c["kind"] == "changed")
    assert threshold["param_changes"] == [
        {"path": "thresholds[0].value", "old": 700000000, "new": 1000000000}
    ]
    assert threshold["old"]["line"] == 15 and threshold["new"]["line"] == 17
    report = diff_to_markdown(diff)
    assert (
        "usage_threshold changed: thresholds[0].value 700,000,000 → 1,000,000,000"
        in report
    )
    assert "  - old, line 15, page 1: “Should the services you offer" in report
    assert "  - new, line 17, page 1: “Should the services you offer" in report
    assert "“700 million” → “1 billion”" in report
    assert "- geographic_restriction added: (regions: [EU], mode: excluded)" in report
    assert "removed: **output-use-restricted**" in report


def test_a_citation_that_does_not_quote_its_text_is_refused(
    scans: dict[str, dict[str, Any]],
) -> None:
    with pytest.raises(
        CitationError, match=r"old \w+ clause at \[\d+, \d+\) does not quote"
    ):
        compare_results(scans["v1.txt"], scans["v2.txt"], old_text=V2, new_text=V2)


# Pairing on hand-built result dicts.


def _scan(*clauses: tuple[str, str, Mapping[str, Any]]) -> tuple[dict[str, Any], str]:
    """Return a result dict and its text: one clause per line, in the given order."""
    text, out = "", []
    for line, (clause_type, quote, params) in enumerate(clauses, start=1):
        start = len(text)
        text += quote + "\n"
        out.append(
            {"type": clause_type, "start": start, "end": start + len(quote)}
            | {"quote": quote, "line": line, "page": 1, "params": dict(params)}
        )
    return {"clauses": out, "findings": []}, text


def _compare(
    old: tuple[dict[str, Any], str], new: tuple[dict[str, Any], str]
) -> VersionDiff:
    return compare_results(old[0], new[0], old_text=old[1], new_text=new[1])


def _mau(value: int) -> dict[str, Any]:
    return {"thresholds": [{"metric": "monthly_active_users", "value": value}]}


def _revenue(value: int) -> dict[str, Any]:
    return {"thresholds": [{"metric": "annual_revenue", "value": value}]}


MAU = "Licensees with more than {} monthly active users need a separate license."
REV = "Companies whose annual revenue exceeds {} dollars must pay a fee to Acme."


def test_two_clauses_of_one_type_both_changed_pair_by_wording() -> None:
    old = _scan(
        ("usage_threshold", MAU.format("100 million"), _mau(100_000_000)),
        ("usage_threshold", REV.format("10 million"), _revenue(10_000_000)),
    )
    new = _scan(
        ("usage_threshold", REV.format("20 million"), _revenue(20_000_000)),
        ("usage_threshold", MAU.format("200 million"), _mau(200_000_000)),
    )
    diff = _compare(old, new)
    assert [c.kind for c in diff.changes] == ["changed", "changed"]
    moves = [(c.param_changes[0].old, c.param_changes[0].new) for c in diff.changes]
    assert moves == [(100_000_000, 200_000_000), (10_000_000, 20_000_000)]
    for change in diff.changes:
        assert change.old is not None and change.new is not None
        assert change.old.quote.split()[0] == change.new.quote.split()[0]


def test_reordered_and_recased_clauses_are_unchanged() -> None:
    law = ("governing_law", "This Agreement is governed by the laws of Ireland.")
    notice = ("attribution", 'You must display "Built with Acme" in your product.')
    old = _scan((*law, {"jurisdiction": "IE"}), (*notice, {"text": "Built with Acme"}))
    new = _scan(
        (notice[0], notice[1].upper(), {"text": "BUILT WITH ACME"}),
        (
            law[0],
            "This  Agreement is governed by\nthe laws of Ireland",
            {"jurisdiction": "IE"},
        ),
    )
    diff = _compare(old, new)
    assert diff.changes == ()
    assert diff.counts["unchanged"] == 2


def test_rewritten_clause_pairs_by_equal_params_then_lone() -> None:
    old = _scan(
        (
            "attribution",
            "Keep the NOTICE file with every copy.",
            {"kind": "notice_file"},
        ),
        ("attribution", "Show the words Made with Acme.", {"kind": "display_notice"}),
        ("output_restriction", "Outputs may not train other models.", {}),
    )
    new = _scan(
        ("output_restriction", "Do not use generated content for distillation.", {}),
        (
            "attribution",
            "A product must visibly credit Acme.",
            {"kind": "display_notice"},
        ),
        (
            "attribution",
            "Redistributions carry the notices file.",
            {"kind": "notice_file"},
        ),
    )
    diff = _compare(old, new)
    pairs = {
        (c.old.quote[:4], c.new.quote[:4])
        for c in diff.changes
        if c.old is not None and c.new is not None
    }
    assert pairs == {("Keep", "Redi"), ("Show", "A pr"), ("Outp", "Do n")}
    assert all(c.wording_changed and not c.param_changes for c in diff.changes)


def test_leftover_clauses_of_a_type_are_added_and_removed() -> None:
    old = _scan(
        ("output_restriction", "Outputs may not train other models.", {}),
        ("output_restriction", "You may not sell the outputs.", {}),
    )
    new = _scan(("output_restriction", "Outputs may not train other models.", {}))
    diff = _compare(old, new)
    assert [(c.kind, c.old and c.old.line) for c in diff.changes] == [("removed", 2)]
    swapped = _compare(new, old)
    assert [(c.kind, c.new and c.new.line) for c in swapped.changes] == [("added", 2)]


def test_param_diff_paths() -> None:
    assert diff_params({"regions": ["EU", "GB"]}, {"regions": ["gb", "EU"]}) == ()
    assert diff_params({"kind": "display_notice"}, {"kind": ["display_notice"]}) == ()
    assert diff_params(
        _mau(1), {"thresholds": [*_mau(1)["thresholds"], {"value": 2}]}
    ) == (ParamChange("thresholds[1]", None, {"value": 2}),)
    assert diff_params(
        {"regions": ["EU"], "mode": "excluded"},
        {"regions": ["EU", "US"], "mode": "only"},
    ) == (
        ParamChange("mode", "excluded", "only"),
        ParamChange("regions", ["EU"], ["EU", "US"]),
    )
