"""`clausewise worker` / `python -m service.worker`: a Celery worker for every job kind.

The generic worker lives in `service.jobs.worker`; this entry point hands it
the app's wiring (`service.wiring.build_registry`), the one list of job kinds.
Each process builds its handlers when it starts (a prefork child at
`worker_process_init`), so the engine is loaded then, with the handlers,
rather than during the child's first job.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from service.engine import service_engine
from service.jobs import worker
from service.jobs.handlers import HandlerRegistry
from service.wiring import build_registry


def warm_registry() -> HandlerRegistry:
    """Return every job kind's handler, bound to this process's engine, built now."""
    return build_registry(service_engine())


def main(argv: Sequence[str] | None = None) -> int:
    """Run a worker until it is stopped; return its exit status."""
    return worker.main(argv, warm_registry)


if __name__ == "__main__":
    sys.exit(main())
