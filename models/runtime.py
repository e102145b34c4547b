"""Thread and device choices for CPU inference on a shared two-core machine."""

from __future__ import annotations

import os

from models.settings import DEFAULT_MODEL_SETTINGS, ModelSettings

DEFAULT_MAX_THREADS = 2


def thread_count(settings: ModelSettings = DEFAULT_MODEL_SETTINGS) -> int:
    """Return the threads to use: `settings.threads`, else min(cores, 2).

    The machines this runs on share two cores between the service and its
    database; more threads than cores only adds contention.
    """
    if settings.threads is not None:
        return max(1, settings.threads)
    return max(1, min(os.cpu_count() or 1, DEFAULT_MAX_THREADS))


def configure_torch(settings: ModelSettings = DEFAULT_MODEL_SETTINGS) -> None:
    """Set torch's thread pools and offline mode before any model loads."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    import torch
    from transformers.utils import logging as hf_logging

    torch.set_num_threads(thread_count(settings))
    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
