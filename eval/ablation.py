"""The ablation: patterns, each model stage alone and with patterns, out of family.

Every configuration that uses the trained head is scored on leave-one-family-
out probabilities (`eval.train.out_of_family`): a document's segments are
judged by a head that never saw its license family. The scorer is the same
one `clausewise eval` uses.
"""

from __future__ import annotations

import resource
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from eval.corpus import Corpus
from eval.evaluate import EvalReport, evaluate, scan_with
from eval.paraphrase import (
    load_paraphrases,
    paraphrase_path,
    score_paraphrases,
    types_found,
)
from eval.train import (
    PARAPHRASE_FAMILY,
    STANDARDISE,
    TYPES,
    FeatureSet,
    HeadKind,
    corpus_examples,
    embed_examples,
    label_matrix,
    load_feature_encoder,
    out_of_family,
    paraphrase_examples,
)
from eval.writers import writer_table
from extractors.combine import DEFAULT_ADD_THRESHOLD, ModelEvidence
from extractors.engine import ClauseEngine, ModelStage, build_engine
from extractors.labels import ClauseType
from extractors.parse import parse_path
from extractors.pattern_data import PatternSet
from extractors.risk import load_default_rules
from extractors.types import CharSpan, Document, Segment
from models.head import Matrix
from models.settings import DEFAULT_MODEL_SETTINGS, ModelSettings
from models.stage import (
    ENSEMBLE_ADD_THRESHOLDS,
    EnsembleStage,
    load_encoder_stage,
    load_llm_stage,
    load_model_stage,
    use_fresh_caches,
)


@dataclass(frozen=True)
class OfflineStage:
    """A model stage serving precomputed probabilities, keyed by document and span."""

    name: str
    probabilities: Mapping[tuple[str, CharSpan], Matrix]
    add_threshold: Mapping[ClauseType, float]
    only_model: bool = False

    def evidence(
        self, document: Document, segments: Sequence[Segment]
    ) -> ModelEvidence:
        """Return the stored probabilities of `segments` (zeros when unknown)."""
        zero = np.zeros(len(TYPES), dtype=np.float32)
        rows = [
            self.probabilities.get((document.source or "", seg.span), zero)
            for seg in segments
        ]
        probs = np.vstack(rows) if rows else np.zeros((0, len(TYPES)), np.float32)
        return ModelEvidence(
            self.name, tuple(segments), TYPES, probs, self.add_threshold
        )


def model_only_engine(stage: ModelStage) -> ClauseEngine:
    """Return an engine with no patterns at all: every clause comes from the model."""
    return ClauseEngine(
        patterns=PatternSet(terms=(), rules=(), sha256="no-patterns"),
        rules=load_default_rules(),
        rules_digest="-",
        model_stage=stage,
    )


def out_of_family_table(fs: FeatureSet) -> dict[tuple[str, CharSpan], Matrix]:
    """Return leave-one-family-out probabilities keyed by (document, span)."""
    y = label_matrix(fs.examples)
    probs, _ = out_of_family(
        fs.examples, fs.x, y, encoder=fs.name, standardise=fs.standardise
    )
    return {
        (ex.doc, ex.span): probs[row]
        for row, ex in enumerate(fs.examples)
        if ex.family != PARAPHRASE_FAMILY
    }


def run_ablation(
    corpus: Corpus, features: Mapping[str, FeatureSet]
) -> dict[str, EvalReport]:
    """Return an eval report per configuration, model rows out of family.

    `features` maps "encoder" and/or "llm" to their feature set. With both,
    the ensemble row averages the two heads' probabilities, as
    `models.stage.EnsembleStage` does live.
    """
    reports = {"patterns": evaluate(corpus, scan_with(build_engine(identify=False)))}
    tables = {kind: out_of_family_table(fs) for kind, fs in features.items()}
    for kind, table in tables.items():
        alone = OfflineStage(kind, table, dict.fromkeys(TYPES, 0.5))
        both = OfflineStage(kind, table, dict.fromkeys(TYPES, DEFAULT_ADD_THRESHOLD))
        reports[kind] = evaluate(corpus, scan_with(model_only_engine(alone)))
        reports[f"patterns + {kind}"] = _with_patterns(corpus, both)
    if len(tables) > 1:
        keys = set.intersection(*(set(t) for t in tables.values()))
        mean = {k: np.mean([t[k] for t in tables.values()], axis=0) for k in keys}
        bar = dict(ENSEMBLE_ADD_THRESHOLDS)
        name = "patterns + " + " + ".join(tables)
        reports[name] = _with_patterns(corpus, OfflineStage(name, mean, bar))
    return reports


def _with_patterns(corpus: Corpus, stage: ModelStage) -> EvalReport:
    return evaluate(corpus, scan_with(build_engine(identify=False, model_stage=stage)))


SPEED_SAMPLE = 12


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def live_speeds(
    corpus: Corpus,
    kinds: Sequence[str],
    settings: ModelSettings = DEFAULT_MODEL_SETTINGS,
) -> dict[str, tuple[float, float, float]]:
    """Return (docs/s uncached, docs/s cached, peak RSS MB) per configuration.

    Patterns are timed first, before torch is imported, so their memory
    figure is their own. Each model configuration runs twice over the same
    licenses: first with an empty vector cache, then served from it.
    """
    documents = [
        parse_path(d.doc_path) for d in corpus.documents if d.doc_path.suffix != ".pdf"
    ][:SPEED_SAMPLE]
    patterns = build_engine(identify=False)
    rate = _rate(patterns, documents)
    speeds = {"patterns": (rate, rate, _rss_mb())}
    with tempfile.TemporaryDirectory() as tmp:
        stages = _live_stages(kinds, settings)
        for number, (name, stage) in enumerate(stages.items()):
            use_fresh_caches(stage, Path(tmp) / str(number))
            engine = (
                build_engine(identify=False, model_stage=stage)
                if name.startswith("patterns")
                else model_only_engine(stage)
            )
            cold = _rate(engine, documents)
            speeds[name] = (cold, _rate(engine, documents), _rss_mb())
    return speeds


def _live_stages(
    kinds: Sequence[str], settings: ModelSettings
) -> dict[str, ModelStage]:
    loaders = {"encoder": load_encoder_stage, "llm": load_llm_stage}
    stages: dict[str, ModelStage] = {}
    loaded = []
    for kind in kinds:
        stage = loaders[kind](settings, use_cache=False)
        loaded.append(stage)
        stages[kind] = stage
        stages[f"patterns + {kind}"] = stage
    if len(loaded) > 1:
        stages["patterns + " + " + ".join(kinds)] = EnsembleStage(loaded)
    return stages


def _rate(engine: ClauseEngine, documents: Sequence[Document]) -> float:
    start = time.perf_counter()
    for document in documents:
        engine.tag(document)
    return len(documents) / (time.perf_counter() - start)


def ablation_table(
    corpus: Corpus,
    kinds: Sequence[HeadKind] = ("encoder", "llm"),
    settings: ModelSettings = DEFAULT_MODEL_SETTINGS,
) -> str:
    """Return the Markdown ablation table: F1 per type, micro F1, speed, memory."""
    examples = [*corpus_examples(corpus), *paraphrase_examples()]
    speeds = live_speeds(corpus, kinds, settings)
    features: dict[str, FeatureSet] = {}
    for kind in kinds:
        encoder = load_feature_encoder(kind, settings)
        x, name = embed_examples(examples, encoder, settings=settings)
        features[kind] = FeatureSet(examples, x, name, STANDARDISE[kind])
    reports = run_ablation(corpus, features)
    head = "| configuration | " + " | ".join(t.value for t in TYPES)
    lines = [
        head + " | micro F1 | docs/s | docs/s cached | peak RSS MB |",
        "|---" * (len(TYPES) + 5) + "|",
    ]
    for config, report in reports.items():
        per_type = " | ".join(f"{report.per_type[t].f1:.3f}" for t in TYPES)
        cold, warm, rss = speeds[config]
        figures = f"{report.micro.f1:.3f} | {cold:.1f} | {warm:.1f} | {rss:.0f}"
        lines.append(f"| {config} | {per_type} | {figures} |")
    note = (
        "Model rows: leave-one-license-family-out heads (each also trained on"
        f" the team's paraphrases); speed on {SPEED_SAMPLE} corpus licenses,"
        " first with an empty feature cache, then served from it."
    )
    return "\n".join(
        [
            *lines,
            "",
            note,
            *paraphrase_lines(kinds, settings),
            "",
            *writer_lines(features),
        ]
    )


def writer_lines(features: Mapping[str, FeatureSet]) -> list[str]:
    """Return the leave-one-writer-out table (`eval.writers`) for `features`."""
    patterns = build_engine(identify=False)
    first = next(iter(features.values()))
    found = [
        types_found(patterns, ex.text)
        for ex in first.examples
        if ex.family == PARAPHRASE_FAMILY
    ]
    note = (
        "Leave one paraphrase writer out (each training file held out whole;"
        " heads trained on the corpus and the other files):"
    )
    return [note, "", *writer_table(features, found, shipped=ENSEMBLE_ADD_THRESHOLDS)]


PARAPHRASE_SETS = (
    "paraphrases.jsonl",
    "paraphrases_heldout.jsonl",
    "paraphrases_test_b.jsonl",
    "paraphrases_test_c.jsonl",
)


def paraphrase_lines(
    kinds: Sequence[str], settings: ModelSettings = DEFAULT_MODEL_SETTINGS
) -> list[str]:
    """Return how patterns and each model stage do on the paraphrase sets.

    `paraphrases.jsonl` was written by the team and is trained on (so its row
    is not a test). The other two were written by people who never saw the
    patterns; `paraphrases_heldout.jsonl` was used as a development set, and
    `paraphrases_test_b.jsonl` and `paraphrases_test_c.jsonl` are test sets:
    nothing is tuned or trained on them. C's writer saw nothing of the
    project but ANNOTATION.md, and C was scored once, after everything was fixed.
    """
    patterns = build_engine(identify=False)
    choices = [*kinds, "+".join(kinds)] if len(kinds) > 1 else list(kinds)
    header = (
        "| paraphrase set | model | clauses | patterns recall"
        " | model recovers of misses | model precision |"
    )
    lines = ["", header, "|---" * 6 + "|"]
    for choice in choices:
        stage = load_model_stage(choice, settings)  # type: ignore[arg-type]
        combined = build_engine(identify=False, model_stage=stage)
        for name in PARAPHRASE_SETS:
            items = load_paraphrases(paraphrase_path(name))
            score = score_paraphrases(items, patterns, combined)
            recall = 1 - score.missed_by_patterns / score.positives
            lines.append(
                f"| {name} | {choice} | {score.positives} | {recall:.2f}"
                f" | {score.recovered}/{score.missed_by_patterns}"
                f" ({score.recovery:.2f}) | {score.precision:.2f} |"
            )
    return lines
