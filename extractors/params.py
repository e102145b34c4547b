"""Parameter extraction: read a tagged clause's values from its own text.

Each clause type's parser lives in its module of `extractors.clauses` and is
found through the registry; this module is the stable place to call them
(`extract_params`) and to import a parser by its clause type's name. Values
that live elsewhere in the document (what a defined "Territory" covers, a
policy URL given in its definition, the law a bare "courts" sentence refers
to) are resolved later by `extractors.resolve`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from extractors.clauses import REGISTRY
from extractors.clauses.attribution import parse as attribution
from extractors.clauses.attribution import quoted_strings
from extractors.clauses.aup_incorporation import find_url
from extractors.clauses.aup_incorporation import parse as aup_incorporation
from extractors.clauses.commercial_restriction import parse as commercial_restriction
from extractors.clauses.common import no_params
from extractors.clauses.geographic_restriction import parse as geographic_restriction
from extractors.clauses.geographic_restriction import regions_in
from extractors.clauses.governing_law import parse as governing_law
from extractors.clauses.spec import Params
from extractors.clauses.unilateral_change import parse as unilateral_change
from extractors.clauses.usage_threshold import parse as usage_threshold
from extractors.labels import ClauseType

__all__ = [
    "EXTRACTORS",
    "Params",
    "attribution",
    "aup_incorporation",
    "commercial_restriction",
    "extract_params",
    "find_url",
    "geographic_restriction",
    "governing_law",
    "no_params",
    "quoted_strings",
    "regions_in",
    "unilateral_change",
    "usage_threshold",
]

EXTRACTORS: Mapping[ClauseType, Callable[[str], Mapping[str, Any]]] = MappingProxyType(
    {ctype: spec.parse for ctype, spec in REGISTRY.items()}
)
"""Each clause type's parser, from the registry."""


def extract_params(clause_type: ClauseType, text: str) -> Params:
    """Return the parameters of a clause of `clause_type` stated by `text`."""
    return dict(REGISTRY[clause_type].parse(text))
