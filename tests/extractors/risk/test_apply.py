from __future__ import annotations

from collections.abc import Mapping

import pytest

from extractors.errors import CitationError
from extractors.labels import SEVERITY_ORDER, ClauseType, RiskCategory, Severity
from extractors.risk.apply import (
    apply_rules,
    format_compact,
    normalise_params,
    render_param,
)
from extractors.risk.profile import IntendedUse, Money, OrgProfile
from extractors.risk.rules import load_default_rules
from extractors.types import CharSpan, ClauseTag, Document, Explanation, RiskFinding

# A tiny made-up license; every sentence below is written for these tests.
SENTENCES = {
    "eu1": "Nobody in the Union, Britain or Korea gets any right here.",
    "law": "The laws of California govern this paper.",
    "mau": "Above 700 million monthly users, ask us for a separate license.",
    "eu2": "Firms based in Korea, the Union or Britain are not licensees.",
    "research": "Use the widget for research and nothing else.",
    "eu3": "The grant skips Britain, Korea and the Union entirely.",
    "policy": "You must follow our Widget Rules, which we may revise.",
    "only_eu": "Only people in the Union may run it.",
}
TEXT = "\n".join(SENTENCES.values()) + "\n"
DOCUMENT = Document(
    id="widget-license",
    text=TEXT,
    media_type="text/plain",
    line_starts=(0, *(i + 1 for i, char in enumerate(TEXT) if char == "\n")),
)
EXCLUDED = {"regions": ["EU", "GB", "KR"], "mode": "excluded"}
MAU = {
    "thresholds": [
        {
            "metric": "monthly_active_users",
            "value": 700000000,
            "consequence": "license_required",
        }
    ]
}


def span(key: str) -> CharSpan:
    start = TEXT.index(SENTENCES[key])
    return CharSpan(start, start + len(SENTENCES[key]))


def tag(key: str, clause_type: ClauseType, params: Mapping[str, object]) -> ClauseTag:
    explanation = Explanation(extractor="test", method="pattern", score=0.9)
    return ClauseTag(clause_type, span(key), 0.9, explanation, params)


GEO = ClauseType.GEOGRAPHIC_RESTRICTION
TAGS = (
    tag("eu3", GEO, {"regions": ["KR", "EU", "GB"], "mode": "excluded"}),
    tag("law", ClauseType.GOVERNING_LAW, {"jurisdiction": "US-CA"}),
    tag("eu1", GEO, EXCLUDED),
    tag("mau", ClauseType.USAGE_THRESHOLD, MAU),
    tag("eu2", GEO, {"regions": ["gb", "EU", "KR", "KR"], "mode": "excluded"}),
    tag("research", ClauseType.COMMERCIAL_RESTRICTION, {"scope": "research_only"}),
)
RULES = load_default_rules()
PROFILE = OrgProfile(
    name="Widget Buyers SARL",
    monthly_active_users=2_000_000,
    regions=("DE", "FR", "US"),
    intended_uses=frozenset({IntendedUse.COMMERCIAL, IntendedUse.HOSTING}),
)


def by_rule(findings: tuple[RiskFinding, ...]) -> dict[str, RiskFinding]:
    return {finding.rule_id: finding for finding in findings}


# -- grouping, citations, ordering ------------------------------------------------


def test_same_exclusion_three_times_is_one_finding_citing_all_spans() -> None:
    findings = apply_rules(DOCUMENT, TAGS, RULES)
    market = [f for f in findings if f.category is RiskCategory.MARKET_EXCLUSION]
    assert len(market) == 1
    (finding,) = market
    assert [(c.start, c.end) for c in finding.citations] == [
        (span(k).start, span(k).end) for k in ("eu1", "eu2", "eu3")
    ]
    assert [c.quote for c in finding.citations] == [
        SENTENCES[k] for k in ("eu1", "eu2", "eu3")
    ]
    assert [c.line for c in finding.citations] == [1, 4, 6]
    for citation in finding.citations:
        citation.verify(DOCUMENT)
    assert finding.clause_types == (GEO,)
    assert finding.rationale.startswith("The grant does not reach the EU, GB, KR;")


def test_different_params_make_separate_findings() -> None:
    only = tag("only_eu", GEO, {"regions": ["EU"], "mode": "only"})
    other = tag("eu1", GEO, {"regions": ["EU"], "mode": "excluded"})
    findings = apply_rules(DOCUMENT, (*TAGS, only, other), RULES)
    market = [f for f in findings if f.category is RiskCategory.MARKET_EXCLUSION]
    assert sorted(f.rule_id for f in market) == [
        "market-regions-excluded",
        "market-regions-excluded",
        "market-territory-only",
    ]


def test_findings_sorted_by_severity_then_first_citation() -> None:
    findings = apply_rules(DOCUMENT, TAGS, RULES)
    assert [(f.rule_id, f.severity) for f in findings] == [
        ("market-regions-excluded", Severity.HIGH),
        ("commercial-research-only", Severity.HIGH),
        ("scale-usage-threshold", Severity.MEDIUM),
        ("governing-law-foreign", Severity.LOW),
    ]
    keys = [(SEVERITY_ORDER.index(f.severity), f.citations[0].start) for f in findings]
    assert keys == sorted(keys)


def test_apply_rules_is_pure_and_deterministic() -> None:
    first = apply_rules(DOCUMENT, TAGS, RULES, PROFILE)
    assert apply_rules(DOCUMENT, tuple(reversed(TAGS)), RULES, PROFILE) == first
    assert TAGS[0].params == {"regions": ["KR", "EU", "GB"], "mode": "excluded"}


def test_duplicate_tags_on_one_span_cite_it_once() -> None:
    twice = (tag("law", ClauseType.GOVERNING_LAW, {"jurisdiction": "US-CA"}),) * 2
    (finding,) = apply_rules(DOCUMENT, twice, RULES)
    assert len(finding.citations) == 1


def test_no_tags_no_findings() -> None:
    assert apply_rules(DOCUMENT, (), RULES, PROFILE) == ()


def test_span_past_the_text_is_a_citation_error() -> None:
    explanation = Explanation(extractor="test", method="model", score=0.5)
    stray = ClauseTag(
        ClauseType.OUTPUT_RESTRICTION, CharSpan(5, len(TEXT) + 10), 0.5, explanation
    )
    with pytest.raises(CitationError, match="runs past the end"):
        apply_rules(DOCUMENT, (stray,), RULES)


def test_normalise_params_ignores_case_order_spacing_and_list_shape() -> None:
    assert normalise_params({"scope": "research_only"}) == normalise_params(
        {"scope": ["research_only"]}
    )
    assert normalise_params({"policy": "Widget  Rules", "url": None}) == (
        normalise_params({"policy": "widget rules"})
    )
    assert normalise_params({"value": 7.0}) == normalise_params({"value": 7})
    assert normalise_params(EXCLUDED) != normalise_params({"regions": ["EU"]})


# -- rationale rendering ----------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (700_000_000, "700M"),
        (1_500_000, "1.5M"),
        (10_000, "10K"),
        (2e9, "2B"),
        (42, "42"),
    ],
)
def test_format_compact(value: float, expected: str) -> None:
    assert format_compact(value) == expected


def test_render_param_writes_prose() -> None:
    revenue = {"metric": "annual_revenue", "value": 1e6, "currency": "USD"}
    assert render_param("thresholds", MAU) == "700M monthly active users"
    assert render_param("thresholds", {"thresholds": [revenue]}) == (
        "USD 1M annual revenue"
    )
    assert render_param("regions", EXCLUDED) == "the EU, GB, KR"
    assert render_param("jurisdiction", {"jurisdiction": "CN"}) == "CN (China)"
    assert render_param("kind", {"kind": ["license_copy", "display_notice"]}) == (
        "license copy, display notice"
    )
    assert render_param("text", {"text": ["Made with W", "Uses W"]}) == (
        '"Made with W" or "Uses W"'
    )
    assert render_param("url", {}) == "no URL given"


# -- without a profile: default severities, no verdict ----------------------------


def test_without_profile_findings_keep_default_severity_and_no_verdict() -> None:
    for finding in apply_rules(DOCUMENT, TAGS, RULES):
        rule = next(r for r in RULES if r.id == finding.rule_id)
        assert finding.severity is rule.severity
        assert finding.verdict is None


# -- with a profile: one verdict per category -------------------------------------


def test_eu_exclusion_and_german_operations_is_a_blocker() -> None:
    finding = by_rule(apply_rules(DOCUMENT, TAGS, RULES, PROFILE))[
        "market-regions-excluded"
    ]
    assert finding.severity is Severity.BLOCKER
    assert (
        finding.verdict == "You operate in DE, FR; the grant excludes the EU, GB, KR."
    )
    assert len(finding.citations) == 3


def test_two_million_users_under_700m_does_not_apply() -> None:
    finding = by_rule(apply_rules(DOCUMENT, TAGS, RULES, PROFILE))[
        "scale-usage-threshold"
    ]
    assert finding.severity is Severity.DOES_NOT_APPLY
    assert finding.verdict == (
        "Your 2,000,000 monthly active users are under the 700,000,000 threshold."
    )


def test_does_not_apply_findings_sort_last() -> None:
    findings = apply_rules(DOCUMENT, TAGS, RULES, PROFILE)
    assert findings[-1].severity is Severity.DOES_NOT_APPLY
    assert findings[0].severity is Severity.BLOCKER


def test_research_only_with_commercial_use_is_a_blocker() -> None:
    finding = by_rule(apply_rules(DOCUMENT, TAGS, RULES, PROFILE))[
        "commercial-research-only"
    ]
    assert finding.severity is Severity.BLOCKER
    assert finding.verdict == "You plan commercial use; the grant is research only."


def test_missing_mau_keeps_default_severity_and_says_so() -> None:
    nameless = OrgProfile(name="Unknown Size Ltd", regions=("DE",))
    finding = by_rule(apply_rules(DOCUMENT, TAGS, RULES, nameless))[
        "scale-usage-threshold"
    ]
    assert finding.severity is Severity.MEDIUM
    assert finding.verdict is not None
    assert "monthly_active_users is not in profile" in finding.verdict


def test_governing_law_inside_profile_regions_is_info() -> None:
    finding = by_rule(apply_rules(DOCUMENT, TAGS, RULES, PROFILE))[
        "governing-law-foreign"
    ]
    assert finding.severity is Severity.INFO
    assert "US-CA" in (finding.verdict or "")


def one_finding(
    clause_type: ClauseType,
    params: Mapping[str, object],
    profile: OrgProfile | None,
) -> RiskFinding:
    (finding,) = apply_rules(
        DOCUMENT, (tag("policy", clause_type, params),), RULES, profile
    )
    return finding


SHARER = OrgProfile(
    name="Sharer",
    regions=("JP",),
    intended_uses=frozenset(
        {IntendedUse.REDISTRIBUTION, IntendedUse.TRAINING_ON_OUTPUTS}
    ),
    annual_revenue=Money(5e6, "EUR"),
)
WIDGET_RULES = {"policy": "Widget Rules", "updatable": True}
CASES = [
    # clause type, params, severity: without profile, for PROFILE, for SHARER
    ("usage_threshold", MAU, "medium does_not_apply medium"),
    ("geographic_restriction", EXCLUDED, "high blocker does_not_apply"),
    (
        "commercial_restriction",
        {"scope": "non_commercial"},
        "high blocker does_not_apply",
    ),
    (
        "commercial_restriction",
        {"scope": "permission_required"},
        "medium high does_not_apply",
    ),
    (
        "commercial_restriction",
        {"scope": "hosting_prohibited"},
        "high blocker does_not_apply",
    ),
    ("output_restriction", {}, "medium low high"),
    ("attribution", {"kind": "license_copy"}, "low info medium"),
    ("restriction_flowdown", {}, "medium info medium"),
    ("aup_incorporation", WIDGET_RULES, "high high high"),
    ("aup_incorporation", {**WIDGET_RULES, "updatable": False}, "medium medium medium"),
    ("unilateral_change", {"target": "agreement"}, "medium medium medium"),
    ("litigation_termination", {}, "low info info"),
    ("governing_law", {"jurisdiction": "SG"}, "low medium medium"),
]


@pytest.mark.parametrize(("clause_type", "params", "expected"), CASES)
def test_every_category_with_and_without_profile(
    clause_type: str, params: Mapping[str, object], expected: str
) -> None:
    default, eu, sharer = (Severity(name) for name in expected.split())
    assert one_finding(ClauseType(clause_type), params, None).severity is default
    with_eu = one_finding(ClauseType(clause_type), params, PROFILE)
    assert with_eu.severity is eu
    assert with_eu.verdict
    assert one_finding(ClauseType(clause_type), params, SHARER).severity is sharer


def test_every_category_is_exercised_by_the_cases() -> None:
    categories = {
        rule.category
        for clause_type, *_ in CASES
        for rule in RULES
        if ClauseType(clause_type) in rule.clause_types
    }
    assert categories == set(RiskCategory)
