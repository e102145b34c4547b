"""The clause registry: every clause type's `ClauseSpec`, by `ClauseType`.

One module per clause type holds its spec; this table names them all
explicitly (no discovery by import side effect), in `ClauseType` order.
Everything that behaves differently per clause type looks the type up here.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from extractors.clauses import (
    attribution,
    aup_incorporation,
    commercial_restriction,
    geographic_restriction,
    governing_law,
    litigation_termination,
    output_restriction,
    restriction_flowdown,
    unilateral_change,
    usage_threshold,
)
from extractors.clauses.spec import ClauseSpec
from extractors.labels import ClauseType

REGISTRY: Mapping[ClauseType, ClauseSpec[Any]] = MappingProxyType(
    {
        ClauseType.USAGE_THRESHOLD: usage_threshold.SPEC,
        ClauseType.ATTRIBUTION: attribution.SPEC,
        ClauseType.AUP_INCORPORATION: aup_incorporation.SPEC,
        ClauseType.GEOGRAPHIC_RESTRICTION: geographic_restriction.SPEC,
        ClauseType.COMMERCIAL_RESTRICTION: commercial_restriction.SPEC,
        ClauseType.OUTPUT_RESTRICTION: output_restriction.SPEC,
        ClauseType.RESTRICTION_FLOWDOWN: restriction_flowdown.SPEC,
        ClauseType.UNILATERAL_CHANGE: unilateral_change.SPEC,
        ClauseType.LITIGATION_TERMINATION: litigation_termination.SPEC,
        ClauseType.GOVERNING_LAW: governing_law.SPEC,
    }
)


def spec_of(clause_type: ClauseType) -> ClauseSpec[Any]:
    """Return the spec of `clause_type` (KeyError for a type not registered)."""
    return REGISTRY[clause_type]
