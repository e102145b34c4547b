"""The clause registry: every clause type's `ClauseSpec`, by `ClauseType`.

One module per clause type holds its spec; this table names them all
explicitly (no discovery by import side effect), in `ClauseType` order.
Everything that behaves differently per clause type looks the type up here.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from extractors.clauses import usage_threshold
from extractors.clauses.spec import ClauseSpec
from extractors.labels import ClauseType

REGISTRY: Mapping[ClauseType, ClauseSpec[Any]] = MappingProxyType(
    {
        ClauseType.USAGE_THRESHOLD: usage_threshold.SPEC,
    }
)


def spec_of(clause_type: ClauseType) -> ClauseSpec[Any]:
    """Return the spec of `clause_type` (KeyError for a type not registered)."""
    return REGISTRY[clause_type]
