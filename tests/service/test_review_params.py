"""Review parameters speak the clause registry's vocabularies; events group once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from extractors.clauses.attribution import KINDS
from extractors.clauses.commercial_restriction import SCOPES
from extractors.clauses.unilateral_change import TARGETS
from extractors.labels import ClauseType
from service.reviews.params import ParamsError, validate_params
from service.reviews.state import Action, Event
from service.reviews.store import by_reviewer


@pytest.mark.parametrize(
    ("clause_type", "field", "vocabulary"),
    [
        (ClauseType.ATTRIBUTION, "kind", KINDS),
        (ClauseType.COMMERCIAL_RESTRICTION, "scope", SCOPES),
        (ClauseType.UNILATERAL_CHANGE, "target", TARGETS),
    ],
)
def test_every_registry_word_is_accepted_and_no_other(
    clause_type: ClauseType, field: str, vocabulary: tuple[str, ...]
) -> None:
    assert len(vocabulary) >= 2
    for word in vocabulary:
        assert validate_params(clause_type, {field: word}) == {field: word}
    with pytest.raises(ParamsError, match=field):
        validate_params(clause_type, {field: "something_else"})


def test_the_engine_s_own_params_validate_as_review_params() -> None:
    # what the registry's parsers produce is what a reviewer may store
    from extractors.clauses import REGISTRY

    samples = {
        ClauseType.ATTRIBUTION: 'Keep a NOTICE file and display "Built with X".',
        ClauseType.COMMERCIAL_RESTRICTION: "For non-commercial research use only.",
        ClauseType.UNILATERAL_CHANGE: "We may update this policy at any time.",
        ClauseType.GEOGRAPHIC_RESTRICTION: "Not licensed to anyone in the EU or Canada",
        ClauseType.GOVERNING_LAW: "Governed by the laws of the State of California.",
    }
    for clause_type, text in samples.items():
        params: dict[str, Any] = dict(REGISTRY[clause_type].parse(text))
        assert validate_params(clause_type, params) == params, clause_type


def test_region_and_jurisdiction_formats() -> None:
    ok = {"regions": ["EU", "CA"], "mode": "excluded"}
    assert validate_params(ClauseType.GEOGRAPHIC_RESTRICTION, ok) == ok
    with pytest.raises(ParamsError, match="regions.0"):
        validate_params(
            ClauseType.GEOGRAPHIC_RESTRICTION, {"regions": ["eu"], "mode": "only"}
        )
    law = {"jurisdiction": "US-CA"}
    assert validate_params(ClauseType.GOVERNING_LAW, law) == law
    with pytest.raises(ParamsError, match="jurisdiction"):
        validate_params(ClauseType.GOVERNING_LAW, {"jurisdiction": "California"})


def _event(ident: int, reviewer: str) -> Event:
    moment = dt.datetime(2026, 1, 1, tzinfo=dt.UTC) + dt.timedelta(seconds=ident)
    return Event(ident, reviewer, Action.ACCEPT, "k", None, None, None, moment)


def test_events_group_by_reviewer_in_order_of_first_decision() -> None:
    events = [_event(1, "bo"), _event(2, "al"), _event(3, "bo"), _event(4, "al")]
    grouped = by_reviewer(events)
    assert list(grouped) == ["bo", "al"]
    assert [e.id for e in grouped["bo"]] == [1, 3]
    assert [e.id for e in grouped["al"]] == [2, 4]
    assert by_reviewer([]) == {}
