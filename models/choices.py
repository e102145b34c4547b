"""The model stages a user can choose, in one light module.

Kept apart from `models.stage` (which imports numpy, the cache and the heads)
so that the CLI's `--help` and the service's settings name the choices
without loading anything.
"""

from __future__ import annotations

from typing import Literal, get_args

ModelChoice = Literal["none", "encoder", "llm", "encoder+llm"]
MODEL_CHOICES: tuple[ModelChoice, ...] = get_args(ModelChoice)
