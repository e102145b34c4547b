"""The ablation: patterns; encoder; patterns + encoder, scored out of family.

Every configuration that uses the trained head is scored on leave-one-family-
out probabilities (`eval.train.out_of_family`): a document's segments are
judged by a head that never saw its license family. The scorer is the same
one `clausewise eval` uses.
"""

from __future__ import annotations

import resource
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from eval.corpus import Corpus, GoldDocument
from eval.evaluate import EvalReport, evaluate
from eval.train import TYPES, Example, corpus_examples, label_matrix, out_of_family
from extractors.combine import DEFAULT_ADD_THRESHOLD, ModelEvidence
from extractors.engine import ClauseEngine, ModelStage, build_engine
from extractors.labels import ClauseType
from extractors.output import clause_to_dict
from extractors.parse import parse_path
from extractors.pattern_data import PatternSet
from extractors.risk import load_default_rules
from extractors.types import CharSpan, Document, Segment
from models.head import Matrix


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


def scan_with(engine: ClauseEngine) -> Any:
    """Return an eval `scan` that tags each gold document with `engine`."""

    def scan(gold: GoldDocument) -> list[dict[str, Any]]:
        document = parse_path(gold.doc_path)
        clauses, _ = engine.tag(document)
        return [clause_to_dict(document, tag) for tag in clauses]

    return scan


def model_only_engine(stage: ModelStage) -> ClauseEngine:
    """Return an engine with no patterns at all: every clause comes from the model."""
    return ClauseEngine(
        patterns=PatternSet(terms=(), rules=(), sha256="no-patterns"),
        rules=load_default_rules(),
        rules_digest="-",
        model_stage=stage,
    )


def out_of_family_stage(
    examples: Sequence[Example], x: Matrix, *, add_threshold: float, name: str
) -> OfflineStage:
    """Return a stage whose probabilities come from leave-one-family-out heads."""
    probs, _ = out_of_family(examples, x, label_matrix(examples), encoder=name)
    table = {(ex.doc, ex.span): probs[row] for row, ex in enumerate(examples)}
    return OfflineStage(
        f"{name} (out of family)", table, dict.fromkeys(TYPES, add_threshold)
    )


def run_ablation(
    corpus: Corpus,
    x: Matrix,
    *,
    name: str,
    add_threshold: float = DEFAULT_ADD_THRESHOLD,
) -> dict[str, EvalReport]:
    """Return an eval report per configuration; `x` embeds `corpus_examples`."""
    examples = corpus_examples(corpus)
    stage = out_of_family_stage(examples, x, add_threshold=add_threshold, name=name)
    alone = OfflineStage(stage.name, stage.probabilities, dict.fromkeys(TYPES, 0.5))
    return {
        "patterns": evaluate(corpus, scan_with(build_engine(identify=False))),
        "encoder": evaluate(corpus, scan_with(model_only_engine(alone))),
        "patterns + encoder": evaluate(
            corpus, scan_with(build_engine(identify=False, model_stage=stage))
        ),
    }


SPEED_SAMPLE = 12


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def live_speeds(corpus: Corpus) -> dict[str, tuple[float, float]]:
    """Return (docs/s, peak RSS MB) of each configuration, with no cache.

    Patterns are timed first, before torch is imported, so their memory
    figure is their own; the encoder is timed on licenses it has never seen
    in this process (no embedding cache).
    """
    documents = [
        parse_path(d.doc_path) for d in corpus.documents if d.doc_path.suffix != ".pdf"
    ][:SPEED_SAMPLE]
    patterns = build_engine(identify=False)
    speeds = {"patterns": (_rate(patterns, documents), _rss_mb())}
    from models.stage import load_encoder_stage

    stage = load_encoder_stage(use_cache=False)
    alone = model_only_engine(stage)
    speeds["encoder"] = (_rate(alone, documents), _rss_mb())
    combined = build_engine(identify=False, model_stage=stage)
    speeds["patterns + encoder"] = (_rate(combined, documents), _rss_mb())
    return speeds


def _rate(engine: ClauseEngine, documents: Sequence[Document]) -> float:
    start = time.perf_counter()
    for document in documents:
        engine.tag(document)
    return len(documents) / (time.perf_counter() - start)


def ablation_table(corpus: Corpus) -> str:
    """Return the Markdown ablation table: F1 per type, micro F1, speed, memory."""
    from eval.train import embed_examples

    speeds = live_speeds(corpus)
    examples = corpus_examples(corpus)
    x, name = embed_examples(examples)
    reports = run_ablation(corpus, x, name=name)
    head = "| configuration | " + " | ".join(t.value for t in TYPES)
    lines = [
        head + " | micro F1 | docs/s | peak RSS MB |",
        "|---" * (len(TYPES) + 4) + "|",
    ]
    for config, report in reports.items():
        per_type = " | ".join(f"{report.per_type[t].f1:.3f}" for t in TYPES)
        rate, rss = speeds[config]
        figures = f"{report.micro.f1:.3f} | {rate:.1f} | {rss:.0f}"
        lines.append(f"| {config} | {per_type} | {figures} |")
    note = (
        f"Encoder rows: leave-one-license-family-out heads ({name}); speed on"
        f" {SPEED_SAMPLE} corpus licenses without the embedding cache."
    )
    return "\n".join([*lines, "", note, *paraphrase_lines()])


PARAPHRASE_SETS = (
    "paraphrases.jsonl",
    "paraphrases_heldout.jsonl",
    "paraphrases_test_b.jsonl",
)


def paraphrase_lines() -> list[str]:
    """Return how patterns and the model stage do on the paraphrase sets.

    `paraphrases.jsonl` was written by the team. The other two were written
    by people who never saw the patterns; `paraphrases_heldout.jsonl` was
    later used as a development set for pattern vocabulary, and
    `paraphrases_test_b.jsonl` is the untouched test set: nothing is tuned
    on it.
    """
    from eval.paraphrase import load_paraphrases, score_paraphrases, types_found
    from models.stage import load_encoder_stage

    patterns = build_engine(identify=False)
    combined = build_engine(identify=False, model_stage=load_encoder_stage())
    header = (
        "| paraphrase set | clauses | patterns recall | patterns precision"
        " | model recovers of misses | model precision |"
    )
    lines = ["", header, "|---" * 6 + "|"]
    for name in PARAPHRASE_SETS:
        items = load_paraphrases(Path(str(resources.files("eval") / "data" / name)))
        hits = wrong = 0
        for item in items:
            found = types_found(patterns, item.text)
            hits += int(item.type in found)
            wrong += len(found - {item.type})
        positives = sum(item.type is not None for item in items)
        score = score_paraphrases(items, patterns, combined)
        precision = hits / (hits + wrong) if hits + wrong else 1.0
        lines.append(
            f"| {name} | {positives} | {hits / positives:.2f} | {precision:.2f}"
            f" | {score.recovered}/{score.missed_by_patterns} ({score.recovery:.2f})"
            f" | {score.precision:.2f} |"
        )
    return lines
