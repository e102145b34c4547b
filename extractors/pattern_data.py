"""Load and validate the pattern data: concept terms and per-type clause rules.

Patterns are data (`extractors/patterns/*.yml`), one file per clause type plus
`common.yml` for shared terms. A file holds `terms` (label -> phrases matched
on lower-cased tokens, with `{a|b}` alternatives; spaCy Matcher token patterns;
regexes for what tokens handle badly, such as unspaced CJK text and number
formats; or a gazetteer name) and
`rules` (which labels must, may or must not co-occur in a segment). Every
problem, from an unknown clause type to a rule naming an undefined label, is
a `ConfigError` at load time, never a silent non-match at scan time.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from extractors.errors import ConfigError
from extractors.labels import ClauseType
from extractors.types import DiscardReason

TokenPattern = list[dict[str, Any]]
_ALTERNATIVES = re.compile(r"\{([^{}]*\|[^{}]*)\}")


class _TermModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    phrases: list[str] = Field(default_factory=list)
    tokens: list[TokenPattern] = Field(default_factory=list)
    regex: list[str] = Field(default_factory=list)
    gazetteer: str | None = None
    masks: list[str] = Field(default_factory=list)
    lead_in: bool = False
    veto: Literal["negated", "look-alike"] = "negated"


class _RuleModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    score: float = Field(ge=0.0, le=1.0)
    all: list[str] = Field(default_factory=list)
    any: list[list[str]] = Field(default_factory=list)
    none: list[str] = Field(default_factory=list)

    @field_validator("any", mode="before")
    @classmethod
    def _flat_any_is_one_group(cls, value: Any) -> Any:
        if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            return [value]
        return value


class _FileModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: ClauseType | None = None
    terms: dict[str, _TermModel] = Field(default_factory=dict)
    rules: list[_RuleModel] = Field(default_factory=list)


@dataclass(frozen=True, slots=True)
class TermSpec:
    """One concept label and the patterns that find it."""

    label: str
    phrases: tuple[str, ...]
    tokens: tuple[TokenPattern, ...]
    source: str
    masks: tuple[str, ...] = ()
    regexes: tuple[str, ...] = ()
    lead_in: bool = False
    """A list item inherits this term from the lead-in that introduces it."""
    veto: DiscardReason = DiscardReason.NEGATED
    """Why a rule this term vetoes (`none:`) drops its candidate: the text
    says the opposite (`negated`), or only resembles the clause
    (`look-alike`: a privacy policy is not a use policy)."""


@dataclass(frozen=True, slots=True)
class ClauseRule:
    """Labels that must (all), may (one per `any` group) or must not co-occur."""

    id: str
    clause_type: ClauseType
    score: float
    all: tuple[str, ...]
    any: tuple[tuple[str, ...], ...]
    none: tuple[str, ...]

    def fires_on(self, labels: frozenset[str] | set[str]) -> bool:
        """Return True when `labels` hold every `all` label and one of each `any`.

        Set operations run in C; this is called for every rule and segment.
        """
        return labels.issuperset(self.all) and all(
            not labels.isdisjoint(group) for group in self.any
        )


@dataclass(frozen=True, slots=True)
class PatternSet:
    """All terms and rules, plus a hash of the data for provenance."""

    terms: tuple[TermSpec, ...]
    rules: tuple[ClauseRule, ...]
    sha256: str

    @property
    def lead_in_labels(self) -> frozenset[str]:
        """The terms a list item inherits from its lead-in (`lead_in: true`)."""
        return frozenset(term.label for term in self.terms if term.lead_in)

    @property
    def veto_reasons(self) -> dict[str, DiscardReason]:
        """The discard reason each term declares for the rules it vetoes."""
        return {term.label: term.veto for term in self.terms}


def default_pattern_dir() -> Path:
    """Return the directory of the shipped pattern files."""
    return Path(str(resources.files("extractors") / "patterns"))


def load_regions() -> dict[str, tuple[str, ...]]:
    """Return the region gazetteer: ISO code -> lower-case names."""
    path = Path(str(resources.files("extractors") / "data" / "regions.yml"))
    data = _read_yaml(path)
    if not isinstance(data, Mapping):
        raise ConfigError(f"{path}: expected a mapping of region code -> names")
    return {str(code): tuple(str(n) for n in names) for code, names in data.items()}


def load_patterns(directory: Path | None = None) -> PatternSet:
    """Load every `*.yml` pattern file of `directory` and cross-check them."""
    directory = directory or default_pattern_dir()
    paths = sorted(directory.glob("*.yml"))
    if not paths:
        raise ConfigError(f"no pattern files (*.yml) in {directory}")
    digest = hashlib.sha256()
    terms: dict[str, TermSpec] = {}
    rules: list[ClauseRule] = []
    for path in paths:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
        model = _parse_file(path)
        for label, term in model.terms.items():
            if label in terms:
                raise ConfigError(
                    f"{path.name}: term {label} already defined"
                    f" in {terms[label].source}"
                )
            terms[label] = _term_spec(label, term, path.name)
        rules.extend(_rules_of(model, path))
    _check_references(rules, terms)
    _check_unique_ids(rules)
    return PatternSet(
        terms=tuple(terms.values()), rules=tuple(rules), sha256=digest.hexdigest()
    )


_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when built


class _StrictLoader(_BaseLoader):  # type: ignore[misc]
    """A YAML loader that refuses duplicate keys instead of keeping the last."""


def _no_duplicates(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    mapping: dict[Any, Any] = loader.construct_mapping(node)
    return mapping


_StrictLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _no_duplicates
)


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_StrictLoader)  # noqa: S506
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from exc


def _parse_file(path: Path) -> _FileModel:
    try:
        return _FileModel.model_validate(_read_yaml(path) or {})
    except ValidationError as exc:
        raise ConfigError(f"{path.name}: invalid pattern file: {exc}") from exc


def expand_phrase(phrase: str) -> list[str]:
    """Expand `{a|b} not {x|y}` into every combination of its alternatives.

    Keeps data files short while every variant stays a plain phrase for the
    phrase trie (`extractors.phrases`), far cheaper than token patterns.
    """
    match = _ALTERNATIVES.search(phrase)
    if match is None:
        return [phrase]
    head, tail = phrase[: match.start()], phrase[match.end() :]
    return [
        variant
        for choice in match.group(1).split("|")
        for variant in expand_phrase(head + choice + tail)
    ]


_CJK_CHAR = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")


def _term_spec(label: str, term: _TermModel, source: str) -> TermSpec:
    phrases = [variant for phrase in term.phrases for variant in expand_phrase(phrase)]
    regexes = list(term.regex)
    if term.gazetteer == "regions":
        names = [name for names in load_regions().values() for name in names]
        phrases.extend(name for name in names if not _CJK_CHAR.search(name))
        # a Chinese name sits inside a run of CJK text, which phrases (whole
        # tokens) never split: it is matched as a regex instead
        cjk = sorted((n for n in names if _CJK_CHAR.search(n)), key=len, reverse=True)
        if cjk:
            regexes.append("|".join(re.escape(name) for name in cjk))
    elif term.gazetteer is not None:
        raise ConfigError(
            f"{source}: term {label}: unknown gazetteer {term.gazetteer!r}"
        )
    if not phrases and not term.tokens and not regexes:
        raise ConfigError(f"{source}: term {label} has no phrases, tokens or regex")
    for pattern in regexes:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ConfigError(
                f"{source}: term {label}: bad regex {pattern!r}: {exc}"
            ) from exc
    return TermSpec(
        label,
        tuple(phrases),
        tuple(term.tokens),
        source,
        tuple(term.masks),
        tuple(regexes),
        term.lead_in,
        DiscardReason(term.veto),
    )


def _rules_of(model: _FileModel, path: Path) -> list[ClauseRule]:
    if model.rules and model.type is None:
        raise ConfigError(f"{path.name}: rules need a clause `type`")
    return [
        ClauseRule(
            id=rule.id,
            clause_type=model.type,  # type: ignore[arg-type]
            score=rule.score,
            all=tuple(rule.all),
            any=tuple(tuple(group) for group in rule.any),
            none=tuple(rule.none),
        )
        for rule in model.rules
    ]


def _check_references(
    rules: Sequence[ClauseRule], terms: Mapping[str, TermSpec]
) -> None:
    for term in terms.values():
        unknown = sorted(set(term.masks) - set(terms))
        if unknown:
            raise ConfigError(
                f"{term.source}: term {term.label} masks undefined terms: "
                + ", ".join(unknown)
            )
    for rule in rules:
        labels = [
            *rule.all,
            *rule.none,
            *(label for group in rule.any for label in group),
        ]
        missing = sorted(set(labels) - set(terms))
        if missing:
            raise ConfigError(
                f"rule {rule.id} names undefined terms: {', '.join(missing)}"
            )
        if not rule.all and not rule.any:
            raise ConfigError(f"rule {rule.id} requires no term at all")
    vetoing = {label for rule in rules for label in rule.none}
    for term in terms.values():
        if term.veto is not DiscardReason.NEGATED and term.label not in vetoing:
            raise ConfigError(
                f"{term.source}: term {term.label} declares veto: {term.veto}"
                " but no rule names it under none"
            )


def _check_unique_ids(rules: Sequence[ClauseRule]) -> None:
    seen: set[str] = set()
    for rule in rules:
        if rule.id in seen:
            raise ConfigError(f"duplicate rule id {rule.id}")
        seen.add(rule.id)
