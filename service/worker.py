"""`clausewise worker` / `python -m service.worker`: a Celery worker for every job kind.

The generic worker lives in `service.jobs.worker`; this entry point hands it
the settings and the app's wiring (`service.wiring.build_registry`), the one
list of job kinds. Each process builds its handlers when it starts (a prefork
child at `worker_process_init`), so the engine is loaded then, with the
handlers, rather than during the child's first job.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence

from service.engine import service_engine
from service.jobs import worker
from service.jobs.handlers import HandlerRegistry
from service.settings import Settings, get_settings, read_settings
from service.wiring import build_registry


def warm_registry(settings: Settings | None = None) -> HandlerRegistry:
    """Return every job kind's handler, bound to this process's engine, built now."""
    models = (settings or get_settings()).models
    return build_registry(service_engine(models))


def main(argv: Sequence[str] | None = None, settings: Settings | None = None) -> int:
    """Run a worker until it is stopped (settings from the environment by default).

    A bad `CLAUSEWISE_*` value is a `ConfigError` naming it, raised before
    anything starts.
    """
    settings = settings or read_settings()
    return worker.main(argv, _registry_of(settings), settings)


def _registry_of(settings: Settings) -> Callable[[], HandlerRegistry]:
    def build() -> HandlerRegistry:
        return warm_registry(settings)

    return build


if __name__ == "__main__":
    sys.exit(main())
