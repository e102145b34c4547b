"""Thread and device choices for CPU inference on a shared two-core machine."""

from __future__ import annotations

import os

DEFAULT_MAX_THREADS = 2


def thread_count() -> int:
    """Return the threads to use: `CLAUSEWISE_THREADS`, else min(cores, 2).

    The machines this runs on share two cores between the service and its
    database; more threads than cores only adds contention.
    """
    configured = os.environ.get("CLAUSEWISE_THREADS")
    if configured:
        return max(1, int(configured))
    return max(1, min(os.cpu_count() or 1, DEFAULT_MAX_THREADS))


def configure_torch() -> None:
    """Set torch's thread pools and offline mode before any model loads."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    import torch
    from transformers.utils import logging as hf_logging

    torch.set_num_threads(thread_count())
    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
