from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest

from extractors.errors import ConfigError
from extractors.labels import Severity
from extractors.risk.profile import (
    IntendedUse,
    Money,
    OrgProfile,
    load_profile,
    profile_from_mapping,
)
from extractors.risk.regions import (
    COUNTRY_NAMES,
    EEA_MEMBERS,
    EU_MEMBERS,
    country_of,
    expand_regions,
    format_regions,
    region_name,
)
from extractors.risk.verdicts import VERDICTS, Case

FIXTURES = Path(__file__).parent / "fixtures" / "profiles"
EXAMPLE = Path(__file__).parents[3] / "examples" / "profile.example.yml"


# -- loading ---------------------------------------------------------------------


def test_example_profile_loads() -> None:
    profile = load_profile(EXAMPLE)
    assert profile.regions == ("DE", "FR", "US")
    assert profile.monthly_active_users == 2_000_000
    assert profile.intended_uses == frozenset(
        {IntendedUse.COMMERCIAL, IntendedUse.HOSTING, IntendedUse.REDISTRIBUTION}
    )
    assert profile.annual_revenue is not None
    assert profile.annual_revenue.currency == "EUR"


def test_yaml_profile_normalises_codes_and_expands_eu() -> None:
    profile = load_profile(FIXTURES / "eu_company.yml")
    assert profile.regions == ("FR", "EU", "US")
    assert profile.countries == EU_MEMBERS | {"US"}
    assert profile.daily_active_users is None
    assert profile.annual_revenue is None


def test_json_profile_loads() -> None:
    profile = load_profile(str(FIXTURES / "us_company.json"))
    assert profile == OrgProfile(
        name="Example Corp",
        daily_active_users=5000,
        annual_revenue=Money(2500000.5, "USD"),
        regions=("US",),
        intended_uses=frozenset({IntendedUse.RESEARCH}),
    )


def test_omitted_fields_are_unknown_not_empty() -> None:
    profile = profile_from_mapping({"name": "Bare"}, source="test")
    assert profile.regions is None
    assert profile.countries is None
    assert profile.intended_uses is None
    explicit = profile_from_mapping(
        {"name": "Nowhere", "regions": [], "intended_uses": []}, source="test"
    )
    assert explicit.regions == ()
    assert explicit.intended_uses == frozenset()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("bad_region.yml", "'UK' is not an ISO 3166 alpha-2 code (did you mean GB?)"),
        ("bare_norway.yml", "write Norway as 'NO'"),
        ("bad_use.yml", "intended_uses.1"),
        ("negative_users.yml", "monthly_active_users: Input should be greater"),
        ("unknown_field.yml", "montly_active_users: Extra inputs are not permitted"),
        ("bad_currency.yml", "annual_revenue.currency"),
        ("not_a_mapping.yml", "must be a mapping"),
        ("broken.yml", "not valid YAML"),
        ("missing.yml", "cannot read profile"),
    ],
)  # fmt: skip
def test_bad_profiles_raise_config_error_naming_file_and_problem(
    name: str, expected: str
) -> None:
    with pytest.raises(ConfigError) as error:
        load_profile(FIXTURES / name)
    assert name in str(error.value)
    assert expected in str(error.value)


def test_unknown_use_message_shows_the_value() -> None:
    with pytest.raises(ConfigError, match="world_domination"):
        load_profile(FIXTURES / "bad_use.yml")


def test_bad_json_and_missing_name(tmp_path: Path) -> None:
    broken = tmp_path / "p.json"
    broken.write_text("{", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid JSON"):
        load_profile(broken)
    with pytest.raises(ConfigError, match="name: Field required"):
        profile_from_mapping({"regions": ["DE"]}, source="body")


# -- regions ----------------------------------------------------------------------


def test_region_tables() -> None:
    assert len(COUNTRY_NAMES) == 249
    assert len(EU_MEMBERS) == 27
    assert EEA_MEMBERS - EU_MEMBERS == {"IS", "LI", "NO"}
    assert "GB" not in EU_MEMBERS
    assert expand_regions(["EEA", "CH"]) == EEA_MEMBERS | {"CH"}
    assert country_of("us-ca") == "US"
    assert country_of("GB-ENG") == "GB"
    assert region_name("EU") == "European Union"
    assert region_name("KR") == "South Korea"
    assert format_regions(["EU", "GB"]) == "the EU, GB"


# -- verdicts on edge cases ---------------------------------------------------------


def judge(
    verdict: str, params: Mapping[str, object], profile: OrgProfile
) -> tuple[Severity, str]:
    result = VERDICTS[verdict](Case(params, profile, Severity.MEDIUM))
    return result.severity, result.sentence


def users(
    metric: str, value: int, consequence: str = "license_required"
) -> dict[str, object]:
    return {
        "thresholds": [{"metric": metric, "value": value, "consequence": consequence}]
    }


def test_threshold_reached_takes_the_consequence_severity() -> None:
    big = OrgProfile(name="Big", monthly_active_users=900_000_000)
    severity, sentence = judge(
        "scale_limit", users("monthly_active_users", 700_000_000), big
    )
    assert severity is Severity.BLOCKER
    assert sentence.startswith("Your 900,000,000 monthly active users are at or over")
    fee = users("monthly_active_users", 700_000_000, "fee_required")
    assert judge("scale_limit", fee, big)[0] is Severity.HIGH


def test_daily_users_and_revenue_thresholds() -> None:
    profile = OrgProfile(
        name="Mid", daily_active_users=2_000_000, annual_revenue=Money(5e6, "USD")
    )
    severity, sentence = judge(
        "scale_limit",
        users("daily_active_users", 1_000_000, "rights_terminate"),
        profile,
    )
    assert severity is Severity.BLOCKER
    assert "your rights under the license end" in sentence
    revenue = {"metric": "annual_revenue", "value": 1e7, "currency": "USD"}
    severity, sentence = judge("scale_limit", {"thresholds": [revenue]}, profile)
    assert severity is Severity.DOES_NOT_APPLY
    assert (
        sentence
        == "Your annual revenue of USD 5,000,000 is under the USD 10,000,000 threshold."
    )


def test_revenue_in_another_currency_is_not_compared() -> None:
    profile = OrgProfile(name="Euro", annual_revenue=Money(5e6, "EUR"))
    revenue = {"metric": "annual_revenue", "value": 1e7, "currency": "USD"}
    severity, sentence = judge("scale_limit", {"thresholds": [revenue]}, profile)
    assert severity is Severity.MEDIUM
    assert "your revenue is in EUR, the threshold in USD" in sentence


def test_one_unknown_figure_keeps_the_default_even_if_another_is_under() -> None:
    profile = OrgProfile(name="Half", monthly_active_users=10)
    both = {
        "thresholds": [
            {"metric": "monthly_active_users", "value": 100, "consequence": "other"},
            {"metric": "annual_revenue", "value": 100, "currency": "USD"},
        ]
    }
    severity, sentence = judge("scale_limit", both, profile)
    assert severity is Severity.MEDIUM
    assert "annual_revenue is not in profile" in sentence
    assert "under the 100 threshold" in sentence


def test_territory_only_mode() -> None:
    profile = OrgProfile(name="Global", regions=("CN", "US"))
    severity, sentence = judge(
        "market_exclusion", {"regions": ["CN"], "mode": "only"}, profile
    )
    assert (severity, sentence) == (
        Severity.BLOCKER,
        "You operate in US; the grant covers only CN.",
    )
    local = OrgProfile(name="Local", regions=("DE",))
    assert judge("market_exclusion", {"regions": ["EU"], "mode": "only"}, local)[0] is (
        Severity.DOES_NOT_APPLY
    )


def test_eea_country_outside_eu_is_not_hit_by_an_eu_exclusion() -> None:
    norway = OrgProfile(name="Fjord", regions=("NO",))
    excluded = {"regions": ["EU"], "mode": "excluded"}
    assert judge("market_exclusion", excluded, norway)[0] is Severity.DOES_NOT_APPLY
    excluded_eea = {"regions": ["EEA"], "mode": "excluded"}
    assert judge("market_exclusion", excluded_eea, norway)[0] is Severity.BLOCKER


def test_missing_regions_or_uses_keep_the_default() -> None:
    blank = OrgProfile(name="Blank")
    cases: list[tuple[str, Mapping[str, object]]] = [
        ("market_exclusion", {"regions": ["EU"], "mode": "excluded"}),
        ("foreign_law", {"jurisdiction": "CN"}),
        ("noncommercial_grant", {"scope": "non_commercial"}),
        ("hosting_ban", {"scope": "hosting_prohibited"}),
        ("attribution_duty", {"kind": "notice_file"}),
    ]
    for verdict, params in cases:
        severity, sentence = judge(verdict, params, blank)
        assert severity is Severity.MEDIUM, verdict
        assert "not in profile" in sentence, verdict


def test_law_of_a_us_state_is_local_for_a_us_company() -> None:
    us = OrgProfile(name="US", regions=("US",))
    assert judge("foreign_law", {"jurisdiction": "US-DE"}, us)[0] is Severity.INFO
    severity, sentence = judge("foreign_law", {"jurisdiction": "HK"}, us)
    assert severity is Severity.MEDIUM
    assert "HK (Hong Kong)" in sentence
