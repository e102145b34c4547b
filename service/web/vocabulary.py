"""Names, abbreviations and colour slots of the clause types and severities.

Clause type names and badges come from the clause registry
(`extractors.clauses`). Colours come from the Okabe-Ito palette (distinct
for the common forms of colour blindness); each type also has an underline
style and a two-letter abbreviation, so colour is never the only cue (see
`static/app.css`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from extractors.clauses import REGISTRY
from extractors.labels import SEVERITY_ORDER, ClauseType, Severity


@dataclass(frozen=True, slots=True)
class TypeStyle:
    """How one clause type is shown: its name and its short badge."""

    value: str
    label: str
    abbr: str


TYPE_STYLES: Final[tuple[TypeStyle, ...]] = tuple(
    TypeStyle(t.value, REGISTRY[t].label, REGISTRY[t].abbr) for t in ClauseType
)
SEVERITIES: Final[tuple[str, ...]] = tuple(s.value for s in SEVERITY_ORDER)
_STYLE_BY_VALUE: Final = {style.value: style for style in TYPE_STYLES}


def type_style(value: str) -> TypeStyle:
    """Return the style of a clause type (an unknown one gets a plain badge)."""
    known = _STYLE_BY_VALUE.get(value)
    if known is not None:
        return known
    return TypeStyle(value, value.replace("_", " ").capitalize(), "??")


def clause_label(value: str) -> str:
    """Return a clause type as people read it ("Usage threshold")."""
    return type_style(value).label


def severity_label(value: str) -> str:
    """Return a severity as people read it ("Does not apply")."""
    if value == Severity.DOES_NOT_APPLY:
        return "Does not apply"
    return value.replace("_", " ").capitalize()
