"""Risk rules as data: YAML files loaded, validated and frozen into `RiskRule`s.

A rule says which clause tags raise which risk, at what default severity, with
which verdict function once an organisation profile is known. Files are
checked completely at load (ids, labels, verdict names, rationale
placeholders) so a typo fails at start-up with the file and rule id, never
silently at match time.
"""

from __future__ import annotations

import hashlib
import re
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Self

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from extractors.clauses import REGISTRY
from extractors.errors import ConfigError
from extractors.labels import ClauseType, RiskCategory, Severity
from extractors.risk.profile import describe_validation_error
from extractors.risk.verdicts import VERDICTS, as_list
from extractors.types import ClauseTag

DEFAULT_RULES_PATH = Path(__file__).with_name("rules") / "default.yml"
"""The rules clausewise ships; `load_default_rules` reads them."""

_KEBAB = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
Scalar = str | bool | int | float


class Operator(StrEnum):
    """How a condition compares a parameter with its value."""

    EQUALS = "equals"
    NOT_EQUALS = "not_equals"
    CONTAINS = "contains"


@dataclass(frozen=True, slots=True)
class Condition:
    """A test on a tag's params; `param` may be dotted (`thresholds.metric`).

    A scalar param counts as a one-item list (ANNOTATION switches between the
    two), so `equals` means "exactly this one value" and `contains` means
    "this value among others".
    """

    param: str
    operator: Operator
    value: Scalar

    def holds(self, params: Mapping[str, Any]) -> bool:
        """Return True when `params` satisfy this condition."""
        values = resolve_param(params, self.param)
        exact = len(values) == 1 and _same(values[0], self.value)
        if self.operator is Operator.EQUALS:
            return exact
        if self.operator is Operator.NOT_EQUALS:
            return not exact
        return any(_same(value, self.value) for value in values)


@dataclass(frozen=True, slots=True)
class RiskRule:
    """One validated rule; `source` is the file it came from, for messages."""

    id: str
    category: RiskCategory
    clause_types: tuple[ClauseType, ...]
    severity: Severity
    title: str
    rationale: str
    when: tuple[Condition, ...] = ()
    verdict: str | None = None
    source: str = field(default="", compare=False)

    def matches(self, tag: ClauseTag) -> bool:
        """Return True when the rule fires on `tag`."""
        return tag.clause_type in self.clause_types and all(
            condition.holds(tag.params) for condition in self.when
        )

    @property
    def placeholders(self) -> tuple[str, ...]:
        """Return the param names the rationale quotes, in order."""
        return tuple(rationale_placeholders(self.rationale))


def resolve_param(params: Mapping[str, Any], path: str) -> list[Any]:
    """Return every value at dotted `path`, lists flattened (missing -> [])."""
    values: list[Any] = [params]
    for key in path.split("."):
        values = [
            item
            for value in values
            if isinstance(value, Mapping) and key in value
            for item in as_list(value[key])
        ]
    return values


def _same(left: object, right: object) -> bool:
    if isinstance(left, bool) or isinstance(right, bool):
        return left is right
    return left == right


PLACEHOLDERS: frozenset[str] = frozenset(
    name for spec in REGISTRY.values() for name in spec.param_names
)
"""The `{names}` a rationale may use: the params of ANNOTATION.md, by clause type."""


def rationale_placeholders(template: str) -> list[str]:
    """Return the placeholder names of `template`.

    :raises ValueError: on a name outside `PLACEHOLDERS`, a format spec or a
        conversion (rationales are prose, not format strings).
    """
    names = []
    for _, name, spec, conversion in string.Formatter().parse(template):
        if name is None:
            continue
        if name not in PLACEHOLDERS or spec or conversion:
            known = ", ".join(sorted(PLACEHOLDERS))
            raise ValueError(f"unknown placeholder {{{name}}}; use one of: {known}")
        names.append(name)
    return names


class _ConditionModel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    param: str = Field(min_length=1)
    equals: Scalar | None = None
    not_equals: Scalar | None = None
    contains: Scalar | None = None

    @model_validator(mode="after")
    def _one_operator(self) -> Self:
        operators = self.model_fields_set & set(Operator)
        if len(operators) != 1 or getattr(self, operators.pop()) is None:
            raise ValueError("a condition needs one of equals, not_equals, contains")
        return self

    def freeze(self) -> Condition:
        operator = next(op for op in Operator if op.value in self.model_fields_set)
        value = getattr(self, operator.value)
        return Condition(param=self.param, operator=operator, value=value)


class _RuleModel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    category: RiskCategory
    clause_types: list[ClauseType] = Field(min_length=1)
    when: _ConditionModel | list[_ConditionModel] = Field(default_factory=list)
    severity: Severity
    title: str = Field(min_length=1)
    rationale: str = Field(min_length=1)
    verdict: str | None = None

    @field_validator("id")
    @classmethod
    def _kebab_case(cls, value: str) -> str:
        if not _KEBAB.match(value):
            raise ValueError(
                f"id {value!r} is not kebab-case (e.g. market-eu-excluded)"
            )
        return value

    @field_validator("severity")
    @classmethod
    def _real_severity(cls, value: Severity) -> Severity:
        if value is Severity.DOES_NOT_APPLY:
            raise ValueError("does_not_apply is a verdict, not a default severity")
        return value

    @field_validator("rationale")
    @classmethod
    def _known_placeholders(cls, value: str) -> str:
        rationale_placeholders(value)
        return value

    @field_validator("verdict")
    @classmethod
    def _registered_verdict(cls, value: str | None) -> str | None:
        if value is not None and value not in VERDICTS:
            known = ", ".join(sorted(VERDICTS))
            raise ValueError(f"unknown verdict function {value!r}; use one of: {known}")
        return value

    def freeze(self, source: str) -> RiskRule:
        conditions = self.when if isinstance(self.when, list) else [self.when]
        return RiskRule(
            id=self.id,
            category=self.category,
            clause_types=tuple(dict.fromkeys(self.clause_types)),
            severity=self.severity,
            title=self.title,
            rationale=self.rationale,
            when=tuple(condition.freeze() for condition in conditions),
            verdict=self.verdict,
            source=source,
        )


def rule_files(paths: str | Path | Sequence[str | Path]) -> list[Path]:
    """Return the rule files `paths` name, a directory giving its YAML files sorted."""
    found: list[Path] = []
    for path in [paths] if isinstance(paths, str | Path) else paths:
        path = Path(path)
        if path.is_dir():
            found += sorted(p for p in path.iterdir() if p.suffix in (".yml", ".yaml"))
        else:
            found.append(path)
    return found


_SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader when PyYAML was built with it: the same data as
`yaml.safe_load`, read about ten times faster (every engine build reads the
rules: 20 ms of CPU with the pure-Python loader on 2026-12-04)."""


def _read_entries(path: Path) -> list[Any]:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_SafeLoader)  # noqa: S506
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read rules: {exc}") from exc
    if isinstance(data, Mapping):
        return [data]
    if not isinstance(data, list):
        raise ConfigError(f"{path}: a rule file must hold a list of rules")
    return data


def _parse_rule(entry: object, *, path: Path, index: int) -> RiskRule:
    rule_id = entry.get("id") if isinstance(entry, Mapping) else None
    name = repr(rule_id) if rule_id else f"#{index + 1}"
    try:
        return _RuleModel.model_validate(entry).freeze(str(path))
    except ValidationError as exc:
        problems = describe_validation_error(exc)
        raise ConfigError(f"{path}: rule {name}: {problems}") from exc


def load_rules(paths: str | Path | Sequence[str | Path]) -> tuple[RiskRule, ...]:
    """Load and validate every rule in `paths` (files or directories of YAML).

    :raises ConfigError: naming the file and rule id on the first problem,
        including an id used twice across all the files.
    """
    rules: dict[str, RiskRule] = {}
    for path in rule_files(paths):
        for index, entry in enumerate(_read_entries(path)):
            rule = _parse_rule(entry, path=path, index=index)
            if rule.id in rules:
                first = rules[rule.id].source
                raise ConfigError(
                    f"{path}: rule {rule.id!r}: duplicate id (first defined in {first})"
                )
            rules[rule.id] = rule
    return tuple(rules.values())


def load_default_rules() -> tuple[RiskRule, ...]:
    """Load the rules clausewise ships with."""
    return load_rules(DEFAULT_RULES_PATH)


def rules_sha256(paths: str | Path | Sequence[str | Path]) -> str:
    """Hash the rule files' bytes, in load order, for the result's provenance.

    :raises ConfigError: when a file cannot be read.
    """
    digest = hashlib.sha256()
    for path in rule_files(paths):
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read rules: {exc}") from exc
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()
