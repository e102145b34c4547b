"""The organisation profile: who is reading the license, so findings become verdicts.

A profile is read from YAML or JSON, validated with pydantic at this edge, and
turned into the frozen `OrgProfile` the verdict functions read. A field left
out means *unknown*, not zero: verdicts then keep the rule's default severity
and say which field to add. Every problem is a `ConfigError` naming the file
and the field.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from extractors.errors import ConfigError
from extractors.risk.regions import expand_regions, is_region_code, suggest_code

_CURRENCY = re.compile(r"^[A-Z]{3}$")


class IntendedUse(StrEnum):
    """What the organisation means to do with the model."""

    COMMERCIAL = "commercial"
    HOSTING = "hosting"
    REDISTRIBUTION = "redistribution"
    FINE_TUNING = "fine_tuning"
    TRAINING_ON_OUTPUTS = "training_on_outputs"
    RESEARCH = "research"
    PUBLISH_DERIVATIVES = "publish_derivatives"


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in an ISO 4217 currency; never compared across currencies."""

    amount: float
    currency: str


@dataclass(frozen=True, slots=True)
class OrgProfile:
    """An organisation's size, markets and plans; `None` means not stated.

    `regions` keeps the codes as declared (`EU` stays `EU`, for readable
    verdicts); `countries` is the same set with the groups expanded.
    """

    name: str
    monthly_active_users: int | None = None
    daily_active_users: int | None = None
    annual_revenue: Money | None = None
    regions: tuple[str, ...] | None = None
    intended_uses: frozenset[IntendedUse] | None = None

    @property
    def countries(self) -> frozenset[str] | None:
        """Return the countries the profile operates in, groups expanded."""
        return None if self.regions is None else expand_regions(self.regions)


class _MoneyModel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: float = Field(ge=0)
    currency: str

    @field_validator("currency")
    @classmethod
    def _iso_currency(cls, value: str) -> str:
        code = value.strip().upper()
        if not _CURRENCY.match(code):
            raise ValueError(f"{value!r} is not an ISO 4217 code such as EUR or USD")
        return code


class _ProfileModel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    monthly_active_users: int | None = Field(default=None, ge=0)
    daily_active_users: int | None = Field(default=None, ge=0)
    annual_revenue: _MoneyModel | None = None
    regions: list[Any] | None = None
    intended_uses: list[IntendedUse] | None = None

    @field_validator("regions")
    @classmethod
    def _iso_regions(cls, value: list[Any] | None) -> list[str] | None:
        if value is None:
            return None
        return list(dict.fromkeys(_region_code(item) for item in value))


def _region_code(item: object) -> str:
    if isinstance(item, bool):
        raise ValueError(
            f"got {item!r}: YAML reads a bare NO as false; write Norway as 'NO'"
        )
    if not isinstance(item, str):
        raise ValueError(f"{item!r} is not a region code")
    code = item.strip().upper()
    if is_region_code(code):
        return code
    hint = suggest_code(code)
    tip = f" (did you mean {hint}?)" if hint else ""
    raise ValueError(
        f"{item!r} is not an ISO 3166 alpha-2 code{tip}; EU and EEA also work"
    )


def profile_from_mapping(data: Mapping[str, Any], *, source: str) -> OrgProfile:
    """Validate already-parsed profile data, e.g. a JSON request body.

    :raises ConfigError: naming `source` and every invalid field.
    """
    try:
        model = _ProfileModel.model_validate(data)
    except ValidationError as exc:
        problems = describe_validation_error(exc)
        raise ConfigError(f"{source}: invalid profile: {problems}") from exc
    revenue = model.annual_revenue
    return OrgProfile(
        name=model.name,
        monthly_active_users=model.monthly_active_users,
        daily_active_users=model.daily_active_users,
        annual_revenue=Money(revenue.amount, revenue.currency) if revenue else None,
        regions=tuple(model.regions) if model.regions is not None else None,
        intended_uses=(
            frozenset(model.intended_uses) if model.intended_uses is not None else None
        ),
    )


def load_profile(path: str | Path) -> OrgProfile:
    """Read an organisation profile from a `.yml`, `.yaml` or `.json` file.

    :raises ConfigError: when the file is missing, unparsable or invalid.
    """
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read profile: {exc}") from exc
    try:
        data = json.loads(raw) if path.suffix == ".json" else yaml.safe_load(raw)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(
            f"{path}: profile is not valid {_format(path)}: {exc}"
        ) from exc
    if not isinstance(data, Mapping):
        raise ConfigError(
            f"{path}: a profile must be a mapping of fields, not {data!r}"
        )
    return profile_from_mapping(data, source=str(path))


def _format(path: Path) -> str:
    return "JSON" if path.suffix == ".json" else "YAML"


_SELF_EXPLAINING = frozenset({"missing", "value_error", "extra_forbidden"})


def describe_validation_error(exc: ValidationError) -> str:
    """Turn pydantic's errors into one `field: problem` per error a user can fix.

    Shared by the rule loader so profile and rule errors read the same way.
    """
    problems = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"]) or "top level"
        got = "" if error["type"] in _SELF_EXPLAINING else f" (got {error['input']!r})"
        problems.append(f"{where}: {error['msg']}{got}")
    return "; ".join(problems)
