"""The one clause engine a service process uses: patterns, plus a model stage.

`CLAUSEWISE_MODEL` (none, encoder, llm, encoder+llm) picks the model stage,
as `clausewise scan --model` does. The API, the in-process job threads and
Celery workers all call `service_engine()`, so a batch item and a
synchronous scan of the same text are analysed alike, and the provenance
(which names the model) keys the batch result cache.
"""

from __future__ import annotations

import os
from functools import cache
from typing import get_args

from extractors.engine import ClauseEngine, build_engine, default_engine
from extractors.errors import ConfigError
from models.choices import ModelChoice
from models.stage import load_model_stage


def model_choice() -> ModelChoice:
    """Return the configured model stage (`CLAUSEWISE_MODEL`, default none)."""
    value = os.environ.get("CLAUSEWISE_MODEL", "none")
    choices = get_args(ModelChoice)
    if value not in choices:
        raise ConfigError(f"CLAUSEWISE_MODEL={value!r}: choose one of {choices}")
    return value  # type: ignore[return-value]


@cache
def service_engine(choice: ModelChoice | None = None) -> ClauseEngine:
    """Return the engine for `choice` (the environment's by default), built once."""
    choice = choice or model_choice()
    if choice == "none":
        return default_engine()
    return build_engine(model_stage=load_model_stage(choice))
