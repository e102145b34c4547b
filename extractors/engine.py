"""The clause engine: parse -> segment -> tag -> params -> resolve -> rules -> result.

`ClauseEngine` holds what is expensive to build (compiled term matchers,
loaded rules, the known-license index) and analyses one document at a time
with pure stages. Nothing here catches an exception: a bad document fails in
the parser with an `InputError`, a bad data file at construction with a
`ConfigError`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Protocol

from extractors.combine import ModelEvidence, combine
from extractors.identify import LicenseReport, identify_document
from extractors.param_fallback import ParamFiller, fill_params
from extractors.params import extract_params
from extractors.pattern_data import PatternSet, load_patterns
from extractors.resolve import resolve
from extractors.risk import OrgProfile, RiskRule, apply_rules, load_rules, rules_sha256
from extractors.risk.rules import DEFAULT_RULES_PATH
from extractors.segment import segment
from extractors.tagger import PatternTagger
from extractors.types import ClauseTag, Discarded, Document, RiskFinding, Segment

ENGINE_VERSION = "0.1.0"


class ModelStage(Protocol):
    """The seam to the model stage: evidence for the segments of a document."""

    @property
    def name(self) -> str:  # pragma: no cover - a protocol
        """Return the model and head version, recorded as provenance."""
        ...

    def evidence(
        self, document: Document, segments: Sequence[Segment]
    ) -> ModelEvidence:  # pragma: no cover - a protocol
        """Return P(type | segment) for `segments`."""
        ...


@dataclass(frozen=True, slots=True)
class Provenance:
    """Which engine and data produced a result, so old results stay explainable."""

    engine_version: str
    patterns_sha256: str
    rules_sha256: str
    model: str | None = None


@dataclass(frozen=True, slots=True)
class AnalysisResult:
    """Everything the engine says about one document."""

    document: Document
    clauses: tuple[ClauseTag, ...]
    findings: tuple[RiskFinding, ...]
    provenance: Provenance
    discarded: tuple[Discarded, ...] = ()
    license: LicenseReport | None = None


class ClauseEngine:
    """Analyse documents with the pattern tagger and the risk rules."""

    def __init__(
        self,
        *,
        patterns: PatternSet,
        rules: Sequence[RiskRule],
        rules_digest: str,
        identify: Callable[[Document, Sequence[ClauseTag]], LicenseReport]
        | None = None,
        model_stage: ModelStage | None = None,
        param_filler: ParamFiller | None = None,
    ) -> None:
        self.tagger = PatternTagger(patterns)
        self.param_filler = param_filler
        self.rules = tuple(rules)
        self.identify = identify
        self.model_stage = model_stage
        parts = [model_stage.name if model_stage else None]
        parts.append(f"params: {param_filler.name}" if param_filler else None)
        model = " | ".join(p for p in parts if p) or None
        self.provenance = Provenance(
            ENGINE_VERSION, patterns.sha256, rules_digest, model
        )

    def tag(
        self, document: Document
    ) -> tuple[tuple[ClauseTag, ...], tuple[Discarded, ...]]:
        """Return the clauses of `document` with parameters, and the discards."""
        segments = segment(document.text)
        output = self.tagger.tag(document, segments)
        tags = list(output.tags)
        discarded = list(output.discarded)
        if self.model_stage is not None:
            evidence = self.model_stage.evidence(document, segments)
            tags, below = combine(tags, evidence, document.text)
            discarded.extend(below)
        text = document.text
        with_params = [
            replace(
                t, params=extract_params(t.clause_type, text[t.span.start : t.span.end])
            )
            for t in tags
        ]
        resolved = resolve(document, with_params)
        if self.param_filler is not None:
            resolved = fill_params(resolved, text, self.param_filler)
        return tuple(resolved), tuple(discarded)

    def analyze(
        self,
        document: Document,
        *,
        profile: OrgProfile | None = None,
        explain: bool = False,
    ) -> AnalysisResult:
        """Run the whole pipeline on one document."""
        clauses, discarded = self.tag(document)
        findings = apply_rules(document, clauses, self.rules, profile)
        license_info = self.identify(document, clauses) if self.identify else None
        return AnalysisResult(
            document=document,
            clauses=clauses,
            findings=tuple(findings),
            provenance=self.provenance,
            discarded=discarded if explain else (),
            license=license_info,
        )


def build_engine(
    *,
    pattern_dir: Path | None = None,
    rules_path: Path | None = None,
    identify: bool = True,
    model_stage: ModelStage | None = None,
    param_filler: ParamFiller | None = None,
) -> ClauseEngine:
    """Build an engine from pattern and rule files (the shipped ones by default)."""
    rules_file = rules_path or DEFAULT_RULES_PATH
    identifier = _identifier() if identify else None
    return ClauseEngine(
        patterns=load_patterns(pattern_dir),
        rules=load_rules(rules_file),
        rules_digest=rules_sha256([rules_file]),
        identify=identifier,
        model_stage=model_stage,
        param_filler=param_filler,
    )


@cache
def default_engine() -> ClauseEngine:
    """Return the engine built from the shipped data, built once per process."""
    return build_engine()


def default_tagger() -> Callable[[Document], Sequence[ClauseTag]]:
    """Return a callable giving the clauses of a document (for index building)."""
    engine = build_engine(identify=False)
    return lambda document: engine.tag(document)[0]


def _identifier() -> Callable[[Document, Sequence[ClauseTag]], LicenseReport]:
    return identify_document
