"""Parameter extraction from a clause's own text, one table per clause type."""

from __future__ import annotations

from typing import Any

import pytest

from extractors.labels import ClauseType
from extractors.params import (
    EXTRACTORS,
    attribution,
    aup_incorporation,
    commercial_restriction,
    extract_params,
    find_url,
    geographic_restriction,
    governing_law,
    quoted_strings,
    regions_in,
    unilateral_change,
    usage_threshold,
)


def _ids(cases: list[tuple[str, Any]]) -> list[str]:
    return [text[:40] for text, _ in cases]


# --- usage_threshold ---------------------------------------------------------------

THRESHOLDS: list[tuple[str, list[dict[str, Any]]]] = [
    (
        "If the monthly active users of your products exceed 700 million, you must"
        " request a license from us.",
        [
            {
                "metric": "monthly_active_users",
                "value": 700_000_000,
                "consequence": "license_required",
            }
        ],
    ),
    (
        "Companies with more than one billion monthly active users are not granted"
        " any rights under this License.",
        [
            {
                "metric": "monthly_active_users",
                "value": 1_000_000_000,
                "consequence": "rights_terminate",
            }
        ],
    ),
    (
        "If your annual revenue exceeds USD $1,000,000, you must pay a fee to us.",
        [
            {
                "metric": "annual_revenue",
                "value": 1_000_000,
                "currency": "USD",
                "consequence": "fee_required",
            }
        ],
    ),
    (
        "If your annual revenue exceeds EUR 10 million, you must obtain a commercial"
        " license.",
        [
            {
                "metric": "annual_revenue",
                "value": 10_000_000,
                "currency": "EUR",
                "consequence": "license_required",
            }
        ],
    ),
    (
        "Products with more than 1M DAU must display a notice that they are built"
        " with Zephyr.",
        [
            {
                "metric": "daily_active_users",
                "value": 1_000_000,
                "consequence": "attribution_required",
            }
        ],
    ),
    (
        "Services with over 2,500,000 daily active users must show an attribution"
        " notice.",
        [
            {
                "metric": "daily_active_users",
                "value": 2_500_000,
                "consequence": "attribution_required",
            }
        ],
    ),
    (
        "If your service has more than 3M daily users, you must obtain a separate"
        " license from Orbit Labs.",
        [
            {
                "metric": "daily_active_users",
                "value": 3_000_000,
                "consequence": "license_required",
            }
        ],
    ),
]


@pytest.mark.parametrize(("text", "expected"), THRESHOLDS, ids=_ids(THRESHOLDS))
def test_usage_threshold(text: str, expected: list[dict[str, Any]]) -> None:
    assert usage_threshold(text) == {"thresholds": expected}


@pytest.mark.parametrize(
    "text",
    [
        "The 7B model has 700 million parameters.",
        "It was trained on 2 trillion tokens in 2024.",
        "Version 2.1 was published in 2025.",
    ],
)
def test_sizes_years_and_small_numbers_are_not_thresholds(text: str) -> None:
    assert usage_threshold(text) == {"thresholds": []}


def test_dollar_sign_alone_gives_usd() -> None:
    params = usage_threshold(
        "If your annual revenue exceeds $50 million, you must obtain a license."
    )
    assert params["thresholds"] == [
        {
            "metric": "annual_revenue",
            "value": 50_000_000,
            "currency": "USD",
            "consequence": "license_required",
        }
    ]


def test_users_or_revenue_gives_two_thresholds() -> None:
    params = usage_threshold(
        "If you have more than 100 million monthly active users or annual revenue"
        " above USD 50 million, you must obtain a license from us."
    )
    metrics = {(t["metric"], t["value"]) for t in params["thresholds"]}
    assert metrics == {
        ("monthly_active_users", 100_000_000),
        ("annual_revenue", 50_000_000),
    }


# --- attribution ---------------------------------------------------------------------

ATTRIBUTIONS: list[tuple[str, dict[str, Any]]] = [
    (
        "You must prominently display “Built with Zephyr” in your product.",
        {"kind": "display_notice", "text": "Built with Zephyr"},
    ),
    (
        "You must display “Made with “Zephyr” Models” on your site.",
        {"kind": "display_notice", "text": "Made with “Zephyr” Models"},
    ),
    (
        'You must display "Built with Zephyr" or "Powered by Zephyr" in your product.',
        {"kind": "display_notice", "text": ["Built with Zephyr", "Powered by Zephyr"]},
    ),
    (
        'Any derivative must be named with the prefix "[name of Derivative'
        '  Work]-Zephyr".',
        {"kind": "naming_prefix", "text": "[name of Derivative Work]-Zephyr"},
    ),
    (
        'You must include "Zephyr" at the beginning of the name of any derivative'
        " model.",
        {"kind": "naming_prefix", "text": "Zephyr"},
    ),
    (
        "You must retain all copyright notices in the source files.",
        {"kind": "retain_notices"},
    ),
    (
        "This permission notice shall be included in all copies of the Software.",
        {"kind": "retain_notices"},
    ),
    (
        "Modified files must carry prominent notices stating that you changed the"
        " files.",
        {"kind": "modification_notice"},
    ),
    (
        "You must give every recipient a copy of this License.",
        {"kind": "license_copy"},
    ),
    (
        "You must provide a copy of this Agreement and a NOTICE file with the"
        ' following notice: "Zephyr is licensed under the\n  Zephyr License."',
        {
            "kind": ["license_copy", "notice_file"],
            "text": "Zephyr is licensed under the Zephyr License.",
        },
    ),
]


@pytest.mark.parametrize(("text", "expected"), ATTRIBUTIONS, ids=_ids(ATTRIBUTIONS))
def test_attribution(text: str, expected: dict[str, Any]) -> None:
    assert attribution(text) == expected


def test_quoted_strings_nest_curly_quotes_and_fold_space() -> None:
    assert quoted_strings('say “a “b”\n  c” and "d  e"') == ["a “b” c", "d e"]


def test_markdown_emphasis_is_dropped_from_text() -> None:
    params = attribution('You must display "**Built with Zephyr**" in your app.')
    assert params == {"kind": "display_notice", "text": "Built with Zephyr"}


# --- aup_incorporation --------------------------------------------------------------

POLICIES: list[tuple[str, dict[str, Any]]] = [
    (
        # a policy named after a conjunction: the name starts at the policy
        "Accept our license terms and acceptable use policy before you download.",
        {"policy": "acceptable use policy", "updatable": False},
    ),
    (
        "Your use must comply with the Acceptable Use Policy at"
        " https://zephyr.example.com/aup, as updated from time to time.",
        {
            "policy": "Acceptable Use Policy",
            "url": "https://zephyr.example.com/aup",
            "updatable": True,
        },
    ),
    (
        "You must follow the Zephyr Prohibited Use Policy (zephyr.ai/policy).",
        {
            "policy": "Zephyr Prohibited Use Policy",
            "url": "zephyr.ai/policy",
            "updatable": False,
        },
    ),
    (
        "You agree to comply with the AUP.",
        {"policy": "AUP", "updatable": False},
    ),
    (
        "Use is subject to the use restrictions in Attachment A.",
        {"policy": "Attachment A", "updatable": False},
    ),
    (
        "You must follow the latest version of the Zephyr Usage Policy.",
        {"policy": "Zephyr Usage Policy", "updatable": True},
    ),
    (
        "You must comply with the Acme Acceptable Use Policy, which Acme may"
        " update from time to time.",
        {"policy": "Acme Acceptable Use Policy", "updatable": True},
    ),
    (
        "Your use is subject to the Orbit Acceptable Use Policy; we may amend it at any"
        " time without notice.",
        {"policy": "Orbit Acceptable Use Policy", "updatable": True},
    ),
    (
        "You may not modify the Orbit Acceptable Use Policy.",
        {"policy": "Orbit Acceptable Use Policy", "updatable": False},
    ),
]


@pytest.mark.parametrize(("text", "expected"), POLICIES, ids=_ids(POLICIES))
def test_aup_incorporation(text: str, expected: dict[str, Any]) -> None:
    assert aup_incorporation(text) == expected


def test_find_url_cuts_trailing_dot() -> None:
    assert find_url("See https://x.example.com/a. Thanks") == "https://x.example.com/a"
    assert find_url("No link here") is None


# --- geographic_restriction ---------------------------------------------------------

REGIONS: list[tuple[str, dict[str, Any]]] = [
    (
        "Rights are not granted to anyone domiciled in the European Union or the"
        " United Kingdom.",
        {"regions": ["EU", "GB"], "mode": "excluded"},
    ),
    ("You may use the Model only in South Korea.", {"regions": ["KR"], "mode": "only"}),
    (
        "This License does not apply in mainland China.",
        {"regions": ["CN"], "mode": "excluded"},
    ),
    (
        "You may use the Model exclusively within the EU and Great Britain.",
        {"regions": ["EU", "GB"], "mode": "only"},
    ),
    (
        "The Model is not available to users in the Republic of Korea.",
        {"regions": ["KR"], "mode": "excluded"},
    ),
]


@pytest.mark.parametrize(("text", "expected"), REGIONS, ids=_ids(REGIONS))
def test_geographic_restriction(text: str, expected: dict[str, Any]) -> None:
    assert geographic_restriction(text) == expected


def test_regions_in_keeps_order_and_dedups() -> None:
    text = "the EU, the United Kingdom, Korea, the PRC and the European Union"
    assert regions_in(text) == ["EU", "GB", "KR", "CN"]


def test_regions_in_prefers_the_longest_name() -> None:
    assert regions_in("North Korea") == ["KP"]
    assert regions_in("Hong Kong") == ["HK"]


# --- commercial_restriction ----------------------------------------------------------

SCOPES: list[tuple[str, Any]] = [
    ("You may use the Model solely for non-commercial purposes.", "non_commercial"),
    ("The Model is for research purposes only.", "research_only"),
    ("You may use it solely for non-commercial research purposes.", "research_only"),
    (
        "Commercial use requires you to fill out the registration form.",
        "permission_required",
    ),
    ("You may not host the Model as a managed service.", "hosting_prohibited"),
    (
        "You may not offer the Model as a service; for commercial hosting, contact us"
        " for permission.",
        ["permission_required", "hosting_prohibited"],
    ),
]


@pytest.mark.parametrize(("text", "expected"), SCOPES, ids=_ids(SCOPES))
def test_commercial_restriction(text: str, expected: Any) -> None:
    assert commercial_restriction(text) == {"scope": expected}


# --- unilateral_change ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "target"),
    [
        ("We may modify this Agreement at any time.", "agreement"),
        ("Zephyr may revise these terms without notice.", "agreement"),
        ("We may update the Acceptable Use Policy.", "policy"),
        ("We may amend the AUP from time to time.", "policy"),
    ],
)
def test_unilateral_change_target(text: str, target: str) -> None:
    assert unilateral_change(text) == {"target": target}


# --- governing_law -------------------------------------------------------------------

LAWS: list[tuple[str, str | None]] = [
    ("This Agreement is governed by the laws of the State of California.", "US-CA"),
    ("This Agreement is governed by the laws of the State of Delaware.", "US-DE"),
    (
        "This Agreement is governed by the laws of Hong Kong, and disputes go to"
        " the courts of China.",
        "HK",
    ),
    (
        "This Agreement is governed by the laws of the People's Republic of China,"
        " excluding Hong Kong, Macau and Taiwan.",
        "CN",
    ),
    (
        "This Agreement is governed by PRC law and disputes go to the Haidian"
        " court in Beijing.",
        "CN",
    ),
    ("This License is governed by the laws of England and Wales.", "GB-ENG"),
    ("Disputes shall be submitted to the courts of Singapore.", "SG"),
    ("This Agreement is governed by the laws of the United States.", "US"),
    ("This Agreement is governed by the law of the land.", None),
]


@pytest.mark.parametrize(("text", "code"), LAWS, ids=_ids(LAWS))
def test_governing_law(text: str, code: str | None) -> None:
    expected = {} if code is None else {"jurisdiction": code}
    assert governing_law(text) == expected


# --- dispatch ------------------------------------------------------------------------


def test_every_clause_type_has_an_extractor() -> None:
    assert set(EXTRACTORS) == set(ClauseType)


@pytest.mark.parametrize(
    "clause_type",
    [
        ClauseType.OUTPUT_RESTRICTION,
        ClauseType.RESTRICTION_FLOWDOWN,
        ClauseType.LITIGATION_TERMINATION,
    ],
)
def test_types_without_parameters(clause_type: ClauseType) -> None:
    assert (
        extract_params(clause_type, "You must not do it in 2024 for $5 million.") == {}
    )


def test_extract_params_dispatches() -> None:
    text = "This Agreement is governed by the laws of Singapore."
    assert extract_params(ClauseType.GOVERNING_LAW, text) == {"jurisdiction": "SG"}
