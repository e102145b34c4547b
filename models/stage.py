"""The live model stages: embed a document's segments, score them with a head.

`EncoderStage` pairs one feature encoder (the MiniLM sentence encoder, or the
local LLM read as an encoder) with the linear head trained on its features.
`EnsembleStage` averages several stages' probabilities: the two encoders err
on different sentences, so their mean is more precise than either (measured
in the ablation). Features are cached by (encoder, segment text hash), so a
paragraph seen before in any document costs a cache lookup.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Literal, Protocol

import numpy as np

from extractors.clauses import REGISTRY
from extractors.combine import DEFAULT_ADD_THRESHOLD, ModelEvidence
from extractors.errors import ConfigError, ModelIntegrityError
from extractors.labels import ClauseType
from extractors.types import Document, Segment
from models.cache import VectorCache, default_cache_path
from models.choices import MODEL_CHOICES, ModelChoice
from models.encoder import Embeddings, load_encoder
from models.head import ClauseHead, default_head_path, load_head
from models.llm_encoder import load_llm_encoder
from models.settings import DEFAULT_MODEL_SETTINGS, ModelSettings

ENSEMBLE_ADD_THRESHOLDS: Mapping[ClauseType, float] = MappingProxyType(
    {ctype: spec.model_bar for ctype, spec in REGISTRY.items()}
)
"""Per-type bar for a model-only clause from the averaged probabilities.

Each clause type's bar is its spec's `model_bar` (`extractors.clauses`),
where the way it was chosen is written down. See README.
"""
HEAD_FILE = {"encoder": "encoder_head.json", "llm": "llm_head.json"}


class FeatureEncoder(Protocol):
    """What a stage needs of an encoder: a stable name and `embed`."""

    @property
    def name(self) -> str:  # pragma: no cover - a protocol
        """Return the weights' identity and input settings (the cache key)."""
        ...

    def embed(self, texts: Sequence[str]) -> Embeddings:  # pragma: no cover
        """Return one row of features per text."""
        ...


class EncoderStage:
    """Score segments with an encoder and the head trained on its features."""

    def __init__(
        self,
        encoder: FeatureEncoder,
        head: ClauseHead,
        *,
        cache: VectorCache | None = None,
        add_threshold: float = DEFAULT_ADD_THRESHOLD,
    ) -> None:
        if head.encoder != encoder.name:
            raise ModelIntegrityError(
                f"the head was trained on {head.encoder!r} features, not"
                f" {encoder.name!r}; run `clausewise train` for this model"
            )
        self.encoder = encoder
        self.head = head
        self.cache = cache
        self.add_threshold = {
            ctype: max(add_threshold, cut) for ctype, cut in head.thresholds.items()
        }
        self.name = f"{encoder.name}+head@{head.version}"
        self.short_name = encoder.name.split("@")[0]

    def probabilities(self, texts: Sequence[str]) -> Embeddings:
        """Return P(type | text) for `texts`, features through the cache."""
        if not texts:
            return np.zeros((0, len(self.head.types)), dtype=np.float32)
        if self.cache is not None:
            features = self.cache.cached(self.encoder.name, texts, self.encoder.embed)
        else:
            features = self.encoder.embed(texts)
        return self.head.probabilities(features)

    def evidence(
        self, document: Document, segments: Sequence[Segment]
    ) -> ModelEvidence:
        """Return P(type | segment) for every segment of `document`."""
        texts = [document.text[s.span.start : s.span.end] for s in segments]
        return ModelEvidence(
            self.name,
            tuple(segments),
            self.head.types,
            self.probabilities(texts),
            self.add_threshold,
        )


class EnsembleStage:
    """Average the probabilities of several stages that share clause types."""

    def __init__(
        self,
        stages: Sequence[EncoderStage],
        *,
        add_threshold: Mapping[ClauseType, float] = ENSEMBLE_ADD_THRESHOLDS,
    ) -> None:
        if not stages or len({s.head.types for s in stages}) != 1:
            raise ConfigError("an ensemble needs stages with the same clause types")
        self.stages = tuple(stages)
        self.types = stages[0].head.types
        self.add_threshold = {t: add_threshold[t] for t in self.types}
        self.name = " + ".join(s.name for s in stages)

    def evidence(
        self, document: Document, segments: Sequence[Segment]
    ) -> ModelEvidence:
        """Return the mean of the stages' P(type | segment)."""
        texts = [document.text[s.span.start : s.span.end] for s in segments]
        names = [s.short_name for s in self.stages]
        if len(set(names)) < len(names):
            names = [f"{name}#{i + 1}" for i, name in enumerate(names)]
        parts = {
            n: s.probabilities(texts) for n, s in zip(names, self.stages, strict=True)
        }
        mean = np.mean(list(parts.values()), axis=0)
        return ModelEvidence(
            self.name,
            tuple(segments),
            self.types,
            mean.astype(np.float32),
            self.add_threshold,
            parts,
        )


def head_path(
    kind: Literal["encoder", "llm"],
    settings: ModelSettings = DEFAULT_MODEL_SETTINGS,
) -> Path:
    """Return the head file: the settings' override, else the shipped one."""
    override = settings.encoder_head if kind == "encoder" else settings.llm_head
    return override or default_head_path(HEAD_FILE[kind])


def _cache(settings: ModelSettings, use_cache: bool) -> VectorCache | None:
    return VectorCache(default_cache_path(settings)) if use_cache else None


def load_encoder_stage(
    settings: ModelSettings = DEFAULT_MODEL_SETTINGS, *, use_cache: bool = True
) -> EncoderStage:
    """Load the MiniLM encoder (verified, or the settings' own) and its head."""
    encoder = load_encoder(settings=settings)
    head = load_head(head_path("encoder", settings))
    return EncoderStage(encoder, head, cache=_cache(settings, use_cache))


def load_llm_stage(
    settings: ModelSettings = DEFAULT_MODEL_SETTINGS, *, use_cache: bool = True
) -> EncoderStage:
    """Load the local LLM (verified, or the settings' `llm`) and its head."""
    head = load_head(head_path("llm", settings))
    encoder = load_llm_encoder(settings=settings)
    return EncoderStage(encoder, head, cache=_cache(settings, use_cache))


def load_model_stage(
    choice: ModelChoice,
    settings: ModelSettings = DEFAULT_MODEL_SETTINGS,
    *,
    use_cache: bool = True,
) -> EncoderStage | EnsembleStage | None:
    """Return the stage for a `--model` / `CLAUSEWISE_MODEL` choice."""
    if choice == "none":
        return None
    if choice == "encoder":
        return load_encoder_stage(settings, use_cache=use_cache)
    if choice == "llm":
        return load_llm_stage(settings, use_cache=use_cache)
    if choice == "encoder+llm":
        return EnsembleStage(
            [
                load_encoder_stage(settings, use_cache=use_cache),
                load_llm_stage(settings, use_cache=use_cache),
            ]
        )
    raise ConfigError(f"unknown model {choice!r}; choose one of {MODEL_CHOICES}")


def use_fresh_caches(stage: object, directory: Path) -> None:
    """Give `stage` (or each stage of an ensemble) an empty feature cache.

    Benchmarks time the cold path this way without touching the LLM
    conversion cache, which lives beside the default feature cache.
    """
    directory.mkdir(parents=True, exist_ok=True)
    inner = stage.stages if isinstance(stage, EnsembleStage) else (stage,)
    for number, part in enumerate(inner):
        if isinstance(part, EncoderStage):
            part.cache = VectorCache(directory / f"{number}.sqlite3")
