"""Names, abbreviations and colour slots of the clause types and severities.

Colours come from the Okabe-Ito palette (distinct for the common forms of
colour blindness); each type also has an underline style and a two-letter
abbreviation, so colour is never the only cue (see `static/app.css`).
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


_NAMES: Final[dict[ClauseType, tuple[str, str]]] = {
    **{t: (spec.label, spec.abbr) for t, spec in REGISTRY.items()},
    ClauseType.ATTRIBUTION: ("Attribution", "AT"),
    ClauseType.AUP_INCORPORATION: ("Use policy by reference", "UP"),
    ClauseType.GEOGRAPHIC_RESTRICTION: ("Geographic restriction", "GR"),
    ClauseType.COMMERCIAL_RESTRICTION: ("Commercial restriction", "CR"),
    ClauseType.OUTPUT_RESTRICTION: ("Output restriction", "OR"),
    ClauseType.RESTRICTION_FLOWDOWN: ("Restriction flow-down", "RF"),
    ClauseType.UNILATERAL_CHANGE: ("Unilateral change", "UC"),
    ClauseType.LITIGATION_TERMINATION: ("Litigation termination", "LT"),
    ClauseType.GOVERNING_LAW: ("Governing law", "GL"),
}
TYPE_STYLES: Final[tuple[TypeStyle, ...]] = tuple(
    TypeStyle(t.value, *_NAMES[t]) for t in ClauseType
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
