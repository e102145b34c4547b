"""Parameter parsers called directly: wording the tagger does not tag, and helpers.

How the engine reads the parameters of a tagged clause is in the data-driven
cases (`tests/cases/`, `tests/extractors/test_cases.py`). What stays here is
what a case cannot show: parsers on sentences the pattern tagger does not tag
alone (the parser still reads them when the model stage adds the clause), and
the helpers and dispatch the parsers share.
"""

from __future__ import annotations

from typing import Any

import pytest

from extractors.labels import ClauseType
from extractors.params import (
    EXTRACTORS,
    aup_incorporation,
    commercial_restriction,
    extract_params,
    find_url,
    governing_law,
    quoted_strings,
    regions_in,
    unilateral_change,
    usage_threshold,
)

# --- usage_threshold ---------------------------------------------------------------


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


# --- attribution ---------------------------------------------------------------------


def test_quoted_strings_nest_curly_quotes_and_fold_space() -> None:
    assert quoted_strings('say “a “b”\n  c” and "d  e"') == ["a “b” c", "d e"]


# --- aup_incorporation --------------------------------------------------------------

POLICIES: list[tuple[str, dict[str, Any]]] = [
    (
        "You must follow the Zephyr Prohibited Use Policy (zephyr.ai/policy).",
        {
            "policy": "Zephyr Prohibited Use Policy",
            "url": "zephyr.ai/policy",
            "updatable": False,
        },
    ),
    (
        "You must follow the latest version of the Zephyr Usage Policy.",
        {"policy": "Zephyr Usage Policy", "updatable": True},
    ),
    (
        "You may not modify the Orbit Acceptable Use Policy.",
        {"policy": "Orbit Acceptable Use Policy", "updatable": False},
    ),
]


@pytest.mark.parametrize(
    ("text", "expected"), POLICIES, ids=[text[:40] for text, _ in POLICIES]
)
def test_aup_incorporation(text: str, expected: dict[str, Any]) -> None:
    assert aup_incorporation(text) == expected


def test_find_url_cuts_trailing_dot() -> None:
    assert find_url("See https://x.example.com/a. Thanks") == "https://x.example.com/a"
    assert find_url("No link here") is None


# --- geographic_restriction ---------------------------------------------------------


def test_regions_in_keeps_order_and_dedups() -> None:
    text = "the EU, the United Kingdom, Korea, the PRC and the European Union"
    assert regions_in(text) == ["EU", "GB", "KR", "CN"]


def test_regions_in_prefers_the_longest_name() -> None:
    assert regions_in("North Korea") == ["KP"]
    assert regions_in("Hong Kong") == ["HK"]


# --- commercial_restriction ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "scope"),
    [
        ("The Model is for research purposes only.", "research_only"),
        ("❌ Sell this model", "non_commercial"),
    ],
)
def test_commercial_restriction(text: str, scope: str) -> None:
    assert commercial_restriction(text) == {"scope": scope}


# --- unilateral_change ---------------------------------------------------------------


def test_unilateral_change_target_of_a_short_policy_name() -> None:
    assert unilateral_change("We may amend the AUP from time to time.") == {
        "target": "policy"
    }


# --- governing_law -------------------------------------------------------------------


def test_law_of_the_licensees_place_has_no_jurisdiction() -> None:
    assert governing_law("The laws of the country where you reside apply.") == {
        "jurisdiction": None
    }


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
