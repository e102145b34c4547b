"""The live encoder stage: embed a document's segments, score them with the head.

Embeddings are cached by (encoder, segment text hash) and probabilities are
derived from them, so a paragraph seen before in any document costs a cache
lookup. This is the `ModelStage` the engine calls.
"""

from __future__ import annotations

from collections.abc import Sequence

from extractors.combine import DEFAULT_ADD_THRESHOLD, ModelEvidence
from extractors.types import Document, Segment
from models.cache import VectorCache
from models.encoder import Encoder
from models.head import ClauseHead


class EncoderStage:
    """Score segments with an encoder and a trained head."""

    def __init__(
        self,
        encoder: Encoder,
        head: ClauseHead,
        *,
        cache: VectorCache | None = None,
        add_threshold: float = DEFAULT_ADD_THRESHOLD,
    ) -> None:
        self.encoder = encoder
        self.head = head
        self.cache = cache
        self.add_threshold = {
            ctype: max(add_threshold, cut) for ctype, cut in head.thresholds.items()
        }
        self.name = f"{encoder.name}+head@{head.version}"

    def evidence(
        self, document: Document, segments: Sequence[Segment]
    ) -> ModelEvidence:
        """Return P(type | segment) for every segment of `document`."""
        texts = [document.text[s.span.start : s.span.end] for s in segments]
        if self.cache is not None:
            embeddings = self.cache.cached(self.encoder.name, texts, self.encoder.embed)
        else:
            embeddings = self.encoder.embed(texts)
        probabilities = (
            self.head.probabilities(embeddings)
            if len(texts)
            else embeddings.reshape(0, len(self.head.types))
        )
        return ModelEvidence(
            self.name,
            tuple(segments),
            self.head.types,
            probabilities,
            self.add_threshold,
        )


def load_encoder_stage(*, use_cache: bool = True) -> EncoderStage:
    """Load the shipped head and the verified encoder it was trained with."""
    from models.encoder import load_encoder
    from models.head import load_head

    head = load_head()
    encoder = load_encoder()
    return EncoderStage(encoder, head, cache=VectorCache() if use_cache else None)
