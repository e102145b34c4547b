"""Sentence features from the local LLM: mean-pooled hidden states of one layer.

Prompting the 0.5B model for yes/no answers separated clauses from
non-clauses no better than chance (measured AUC 0.52 on the development
paraphrases), but a linear head on its middle-layer states did better than
the MiniLM encoder on reworded clauses. So the LLM is used as an encoder:
`LlmEncoder` has the same `name` / `embed` interface as `models.encoder.Encoder`
and the same head and vector cache serve both.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from models.encoder import Embeddings
from models.llm import LocalLlm, load_llm
from models.registry import QWEN_05B, ModelSpec
from models.settings import DEFAULT_MODEL_SETTINGS, ModelSettings

FEATURE_LAYER = 12
"""The hidden state after this many decoder layers (of 24 in Qwen2.5-0.5B)."""
FEATURE_MAX_TOKENS = 128


class LlmEncoder:
    """Embed texts as the mean of one LLM layer's hidden states."""

    def __init__(self, llm: LocalLlm, *, layer: int = FEATURE_LAYER) -> None:
        llm.keep_layers(layer + 1)
        self._llm = llm
        self._layer = layer
        self.name = f"{llm.name}/meanpool-l{layer}/len{FEATURE_MAX_TOKENS}"

    def embed(self, texts: Sequence[str]) -> Embeddings:
        """Return one float32 row per text (an empty input gives (0, 0))."""
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return self._llm.mean_hidden(
            texts, layer=self._layer, max_tokens=FEATURE_MAX_TOKENS
        )


def load_llm_encoder(
    spec: ModelSpec = QWEN_05B, *, settings: ModelSettings = DEFAULT_MODEL_SETTINGS
) -> LlmEncoder:
    """Load the verified (or user-named) LLM as a feature encoder."""
    return LlmEncoder(load_llm(spec, settings=settings))
