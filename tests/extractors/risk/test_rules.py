from __future__ import annotations

from pathlib import Path

import pytest

from extractors.errors import ConfigError
from extractors.labels import ClauseType, RiskCategory, Severity
from extractors.risk.rules import (
    DEFAULT_RULES_PATH,
    PLACEHOLDERS,
    Condition,
    Operator,
    load_default_rules,
    load_rules,
    rules_sha256,
)
from extractors.risk.verdicts import VERDICTS
from extractors.types import CharSpan, ClauseTag, Explanation

FIXTURES = Path(__file__).parent / "fixtures" / "rules"

RULE = """\
- id: demo-rule
  category: output_use
  clause_types: [output_restriction]
  severity: medium
  title: Demo
  rationale: Demo rationale.
"""


def write(tmp_path: Path, text: str, name: str = "rules.yml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def tag(clause_type: ClauseType, **params: object) -> ClauseTag:
    explanation = Explanation(extractor="test", method="pattern", score=1.0)
    return ClauseTag(clause_type, CharSpan(0, 1), 1.0, explanation, params)


# -- the shipped rules --------------------------------------------------------------


def test_every_default_rule_loads_with_unique_ids() -> None:
    rules = load_default_rules()
    ids = [rule.id for rule in rules]
    assert len(rules) >= len(RiskCategory)
    assert len(ids) == len(set(ids))
    assert all(rule.source == str(DEFAULT_RULES_PATH) for rule in rules)


def test_default_rules_cover_every_category_and_clause_type() -> None:
    rules = load_default_rules()
    assert {rule.category for rule in rules} == set(RiskCategory)
    fired = {ct for rule in rules for ct in rule.clause_types}
    assert fired == set(ClauseType)


def test_default_rules_name_registered_verdicts_and_real_severities() -> None:
    for rule in load_default_rules():
        assert rule.verdict in VERDICTS, rule.id
        assert rule.severity is not Severity.DOES_NOT_APPLY
        assert set(rule.placeholders) <= PLACEHOLDERS


def test_updatable_policy_outranks_a_fixed_one_by_default() -> None:
    by_id = {rule.id: rule for rule in load_default_rules()}
    updatable = by_id["policy-incorporated-updatable"]
    fixed = by_id["policy-incorporated"]
    assert updatable.matches(tag(ClauseType.AUP_INCORPORATION, updatable=True))
    assert not fixed.matches(tag(ClauseType.AUP_INCORPORATION, updatable=True))
    assert fixed.matches(tag(ClauseType.AUP_INCORPORATION, updatable=False))
    assert (updatable.severity, fixed.severity) == (Severity.HIGH, Severity.MEDIUM)


# -- bad rule files ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("unknown_type.yml", "clause_types.0"),
        ("duplicate_id.yml", "duplicate id"),
        ("bad_id.yml", "not kebab-case"),
        ("unknown_verdict.yml", "unknown verdict function 'no_such_verdict'"),
    ],
)
def test_bad_rule_files_name_the_file_the_rule_and_the_problem(
    name: str, expected: str
) -> None:
    with pytest.raises(ConfigError) as error:
        load_rules(FIXTURES / name)
    message = str(error.value)
    assert name in message
    assert expected in message
    assert "rule '" in message


def test_unknown_clause_type_message_shows_the_typo() -> None:
    with pytest.raises(ConfigError, match="usage_treshold"):
        load_rules(FIXTURES / "unknown_type.yml")


def test_duplicate_id_across_files_names_both(tmp_path: Path) -> None:
    first = write(tmp_path, RULE, "a.yml")
    second = write(tmp_path, RULE, "b.yml")
    with pytest.raises(ConfigError) as error:
        load_rules([first, second])
    assert "b.yml: rule 'demo-rule': duplicate id" in str(error.value)
    assert "a.yml" in str(error.value)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("category: output_use", "category: output_usage", "category"),
        ("severity: medium", "severity: urgent", "severity"),
        ("severity: medium", "severity: does_not_apply", "is a verdict"),
        ("Demo rationale.", "Past {treshold}.", "unknown placeholder {treshold}"),
        ("Demo rationale.", "Past {thresholds:>10}.", "unknown placeholder"),
        ("clause_types: [output_restriction]", "clause_types: []", "clause_types"),
        ("title: Demo", "title: Demo\n  colour: red", "colour"),
    ],
)
def test_invalid_fields_raise_config_error(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    path = write(tmp_path, RULE.replace(old, new))
    with pytest.raises(ConfigError, match="rule 'demo-rule'") as error:
        load_rules(path)
    assert expected in str(error.value)


def test_rule_without_id_is_named_by_position(tmp_path: Path) -> None:
    nameless = "- category: output_use\n  clause_types: [output_restriction]\n"
    with pytest.raises(ConfigError, match=r"rule #2: id: Field required"):
        load_rules(write(tmp_path, RULE + nameless))


@pytest.mark.parametrize(
    "when",
    [
        "{param: mode}",
        "{param: mode, equals: only, contains: only}",
        "{param: mode, equals: null}",
        "{param: mode, matches: only}",
    ],
)
def test_condition_needs_exactly_one_operator(tmp_path: Path, when: str) -> None:
    path = write(tmp_path, RULE + f"  when: {when}\n")
    with pytest.raises(ConfigError, match="when"):
        load_rules(path)


def test_unreadable_and_malformed_files_raise_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read rules"):
        load_rules(tmp_path / "missing.yml")
    with pytest.raises(ConfigError, match="cannot read rules"):
        load_rules(write(tmp_path, "- id: [unclosed\n"))
    with pytest.raises(ConfigError, match="must hold a list of rules"):
        load_rules(write(tmp_path, "just a string\n"))


# -- loading -----------------------------------------------------------------------


def test_valid_file_freezes_rules_in_file_order() -> None:
    rules = load_rules(FIXTURES / "valid.yml")
    assert [rule.id for rule in rules] == ["demo-scale", "demo-law"]
    assert rules[0].clause_types == (ClauseType.USAGE_THRESHOLD,)
    assert rules[0].verdict == "scale_limit"
    assert rules[1].verdict is None
    assert rules[1].placeholders == ("jurisdiction",)


def test_directory_loads_every_yaml_file_sorted(tmp_path: Path) -> None:
    write(tmp_path, RULE.replace("demo-rule", "zeta-rule"), "b.yml")
    write(tmp_path, RULE.replace("demo-rule", "alpha-rule"), "a.yaml")
    write(tmp_path, "not a rule", "notes.txt")
    assert [rule.id for rule in load_rules(tmp_path)] == ["alpha-rule", "zeta-rule"]


def test_single_mapping_file_is_one_rule(tmp_path: Path) -> None:
    path = write(tmp_path, RULE.replace("- id", "id").replace("\n  ", "\n"))
    assert [rule.id for rule in load_rules(path)] == ["demo-rule"]


def test_rules_sha256_is_stable_and_tracks_content(tmp_path: Path) -> None:
    path = write(tmp_path, RULE)
    digest = rules_sha256([path])
    assert digest == rules_sha256(path)
    assert len(digest) == 64
    write(tmp_path, RULE.replace("Demo rationale.", "Changed."))
    assert rules_sha256([path]) != digest
    assert rules_sha256([DEFAULT_RULES_PATH]) == rules_sha256([DEFAULT_RULES_PATH])
    with pytest.raises(ConfigError):
        rules_sha256([tmp_path / "missing.yml"])


# -- conditions ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("condition", "params", "expected"),
    [
        (
            Condition("scope", Operator.CONTAINS, "research_only"),
            {"scope": "research_only"},
            True,
        ),
        (
            Condition("scope", Operator.CONTAINS, "research_only"),
            {"scope": ["hosting_prohibited", "research_only"]},
            True,
        ),
        (
            Condition("scope", Operator.EQUALS, "research_only"),
            {"scope": ["hosting_prohibited", "research_only"]},
            False,
        ),
        (
            Condition("scope", Operator.EQUALS, "research_only"),
            {"scope": ["research_only"]},
            True,
        ),
        (Condition("updatable", Operator.EQUALS, True), {"updatable": True}, True),
        (Condition("updatable", Operator.EQUALS, True), {"updatable": 1}, False),
        (Condition("updatable", Operator.NOT_EQUALS, True), {}, True),
        (Condition("updatable", Operator.NOT_EQUALS, True), {"updatable": True}, False),
        (
            Condition("thresholds.metric", Operator.CONTAINS, "annual_revenue"),
            {
                "thresholds": [
                    {"metric": "monthly_active_users"},
                    {"metric": "annual_revenue"},
                ]
            },
            True,
        ),
        (
            Condition("thresholds.metric", Operator.CONTAINS, "annual_revenue"),
            {"thresholds": [{"metric": "daily_active_users"}]},
            False,
        ),
        (Condition("mode", Operator.EQUALS, "only"), {}, False),
    ],
)
def test_condition_semantics(
    condition: Condition, params: dict[str, object], expected: bool
) -> None:
    assert condition.holds(params) is expected


def test_rule_matches_only_its_clause_types_and_conditions(tmp_path: Path) -> None:
    text = RULE.replace("[output_restriction]", "[commercial_restriction]")
    path = write(
        tmp_path, text + "  when: {param: scope, contains: hosting_prohibited}\n"
    )
    (rule,) = load_rules(path)
    assert rule.when == (Condition("scope", Operator.CONTAINS, "hosting_prohibited"),)
    assert rule.matches(
        tag(ClauseType.COMMERCIAL_RESTRICTION, scope="hosting_prohibited")
    )
    assert not rule.matches(
        tag(ClauseType.COMMERCIAL_RESTRICTION, scope="research_only")
    )
    assert not rule.matches(
        tag(ClauseType.OUTPUT_RESTRICTION, scope="hosting_prohibited")
    )


def test_package_exports_are_sorted_and_resolve() -> None:
    import extractors.risk as risk

    assert risk.__all__ == sorted(risk.__all__)
    assert all(hasattr(risk, name) for name in risk.__all__)
    assert risk.load_default_rules() == load_default_rules()
