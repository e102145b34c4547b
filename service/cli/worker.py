"""`clausewise worker ARGS`: hand the options to the job worker's own command line."""

from __future__ import annotations

import service.worker


def run(argv: list[str]) -> int:
    """Run a Celery worker for every job kind until it is stopped.

    The worker reads its settings itself; a bad one is a `ConfigError`, which
    `service.cli.main` reports as for `serve`.
    """
    return service.worker.main(argv)
