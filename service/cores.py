"""How many CPU cores this process may use: the default size of every worker pool."""

from __future__ import annotations

import os


def usable_cores() -> int:
    """Return the cores this process may run on (its affinity, not the host's)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1
