"""The parameter schema of each clause type, as ANNOTATION.md defines it.

A reviewer's parameters are validated here before any event is stored, and
the same models give the JSON Schema the review form is built from, so the
form and the check cannot drift apart. Optional members accept null, as the
gold files write an absent value. The vocabularies (attribution kinds,
commercial scopes, modes, targets, metrics, consequences, the formats of
region and jurisdiction codes) are the clause registry's (`extractors.clauses`),
where the parsers that produce them live, so a review and a scan speak alike.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from extractors.clauses.attribution import Kind
from extractors.clauses.commercial_restriction import Scope
from extractors.clauses.geographic_restriction import REGION_CODE, Mode
from extractors.clauses.governing_law import JURISDICTION_CODE
from extractors.clauses.unilateral_change import Target
from extractors.clauses.usage_threshold import Consequence, Metric
from extractors.labels import ClauseType

Region = Annotated[str, Field(pattern=REGION_CODE)]
Jurisdiction = Annotated[str, Field(pattern=JURISDICTION_CODE)]


class _Params(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Threshold(_Params):
    """One threshold: users OR revenue gives two."""

    metric: Metric
    value: float = Field(gt=0)
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] | None = None
    consequence: Consequence


class UsageThresholdParams(_Params):
    """`usage_threshold`: one item per threshold."""

    thresholds: list[Threshold] = Field(min_length=1)


class AttributionParams(_Params):
    """`attribution`: the kind(s) of duty, and the text to show if quoted."""

    kind: Kind | list[Kind]
    text: str | list[str] | None = None


class AupIncorporationParams(_Params):
    """`aup_incorporation`: the policy bound by reference."""

    policy: str | None = None
    url: str | None = None
    updatable: bool | None = None


class GeographicParams(_Params):
    """`geographic_restriction`: ISO 3166 alpha-2 codes (and EU, EEA)."""

    regions: list[Region] = Field(min_length=1)
    mode: Mode


class CommercialParams(_Params):
    """`commercial_restriction`: one scope or several."""

    scope: Scope | list[Scope]


class UnilateralChangeParams(_Params):
    """`unilateral_change`: what the licensor may change."""

    target: Target


class GoverningLawParams(_Params):
    """`governing_law`: ISO 3166 code; null when it depends on the licensee."""

    jurisdiction: Jurisdiction | None = None


class NoParams(_Params):
    """Types without parameters: only `{}` is valid."""


PARAM_MODELS: dict[ClauseType, type[_Params]] = {
    ClauseType.USAGE_THRESHOLD: UsageThresholdParams,
    ClauseType.ATTRIBUTION: AttributionParams,
    ClauseType.AUP_INCORPORATION: AupIncorporationParams,
    ClauseType.GEOGRAPHIC_RESTRICTION: GeographicParams,
    ClauseType.COMMERCIAL_RESTRICTION: CommercialParams,
    ClauseType.OUTPUT_RESTRICTION: NoParams,
    ClauseType.RESTRICTION_FLOWDOWN: NoParams,
    ClauseType.UNILATERAL_CHANGE: UnilateralChangeParams,
    ClauseType.LITIGATION_TERMINATION: NoParams,
    ClauseType.GOVERNING_LAW: GoverningLawParams,
}


class ParamsError(ValueError):
    """Parameters that the clause type's schema refuses; `errors` say where."""

    def __init__(self, clause_type: ClauseType, errors: list[str]) -> None:
        super().__init__(
            f"invalid parameters for {clause_type.value}: " + "; ".join(errors)
        )
        self.errors = errors


def validate_params(clause_type: ClauseType, params: Any) -> dict[str, Any]:
    """Return `params` as the schema reads them (whole numbers stay ints).

    Raises ParamsError naming each wrong member.
    """
    model = PARAM_MODELS[clause_type]
    try:
        parsed = model.model_validate(params)
    except ValidationError as exc:
        errors = [
            f"{'.'.join(str(p) for p in e['loc']) or '(params)'}: {e['msg']}"
            for e in exc.errors()
        ]
        raise ParamsError(clause_type, errors) from exc
    data = parsed.model_dump(mode="json", exclude_unset=True)
    whole: dict[str, Any] = _whole_numbers(data)
    return whole


def _whole_numbers(value: Any) -> Any:
    """Write 700000000.0 as 700000000, as the gold files and the engine do."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _whole_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_whole_numbers(v) for v in value]
    return value


def param_schemas() -> dict[str, dict[str, Any]]:
    """Return each clause type's parameter JSON Schema (for the review form)."""
    return {t.value: m.model_json_schema() for t, m in PARAM_MODELS.items()}
