"""A linear multi-label head over sentence embeddings, one logistic unit per type.

Small enough to commit (10 x 384 weights) and to run with numpy alone; it is
trained by `clausewise train` (see `eval/train.py`) and saved as JSON with the
settings and scores that produced it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from extractors.errors import ConfigError, ModelIntegrityError
from extractors.labels import ClauseType

Matrix = npt.NDArray[np.float32]
HEAD_FORMAT = 1


@dataclass(frozen=True)
class ClauseHead:
    """Weights, biases and per-type decision thresholds of the trained head."""

    types: tuple[ClauseType, ...]
    weights: Matrix  # (types, dim)
    bias: Matrix  # (types,)
    thresholds: Mapping[ClauseType, float]
    encoder: str
    settings: Mapping[str, Any] = field(default_factory=dict)
    scores: Mapping[str, Any] = field(default_factory=dict)

    @property
    def version(self) -> str:
        """Return a short hash of the weights: the cache key of its predictions."""
        digest = hashlib.sha256(self.weights.tobytes() + self.bias.tobytes())
        return digest.hexdigest()[:12]

    def probabilities(self, embeddings: Matrix) -> Matrix:
        """Return P(type | segment) for each row of `embeddings`."""
        logits = embeddings @ self.weights.T + self.bias
        # Clipped: standardised LLM features give logits beyond exp's range.
        clipped = np.clip(logits, -60.0, 60.0)
        probs: Matrix = (1.0 / (1.0 + np.exp(-clipped))).astype(np.float32)
        return probs


def head_to_dict(head: ClauseHead) -> dict[str, Any]:
    """Return the JSON form of a head."""
    return {
        "format": HEAD_FORMAT,
        "encoder": head.encoder,
        "types": [t.value for t in head.types],
        "weights": [_digits(row) for row in head.weights],
        "bias": _digits(head.bias),
        "thresholds": {t.value: v for t, v in head.thresholds.items()},
        "settings": dict(head.settings),
        "scores": dict(head.scores),
    }


def _digits(values: Matrix) -> list[float]:
    """Return float32 values with the 7 significant digits float32 can hold.

    Fixed decimals would lose the small weights of wide-range features.
    """
    return [float(f"{v:.7g}") for v in values.tolist()]


def save_head(head: ClauseHead, path: Path) -> None:
    """Write the head as JSON."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(head_to_dict(head), indent=1) + "\n", encoding="utf-8")


def load_head(path: Path | None = None) -> ClauseHead:
    """Load a head (the shipped one by default); bad files raise clear errors."""
    path = path or default_head_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(
            f"no trained head at {path}; run `clausewise train`"
        ) from None
    except (OSError, ValueError) as exc:
        raise ModelIntegrityError(f"cannot read the head {path}: {exc}") from exc
    return head_from_dict(data, source=str(path))


def head_from_dict(data: Mapping[str, Any], *, source: str) -> ClauseHead:
    """Build a head from its JSON form, checking shapes and names."""
    try:
        if data["format"] != HEAD_FORMAT:
            raise ValueError(f"format {data['format']}, expected {HEAD_FORMAT}")
        types = tuple(ClauseType(t) for t in data["types"])
        weights = np.asarray(data["weights"], dtype=np.float32)
        bias = np.asarray(data["bias"], dtype=np.float32)
        if weights.shape[0] != len(types) or bias.shape != (len(types),):
            raise ValueError(f"weights {weights.shape} and bias {bias.shape} disagree")
        thresholds = {ClauseType(k): float(v) for k, v in data["thresholds"].items()}
        return ClauseHead(
            types, weights, bias, thresholds, str(data["encoder"]),
            dict(data.get("settings", {})), dict(data.get("scores", {})),
        )  # fmt: skip
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelIntegrityError(f"{source}: not a valid clause head: {exc}") from exc


def default_head_path(name: str = "encoder_head.json") -> Path:
    """Return the path of a shipped, committed head."""
    return Path(str(resources.files("models") / "data" / name))
