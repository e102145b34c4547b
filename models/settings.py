"""The model stage's settings: one section, handed in by whoever starts it.

`models/` reads no environment variable. The service's `Settings` has this
as its `models` section (`CLAUSEWISE_MODELS__LLM`, or the older flat
`CLAUSEWISE_LLM`), and the CLI commands that load a model read that section
alone; both pass it to the loaders here. Left at its defaults, a loader uses
the shipped, hash-verified weights and heads, the cache under
`~/.cache/clausewise` and at most two threads, so a library caller that
passes nothing gets the same model as everyone else.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

from models.choices import ModelChoice


@dataclass(frozen=True, slots=True)
class ModelSettings:
    """Where the weights, heads and caches are, and how many threads to use.

    Each path left `None` means the shipped default; `threads` left `None`
    means the usable cores, at most two (see `models.runtime`).
    """

    stage: ModelChoice = "none"
    encoder: Path | None = None
    llm: Path | None = None
    encoder_head: Path | None = None
    llm_head: Path | None = None
    cache_dir: Path | None = None
    threads: int | None = None


DEFAULT_MODEL_SETTINGS: Final = ModelSettings()
"""The shipped defaults, for callers that configure nothing."""
