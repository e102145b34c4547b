"""The one clause engine a service process uses: patterns, plus a model stage.

The settings' `models` section (`CLAUSEWISE_MODEL`: none, encoder, llm,
encoder+llm, and where the weights are) picks the model stage, as
`clausewise scan --model` does. The API, the in-process job threads, the
analysis workers and Celery workers all call `service_engine`, so a batch
item and a synchronous scan of the same text are analysed alike, and the
provenance (which names the model) keys the batch result cache.
"""

from __future__ import annotations

from functools import cache

from extractors.engine import ClauseEngine, build_engine, default_engine
from models.settings import ModelSettings
from models.stage import load_model_stage
from service.settings import get_settings


def service_engine(models: ModelSettings | None = None) -> ClauseEngine:
    """Return the engine for `models` (the process's settings by default).

    Built once per configuration and process: every caller with the same
    section shares it.
    """
    return _engine(models or get_settings().models)


@cache
def _engine(models: ModelSettings) -> ClauseEngine:
    if models.stage == "none":
        return default_engine()
    return build_engine(model_stage=load_model_stage(models.stage, models))
