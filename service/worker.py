"""`clausewise worker` / `python -m service.worker`: a Celery worker for every job kind.

The generic worker lives in `service.jobs.worker`; this entry point hands it
the app's wiring (`service.wiring.build_registry`), the one list of job kinds.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from service.jobs import worker
from service.wiring import build_registry


def main(argv: Sequence[str] | None = None) -> int:
    """Run a worker until it is stopped; return its exit status."""
    return worker.main(argv, build_registry)


if __name__ == "__main__":
    sys.exit(main())
